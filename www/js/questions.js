// questions.js - an exercise's questions as a form: text, number, choice
// (one or several), field (inputs inside the frame tree) and order (drag, or
// move with buttons); each question's feedback shown beside it after grading.

import { h, append, uid, plural } from './dom.js';

function points_text(p) {
	return `(${plural(p ?? 1, 'point')})`;
}

/* "3" -> 3, "0x06" stays text (the server reads integers in any base). */
function number_answer(s) {
	return /^[+-]?\d+(\.\d+)?$/.test(s) ? Number(s) : s;
}

function score_text(score, max) {
	const f = (x) => (Number.isInteger(x) ? String(x) : x.toFixed(2).replace(/0+$/, ''));
	return `${f(score)} / ${f(max)}`;
}

export class QuestionForm {
	/*
	 * questions: the exercise's questions as the API gives them (no keys).
	 * on_submit(answers) returns a Promise of the grade; can_submit false shows
	 * the form without a working submit (instructors grade through the API).
	 * on_reveal(frame, field) jumps the trace view to a field.
	 */
	constructor(questions, { on_submit, can_submit = true, on_reveal = null, submit_note = '' } = {}) {
		this.questions = questions || [];
		this.on_submit = on_submit;
		this.on_reveal = on_reveal;
		this.parts = new Map();          /* question id -> {box, read, write, feedback} */
		this.fields = new Map();         /* "frame\tfield" -> {value, inputs: Set} */
		this.score = h('p', { class: 'q-score', role: 'status' });
		this.error = h('p', { class: 'error', role: 'alert', hidden: true });
		this.button = h('button', { type: 'submit', class: 'primary', disabled: !can_submit }, 'Submit answers');
		this.el = h('form', { class: 'questions', novalidate: true, 'aria-label': 'Questions' },
			this.questions.map((q, i) => this.question(q, i)),
			h('div', { class: 'q-actions' }, this.button,
				submit_note ? h('span', { class: 'muted' }, submit_note) : null),
			this.error, this.score);
		this.el.addEventListener('submit', (e) => {
			e.preventDefault();
			if (can_submit)
				this.send();
		});
	}

	question(q, i) {
		const id = uid(`q-${q.id}`);
		const feedback = h('div', { class: 'q-feedback', id: `${id}-fb`, 'aria-live': 'polite' });
		const head = [h('span', { class: 'q-num' }, `${i + 1}.`), ' ', String(q.prompt ?? ''), ' ',
			h('span', { class: 'q-points' }, points_text(q.points))];
		const kind = q.kind in KINDS ? q.kind : 'text';
		const part = KINDS[kind].call(this, q, id, head, feedback);
		part.box.classList.add('q', `q-${kind}`);
		part.box.dataset.qid = q.id;
		part.box.append(feedback);
		part.feedback = feedback;
		this.parts.set(q.id, part);
		return part.box;
	}

	/* The answers given so far: {qid: answer}, unanswered questions left out. */
	answers() {
		const out = {};
		for (const [qid, part] of this.parts) {
			const v = part.read();
			if (v !== undefined)
				out[qid] = v;
		}
		return out;
	}

	/* Puts earlier answers back in the form. */
	fill(answers) {
		for (const [qid, part] of this.parts)
			part.write(answers ? answers[qid] : undefined);
	}

	async send() {
		this.error.hidden = true;
		this.button.disabled = true;
		this.button.textContent = 'Submitting…';
		try {
			const result = await this.on_submit(this.answers());
			this.show_result(result);
		} catch (e) {
			this.error.textContent = `The answers were not submitted: ${e.message}`;
			this.error.hidden = false;
		} finally {
			this.button.disabled = false;
			this.button.textContent = 'Submit answers';
		}
	}

	/* Shows a grade ({score, max, questions: [{id, correct, score, max, feedback}]}) beside each question. */
	show_result(result) {
		this.score.textContent = `Score: ${score_text(result.score, result.max)}`;
		this.score.classList.toggle('full', result.score >= result.max);
		for (const r of result.questions || []) {
			const part = this.parts.get(r.id);
			if (!part)
				continue;
			const verdict = r.correct ? 'Right' : (r.score > 0 ? 'Partly right' : 'Wrong');
			part.box.classList.toggle('right', !!r.correct);
			part.box.classList.toggle('wrong', !r.correct);
			part.feedback.replaceChildren();
			append(part.feedback,
				h('span', { class: `badge ${r.correct ? 'ok' : 'bad'}` }, `${verdict} · ${score_text(r.score, r.max)}`),
				r.feedback ? h('span', { class: 'q-feedback-text' }, String(r.feedback)) : null);
		}
	}

	/* Shows each question's key (instructors): [{id, key, error, from: [{frame, field}]}]. */
	show_keys(keys) {
		for (const k of keys || []) {
			const part = this.parts.get(k.id);
			if (!part)
				continue;
			const from = (k.from || []).map((o) => h('button', {
				type: 'button', class: 'link',
				onclick: () => this.on_reveal && this.on_reveal(o.frame, o.field),
			}, `frame ${o.frame} ${o.field}`));
			const box = h('div', { class: 'q-key' },
				k.error ? h('span', { class: 'error' }, `No key: ${k.error}`) :
					[h('span', {}, 'Key: '), h('code', {}, JSON.stringify(k.key))],
				from.length ? [' from ', from.flatMap((b, i) => (i ? [', ', b] : [b]))] : null);
			part.box.insertBefore(box, part.feedback);
		}
	}

	/* The input to show in the frame tree for a hidden field, or null (FrameTree's hidden_input). */
	hidden_input(node, frame_no) {
		const f = node.j.f;
		const slot = f ? this.fields.get(`${frame_no}\t${f}`) : null;
		if (!slot)
			return null;
		return this.field_input(slot, `Value of ${f} in frame ${frame_no}`);
	}

	field_input(slot, label) {
		const input = h('input', { type: 'text', class: 'field-input', autocomplete: 'off', spellcheck: 'false', 'aria-label': label });
		input.value = slot.value;
		input.addEventListener('input', () => {
			slot.value = input.value;
			for (const other of slot.inputs)
				if (other !== input && other.isConnected)
					other.value = input.value;
		});
		slot.inputs.add(input);
		return input;
	}
}

/* One builder per kind: returns {box, read(), write(v)}. */
const KINDS = {
	text(q, id, head, feedback) {
		const input = h('input', {
			type: 'text', id, name: q.id, autocomplete: 'off', spellcheck: 'false',
			'aria-describedby': feedback.id,
		});
		return {
			box: h('div', {}, h('label', { for: id, class: 'q-prompt' }, head), input),
			read: () => (input.value.trim() === '' ? undefined : input.value),
			write: (v) => { input.value = v === undefined || v === null ? '' : String(v); },
		};
	},

	number(q, id, head, feedback) {
		const input = h('input', {
			type: 'text', id, name: q.id, inputmode: 'decimal', autocomplete: 'off',
			class: 'q-num-input', 'aria-describedby': feedback.id,
		});
		return {
			box: h('div', {}, h('label', { for: id, class: 'q-prompt' }, head), input),
			read: () => (input.value.trim() === '' ? undefined : number_answer(input.value.trim())),
			write: (v) => { input.value = v === undefined || v === null ? '' : String(v); },
		};
	},

	choice(q, id, head, feedback) {
		const multiple = !!q.multiple;
		const inputs = (q.choices || []).map((c, k) => {
			const cid = `${id}-${k}`;
			const input = h('input', { type: multiple ? 'checkbox' : 'radio', id: cid, name: id, value: String(c.text) });
			return { input, el: h('div', { class: 'choice' }, input, h('label', { for: cid }, String(c.text))) };
		});
		const box = h('fieldset', { 'aria-describedby': feedback.id },
			h('legend', { class: 'q-prompt' }, head),
			multiple ? h('p', { class: 'muted' }, 'Pick every right answer.') : null,
			inputs.map((c) => c.el));
		return {
			box,
			read: () => {
				const picked = inputs.filter((c) => c.input.checked).map((c) => c.input.value);
				if (multiple)
					return picked.length ? picked : undefined;
				return picked[0];
			},
			write: (v) => {
				const want = new Set(Array.isArray(v) ? v : v === undefined ? [] : [v]);
				for (const c of inputs)
					c.input.checked = want.has(c.input.value);
			},
		};
	},

	/* hide: {"FRAME": ["field", ...]}; answer {"FRAME": {"field": "value"}} */
	field(q, id, head, feedback) {
		const slots = [];
		for (const [frame, list] of Object.entries(q.hide || {}))
			for (const f of list) {
				const slot = { frame, field: String(f), value: '', inputs: new Set() };
				this.fields.set(`${frame}\t${f}`, slot);
				slots.push(slot);
			}
		const rows = slots.map((s) => {
			const input = this.field_input(s, `Value of ${s.field} in frame ${s.frame}`);
			return h('div', { class: 'field-row' },
				h('span', {}, `Frame ${s.frame}, `, h('code', {}, s.field), ': '), input,
				this.on_reveal ? h('button', {
					type: 'button', class: 'link', onclick: () => this.on_reveal(Number(s.frame), s.field),
				}, 'show in the trace') : null);
		});
		return {
			box: h('fieldset', { 'aria-describedby': feedback.id },
				h('legend', { class: 'q-prompt' }, head),
				h('p', { class: 'muted' }, 'Fill in the hidden fields, here or in the packet details.'), rows),
			read: () => {
				const out = {};
				for (const s of slots)
					if (s.value.trim() !== '')
						(out[s.frame] ||= {})[s.field] = s.value;
				return Object.keys(out).length ? out : undefined;
			},
			write: (v) => {
				for (const s of slots) {
					s.value = v && v[s.frame] && v[s.frame][s.field] !== undefined ? String(v[s.frame][s.field]) : '';
					for (const i of s.inputs)
						i.value = s.value;
				}
			},
		};
	},

	/* frames: the frames to put in order (shown shuffled by the server) */
	order(q, id, head, feedback) {
		const list = h('ol', { class: 'order', id: `${id}-list` });
		const status = h('p', { class: 'sr-only', 'aria-live': 'polite' });
		let dragged = null;
		const item = (no) => {
			const li = h('li', { draggable: 'true', dataset: { frame: String(no) } },
				h('span', { class: 'order-label' }, `Frame ${no}`),
				h('button', { type: 'button', class: 'small', 'aria-label': `Move frame ${no} up`, onclick: () => move(li, -1) }, '↑'),
				h('button', { type: 'button', class: 'small', 'aria-label': `Move frame ${no} down`, onclick: () => move(li, 1) }, '↓'));
			li.addEventListener('dragstart', (e) => {
				dragged = li;
				e.dataTransfer.effectAllowed = 'move';
				li.classList.add('dragging');
			});
			li.addEventListener('dragend', () => {
				li.classList.remove('dragging');
				dragged = null;
			});
			li.addEventListener('dragover', (e) => {
				if (!dragged || dragged === li)
					return;
				e.preventDefault();
				const r = li.getBoundingClientRect();
				list.insertBefore(dragged, e.clientY < r.top + r.height / 2 ? li : li.nextSibling);
			});
			return li;
		};
		const move = (li, step) => {
			const to = step < 0 ? li.previousElementSibling : li.nextElementSibling;
			if (!to)
				return;
			list.insertBefore(li, step < 0 ? to : to.nextSibling);
			li.querySelector(step < 0 ? 'button' : 'button:last-of-type').focus();
			const pos = [...list.children].indexOf(li) + 1;
			status.textContent = `Frame ${li.dataset.frame} is now number ${pos}.`;
		};
		const frames = Array.isArray(q.frames) ? q.frames : [];
		for (const no of frames)
			list.appendChild(item(no));
		return {
			box: h('fieldset', { 'aria-describedby': feedback.id },
				h('legend', { class: 'q-prompt' }, head),
				h('p', { class: 'muted' }, frames.length ? 'Drag the frames, or move them with the arrow buttons, into the right order.' :
					'This question lists no frames.'),
				list, status),
			read: () => (frames.length ? [...list.children].map((li) => Number(li.dataset.frame)) : undefined),
			write: (v) => {
				if (!Array.isArray(v))
					return;
				const byno = new Map([...list.children].map((li) => [Number(li.dataset.frame), li]));
				for (const no of v)
					if (byno.has(no))
						list.appendChild(byno.get(no));
			},
		};
	},
};

export { score_text };
