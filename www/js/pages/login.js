// pages/login.js - the login form, and the form that sets a new password with
// the one-time reset code an instructor handed over.

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
		error, button,
		h('p', { class: 'hint' }, h('a', { href: '#/reset' }, 'Set a new password with a reset code')));
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

/* #/reset?name=NAME&code=CODE: the link an instructor hands over, or the form to type them in. */
export async function reset_page(ctx) {
	ctx.title('Set a new password');
	const field = (id, label, attrs) => {
		const input = h('input', { id, name: id, ...attrs });
		return [input, h('div', { class: 'field' }, h('label', { for: id }, label), input)];
	};
	const [name, name_f] = field('reset-name', 'Name', { type: 'text', autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false' });
	const [code, code_f] = field('reset-code', 'Reset code', { type: 'text', autocomplete: 'one-time-code', required: true, spellcheck: 'false' });
	const [pw, pw_f] = field('reset-password', 'New password (8 characters or more)', { type: 'password', autocomplete: 'new-password', required: true, minlength: 8 });
	const [again, again_f] = field('reset-again', 'The new password again', { type: 'password', autocomplete: 'new-password', required: true });
	name.value = ctx.query.get('name') || '';
	code.value = ctx.query.get('code') || '';
	const error = h('p', { class: 'error', role: 'alert', hidden: true });
	const done = h('p', { class: 'ok', role: 'status', hidden: true });
	const button = h('button', { type: 'submit', class: 'primary' }, 'Set the password');
	const form = h('form', { class: 'login card', novalidate: true },
		h('h1', {}, 'Set a new password'),
		h('p', { class: 'hint' }, 'With the one-time code your instructor gave you. A code works once.'),
		name_f, code_f, pw_f, again_f, error, done, button);
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		error.hidden = true;
		const say = (msg, el) => {
			error.textContent = msg;
			error.hidden = false;
			el.focus();
		};
		if (!name.value || !code.value)
			return say('Give your name and the code.', name.value ? code : name);
		if (pw.value.length < 8)
			return say('The password needs 8 characters or more.', pw);
		if (pw.value !== again.value)
			return say('The two passwords differ.', again);
		button.disabled = true;
		try {
			await api.password_reset(name.value.trim(), code.value.trim(), pw.value);
			done.replaceChildren('Your password is set. ', h('a', { href: '#/login' }, 'Log in with it'), '.');
			done.hidden = false;
			form.querySelectorAll('input').forEach((i) => { i.disabled = true; });
		} catch (err) {
			say(err.message, code);
		} finally {
			button.disabled = false;
		}
	});
	form.focus_first = name.value ? pw : name;
	return form;
}
