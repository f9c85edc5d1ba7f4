// pages/exercise.js - an exercise: its introduction, the trace view (and its
// file, when it may be downloaded), the questions with their feedback, and
// the earlier attempts.  Instructors see the keys (and where in the trace
// they come from) instead of submitting.

import * as api from '../api.js';
import { h } from '../dom.js';
import { markdown } from '../markdown.js';
import { TraceView } from '../traceview.js';
import { QuestionForm } from '../questions.js';
import { attempts } from '../attempts.js';

export async function exercise_page(ctx) {
	const slug = ctx.params.slug;
	const staff = api.is_staff(ctx.user);
	const { exercise: ex, manage, published, frames: frame_count } = await api.exercise(slug);
	ctx.title(ex.title || slug);

	let view = null;
	const reveal = (frame, field) => view && view.reveal(frame, field);
	const history_box = h('div', { class: 'attempts-box' });
	const form = new QuestionForm(ex.questions, {
		can_submit: !staff,
		submit_note: staff ? 'Instructors see the keys; students submit.' : '',
		on_reveal: reveal,
		frame_count,
		frame_rows: (nos) => view.rows(nos),
		on_submit: async (answers) => {
			const result = await api.submit(slug, answers);
			refresh_history();
			return result;
		},
	});

	view = new TraceView(api.exercise_trace(slug), {
		label: `Trace of ${ex.title || slug}`,
		hidden_input: (node, frame_no) => form.hidden_input(node, frame_no),
		on_frame: (no) => {
			const q = new URLSearchParams(ctx.query);
			q.set('frame', String(no));
			ctx.router.replace_query(q);
		},
	});

	async function refresh_history() {
		try {
			const { submissions } = await api.submissions(slug);
			history_box.replaceChildren(attempts(submissions, ex.questions, {
				show_student: staff,
				on_reuse: staff ? null : (answers) => {
					form.fill(answers);
					form.el.querySelector('input, button')?.focus();
				},
			}));
		} catch (e) {
			history_box.replaceChildren(h('p', { class: 'error' }, `The earlier attempts could not be read: ${e.message}`));
		}
	}

	/* the capture itself, when GET .../trace gives it: always to its teachers, to a student
	 * when nothing is hidden from them (the server says so: ex.downloadable) */
	const trace_url = `${api.exercise_trace(slug)}/trace`;
	const download = manage || ex.downloadable === true ?
		h('p', { class: 'trace-download' }, h('a', { href: trace_url, download: '' }, 'Download the trace')) :
		ex.downloadable === false ?
			h('p', { class: 'trace-download hint' }, 'This trace cannot be downloaded: some of its fields are hidden, left out or ' +
				'dealt to you in another order, and the file would show them.') : null;

	const page = h('article', { class: 'exercise-page' },
		h('header', { class: 'exercise-head' },
			h('p', { class: 'crumbs' }, h('a', { href: '#/' }, 'Exercises'), ' / '),
			h('h1', {}, String(ex.title || slug)),
			manage ? h('p', { class: 'ed-links' },
				published === false ? [h('span', { class: 'badge' }, 'draft: students do not see it'), ' '] : null,
				h('a', { href: `#/exercises/${encodeURIComponent(slug)}/edit` }, 'Edit'), ' · ',
				h('a', { href: `#/exercises/${encodeURIComponent(slug)}/results` }, 'Results')) : null,
			h('div', { class: 'intro' }, markdown(ex.intro)), download),
		h('div', { class: 'exercise-body' },
			h('div', { class: 'exercise-trace' }, view.el),
			h('aside', { class: 'exercise-questions', 'aria-label': 'Questions and attempts' },
				h('h2', {}, 'Questions'), form.el,
				h('h2', {}, staff ? 'Submissions' : 'Your earlier attempts'), history_box)));
	page.destroy = () => view.destroy();

	const first = Number(ctx.query.get('frame')) || 1;
	/* the page shows at once; the trace and the rest fill in */
	view.start(first).catch((e) => view.say(`The trace could not be read: ${e.message}`));
	refresh_history();
	if (staff)
		api.keys(slug).then((k) => form.show_keys(k.questions)).catch(() => {});
	return page;
}
