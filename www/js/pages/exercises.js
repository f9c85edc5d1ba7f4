// pages/exercises.js - the home page.  A student's: their courses, each
// with its exercises and the student's best score at each (the exercise
// list gives each one's attempts and best).  Instructors and
// admins get the exercises with, for those they manage, links to edit them
// and to their results, a button for a new one, and the courses they teach.

import * as api from '../api.js';
import { h, plural, uid } from '../dom.js';
import { score_text } from '../questions.js';

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
			h('span', { class: 'page-actions' },
				h('a', { class: 'button-link', href: '#/import' }, 'Import an INGInious task'),
				h('a', { class: 'button-link primary', href: '#/new-exercise' }, 'New exercise'))),
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
 * then any other an exercise names), its exercises as cards with the
 * student's best score.
 */
function student_home(exercises, courses) {
	const by_course = new Map(courses.map((c) => [c.slug, { course: c, exercises: [] }]));
	for (const x of exercises) {
		if (!by_course.has(x.course))
			by_course.set(x.course, { course: { slug: x.course, title: x.course }, exercises: [] });
		by_course.get(x.course).exercises.push(x);
	}
	const sections = [...by_course.values()].map(({ course, exercises: xs }) => {
		const hid = uid('course');
		return h('section', { class: 'course-block', 'aria-labelledby': hid, dataset: { course: course.slug } },
			h('h2', { id: hid }, String(course.title ?? course.slug)),
			xs.length ? h('ul', { class: 'cards' }, xs.map((x) => {
				const best = h('span', { class: 'best' }, best_text(x));
				best.classList.toggle('muted', !x.attempts);
				best.classList.toggle('full', !!x.best && x.best.score >= x.best.max);
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
	return page;
}

/* "Best score 3 / 3 (2 attempts)", or "Not tried yet", from an exercise of the list. */
function best_text(x) {
	if (!x.attempts || !x.best)
		return 'Not tried yet';
	return `Best score ${score_text(x.best.score, x.best.max)} (${plural(x.attempts, 'attempt')})`;
}
