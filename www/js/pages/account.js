// pages/account.js - #/account: one's own account, and changing its password
// (the old one asked for; the other sessions end, this one stays).

import * as api from '../api.js';
import { h, plural } from '../dom.js';

export async function account_page(ctx) {
	ctx.title('Your account');
	const field = (id, label, attrs) => {
		const input = h('input', { id, name: id, ...attrs });
		return [input, h('div', { class: 'field' }, h('label', { for: id }, label), input)];
	};
	/* the name, for password managers: they store the new password under it */
	const user = h('input', { type: 'text', name: 'username', autocomplete: 'username', value: String(ctx.user.name), hidden: true, 'aria-label': 'Account name' });
	const [old, old_f] = field('account-old', 'Current password', { type: 'password', autocomplete: 'current-password', required: true });
	const [pw, pw_f] = field('account-new', 'New password (8 characters or more)', { type: 'password', autocomplete: 'new-password', required: true, minlength: 8 });
	const [again, again_f] = field('account-again', 'The new password again', { type: 'password', autocomplete: 'new-password', required: true });
	const error = h('p', { class: 'error', role: 'alert', hidden: true });
	const done = h('p', { class: 'ok', role: 'status', hidden: true });
	const button = h('button', { type: 'submit', class: 'primary' }, 'Change the password');
	const form = h('form', { class: 'card account-form', novalidate: true, 'aria-labelledby': 'account-change' },
		h('h2', { id: 'account-change' }, 'Change your password'),
		user, old_f, pw_f, again_f, error, done, button);
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		error.hidden = true;
		done.hidden = true;
		const say = (msg, el) => {
			error.textContent = msg;
			error.hidden = false;
			el.focus();
		};
		if (!old.value)
			return say('Give your current password.', old);
		if (pw.value.length < 8)
			return say('The new password needs 8 characters or more.', pw);
		if (pw.value !== again.value)
			return say('The two new passwords differ.', again);
		if (pw.value === old.value)
			return say('The new password is the one you have: choose another.', pw);
		button.disabled = true;
		try {
			const r = await api.post('/api/v1/account/password', { old: old.value, new: pw.value });
			const ended = Number(r.sessions_ended) || 0;
			done.textContent = `Your password is changed.${ended ? ` ${plural(ended, 'other session')} of yours ${ended === 1 ? 'was' : 'were'} logged out.` : ''}`;
			done.hidden = false;
			old.value = '';
			pw.value = '';
			again.value = '';
		} catch (err) {
			say(err.message, err.status === 403 ? old : pw);
		} finally {
			button.disabled = false;
		}
	});
	const staff = api.is_staff(ctx.user);
	const page = h('section', { class: 'account-page' },
		h('h1', {}, 'Your account'),
		h('p', {}, 'You are logged in as ', h('strong', {}, String(ctx.user.name)), ` (${String(ctx.user.role)}).`),
		form,
		h('p', { class: 'hint' }, 'Changing it logs out your other sessions (another browser, another computer); this one stays.',
			staff ? [' Your API tokens keep working: revoke them on the ', h('a', { href: '#/tokens' }, 'API tokens'), ' page if they may have leaked.'] : null),
		h('p', { class: 'hint' }, 'Forgot it? Ask your instructor for a one-time reset code, or an admin.'));
	page.focus_first = old;
	return page;
}
