// pages/results.js - an exercise's results for its teachers: per question the
// success rate and the most common wrong answers, every submission (with the
// key version that graded it), the CSV export, and the regrade of the
// submissions graded on earlier keys.

import * as api from '../api.js';
import { h, plural } from '../dom.js';
import { attempts } from '../attempts.js';

function percent(x) {
	return `${Math.round(x * 100)}%`;
}

function number_text(x) {
	return Number.isInteger(x) ? String(x) : x.toFixed(2).replace(/0+$/, '').replace(/\.$/, '');
}

export async function results_page(ctx) {
	const slug = ctx.params.slug;
	const [ex, st, subs] = await Promise.all([api.exercise(slug), api.stats(slug), api.submissions(slug)]);
	const doc = ex.exercise;
	const title = doc.title || slug;
	ctx.title(`Results of ${title}`);
	const s = encodeURIComponent(slug);
	const questions = new Map((doc.questions || []).map((q, i) => [q.id, { n: i + 1, q }]));

	/* the keys: which version grades now, how many submissions an earlier one graded */
	const version = ex.key_version || 1;
	const older = (subs.submissions || []).filter((x) => (x.key_version || 1) < version).length;
	const regrade_msg = h('p', { class: 'regrade-status', role: 'status' });
	const regrade_btn = h('button', { type: 'button', class: 'regrade', onclick: async () => {
		regrade_btn.disabled = true;
		regrade_msg.textContent = 'Regrading…';
		try {
			const r = await api.regrade(slug);
			regrade_msg.textContent = `Regraded ${plural(r.regraded, 'submission')} on key version ${r.key_version}: ` +
				`${plural(r.scores_changed, 'score')} changed` + (r.failed ? `, ${r.failed} could not be graded` : '') + '.';
			ctx.router.run();
		} catch (e) {
			regrade_msg.textContent = `Not regraded: ${e.message}`;
			regrade_btn.disabled = false;
		}
	} }, older ? `Regrade ${plural(older, 'submission')} on the current keys` : 'Regrade every submission');
	const keys_box = h('section', { class: 'keys-version' },
		h('h2', {}, 'Keys'),
		h('p', {}, `The keys are frozen: every score is graded against the keys stored when the exercise was saved. ` +
			`They are now at version ${version}. `,
			older ? h('strong', { class: 'older-count' }, `${plural(older, 'submission')} ${older === 1 ? 'was' : 'were'} graded on earlier keys ` +
				`and ${older === 1 ? 'keeps its score' : 'keep their scores'} until regraded.`) : 'Every submission was graded on these keys.'),
		h('div', { class: 'regrade-box' }, regrade_btn), regrade_msg);

	const rows = (st.questions || []).map((r) => {
		const q = questions.get(r.id);
		const bar = h('meter', { min: '0', max: '1', value: String(r.success_rate), 'aria-label': `Success rate of question ${q ? q.n : r.id}` });
		return h('tr', { dataset: { qid: String(r.id) } },
			h('th', { scope: 'row' }, q ? `${q.n}. ` : '', h('span', {}, String(q ? q.q.prompt : r.id)), ' ', h('code', { class: 'muted' }, String(r.id))),
			h('td', { class: 'num' }, String(r.answered)),
			h('td', { class: 'num' }, String(r.correct)),
			h('td', { class: 'num rate' }, r.answered ? [percent(r.success_rate), ' ', bar] : h('span', { class: 'muted' }, '—')),
			h('td', { class: 'wrong-answers' }, r.common_wrong && r.common_wrong.length ?
				h('ol', {}, r.common_wrong.map((w) => h('li', {}, h('code', {}, String(w.answer)), ` × ${w.count}`))) :
				h('span', { class: 'muted' }, 'none')));
	});

	return h('article', { class: 'results-page' },
		h('header', {},
			h('p', { class: 'crumbs' }, h('a', { href: '#/' }, 'Exercises'), ' / ',
				h('a', { href: `#/exercises/${s}` }, title), ' / '),
			h('h1', {}, `Results of ${title}`),
			h('p', { class: 'ed-links' }, h('a', { href: `#/exercises/${s}/edit` }, 'Edit the exercise'), ' · ',
				h('a', { href: api.submissions_csv_url(slug), download: `${slug}-submissions.csv`, class: 'csv-link' }, 'Download every submission (CSV)'))),
		h('section', {},
			h('h2', {}, 'Per question'),
			h('p', { class: 'results-summary' },
				`${plural(st.submissions, 'submission')} by ${plural(st.students, 'student')}`,
				st.students ? `; mean of each student's best score: ${number_text(st.mean_best_score)}` : '',
				ex.published ? '' : ' (the exercise is a draft: students do not see it)'),
			h('div', { class: 'table-wrap' },
				h('table', { class: 'stats' },
					h('thead', {}, h('tr', {},
						h('th', { scope: 'col' }, 'Question'), h('th', { scope: 'col' }, 'Answered'),
						h('th', { scope: 'col' }, 'Right'), h('th', { scope: 'col' }, 'Success rate'),
						h('th', { scope: 'col' }, 'Most common wrong answers'))),
					h('tbody', {}, rows)))),
		keys_box,
		h('section', {},
			h('h2', {}, 'Submissions'),
			attempts(subs.submissions, doc.questions, { show_student: true })));
}
