// questions.js - an exercise's questions as a form: text, number, choice
// (one or several), field (inputs inside the frame tree) and order (the frames
// shuffled, dragged or moved with buttons); each question's feedback shown
// beside it after grading.

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
	 * on_reveal(frame, field) jumps the trace view to a field (field null:
	 * to the frame).  Order questions: frame_count, the trace's frames (a
	 * question that lists none orders them all); frame_rows(nos) resolves to
	 * a Map from frame number to its packet-list line, shown beside it.
	 */
	constructor(questions, { on_submit, can_submit = true, on_reveal = null, submit_note = '', frame_count = 0, frame_rows = null } = {}) {
		this.questions = questions || [];
		this.on_submit = on_submit;
		this.on_reveal = on_reveal;
		this.frame_count = frame_count;
		this.frame_rows = frame_rows;
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

	/*
	 * One frame of an order question: a handle to drag (pointer events: the
	 * mouse, a finger or a pen; Escape puts it back), the frame's packet-list
	 * line, and buttons that move it up or down (the keyboard's way; the focus
	 * stays on the button pressed, and the new place is told to screen readers).
	 */
	order_item(no, list, status) {
		const tell = (li) => {
			status.textContent = `Frame ${no} is now number ${[...list.children].indexOf(li) + 1} of ${list.children.length}.`;
		};
		const move = (li, step, button) => {
			const to = step < 0 ? li.previousElementSibling : li.nextElementSibling;
			if (to)
				list.insertBefore(li, step < 0 ? to : to.nextSibling);
			update_ends(list);
			button.focus();
			if (to)
				tell(li);
			else
				status.textContent = `Frame ${no} is ${step < 0 ? 'first' : 'last'} already.`;
		};
		const handle = h('span', { class: 'order-handle', 'aria-hidden': 'true', title: 'Drag to move' }, '⠿');
		const up = h('button', { type: 'button', class: 'small order-up', 'aria-label': `Move frame ${no} up`, onclick: () => move(li, -1, up) }, '↑');
		const down = h('button', { type: 'button', class: 'small order-down', 'aria-label': `Move frame ${no} down`, onclick: () => move(li, 1, down) }, '↓');
		const li = h('li', { class: 'order-item', dataset: { frame: String(no) } },
			handle,
			h('span', { class: 'order-text' },
				this.on_reveal ? h('button', {
					type: 'button', class: 'link order-label', 'aria-label': `Show frame ${no} in the trace`,
					onclick: () => this.on_reveal(no, null),
				}, `Frame ${no}`) : h('span', { class: 'order-label' }, `Frame ${no}`),
				' ', h('span', { class: 'order-info' })),
			up, down);

		/*
		 * dragging: the item follows the pointer among its siblings.  The
		 * listeners are on the document: moving the item in the list may
		 * lose the handle's pointer capture.
		 */
		let drag = null;             /* while dragging: {id: the pointer, home: the item that followed it} */
		const on_move = (e) => {
			if (e.pointerId !== drag.id)
				return;
			/* before the first other item whose middle is below the pointer, else last */
			const before = [...list.children].find((o) => {
				if (o === li)
					return false;
				const r = o.getBoundingClientRect();
				return e.clientY < r.top + r.height / 2;
			}) || null;
			if (before !== li.nextElementSibling)
				list.insertBefore(li, before);
		};
		const on_up = (e) => {
			if (e.pointerId === drag.id)
				end(e.type === 'pointerup');
		};
		const on_key = (e) => {
			if (e.key === 'Escape') {
				e.preventDefault();
				end(false);
			}
		};
		const end = (keep) => {
			if (!keep)
				list.insertBefore(li, drag.home && drag.home.parentNode === list ? drag.home : null);
			li.classList.remove('dragging');
			if (handle.hasPointerCapture(drag.id))
				handle.releasePointerCapture(drag.id);
			document.removeEventListener('pointermove', on_move);
			document.removeEventListener('pointerup', on_up);
			document.removeEventListener('pointercancel', on_up);
			document.removeEventListener('keydown', on_key, true);
			drag = null;
			update_ends(list);
			tell(li);
		};
		handle.addEventListener('pointerdown', (e) => {
			if (drag || e.button !== 0)
				return;
			e.preventDefault();          /* no text selection, no scrolling */
			drag = { id: e.pointerId, home: li.nextElementSibling };
			handle.setPointerCapture(e.pointerId);
			li.classList.add('dragging');
			document.addEventListener('pointermove', on_move);
			document.addEventListener('pointerup', on_up);
			document.addEventListener('pointercancel', on_up);
			document.addEventListener('keydown', on_key, true);
		});
		return li;
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

	/* frames: the frames to put in order (all of them when the question lists none) */
	order(q, id, head, feedback) {
		const frames = order_frames(q, this.frame_count);
		const list = h('ol', { class: 'order', id: `${id}-list` });
		const status = h('p', { class: 'sr-only order-status', 'aria-live': 'polite' });
		const items = new Map(first_order(frames).map((no) => [no, this.order_item(no, list, status)]));
		list.append(...items.values());
		update_ends(list);
		/* after the form is built: its page makes the trace view next */
		if (frames.length && this.frame_rows)
			Promise.resolve().then(() => this.frame_rows(frames)).then((rows) => {
				for (const [no, r] of rows)
					items.get(no)?.querySelector('.order-info').append(`${r.src} → ${r.dst} ${r.proto} ${r.info}`);
			}).catch(() => {});    /* the frames keep their numbers alone */
		return {
			box: h('fieldset', { 'aria-describedby': feedback.id },
				h('legend', { class: 'q-prompt' }, head),
				h('p', { class: 'muted' }, frames.length ?
					'Drag the frames by their handle, or move them with their buttons, into the right order.' :
					'This question lists no frames.'),
				list, status),
			read: () => (frames.length ? [...list.children].map((li) => Number(li.dataset.frame)) : undefined),
			write: (v) => {
				if (!Array.isArray(v))
					return;
				for (const no of v)
					if (items.has(Number(no)))
						list.appendChild(items.get(Number(no)));
				update_ends(list);
			},
		};
	},
};

/* An order question's frames: its list, or every frame of the trace (up to 1000, the server's limit). */
function order_frames(q, count) {
	if (Array.isArray(q.frames))
		return q.frames.map(Number).filter((n) => Number.isInteger(n) && n > 0);
	return count > 1 && count <= 1000 ? Array.from({ length: count }, (_, i) => i + 1) : [];
}

/*
 * The order the frames are listed in at first.  Up to SHUFFLE_MAX frames the
 * server has dealt them to their places in another order for this student
 * (the numbers are places, with no time to sort by), so ascending places are
 * not the answer; beyond that the numbers are the frames' own, and the page
 * shuffles them itself.
 */
const SHUFFLE_MAX = 256;

function first_order(frames) {
	return frames.length <= SHUFFLE_MAX ? [...frames].sort((a, b) => a - b) : shuffled(frames);
}

/* The frames in a random order other than ascending, when there is another. */
function shuffled(frames) {
	const out = [...frames];
	for (let i = out.length - 1; i > 0; i--) {
		const j = Math.floor(Math.random() * (i + 1));
		[out[i], out[j]] = [out[j], out[i]];
	}
	if (out.length > 1 && out.every((n, i) => i === 0 || out[i - 1] < n))
		out.push(out.shift());
	return out;
}

/* Marks the first item's "up" and the last item's "down" as going nowhere. */
function update_ends(list) {
	const lis = [...list.children];
	lis.forEach((li, i) => {
		li.querySelector('.order-up').setAttribute('aria-disabled', String(i === 0));
		li.querySelector('.order-down').setAttribute('aria-disabled', String(i === lis.length - 1));
	});
}

export { score_text };
