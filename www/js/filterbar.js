// filterbar.js - the display filter bar, as Wireshark's: green while what is
// typed is a valid filter, red with the server's message (its place
// underlined) when not; field names completed from the registry (name and
// type beside each, as the "Display Filter Expression" dialog shows them);
// Enter applies, Escape clears; the filters applied before, in history
// (ArrowUp and ArrowDown when no completion is open).

import * as api from './api.js';
import { h, uid, char_index } from './dom.js';

const HISTORY_KEY = 'tq.filter-history';
const HISTORY_MAX = 30;
const COMPLETIONS_MAX = 12;
const CHECK_DELAY = 250;             /* ms after the last key press */

function history_load() {
	try {
		const v = JSON.parse(localStorage.getItem(HISTORY_KEY) || '[]');
		return Array.isArray(v) ? v.filter((x) => typeof x === 'string') : [];
	} catch {
		return [];
	}
}

function history_save(list) {
	try {
		localStorage.setItem(HISTORY_KEY, JSON.stringify(list.slice(0, HISTORY_MAX)));
	} catch {
		/* private browsing: history lasts the page */
	}
}

/* The field name being typed at the caret: [start, end, text], or null. */
function word_at(s, caret) {
	let a = caret;
	while (a > 0 && /[A-Za-z0-9_.-]/.test(s[a - 1]))
		a--;
	let b = caret;
	while (b < s.length && /[A-Za-z0-9_.-]/.test(s[b]))
		b++;
	const w = s.slice(a, b);
	if (!w || !/^[A-Za-z]/.test(w) || (a > 0 && /["'\]]/.test(s[a - 1])))
		return null;
	return [a, b, w];
}

export class FilterBar {
	/*
	 * check(text) resolves when text is a valid filter here, or rejects with
	 * the server's ApiError; apply(text) applies it ('' : every frame) and
	 * resolves, or rejects with the ApiError that says why not.
	 */
	constructor({ check, apply }) {
		this.check = check;
		this.apply_fn = apply;
		this.applied = '';
		this.history = history_load();
		this.hist_at = -1;
		this.fields = null;          /* [{f, n, t}] once fetched */
		this.matches = [];
		this.active = -1;
		this.timer = 0;
		this.seq = 0;                /* the latest check: older answers are dropped */
		const id = uid('fb');
		this.input = h('input', {
			type: 'text', class: 'fb-input', id, spellcheck: 'false', autocomplete: 'off',
			placeholder: 'Apply a display filter … (tcp.port == 25, dns.qry.name contains "example")',
			role: 'combobox', 'aria-autocomplete': 'list', 'aria-expanded': 'false',
			'aria-controls': `${id}-list`, 'aria-describedby': `${id}-msg`,
		});
		this.list = h('ul', { class: 'fb-list', id: `${id}-list`, role: 'listbox', hidden: true, 'aria-label': 'Fields' });
		this.msg = h('p', { class: 'fb-msg', id: `${id}-msg`, role: 'status', 'aria-live': 'polite' });
		this.el = h('div', { class: 'fb' },
			h('label', { class: 'sr-only', for: id }, 'Display filter'),
			h('div', { class: 'fb-row' },
				h('div', { class: 'fb-field' }, this.input, this.list),
				h('button', { type: 'button', class: 'small', onclick: () => this.apply(this.input.value) }, 'Apply'),
				h('button', { type: 'button', class: 'small', onclick: () => this.clear() }, 'Clear')),
			this.msg);
		this.input.addEventListener('input', () => this.typed());
		this.input.addEventListener('keydown', (e) => this.keydown(e));
		this.input.addEventListener('blur', () => setTimeout(() => this.close(), 150));
		this.list.addEventListener('mousedown', (e) => {
			const li = e.target.closest('li');
			if (li) {
				e.preventDefault();
				this.accept(Number(li.dataset.i));
			}
		});
	}

	/* Puts text in the bar (Prepare as filter), checked as if typed; applied when apply is true. */
	set(text, { apply = false } = {}) {
		this.input.value = text;
		this.input.focus();
		this.input.setSelectionRange(text.length, text.length);
		if (apply)
			return this.apply(text);
		this.typed({ complete: false });
		return Promise.resolve();
	}

	state(cls, text = '') {
		this.input.classList.remove('valid', 'invalid', 'pending');
		if (cls)
			this.input.classList.add(cls);
		this.input.setAttribute('aria-invalid', cls === 'invalid' ? 'true' : 'false');
		this.msg.textContent = text;
		this.msg.classList.toggle('error', cls === 'invalid');
	}

	/* The server's message, with the place it points at quoted. */
	say_error(e) {
		const d = e.data || {};
		let text = e.message;
		if (Number.isInteger(d.position) && d.position >= 0) {
			const s = this.input.value;
			const i = char_index(s, d.position);
			text += i < s.length ? ` (at “${s.slice(i, i + 20)}”)` : ' (at the end)';
		}
		this.state('invalid', text);
	}

	typed({ complete = true } = {}) {
		this.hist_at = -1;
		clearTimeout(this.timer);
		if (complete)
			this.complete();
		else
			this.close();
		const text = this.input.value;
		if (!text.trim()) {
			this.state('');
			return;
		}
		this.state('pending');
		const seq = ++this.seq;
		this.timer = setTimeout(() => {
			this.check(text).then(() => {
				if (seq === this.seq)
					this.state('valid');
			}, (e) => {
				if (seq === this.seq)
					this.say_error(e);
			});
		}, CHECK_DELAY);
	}

	async apply(text) {
		text = text.trim();
		clearTimeout(this.timer);
		const seq = ++this.seq;
		this.close();
		this.state(text ? 'pending' : '', text ? 'Applying the filter…' : '');
		try {
			await this.apply_fn(text);
		} catch (e) {
			if (seq === this.seq)
				this.say_error(e);
			return false;
		}
		if (seq !== this.seq)
			return false;
		this.applied = text;
		this.state(text ? 'valid' : '');
		if (text) {
			this.history = [text, ...this.history.filter((x) => x !== text)].slice(0, HISTORY_MAX);
			history_save(this.history);
		}
		return true;
	}

	clear() {
		this.input.value = '';
		return this.apply('');
	}

	async complete() {
		const w = word_at(this.input.value, this.input.selectionStart ?? this.input.value.length);
		if (!w) {
			this.close();
			return;
		}
		if (!this.fields) {
			try {
				this.fields = (await api.fields()).fields;
			} catch {
				return;              /* no completion; the filter still works */
			}
		}
		const prefix = w[2].toLowerCase();
		const out = [];
		for (const x of this.fields) {
			if (x.f.startsWith(prefix) && x.f !== prefix) {
				/* the next level only: "tcp." offers tcp.flags, not every tcp.flags.* */
				const rest = x.f.slice(prefix.length);
				const dot = rest.indexOf('.', 1);
				if (dot < 0 || !out.some((o) => x.f.startsWith(`${o.f}.`)))
					out.push(x);
				if (out.length >= COMPLETIONS_MAX)
					break;
			}
		}
		this.matches = out;
		this.word = w;
		this.active = -1;
		if (!out.length) {
			this.close();
			return;
		}
		this.list.replaceChildren(...out.map((x, i) => h('li', {
			role: 'option', id: `${this.list.id}-${i}`, dataset: { i: String(i), f: x.f }, 'aria-selected': 'false',
		}, h('span', { class: 'fb-f' }, x.f), h('span', { class: 'fb-n' }, ` ${x.n}`), h('span', { class: 'fb-t' }, ` (${x.t})`))));
		this.list.hidden = false;
		this.input.setAttribute('aria-expanded', 'true');
	}

	close() {
		this.list.hidden = true;
		this.matches = [];
		this.active = -1;
		this.input.setAttribute('aria-expanded', 'false');
		this.input.removeAttribute('aria-activedescendant');
	}

	highlight(i) {
		this.active = i;
		[...this.list.children].forEach((li, k) => li.setAttribute('aria-selected', k === i ? 'true' : 'false'));
		if (i >= 0) {
			this.input.setAttribute('aria-activedescendant', `${this.list.id}-${i}`);
			this.list.children[i].scrollIntoView({ block: 'nearest' });
		}
	}

	/* Puts completion i in place of the word being typed. */
	accept(i) {
		const x = this.matches[i];
		if (!x)
			return;
		const [a, b] = this.word;
		const s = this.input.value;
		this.input.value = s.slice(0, a) + x.f + s.slice(b);
		const caret = a + x.f.length;
		this.input.setSelectionRange(caret, caret);
		this.typed({ complete: false });
	}

	keydown(e) {
		const open = !this.list.hidden && this.matches.length;
		switch (e.key) {
		case 'ArrowDown':
		case 'ArrowUp': {
			e.preventDefault();
			const step = e.key === 'ArrowDown' ? 1 : -1;
			if (open) {
				/* -1 is the text typed, before the first completion */
				const n = this.matches.length;
				let i = this.active + step;
				if (i < -1)
					i = n - 1;
				else if (i >= n)
					i = -1;
				this.highlight(i);
				return;
			}
			/* history: ArrowUp the older */
			const k = Math.min(this.history.length - 1, Math.max(-1, this.hist_at - step));
			if (k === this.hist_at)
				return;
			this.hist_at = k;
			this.input.value = k >= 0 ? this.history[k] : '';
			const keep = this.hist_at;
			this.typed({ complete: false });
			this.hist_at = keep;
			return;
		}
		case 'Tab':
			if (open) {
				e.preventDefault();
				this.accept(this.active >= 0 ? this.active : 0);
			}
			return;
		case 'Enter':
			e.preventDefault();
			if (open && this.active >= 0)
				this.accept(this.active);
			else
				this.apply(this.input.value);
			return;
		case 'Escape':
			e.preventDefault();
			if (open)
				this.close();
			else
				this.clear();
			return;
		default:
		}
	}
}

/*
 * The value of an item whose value is its own bytes ("vb", doc/json.md): the
 * bytes of its span in its data source, as hex with colons (tcp.payload ==
 * 17:03:03); null when the view masked any of them.
 */
function span_value(j, sources) {
	const src = sources && sources[j.ds || 0];
	const [off, len] = j.h || [0, 0];
	const hex = src ? String(src.bytes).slice(2 * off, 2 * (off + len)) : '';
	if (!len || hex.length !== 2 * len || hex.includes('?'))
		return null;
	return hex.match(/../g).join(':');
}

/*
 * The filter Wireshark's "Apply as Filter" makes of a tree item (doc/json.md):
 * its field equal to its value (text quoted), the field alone for a protocol
 * or an item without a value, null for a text item with no field.  types:
 * a Map from field to its type ("Character string"), from the field list;
 * sources: the frame's data sources, for an item whose value is its bytes.
 */
export function filter_for(j, types, sources) {
	if (!j || !j.f)
		return null;
	if (j.vb) {
		const v = span_value(j, sources);
		return v ? `${j.f} == ${v}` : j.f;
	}
	if (j.v === undefined || j.v === null || j.v === '')
		return j.f;
	const t = types && types.get(j.f);
	if (t === 'Protocol' || t === 'Label')
		return j.f;
	const v = String(j.v);
	if (t === 'Character string' || t === 'Date and time' || !/^[A-Za-z0-9_.:/-]+$/.test(v))
		return `${j.f} == "${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
	return `${j.f} == ${v}`;
}
