// pages/exercises.js - the exercises the user can open.  Instructors and
// admins also get, for those they manage, links to edit them and to their
// results, a button for a new one, and the courses they teach.

import * as api from '../api.js';
import { h, plural } from '../dom.js';

export async function exercises_page(ctx) {
	ctx.title('Exercises');
	const staff = api.is_staff(ctx.user);
	const [{ exercises }, courses] = await Promise.all([api.exercises(), staff ? api.courses() : null]);
	const visible = exercises.filter((x) => staff || x.published !== false);
	if (!staff)
		return h('section', { class: 'exercises' },
			h('h1', {}, 'Exercises'),
			visible.length ? h('ul', { class: 'cards' }, visible.map((x) => h('li', {},
				h('a', { class: 'card exercise-link', href: `#/exercises/${encodeURIComponent(x.slug)}` },
					h('span', { class: 'card-title' }, String(x.title ?? x.slug)),
					h('span', { class: 'muted' }, plural(x.questions, 'question')),
					x.published === false ? h('span', { class: 'badge' }, 'not published') : null))))
				: h('p', { class: 'muted' }, 'There are no exercises for you yet.'));

	/* staff: a card holds several links, so the card is not itself one */
	const { course_cards } = await import('./courses.js');
	const mine = courses.courses.filter((c) => c.teaching || ctx.user.role === 'admin');
	return h('section', { class: 'exercises' },
		h('div', { class: 'page-head' },
			h('h1', {}, 'Exercises'),
			h('a', { class: 'button-link primary', href: '#/new-exercise' }, 'New exercise')),
		visible.length ? h('ul', { class: 'cards' }, visible.map((x) => {
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
