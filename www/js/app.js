// app.js - the web app's entry point: who is logged in, the header, and the
// routes.  Each page is a module under pages/ exporting an async function
// (ctx) -> Element; the element's destroy() is called when the page goes, and
// its may_leave(), when it has one, says whether the page may be left.

import * as api from './api.js';
import { h } from './dom.js';
import { Router } from './router.js';
import { login_page, reset_page } from './pages/login.js';
import { exercises_page } from './pages/exercises.js';
import { exercise_page } from './pages/exercise.js';
import { not_found_page } from './pages/notfound.js';

/*
 * A page whose module is fetched the first time it is shown: the
 * instructors' pages, so that a student's browser never downloads them.
 */
function lazy(path, name) {
	return async (ctx) => (await import(path))[name](ctx);
}

const courses_page = lazy('./pages/courses.js', 'courses_page');
const course_page = lazy('./pages/course.js', 'course_page');
const traces_page = lazy('./pages/traces.js', 'traces_page');
const editor_page = lazy('./pages/editor.js', 'editor_page');
const import_page = lazy('./pages/import.js', 'import_page');
const results_page = lazy('./pages/results.js', 'results_page');
const tokens_page = lazy('./pages/tokens.js', 'tokens_page');
const users_page = lazy('./pages/users.js', 'users_page');
const account_page = lazy('./pages/account.js', 'account_page');

const STAFF = ['instructor', 'admin'];

/*
 * The routes.  auth: the page needs a logged-in user (others are sent to the
 * login, and back after it); roles: only these roles may open it; section:
 * the link of the header's menu it belongs to.
 */
const routes = [
	{ path: '/login', page: login_page },
	{ path: '/reset', page: reset_page },
	{ path: '/', page: exercises_page, auth: true, section: '/' },
	{ path: '/exercises/:slug', page: exercise_page, auth: true, section: '/' },
	{ path: '/exercises/:slug/edit', page: editor_page, auth: true, roles: STAFF, section: '/' },
	{ path: '/exercises/:slug/results', page: results_page, auth: true, roles: STAFF, section: '/' },
	{ path: '/new-exercise', page: editor_page, auth: true, roles: STAFF, section: '/' },
	{ path: '/import', page: import_page, auth: true, roles: STAFF, section: '/' },
	{ path: '/courses', page: courses_page, auth: true, roles: STAFF, section: '/courses' },
	{ path: '/courses/:course', page: course_page, auth: true, roles: STAFF, section: '/courses' },
	{ path: '/traces', page: traces_page, auth: true, roles: STAFF, section: '/traces' },
	{ path: '/tokens', page: tokens_page, auth: true, roles: STAFF, section: '/tokens' },
	{ path: '/users', page: users_page, auth: true, roles: ['admin'], section: '/users' },
	{ path: '/account', page: account_page, auth: true },
];

/* The header's menu for instructors and admins: [path, text, roles]. */
const SECTIONS = [
	['/', 'Exercises', STAFF],
	['/courses', 'Courses', STAFF],
	['/traces', 'Traces', STAFF],
	['/tokens', 'API tokens', STAFF],
	['/users', 'Accounts', ['admin']],
];

const main = document.getElementById('main');
const who = document.getElementById('who');
const sections = document.getElementById('sections');
const state = { user: null, page: null, seq: 0 };

function title(t) {
	document.title = t ? `${t} · tracequiz` : 'tracequiz';
}

function show_user() {
	who.replaceChildren();
	if (!state.user)
		return;
	who.append(
		h('a', { class: 'user', href: '#/account', title: 'Your account: change your password' },
			String(state.user.name), ' ', h('span', { class: 'role' }, `(${state.user.role})`)),
		h('button', { type: 'button', class: 'small', onclick: log_out }, 'Log out'));
}

/* The menu of the staff's pages (nothing for students), the current one marked. */
function show_sections(current = null) {
	sections.replaceChildren();
	const role = state.user ? state.user.role : null;
	const mine = SECTIONS.filter(([, , roles]) => role && roles.includes(role));
	sections.hidden = !mine.length;
	for (const [path, text] of mine)
		sections.append(h('a', { href: `#${path}`, 'aria-current': path === current ? 'page' : null }, text));
}

function set_user(user) {
	state.user = user;
	show_user();
	show_sections();
}

/* Whether the page shown may be left (a page with unsaved changes asks). */
function may_leave() {
	return !state.page || typeof state.page.may_leave !== 'function' || state.page.may_leave();
}

async function log_out() {
	if (!may_leave())
		return;
	try {
		await api.logout();
	} catch {
		/* the session may be gone already: logged out either way */
	}
	set_user(null);
	router.go('/login', { force: true });
}

function current_path() {
	return router.location()[0];
}

/* To the login, and back here after it; the session is gone, so the page is left unasked. */
function to_login() {
	const path = current_path();
	router.go(path === '/login' ? '/login' : `/login?next=${encodeURIComponent(path)}`, { force: true });
}

/* Shows a route's page; a later navigation wins over a slower earlier one. */
async function render(route, params, query) {
	const seq = ++state.seq;
	if (route.auth && !state.user) {
		to_login();
		return;
	}
	if (route.path === '/login' && state.user) {
		/* logged in already (a reload, a session opened elsewhere): where the login would lead */
		const next = query.get('next');
		router.replace(next && next.startsWith('/') && !next.startsWith('/login') ? next : '/');
		router.run();
		return;
	}
	show_sections(route.section || null);
	if (route.roles && !route.roles.includes(state.user.role)) {
		title('Not for your role');
		show(h('section', {}, h('h1', {}, 'Not for your role'),
			h('p', {}, route.roles.includes('instructor') ? 'This page is for instructors.' : 'This page is for admins.'),
			h('p', {}, h('a', { href: '#/' }, 'Go to the exercises.'))));
		return;
	}
	main.setAttribute('aria-busy', 'true');
	let el;
	try {
		el = await route.page({ params, query, user: state.user, set_user, router, title });
	} catch (e) {
		if (seq !== state.seq)
			return;
		if (e instanceof api.ApiError && e.status === 401)
			return;                  /* on_unauthorized sends to the login */
		title('Error');
		el = h('section', { class: 'page-error' }, h('h1', {}, 'This page cannot be shown'),
			h('p', { class: 'error', role: 'alert' }, e.message),
			h('p', {}, h('a', { href: '#/' }, 'Back to the exercises')));
	} finally {
		if (seq === state.seq)
			main.removeAttribute('aria-busy');
	}
	if (seq === state.seq)
		show(el);
	else if (el && el.destroy)
		el.destroy();
}

function show(el) {
	if (state.page && state.page.destroy)
		state.page.destroy();
	state.page = el;
	main.replaceChildren(el);
	/* focus to the new page's start, for keyboards and screen readers */
	const target = el.focus_first || el.querySelector('h1');
	if (target) {
		if (!target.matches('input, button, a, select, textarea'))
			target.tabIndex = -1;
		target.focus({ preventScroll: true });
	}
	window.scrollTo(0, 0);
}

document.getElementById('skip').addEventListener('click', (e) => {
	e.preventDefault();
	main.focus();
});

const router = new Router(routes, { render, not_found: { page: not_found_page }, may_leave });

api.on_unauthorized(() => {
	if (state.user || current_path() !== '/login') {
		set_user(null);
		to_login();
	}
});

async function boot() {
	try {
		set_user(await api.whoami());
	} catch (e) {
		main.replaceChildren(h('p', { class: 'error', role: 'alert' }, e.message));
		return;
	}
	router.run();
}

boot();
