// pages/users.js - the accounts (admins): who has one and with which role,
// making one (a password chosen, or generated and shown once), and for a
// lost password a new one (generated, shown once) or a one-time reset code.

import * as api from '../api.js';
import { h, uid } from '../dom.js';
import { copy_button } from './tokens.js';
import { reset_code_button } from '../resetcode.js';

function when(seconds) {
	return new Date(seconds * 1000).toLocaleString();
}

const ROLES = ['student', 'instructor', 'admin'];

export async function users_page(ctx) {
	ctx.title('Accounts');
	let { users } = await api.users();
	const list_box = h('div', { class: 'user-list' });
	const shown = h('div', { class: 'user-shown', 'aria-live': 'polite' });

	/*
	 * A lost password, for any account but an auto-grader's students (they
	 * never log in): a new one generated and shown once (after a question:
	 * the account's sessions and API tokens end), or a one-time reset code
	 * for its owner to choose one.
	 */
	function password_actions(u) {
		const name = String(u.name);
		const box = h('span', { class: 'user-actions' });
		const err = h('span', { class: 'error', role: 'alert', hidden: true });
		const fail = (e) => {
			err.textContent = e.message;
			err.hidden = false;
		};
		const ask = h('span', { class: 'confirm', hidden: true });
		const set = h('button', {
			type: 'button', class: 'small', 'aria-label': `New password for ${name}`,
			onclick: () => {
				set.hidden = true;
				ask.hidden = false;
				ask.querySelector('button').focus();
			},
		}, 'New password');
		const keep = () => {
			ask.hidden = true;
			set.hidden = false;
		};
		ask.append(`Give ${name} a new password? Their sessions and API tokens end. `,
			h('button', {
				type: 'button', class: 'small danger', onclick: async () => {
					err.hidden = true;
					try {
						const r = await api.post(`/api/v1/users/${encodeURIComponent(name)}/password`, {});
						keep();
						shown.replaceChildren(h('div', { class: 'card secret-card', role: 'status' },
							h('p', {}, h('strong', {}, `A new password for ${name}.`)),
							h('p', {}, 'Shown this once: ', h('code', { class: 'password' }, String(r.password)), ' ', copy_button(r.password)),
							h('p', { class: 'muted' }, 'Hand it to its owner now; it cannot be read again.')));
						shown.scrollIntoView({ block: 'nearest' });
					} catch (e) {
						fail(e);
					}
				},
			}, `Yes, a new password for ${name}`), ' ',
			h('button', { type: 'button', class: 'small', onclick: () => { keep(); set.focus(); } }, 'Keep it'));
		const code = reset_code_button(name, {
			clear: () => { err.hidden = true; },
			show: (r, until) => {
				shown.replaceChildren(h('div', { class: 'card secret-card reset-code', role: 'status' },
					h('p', {}, h('strong', {}, `A one-time reset code for ${name}`), ` (until ${until}): `, h('code', {}, String(r.code))),
					h('p', {}, 'Or the link: ', h('a', { href: String(r.link) }, `${location.origin}${r.link}`)),
					h('p', { class: 'muted' }, 'Shown this once; it works once. Their password stays until they use it.')));
				shown.scrollIntoView({ block: 'nearest' });
			},
			fail,
		});
		box.append(set, ask, code, err);
		return box;
	}

	function draw() {
		list_box.replaceChildren(h('p', {}, `${users.length} account${users.length === 1 ? '' : 's'}`),
			h('div', { class: 'table-wrap' }, h('table', { class: 'users' },
				h('thead', {}, h('tr', {}, ['Name', 'Role', 'Can log in', 'Made', 'Password'].map((t) => h('th', { scope: 'col' }, t)))),
				h('tbody', {}, users.map((u) => h('tr', { dataset: { name: String(u.name) } },
					h('td', {}, String(u.name), u.external ? [' ', h('span', { class: 'badge' }, 'external')] : null),
					h('td', {}, String(u.role)),
					h('td', {}, u.can_log_in === false ? 'no' : 'yes'),
					h('td', {}, u.created ? when(u.created) : ''),
					h('td', {}, u.external ? h('span', { class: 'muted' }, 'graded through the API') :
						u.name === ctx.user.name ? h('a', { href: '#/account' }, 'Change yours on your account page') :
							password_actions(u))))))));
	}

	const name = h('input', { type: 'text', id: uid('user'), class: 'user-name', autocomplete: 'off', spellcheck: 'false', autocapitalize: 'none' });
	const role = h('select', { id: uid('user'), class: 'user-role' }, ROLES.map((r) => h('option', { value: r }, r)));
	const password = h('input', { type: 'password', id: uid('user'), class: 'user-password', autocomplete: 'new-password' });
	const err = h('p', { class: 'error', role: 'alert' });
	const button = h('button', { type: 'submit', class: 'primary' }, 'Make the account');
	const form = h('form', { class: 'card user-form', novalidate: true, 'aria-label': 'New account' },
		h('h2', {}, 'New account'),
		h('div', { class: 'field' }, h('label', { for: name.id }, 'Account name'), name),
		h('div', { class: 'field' }, h('label', { for: role.id }, 'Role'), role),
		h('div', { class: 'field' }, h('label', { for: password.id }, 'Password (optional)'), password,
			h('span', { class: 'hint' }, '8 characters or more; left empty, one is generated and shown once')),
		button, err);
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		err.textContent = '';
		shown.replaceChildren();
		if (!name.value.trim()) {
			err.textContent = 'Give the account a name.';
			name.focus();
			return;
		}
		if (password.value && password.value.length < 8) {
			err.textContent = 'A password has 8 characters or more (or leave it empty: one is generated).';
			password.focus();
			return;
		}
		button.disabled = true;
		try {
			const u = await api.create_user(name.value.trim(), role.value, password.value || null);
			users = [...users, { name: u.name, role: u.role, external: false, can_log_in: true, created: Math.floor(Date.now() / 1000) }];
			draw();
			shown.replaceChildren(h('div', { class: 'card secret-card', role: 'status' },
				h('p', {}, h('strong', {}, `Made the account ${u.name} (${u.role}).`)),
				u.password ? [h('p', {}, 'Its password, shown this once: ', h('code', { class: 'password' }, String(u.password)), ' ', copy_button(u.password)),
					h('p', { class: 'muted' }, 'Hand it to its owner now; it cannot be read again.')] : null));
			name.value = '';
			password.value = '';
			name.focus();
		} catch (e2) {
			err.textContent = `The account was not made: ${e2.message}`;
		} finally {
			button.disabled = false;
		}
	});

	draw();
	return h('section', { class: 'users-page' },
		h('h1', {}, 'Accounts'),
		shown, form, list_box);
}
