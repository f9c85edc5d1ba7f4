// pages/courses.js - the instructor's home: the courses they teach (and, for
// an admin, every course), and a form to create one.

import * as api from '../api.js';
import { h, plural, uid, slugify } from '../dom.js';

/* The cards of a list of courses ([{slug, title, open, teaching, enrolled, exercises}]). */
export function course_cards(courses) {
	if (!courses.length)
		return h('p', { class: 'muted' }, 'No course yet: create one below.');
	return h('ul', { class: 'cards' }, courses.map((c) => h('li', {},
		h('a', { class: 'card course-link', href: `#/courses/${encodeURIComponent(c.slug)}` },
			h('span', { class: 'card-title' }, String(c.title)),
			h('span', { class: 'muted' }, `${c.slug} · ${plural(c.exercises ?? 0, 'exercise')}`),
			h('span', {}, c.teaching ? h('span', { class: 'badge ok' }, 'you teach it') : null, ' ',
				c.open ? h('span', { class: 'badge' }, 'open to every account') : null)))));
}

/*
 * The form that creates a course; on_created(course) once the server made it.
 */
export function course_form(on_created) {
	const title = h('input', { type: 'text', id: uid('course'), class: 'course-title', required: true, autocomplete: 'off' });
	const slug = h('input', { type: 'text', id: uid('course'), class: 'course-slug', required: true, autocomplete: 'off', spellcheck: 'false' });
	const open = h('input', { type: 'checkbox', id: uid('course'), class: 'course-open' });
	const error = h('p', { class: 'error', role: 'alert' });
	const button = h('button', { type: 'submit', class: 'primary' }, 'Create the course');
	let slug_edited = false;
	title.addEventListener('input', () => {
		if (!slug_edited)
			slug.value = slugify(title.value);
	});
	slug.addEventListener('input', () => {
		slug_edited = slug.value !== '';
	});
	const form = h('form', { class: 'card course-form', novalidate: true, 'aria-label': 'New course' },
		h('h2', {}, 'New course'),
		h('div', { class: 'field' }, h('label', { for: title.id }, 'Course title'), title),
		h('div', { class: 'field' }, h('label', { for: slug.id }, 'Course slug'), slug,
			h('span', { class: 'hint' }, 'its address: lowercase letters, digits and -')),
		h('div', { class: 'check' }, open, h('label', { for: open.id }, 'Open: every account sees its published exercises')),
		error, button);
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		error.textContent = '';
		if (!title.value.trim() || !slug.value.trim()) {
			error.textContent = 'Give the course a title and a slug.';
			(title.value.trim() ? slug : title).focus();
			return;
		}
		button.disabled = true;
		try {
			const c = await api.create_course(slug.value.trim(), title.value.trim(), open.checked);
			on_created(c);
		} catch (err) {
			error.textContent = `The course was not created: ${err.message}`;
		} finally {
			button.disabled = false;
		}
	});
	return form;
}

export async function courses_page(ctx) {
	ctx.title('Courses');
	const { courses } = await api.courses();
	const mine = courses.filter((c) => c.teaching || ctx.user.role === 'admin');
	return h('section', { class: 'courses-page' },
		h('h1', {}, 'Courses'),
		h('p', { class: 'muted' }, ctx.user.role === 'admin' ? 'Every course; an admin manages them all.' : 'The courses you teach.'),
		course_cards(mine),
		course_form((c) => ctx.router.go(`/courses/${encodeURIComponent(c.slug)}`)));
}
