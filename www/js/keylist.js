// keylist.js - the keys an exercise's save computed on its trace, one line a
// question: the value, or why there is none, and where in the trace it
// comes from.

import { h } from './dom.js';
import { value_text, origin_buttons } from './exprinput.js';

/*
 * keys: [{id, kind, key, error, from: [{frame, field}], valid?}] as a save
 * or GET .../keys returns them; questions: the document's questions (for
 * the prompts); on_reveal(frame, field) jumps the trace view there.
 */
export function key_list(keys, questions, { on_reveal = null } = {}) {
	const list = keys || [];
	if (!list.length)
		return h('p', { class: 'muted' }, 'There are no questions, so no keys.');
	const prompts = new Map((questions || []).map((q, i) => [q.id, { n: i + 1, prompt: q.prompt }]));
	return h('ol', { class: 'key-list' }, list.map((k) => {
		const q = prompts.get(k.id);
		return h('li', { class: k.error ? 'bad' : 'ok', dataset: { qid: String(k.id) } },
			h('span', { class: 'key-q' }, String(k.id), q && q.prompt ? h('span', { class: 'muted' }, ` ${q.prompt}`) : null),
			h('div', { class: 'key-v' }, key_line(k, on_reveal)));
	}));
}

/* One key's value (or error) and origins, as inline content. */
export function key_line(k, on_reveal) {
	if (k.error)
		return [h('span', { class: 'badge bad' }, 'no key'), ' ', h('span', { class: 'key-error' }, String(k.error))];
	const out = [];
	if (k.key !== null && k.key !== undefined)
		out.push(h('span', {}, 'Key: '), h('code', { class: 'key-value' }, value_text(k.key)));
	if (Array.isArray(k.valid))
		out.push(out.length ? '; ' : '', h('span', {}, 'right choices: '),
			k.valid.length ? k.valid.map((t, i) => [i ? ', ' : '', h('code', {}, String(t))]) : h('em', {}, 'none'));
	if (!out.length)
		out.push(h('span', { class: 'muted' }, 'no key (accepted answers and patterns only)'));
	if (k.from && k.from.length)
		out.push(' from ', origin_buttons(k.from, on_reveal));
	return out;
}
