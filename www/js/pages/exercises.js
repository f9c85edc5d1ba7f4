// pages/exercises.js - the exercises the user can open.

import * as api from '../api.js';
import { h, plural } from '../dom.js';

export async function exercises_page(ctx) {
	ctx.title('Exercises');
	const { exercises } = await api.exercises();
	const staff = api.is_staff(ctx.user);
	const visible = exercises.filter((x) => staff || x.published !== false);
	return h('section', { class: 'exercises' },
		h('h1', {}, 'Exercises'),
		visible.length ? h('ul', { class: 'cards' }, visible.map((x) => h('li', {},
			h('a', { class: 'card exercise-link', href: `#/exercises/${encodeURIComponent(x.slug)}` },
				h('span', { class: 'card-title' }, String(x.title ?? x.slug)),
				h('span', { class: 'muted' }, plural(x.questions, 'question')),
				x.published === false ? h('span', { class: 'badge' }, 'not published') : null))))
			: h('p', { class: 'muted' }, 'There are no exercises for you yet.'));
}
