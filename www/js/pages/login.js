// pages/login.js - the login form.

import * as api from '../api.js';
import { h } from '../dom.js';

export async function login_page(ctx) {
	ctx.title('Log in');
	const name = h('input', { id: 'login-name', name: 'name', type: 'text', autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false' });
	const password = h('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
	const error = h('p', { class: 'error', role: 'alert', hidden: true });
	const button = h('button', { type: 'submit', class: 'primary' }, 'Log in');
	const form = h('form', { class: 'login card', novalidate: true },
		h('h1', {}, 'Log in to tracequiz'),
		h('div', { class: 'field' }, h('label', { for: name.id }, 'Name'), name),
		h('div', { class: 'field' }, h('label', { for: password.id }, 'Password'), password),
		error, button);
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		error.hidden = true;
		if (!name.value || !password.value) {
			error.textContent = 'Give your name and your password.';
			error.hidden = false;
			(name.value ? password : name).focus();
			return;
		}
		button.disabled = true;
		try {
			const user = await api.login(name.value, password.value);
			ctx.set_user(user);
			const next = ctx.query.get('next');
			ctx.router.go(next && next.startsWith('/') && !next.startsWith('/login') ? next : '/');
		} catch (err) {
			error.textContent = err.message;
			error.hidden = false;
			password.select();
			password.focus();
		} finally {
			button.disabled = false;
		}
	});
	form.focus_first = name;
	return form;
}
