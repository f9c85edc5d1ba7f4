// attempts.js - a student's earlier attempts at an exercise: when, the
// score, and each answer with its feedback; one can be put back in the form.

import { h } from './dom.js';
import { score_text } from './questions.js';

function when(seconds) {
	return new Date(seconds * 1000).toLocaleString();
}

function answer_text(v) {
	if (v === undefined)
		return '(no answer)';
	return typeof v === 'string' ? v : JSON.stringify(v);
}

/*
 * The list of submissions ([{id, score, max, created, answers, result}], as
 * GET .../submissions gives them), the latest first; on_reuse(answers) when
 * the user wants an attempt's answers back in the form; show_student: name
 * whose each attempt is (an instructor sees every student's).
 */
export function attempts(subs, questions, { on_reuse, show_student = false } = {}) {
	const list = [...(subs || [])].sort((a, b) => b.created - a.created || b.id - a.id);
	if (!list.length)
		return h('p', { class: 'muted' }, 'No attempts yet.');
	const prompts = new Map((questions || []).map((q, i) => [q.id, `${i + 1}. ${q.prompt}`]));
	/* numbered by hand: the latest is the highest (Chromium miscounts a `reversed` list built empty) */
	return h('ol', { class: 'attempts' },
		list.map((s, i) => {
			const per = new Map(((s.result && s.result.questions) || []).map((r) => [r.id, r]));
			return h('li', { value: list.length - i },
				h('details', {},
					h('summary', {}, show_student ? [h('span', { class: 'attempt-student' }, String(s.student ?? '')), ' '] : null,
						h('span', { class: 'attempt-score' }, score_text(s.score, s.max)), ' ',
						h('span', { class: 'muted' }, when(s.created)),
						show_student && s.key_version ? [' ', h('span', { class: 'badge attempt-keys' }, `keys v${s.key_version}`)] : null,
						(s.regrades || []).length ? [' ', h('span', { class: 'muted attempt-regraded' },
							`(regraded: was ${score_text(s.regrades[0].old_score, s.regrades[0].old_max)})`)] : null),
					h('dl', {}, [...prompts].map(([qid, prompt]) => {
						const r = per.get(qid);
						return [h('dt', {}, prompt),
							h('dd', { class: r && r.correct ? 'ok' : 'bad' },
								answer_text(s.answers ? s.answers[qid] : undefined),
								r ? ` · ${r.correct ? 'right' : 'wrong'}` : '')];
					})),
					on_reuse ? h('button', { type: 'button', class: 'small', onclick: () => on_reuse(s.answers || {}) },
						'Put these answers back in the form') : null));
		}));
}
