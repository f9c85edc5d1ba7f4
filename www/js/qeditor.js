// qeditor.js - one question of the exercise editor: its id, kind, prompt and
// points, the key (an expression with its live preview, or a fixed answer),
// what its kind needs (normalizers and other right answers, a tolerance,
// choices, the fields to hide, the frames to order) and its feedback (when
// right, when wrong, expected mistakes, per hidden field).  The question is
// kept as the document's JSON (doc/exercises.md): what the editor does not
// show is kept as it was.

import * as api from './api.js';
import { h, append, uid } from './dom.js';
import { ExprEditor } from './exprinput.js';
import { key_line } from './keylist.js';

export const KINDS = {
	text: 'Text',
	number: 'Number',
	choice: 'Choice',
	field: 'Hidden fields',
	order: 'Order of frames',
};

/* The keys each kind has of its own (exercise.c's per_kind). */
const OWN = {
	text: ['normalize', 'accept', 'match'],
	number: ['tolerance'],
	choice: ['choices', 'multiple', 'limit'],
	field: ['hide'],
	order: ['frames'],
};

const NORMALIZERS = [
	['case', 'case does not matter'],
	['trim', 'white space around is ignored'],
	['space', 'runs of white space count as one'],
	['dot', 'a domain name\'s trailing dot is ignored'],
	['ipv6', 'IPv6 addresses compare in canonical form'],
	['int', 'integers compare by value, in any base'],
];

/* "1 2, 3" -> ['1', '2', '3'] */
function words(s) {
	return String(s).split(/[\s,]+/).filter(Boolean);
}

function lines(s) {
	return String(s).split('\n').map((l) => l.trim()).filter(Boolean);
}

/* A labelled control: {el, input}.  tag: 'input' (type from attrs), 'textarea' or 'select'. */
function control(label, tag, attrs = {}, { hint = null, cls = '' } = {}) {
	const id = uid('qe');
	const input = h(tag, { id, ...attrs });
	const hint_el = hint ? h('span', { class: 'hint', id: `${id}-hint` }, hint) : null;
	if (hint_el)
		input.setAttribute('aria-describedby', hint_el.id);
	return { input, el: h('div', { class: `field ${cls}`.trim() }, h('label', { for: id }, label), input, hint_el) };
}

function checkbox(label, checked, onchange) {
	const id = uid('qe');
	const input = h('input', { type: 'checkbox', id, checked: !!checked });
	input.addEventListener('change', () => onchange(input.checked));
	return { input, el: h('div', { class: 'check' }, input, h('label', { for: id }, label)) };
}

/* A number from an input, or undefined when it is empty (NaN stays text, for the server to name). */
function number_or_text(s) {
	const t = String(s).trim();
	if (t === '')
		return undefined;
	return /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(t) ? Number(t) : t;
}

export class QuestionEditor {
	/*
	 * q: a question of the document (copied; value() gives the edited one).
	 * trace(): the SHA-256 the expressions are evaluated on; on_reveal(frame,
	 * field) shows a key's origin in the trace view; on_move(editor, step)
	 * and on_remove(editor) ask the page to move or remove it.
	 */
	constructor(q, { trace, on_reveal, on_move, on_remove }) {
		this.q = structuredClone(q);
		this.trace = trace;
		this.on_reveal = on_reveal;
		this.exprs = new Set();          /* the ExprEditors shown now */
		this.uid = uid('question');

		this.title = h('span', { class: 'qe-title' });
		this.legend = h('legend', {}, this.title);
		this.error = h('p', { class: 'error qe-error', role: 'alert', id: `${this.uid}-error` });
		this.key_box = h('div', { class: 'qe-key', 'aria-live': 'polite' });
		this.kind_box = h('div', { class: 'qe-kind' });

		const id = control('Id', 'input', { type: 'text', class: 'qe-id', autocomplete: 'off', spellcheck: 'false', required: true },
			{ hint: 'letters, digits, _ or -' });
		id.input.value = this.q.id ?? '';
		id.input.addEventListener('input', () => {
			this.q.id = id.input.value.trim();
			this.update_title();
		});
		this.id_input = id.input;

		const kind = control('Kind', 'select', { class: 'qe-kind-select' });
		for (const [k, label] of Object.entries(KINDS))
			kind.input.append(h('option', { value: k }, label));
		kind.input.value = this.q.kind in KINDS ? this.q.kind : 'text';
		this.q.kind = kind.input.value;
		kind.input.addEventListener('change', () => this.set_kind(kind.input.value));

		const prompt = control('Prompt', 'textarea', { rows: '2', class: 'qe-prompt', required: true });
		prompt.input.value = this.q.prompt ?? '';
		prompt.input.addEventListener('input', () => {
			this.q.prompt = prompt.input.value;
		});
		this.prompt_input = prompt.input;

		const points = control('Points', 'input', { type: 'text', inputmode: 'decimal', class: 'qe-points', autocomplete: 'off' },
			{ hint: 'default 1' });
		points.input.value = this.q.points ?? '';
		points.input.addEventListener('input', () => this.set('points', number_or_text(points.input.value)));

		this.feedback_box = h('fieldset', { class: 'qe-sub qe-feedback' });
		/* per-field feedback as typed, also for fields no longer hidden (typed back, it returns) */
		this.field_feedback = new Map(Object.entries(this.q.feedback?.fields || {}));
		this.up = h('button', { type: 'button', class: 'small', onclick: () => on_move(this, -1) }, 'Move up');
		this.down = h('button', { type: 'button', class: 'small', onclick: () => on_move(this, 1) }, 'Move down');
		this.remove_button = h('button', { type: 'button', class: 'small danger', onclick: () => on_remove(this) }, 'Remove');

		this.el = h('fieldset', { class: 'qe', id: this.uid, 'aria-describedby': this.error.id },
			this.legend,
			h('div', { class: 'qe-tools' }, this.up, this.down, this.remove_button),
			h('div', { class: 'qe-row' }, id.el, kind.el, points.el),
			prompt.el,
			this.kind_box,
			this.feedback_box,
			this.key_box,
			this.error);
		this.el.dataset.qid = this.q.id ?? '';
		this.render_kind();
		this.update_title();
	}

	/* Sets or (undefined, '') removes a key of the question. */
	set(k, v) {
		if (v === undefined || v === '' || (Array.isArray(v) && !v.length))
			delete this.q[k];
		else
			this.q[k] = v;
	}

	set_number(n, count) {
		this.number = n;
		this.up.disabled = n === 1;
		this.down.disabled = n === count;
		this.update_title();
	}

	update_title() {
		const label = `Question ${this.number || ''}`.trim();
		this.title.textContent = this.q.id ? `${label} (${this.q.id})` : label;
		if (!this.el)
			return;              /* still being built */
		this.el.dataset.qid = this.q.id ?? '';
		this.up.setAttribute('aria-label', `Move ${label.toLowerCase()} up`);
		this.down.setAttribute('aria-label', `Move ${label.toLowerCase()} down`);
		this.remove_button.setAttribute('aria-label', `Remove ${label.toLowerCase()}`);
	}

	/* The question as the document holds it. */
	value() {
		return structuredClone(this.q);
	}

	destroy() {
		for (const x of this.exprs)
			x.destroy();
		this.exprs.clear();
	}

	/* The trace changed: every expression again. */
	trace_changed() {
		for (const x of this.exprs)
			x.refresh();
	}

	focus() {
		this.id_input.focus();
	}

	/* A save's key for this question ({key, error, from, valid}), or null to clear it. */
	show_key(k, head = 'Saved: ') {
		this.key_box.replaceChildren();
		if (k)
			append(this.key_box, h('span', { class: 'qe-key-head' }, head), key_line(k, this.on_reveal));
	}

	/* The server's message about this question, or '' to clear it. */
	show_error(msg) {
		this.error.textContent = msg || '';
		this.el.classList.toggle('bad', !!msg);
	}

	set_kind(kind) {
		if (kind === this.q.kind)
			return;
		for (const [k, own] of Object.entries(OWN))
			if (k !== kind)
				for (const key of own)
					delete this.q[key];
		if (kind === 'field' || kind === 'order') {
			delete this.q.key;
			delete this.q.answer;
		}
		if (kind === 'choice' && !Array.isArray(this.q.choices))
			this.q.choices = [{ text: '' }, { text: '' }];
		this.q.kind = kind;
		this.render_kind();
	}

	expr(opts) {
		const x = new ExprEditor({ trace: this.trace, on_reveal: this.on_reveal, ...opts });
		this.exprs.add(x);
		return x;
	}

	render_kind() {
		for (const x of this.exprs)
			x.destroy();
		this.exprs.clear();
		const kind = this.q.kind;
		const parts = [];
		if (kind === 'text' || kind === 'number' || kind === 'choice')
			parts.push(this.key_fields(kind));
		if (kind === 'text')
			parts.push(this.text_fields());
		else if (kind === 'number')
			parts.push(this.number_fields());
		else if (kind === 'choice')
			parts.push(this.choice_fields());
		else if (kind === 'field')
			parts.push(this.field_fields());
		else if (kind === 'order')
			parts.push(this.order_fields());
		this.kind_box.replaceChildren(...parts);
		this.render_feedback();
	}

	/*
	 * "Find a key": the expressions whose value on the trace is the fixed
	 * answer typed in input (POST /api/v1/suggest), each with a button that
	 * makes it the key (use(expr)); or why there is none.
	 */
	find_key(input, use) {
		const out = h('div', { class: 'qe-suggest', 'aria-live': 'polite' });
		const find = async () => {
			const sha = this.trace && this.trace();
			const answer = input.value.trim();
			if (!sha || !answer) {
				out.textContent = !sha ? 'Choose a trace first.' : 'Type the answer first.';
				return;
			}
			out.textContent = 'Looking through every field of the trace…';
			let r;
			try {
				r = await api.suggest(answer, sha, this.q.prompt || undefined);
			} catch (e) {
				out.textContent = `No key found: ${e.message}`;
				return;
			}
			if (!r.suggestions.length) {
				out.textContent = `No value of the trace reads as “${answer}”: check the answer.`;
				return;
			}
			out.replaceChildren(h('p', {}, `Keys computed from the trace that give “${answer}”:`),
				h('ul', {}, r.suggestions.map((x) => h('li', {},
					h('code', {}, x.expr), ' ',
					h('button', { type: 'button', class: 'small', onclick: () => use(x.expr) }, 'Use this key')))));
		};
		return h('div', { class: 'qe-find' },
			h('button', { type: 'button', class: 'small', onclick: find }, 'Find a key'),
			h('span', { class: 'hint' }, ' expressions whose value on the trace is this answer'), out);
	}

	/* The right answer: an expression on the trace, a fixed answer, or (text, choice) none of the two. */
	key_fields(kind) {
		const modes = [['key', 'Computed from the trace by an expression'], ['answer', 'A fixed answer']];
		if (kind === 'text')
			modes.push(['none', 'Only the other right answers and the pattern below']);
		if (kind === 'choice')
			modes.push(['none', 'The choices marked right']);
		let mode = 'key' in this.q ? 'key' : 'answer' in this.q ? 'answer' : kind === 'number' ? 'key' : 'none';
		if (kind === 'text' && mode === 'none' && !('accept' in this.q) && !('match' in this.q))
			mode = 'key';
		const name = uid('mode');
		const slot = h('div', { class: 'qe-key-slot' });
		const saved = { key: this.q.key ?? '', answer: this.q.answer ?? '' };
		let shown = null;
		const show = (m) => {
			if (shown) {
				shown.destroy();
				this.exprs.delete(shown);
				shown = null;
			}
			delete this.q.key;
			delete this.q.answer;
			if (m === 'key') {
				shown = this.expr({
					label: 'Key expression',
					value: saved.key,
					hint: 'Wireshark field names and filters, count(), first(), …: its value on the trace is the right answer.',
					on_change: (v) => {
						saved.key = v;
						this.set('key', v.trim() ? v : undefined);
					},
				});
				this.set('key', String(saved.key).trim() ? saved.key : undefined);
				slot.replaceChildren(shown.el);
			} else if (m === 'answer') {
				const multi = kind === 'choice' && this.q.multiple;
				const a = control('Answer', 'input', { type: 'text', class: 'qe-answer', autocomplete: 'off', spellcheck: 'false' },
					{ hint: kind === 'choice' ? (multi ? 'the texts of the right choices, separated by |' : 'the text of the right choice') : kind === 'number' ? 'a number' : 'the right answer' });
				a.input.value = Array.isArray(saved.answer) ? saved.answer.join(' | ') : String(saved.answer);
				const put = () => {
					const t = a.input.value;
					saved.answer = t;
					if (kind === 'number')
						this.set('answer', number_or_text(t));
					else if (multi)
						this.set('answer', t.split('|').map((s) => s.trim()).filter(Boolean));
					else
						this.set('answer', t.trim() ? t : undefined);
				};
				a.input.addEventListener('input', put);
				put();
				slot.replaceChildren(a.el, kind === 'choice' ? null : this.find_key(a.input, (expr) => {
					/* "Use this key": the expression becomes the key */
					saved.key = expr;
					radios[0].querySelector('input').checked = true;
					show('key');
				}));
			} else {
				slot.replaceChildren();
			}
		};
		const radios = modes.map(([m, label]) => {
			const id = uid('mode');
			const r = h('input', { type: 'radio', id, name, value: m, checked: m === mode });
			r.addEventListener('change', () => r.checked && show(m));
			return h('div', { class: 'check' }, r, h('label', { for: id }, label));
		});
		show(mode);
		return h('fieldset', { class: 'qe-sub qe-keyset' }, h('legend', {}, 'The right answer'), radios, slot);
	}

	text_fields() {
		const norm = new Set(Array.isArray(this.q.normalize) ? this.q.normalize : typeof this.q.normalize === 'string' ? [this.q.normalize] : ['trim']);
		const put_norm = () => {
			const list = NORMALIZERS.map(([n]) => n).filter((n) => norm.has(n));
			/* [trim] is the default: left out, the document stays as written */
			if (!('normalize' in this.q) && list.length === 1 && list[0] === 'trim')
				return;
			this.q.normalize = list;
		};
		const boxes = NORMALIZERS.map(([n, what]) => checkbox(`${n}: ${what}`, norm.has(n), (on) => {
			if (on)
				norm.add(n);
			else
				norm.delete(n);
			put_norm();
		}).el);
		const accept = control('Other right answers (one a line)', 'textarea', { rows: '2', class: 'qe-accept', spellcheck: 'false' });
		const acc = this.q.accept;
		accept.input.value = Array.isArray(acc) ? acc.join('\n') : acc ? String(acc) : '';
		accept.input.addEventListener('input', () => this.set('accept', lines(accept.input.value)));
		const match = control('Pattern that accepts (a regular expression)', 'input', { type: 'text', class: 'qe-match', spellcheck: 'false', autocomplete: 'off' });
		match.input.value = this.q.match ?? '';
		match.input.addEventListener('input', () => this.set('match', match.input.value));
		return h('div', { class: 'qe-own' },
			h('fieldset', { class: 'qe-sub' }, h('legend', {}, 'How answers are compared'), boxes),
			accept.el, match.el);
	}

	number_fields() {
		const tol = control('Tolerance', 'input', { type: 'text', inputmode: 'decimal', class: 'qe-tolerance', autocomplete: 'off' },
			{ hint: 'how far from the key an answer may be and still be right (default 0)' });
		tol.input.value = this.q.tolerance ?? '';
		tol.input.addEventListener('input', () => this.set('tolerance', number_or_text(tol.input.value)));
		return h('div', { class: 'qe-own' }, tol.el);
	}

	choice_fields() {
		if (!Array.isArray(this.q.choices))
			this.q.choices = [];
		/* a choice given as its text alone becomes {text} */
		this.q.choices = this.q.choices.map((c) => (typeof c === 'string' ? { text: c } : c));
		const list = h('ol', { class: 'qe-choices' });
		const draw = () => {
			for (const x of [...this.exprs])
				if (x.choice) {
					x.destroy();
					this.exprs.delete(x);
				}
			list.replaceChildren(...this.q.choices.map((c, i) => this.choice_row(c, i, draw)));
		};
		draw();
		const multiple = checkbox('Several choices are right (students pick every right one)', this.q.multiple, (on) => this.set('multiple', on || undefined));
		const limit = control('Choices shown to each student', 'input', { type: 'text', inputmode: 'numeric', class: 'qe-limit', autocomplete: 'off' },
			{ hint: 'empty or 0: all of them; else that many, one right one among them' });
		limit.input.value = this.q.limit ?? '';
		limit.input.addEventListener('input', () => this.set('limit', number_or_text(limit.input.value)));
		const add = h('button', {
			type: 'button', class: 'small', onclick: () => {
				this.q.choices.push({ text: '' });
				draw();
				list.lastElementChild.querySelector('input').focus();
			},
		}, 'Add a choice');
		return h('div', { class: 'qe-own' },
			h('fieldset', { class: 'qe-sub' }, h('legend', {}, 'Choices'), list, add),
			multiple.el, limit.el);
	}

	choice_row(c, i, redraw) {
		const n = i + 1;
		const text = control(`Choice ${n}`, 'input', { type: 'text', class: 'qe-choice-text', autocomplete: 'off' });
		text.input.value = c.text ?? '';
		text.input.addEventListener('input', () => {
			c.text = text.input.value;
		});
		const valid = control(`Choice ${n} is right`, 'select', { class: 'qe-choice-valid' });
		valid.input.append(h('option', { value: 'no' }, 'no'), h('option', { value: 'yes' }, 'yes'),
			h('option', { value: 'expr' }, 'when an expression is true'));
		valid.input.value = c.valid === true ? 'yes' : typeof c.valid === 'string' ? 'expr' : 'no';
		const slot = h('div', { class: 'qe-valid-slot' });
		let saved = typeof c.valid === 'string' ? c.valid : '';
		let x = null;
		const show = () => {
			if (x) {
				x.destroy();
				this.exprs.delete(x);
				x = null;
			}
			const v = valid.input.value;
			if (v === 'yes')
				c.valid = true;
			else if (v === 'no')
				delete c.valid;
			else {
				c.valid = saved;
				x = this.expr({
					label: `Choice ${n} is right when`,
					value: saved,
					on_change: (t) => {
						saved = t;
						c.valid = t;
					},
				});
				x.choice = true;
				slot.replaceChildren(x.el);
				return;
			}
			slot.replaceChildren();
		};
		valid.input.addEventListener('change', show);
		show();
		const fb = control(`Feedback when choice ${n} is picked`, 'input', { type: 'text', class: 'qe-choice-feedback' });
		fb.input.value = c.feedback ?? '';
		fb.input.addEventListener('input', () => {
			if (fb.input.value)
				c.feedback = fb.input.value;
			else
				delete c.feedback;
		});
		const remove = h('button', {
			type: 'button', class: 'small danger', 'aria-label': `Remove choice ${n}`,
			onclick: () => {
				this.q.choices.splice(i, 1);
				redraw();
			},
		}, 'Remove');
		return h('li', { class: 'qe-choice' }, h('div', { class: 'qe-row' }, text.el, valid.el, remove), slot, fb.el);
	}

	field_fields() {
		if (!this.q.hide || typeof this.q.hide !== 'object')
			this.q.hide = {};
		const rows = Object.entries(this.q.hide).map(([frame, fields]) => ({
			frame, fields: Array.isArray(fields) ? fields.join(' ') : String(fields),
		}));
		if (!rows.length)
			rows.push({ frame: '', fields: '' });
		const put = () => {
			const hide = {};
			for (const r of rows) {
				const f = words(r.fields);
				const k = String(r.frame).trim();
				if (k && f.length)
					hide[k] = [...(hide[k] || []), ...f];
			}
			this.q.hide = hide;
			this.put_field_feedback();
			this.draw_field_feedback();
		};
		const list = h('div', { class: 'qe-hide' });
		const draw = () => {
			list.replaceChildren(...rows.map((r, i) => {
				const frame = control('Frame', 'input', { type: 'text', inputmode: 'numeric', class: 'qe-hide-frame', autocomplete: 'off' });
				frame.input.value = r.frame;
				frame.input.addEventListener('input', () => {
					r.frame = frame.input.value;
					put();
				});
				const fields = control('Fields to hide in it', 'input', { type: 'text', class: 'qe-hide-fields', spellcheck: 'false', autocomplete: 'off' },
					{ hint: 'field names separated by spaces: tcp.srcport tcp.seq' });
				fields.input.value = r.fields;
				fields.input.addEventListener('input', () => {
					r.fields = fields.input.value;
					put();
				});
				const remove = h('button', {
					type: 'button', class: 'small danger', 'aria-label': `Remove hidden-field row ${i + 1}`,
					onclick: () => {
						rows.splice(i, 1);
						put();
						draw();
					},
				}, 'Remove');
				return h('div', { class: 'qe-row' }, frame.el, fields.el, remove);
			}));
		};
		draw();
		const add = h('button', {
			type: 'button', class: 'small', onclick: () => {
				rows.push({ frame: '', fields: '' });
				draw();
				list.lastElementChild.querySelector('input').focus();
			},
		}, 'Hide fields in another frame');
		return h('fieldset', { class: 'qe-sub qe-own' },
			h('legend', {}, 'Fields the students fill in'),
			h('p', { class: 'hint' }, 'Their values are the key; each field is a share of the points.'),
			list, add);
	}

	order_fields() {
		const fr = control('Frames to put in order', 'input', { type: 'text', class: 'qe-frames', autocomplete: 'off' },
			{ hint: 'frame numbers separated by spaces; empty: every frame of the trace' });
		fr.input.value = Array.isArray(this.q.frames) ? this.q.frames.join(' ') : '';
		fr.input.addEventListener('input', () => this.set('frames', words(fr.input.value).map((w) => (/^\d+$/.test(w) ? Number(w) : w))));
		return h('div', { class: 'qe-own' }, fr.el);
	}

	/* The question's feedback object, made when missing. */
	feedback() {
		if (!this.q.feedback || typeof this.q.feedback !== 'object')
			this.q.feedback = {};
		return this.q.feedback;
	}

	/* Sets or (undefined) removes a key of the feedback; an empty feedback goes. */
	set_feedback(k, v) {
		if (v === undefined)
			delete this.feedback()[k];
		else
			this.feedback()[k] = v;
		if (!Object.keys(this.q.feedback).length)
			delete this.q.feedback;
	}

	/*
	 * The feedback: when right and when wrong; expected mistakes for text
	 * and number questions (the grader looks them up for those only); a text
	 * per hidden field for field questions.  What the kind does not use is
	 * kept as written, and said so.
	 */
	render_feedback() {
		const kind = this.q.kind;
		const one = (k, label) => {
			const c = control(label, 'input', { type: 'text', class: `qe-feedback-${k}` });
			c.input.value = this.q.feedback?.[k] ?? '';
			c.input.addEventListener('input', () => this.set_feedback(k, c.input.value || undefined));
			return c.el;
		};
		const mistakes = kind === 'text' || kind === 'number';
		this.field_feedback_box = kind === 'field' ? h('div', { class: 'qe-field-feedback' }) : null;
		const kept = [];
		if (!mistakes && this.q.feedback?.answers)
			kept.push('expected mistakes');
		if (kind !== 'field' && this.q.feedback?.fields)
			kept.push('feedback per field');
		this.feedback_box.replaceChildren();
		append(this.feedback_box,
			h('legend', {}, 'Feedback'),
			one('right', 'Feedback when right'), one('wrong', 'Feedback when wrong'),
			mistakes ? this.mistake_fields() : null,
			this.field_feedback_box,
			kept.length ? h('p', { class: 'hint' }, `The ${kept.join(' and ')} written for another kind of question ${kept.length > 1 ? 'are' : 'is'} kept.`) : null);
		if (this.field_feedback_box)
			this.draw_field_feedback();
	}

	/* Expected mistakes: an exact answer or a regular expression each, and what to say. */
	mistake_fields() {
		const list = h('ol', { class: 'qe-mistakes' });
		const now = () => (Array.isArray(this.q.feedback?.answers) ? this.q.feedback.answers : []);
		const put = (arr) => this.set_feedback('answers', arr.length ? arr : undefined);
		const draw = () => list.replaceChildren(...now().map((m, i) => this.mistake_row(m, i, () => {
			put(now().filter((_, k) => k !== i));
			draw();
			(list.children[Math.min(i, list.children.length - 1)]?.querySelector('select') || add).focus();
		})));
		const add = h('button', {
			type: 'button', class: 'small', onclick: () => {
				put([...now(), { answer: '', feedback: '' }]);
				draw();
				list.lastElementChild.querySelector('.qe-mistake-text').focus();
			},
		}, 'Add an expected mistake');
		draw();
		return h('div', { class: 'qe-mistakes-box' },
			h('p', { class: 'hint' }, 'Wrong answers you expect, each with its own feedback: the first that fits a wrong answer is shown.'),
			list, add);
	}

	/* Mistake i (m, an item of feedback.answers, changed in place); on_remove() takes it out. */
	mistake_row(m, i, on_remove) {
		const n = i + 1;
		const number = this.q.kind === 'number';
		const how = control(`Mistake ${n} is`, 'select', { class: 'qe-mistake-how' });
		how.input.append(h('option', { value: 'answer' }, 'this answer'), h('option', { value: 'match' }, 'a regular expression'));
		how.input.value = 'match' in m ? 'match' : 'answer';
		const text = control(`Mistake ${n}`, 'input', { type: 'text', class: 'qe-mistake-text', spellcheck: 'false', autocomplete: 'off' },
			{ hint: 'the wrong answer, or a regular expression that matches it' });
		text.input.value = String(m.match ?? m.answer ?? '');
		const fb = control(`Feedback for mistake ${n}`, 'input', { type: 'text', class: 'qe-mistake-feedback' });
		fb.input.value = m.feedback ?? '';
		/* written back in the document's order: answer or match, then feedback */
		const put = () => {
			const t = text.input.value;
			delete m.answer;
			delete m.match;
			delete m.feedback;
			if (how.input.value === 'match')
				m.match = t;
			else
				m.answer = number ? number_or_text(t) ?? '' : t;
			m.feedback = fb.input.value;
		};
		for (const [c, ev] of [[how, 'change'], [text, 'input'], [fb, 'input']])
			c.input.addEventListener(ev, put);
		const remove = h('button', { type: 'button', class: 'small danger', 'aria-label': `Remove mistake ${n}`, onclick: on_remove }, 'Remove');
		return h('li', { class: 'qe-mistake' }, h('div', { class: 'qe-row' }, how.el, text.el, remove), fb.el);
	}

	/* The fields a field question hides, each once. */
	hidden_fields() {
		return [...new Set(Object.values(this.q.hide || {}).flat().map(String))];
	}

	/* feedback.fields from what was typed, for the fields hidden now. */
	put_field_feedback() {
		const out = {};
		for (const f of this.hidden_fields())
			if (this.field_feedback.get(f))
				out[f] = this.field_feedback.get(f);
		this.set_feedback('fields', Object.keys(out).length ? out : undefined);
	}

	/* A text per hidden field, said when that field's value is wrong. */
	draw_field_feedback() {
		const box = this.field_feedback_box;
		if (!box)
			return;
		const fields = this.hidden_fields();
		box.replaceChildren(...(fields.length ? fields.map((f) => {
			const c = control(`Feedback when ${f} is wrong`, 'input', { type: 'text', class: 'qe-field-fb', dataset: { field: f } });
			c.input.value = this.field_feedback.get(f) ?? '';
			c.input.addEventListener('input', () => {
				this.field_feedback.set(f, c.input.value);
				this.put_field_feedback();
			});
			return c.el;
		}) : [h('p', { class: 'hint' }, 'Each field hidden above gets its own feedback here.')]));
	}

	/*
	 * The control a server's message about this question's feedback names
	 * ("questions[0] (q1).feedback.answers[1].match: ..."), or null.
	 */
	feedback_control(msg) {
		const m = /\.feedback\.(?:answers\[(\d+)\](\.feedback)?|fields\.([\w.-]+)|(right|wrong))/.exec(msg);
		if (!m)
			return null;
		if (m[1] !== undefined) {
			const row = this.feedback_box.querySelectorAll('.qe-mistake')[Number(m[1])];
			return row ? row.querySelector(m[2] ? '.qe-mistake-feedback' : '.qe-mistake-text') : null;
		}
		if (m[3] !== undefined)
			return [...this.feedback_box.querySelectorAll('.qe-field-fb')].find((i) => i.dataset.field === m[3]) || null;
		return this.feedback_box.querySelector(`.qe-feedback-${m[4]}`);
	}
}
