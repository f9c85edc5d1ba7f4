// exprinput.js - an answer-key expression (doc/expressions.md) with its live
// preview: as the instructor types, the expression is evaluated on the trace
// (POST /api/v1/eval, a moment after the last key press) and its value shown,
// with the frames and fields it came from (a click shows one in the trace
// view), or the error with its place underlined.

import * as api from './api.js';
import { h, append, uid, plural, char_index } from './dom.js';

const MAX_ORIGINS = 24;              /* "from" buttons shown; the rest counted */

/* [start, end) of the token at i: a name, a number, a quoted text, or one character. */
function token_at(s, i) {
	if (i >= s.length)
		return [s.length, s.length];
	const rest = s.slice(i);
	const m = /^(?:[A-Za-z0-9_.:-]+|"(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?)/.exec(rest);
	return [i, i + (m && m[0].length ? m[0].length : 1)];
}

/* A value as the key list shows it: JSON, so "2" and 2 differ. */
export function value_text(v) {
	return JSON.stringify(v);
}

/* Buttons for a key's origins ([{frame, field}]); on_reveal(frame, field) when one is clicked. */
export function origin_buttons(from, on_reveal) {
	const list = from || [];
	const shown = list.slice(0, MAX_ORIGINS).map((o) => h('button', {
		type: 'button', class: 'link origin',
		disabled: !on_reveal,
		onclick: () => on_reveal && on_reveal(o.frame, o.field),
	}, `frame ${o.frame} ${o.field}`));
	const out = shown.flatMap((b, i) => (i ? [', ', b] : [b]));
	if (list.length > MAX_ORIGINS)
		out.push(` and ${list.length - MAX_ORIGINS} more`);
	return out;
}

export class ExprEditor {
	/*
	 * label: the text of the input's label; value: the expression;
	 * trace(): the SHA-256 of the trace to evaluate on, or null when none is
	 * chosen; on_change(text) on every edit; on_reveal(frame, field) when an
	 * origin is clicked.  delay: milliseconds of quiet before evaluating.
	 */
	constructor({ label, value = '', trace, on_change = null, on_reveal = null, delay = 350, hint = null } = {}) {
		this.trace = trace;
		this.on_change = on_change;
		this.on_reveal = on_reveal;
		this.delay = delay;
		this.timer = 0;
		this.ctl = null;
		this.seq = 0;
		const id = uid('expr');
		this.input = h('textarea', {
			id, class: 'expr-input', rows: '2', spellcheck: 'false', autocomplete: 'off', autocapitalize: 'none',
			'aria-describedby': `${id}-preview`,
		});
		this.input.value = value;
		this.preview = h('div', { class: 'expr-preview', id: `${id}-preview`, 'aria-live': 'polite' });
		this.el = h('div', { class: 'expr field' },
			h('label', { for: id }, label),
			hint ? h('p', { class: 'hint' }, hint) : null,
			this.input, this.preview);
		this.input.addEventListener('input', () => {
			if (this.on_change)
				this.on_change(this.input.value);
			this.schedule();
		});
		this.refresh();
	}

	get value() {
		return this.input.value;
	}

	destroy() {
		clearTimeout(this.timer);
		if (this.ctl)
			this.ctl.abort();
	}

	schedule() {
		clearTimeout(this.timer);
		this.timer = setTimeout(() => this.refresh(), this.delay);
	}

	show(...children) {
		this.preview.replaceChildren();
		append(this.preview, ...children);
	}

	/* Evaluates the expression now (the trace changed, or the typing paused). */
	async refresh() {
		clearTimeout(this.timer);
		if (this.ctl)
			this.ctl.abort();
		this.ctl = null;
		const seq = ++this.seq;
		const expr = this.input.value;
		this.input.removeAttribute('aria-invalid');
		this.el.classList.remove('bad');
		if (!expr.trim()) {
			this.preview.dataset.state = 'empty';
			this.show(h('span', { class: 'muted' }, 'Type an expression: its value on the trace shows here.'));
			return;
		}
		const sha = this.trace ? this.trace() : null;
		if (!sha) {
			this.preview.dataset.state = 'no-trace';
			this.show(h('span', { class: 'muted' }, 'Choose a trace to see the value.'));
			return;
		}
		const ctl = new AbortController();
		this.ctl = ctl;
		this.preview.dataset.state = 'busy';
		this.preview.classList.add('busy');
		let r;
		for (let tries = 0; ; tries++) {
			try {
				r = await api.evaluate(expr, sha, { signal: ctl.signal });
				break;
			} catch (e) {
				if (e.name === 'AbortError' || seq !== this.seq)
					return;
				/* 429: this account's other evaluations (an editor opening evaluates
				 * every key at once) hold the server's slots: a preview waits its turn */
				if (e.status === 429 && tries < 8) {
					await new Promise((ok) => setTimeout(ok, 400 * (tries + 1)));
					if (seq !== this.seq || ctl.signal.aborted)
						return;
					continue;
				}
				this.preview.classList.remove('busy');
				this.show_error(expr, e);
				return;
			}
		}
		if (seq !== this.seq)
			return;
		this.preview.classList.remove('busy');
		this.preview.dataset.state = 'value';
		const from = r.from || [];
		this.show(
			h('span', { class: 'expr-label' }, 'Value: '), h('code', { class: 'expr-value' }, value_text(r.value)),
			from.length ? [h('span', { class: 'expr-from' }, ` from ${plural(from.length, 'place')}: `), origin_buttons(from, this.on_reveal)] : null);
	}

	/* An error: the server's message, and the expression with the place it names underlined. */
	show_error(expr, e) {
		this.preview.dataset.state = 'error';
		this.el.classList.add('bad');
		this.input.setAttribute('aria-invalid', 'true');
		const pos = e.data && Number.isInteger(e.data.position) && e.data.position >= 0 ? e.data.position : -1;
		if (pos < 0 || e.status !== 422) {
			this.show(h('p', { class: 'expr-error' }, e.message));
			return;
		}
		const at = char_index(expr, pos);
		const [start, end] = token_at(expr, at);
		const echo = h('code', { class: 'expr-echo' },
			expr.slice(0, start),
			h('mark', { class: 'expr-bad' }, start < end ? expr.slice(start, end) : ' '),
			expr.slice(end));
		this.show(
			h('p', { class: 'expr-error' }, `${e.message} (at character ${at + 1})`),
			h('div', { class: 'expr-echo-box', 'aria-hidden': 'true' }, echo));
	}
}
