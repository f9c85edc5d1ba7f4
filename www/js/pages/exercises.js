// pages/exercises.js - the home page.  A student's: their courses, each
// with its exercises and the student's best score at each.  Instructors and
// admins get the exercises with, for those they manage, links to edit them
// and to their results, a button for a new one, and the courses they teach.

import * as api from '../api.js';
import { h, plural, uid } from '../dom.js';
import { score_text } from '../questions.js';

/*
 * The best scores are read with one request per exercise (GET
 * .../submissions, every attempt in full): only when there are at most this
 * many exercises, and that many requests at a time.
 */
const BEST_MAX_EXERCISES = 12;
const BEST_AT_ONCE = 3;

export async function exercises_page(ctx) {
	ctx.title('Exercises');
	const staff = api.is_staff(ctx.user);
	const [{ exercises }, courses] = await Promise.all([api.exercises(), api.courses()]);
	if (!staff)
		return student_home(exercises.filter((x) => x.published !== false), courses.courses);

	/* staff: a card holds several links, so the card is not itself one */
	const { course_cards } = await import('./courses.js');
	const mine = courses.courses.filter((c) => c.teaching || ctx.user.role === 'admin');
	return h('section', { class: 'exercises' },
		h('div', { class: 'page-head' },
			h('h1', {}, 'Exercises'),
			h('a', { class: 'button-link primary', href: '#/new-exercise' }, 'New exercise')),
		exercises.length ? h('ul', { class: 'cards' }, exercises.map((x) => {
			const s = encodeURIComponent(x.slug);
			const t = String(x.title ?? x.slug);
			return h('li', { class: 'card staff-card', dataset: { slug: x.slug } },
				h('a', { class: 'card-title exercise-link', href: `#/exercises/${s}` }, t),
				h('span', { class: 'muted' }, `${plural(x.questions, 'question')} · ${x.course}`),
				h('span', {}, x.published === false ? h('span', { class: 'badge' }, 'draft') : h('span', { class: 'badge ok' }, 'published')),
				x.manage ? h('span', { class: 'card-actions' },
					h('a', { href: `#/exercises/${s}/edit`, 'aria-label': `Edit ${t}` }, 'Edit'), ' · ',
					h('a', { href: `#/exercises/${s}/results`, 'aria-label': `Results of ${t}` }, 'Results')) : null);
		})) : h('p', { class: 'muted' }, 'No exercise yet: write one.'),
		h('h2', {}, 'Your courses'),
		mine.length ? course_cards(mine) : h('p', { class: 'muted' }, 'You teach no course yet. ', h('a', { href: '#/courses' }, 'Create one.')));
}

/*
 * A student's home: a section per course (those GET /api/v1/courses gives,
 * then any other an exercise names), its exercises as cards; each card's
 * best score fills in when its attempts arrive.
 */
function student_home(exercises, courses) {
	const by_course = new Map(courses.map((c) => [c.slug, { course: c, exercises: [] }]));
	for (const x of exercises) {
		if (!by_course.has(x.course))
			by_course.set(x.course, { course: { slug: x.course, title: x.course }, exercises: [] });
		by_course.get(x.course).exercises.push(x);
	}
	const best_slots = new Map();          /* exercise slug -> the element its best score goes in */
	const sections = [...by_course.values()].map(({ course, exercises: xs }) => {
		const hid = uid('course');
		return h('section', { class: 'course-block', 'aria-labelledby': hid, dataset: { course: course.slug } },
			h('h2', { id: hid }, String(course.title ?? course.slug)),
			xs.length ? h('ul', { class: 'cards' }, xs.map((x) => {
				const best = h('span', { class: 'best muted' });
				best_slots.set(x.slug, best);
				return h('li', {},
					h('a', { class: 'card exercise-link', href: `#/exercises/${encodeURIComponent(x.slug)}`, dataset: { slug: x.slug } },
						h('span', { class: 'card-title' }, String(x.title ?? x.slug)),
						h('span', { class: 'muted' }, plural(x.questions, 'question')),
						best));
			})) : h('p', { class: 'muted' }, 'No exercise in this course yet.'));
	});
	const page = h('section', { class: 'exercises student-home' },
		h('h1', {}, 'Exercises'),
		sections.length ? sections : h('p', { class: 'muted' }, 'You are in no course yet: ask your instructor to enrol you.'));
	const abort = new AbortController();
	page.destroy = () => abort.abort();
	if (best_slots.size <= BEST_MAX_EXERCISES)
		fill_best(best_slots, abort.signal);
	return page;
}

/* Puts the student's best score at each exercise in its slot, a few requests at a time. */
async function fill_best(slots, signal) {
	const queue = [...slots];
	const worker = async () => {
		while (queue.length && !signal.aborted) {
			const [slug, el] = queue.shift();
			try {
				const { submissions } = await api.submissions(slug, { signal });
				const list = submissions || [];
				el.textContent = best_text(list);
				el.classList.toggle('muted', !list.length);
				el.classList.toggle('full', list.some((x) => x.score >= x.max));
			} catch {
				/* no score shown: the exercise is still there to open */
			}
		}
	};
	await Promise.all(Array.from({ length: BEST_AT_ONCE }, worker));
}

/* "Best score 3 / 3 (2 attempts)", or "Not tried yet". */
function best_text(subs) {
	if (!subs.length)
		return 'Not tried yet';
	const best = subs.reduce((a, b) => (b.score / (b.max || 1) > a.score / (a.max || 1) ? b : a));
	return `Best score ${score_text(best.score, best.max)} (${plural(subs.length, 'attempt')})`;
}
