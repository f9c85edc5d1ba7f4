// pages/tokens.js - an instructor's API tokens (for an auto-grader or a
// script: Authorization: Bearer TOKEN): listed without their secrets, made
// with a scope (all one may do, read only, or grade only, in some courses)
// and a life (the secret shown once), revoked.

import * as api from '../api.js';
import { h, uid } from '../dom.js';

function when(seconds) {
	return new Date(seconds * 1000).toLocaleString();
}

export async function tokens_page(ctx) {
	ctx.title('API tokens');
	let { tokens } = await api.tokens();
	const list_box = h('div', { class: 'token-list' });
	const shown = h('div', { class: 'token-shown', 'aria-live': 'polite' });
	const list_err = h('p', { class: 'error', role: 'alert' });

	function draw() {
		if (!tokens.length) {
			list_box.replaceChildren(h('p', { class: 'muted' }, 'You have no token.'));
			return;
		}
		list_box.replaceChildren(h('div', { class: 'table-wrap' }, h('table', { class: 'tokens' },
			h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Scope'), h('th', { scope: 'col' }, 'Made'),
				h('th', { scope: 'col' }, 'Expires'), h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Revoke')))),
			h('tbody', {}, tokens.map((t) => {
				const name = String(t.name);
				const revoke = h('button', {
					type: 'button', class: 'small danger', 'aria-label': `Revoke the token ${name}`,
					onclick: async () => {
						list_err.textContent = '';
						revoke.disabled = true;
						try {
							await api.revoke_token(t.id);
							tokens = tokens.filter((x) => x.id !== t.id);
							draw();
							name_input.focus();
						} catch (e) {
							list_err.textContent = `The token was not revoked: ${e.message}`;
							revoke.disabled = false;
						}
					},
				}, 'Revoke');
				const grants = [...(t.courses || []), ...(t.exercises || [])].map(String);
				const scope = `${t.scope || 'admin'}${grants.length ? `: ${grants.join(', ')}` : ''}`;
				return h('tr', { dataset: { id: String(t.id) } }, h('td', {}, name), h('td', {}, scope), h('td', {}, when(t.created)),
					h('td', {}, t.expires ? when(t.expires) : 'never'), h('td', {}, revoke));
			})))));
	}

	const name_input = h('input', { type: 'text', id: uid('token'), class: 'token-name', autocomplete: 'off' });
	const scope = h('select', { id: uid('scope') },
		h('option', { value: 'admin' }, 'everything I may do'), h('option', { value: 'read' }, 'read only'),
		h('option', { value: 'grade' }, 'grade only (POST /api/v1/grade)'));
	const courses = h('input', { type: 'text', id: uid('courses'), autocomplete: 'off', spellcheck: 'false', disabled: true });
	const days = h('input', { type: 'number', id: uid('days'), min: 1, max: 3650, inputmode: 'numeric' });
	scope.addEventListener('change', () => { courses.disabled = scope.value !== 'grade'; });
	const err = h('p', { class: 'error', role: 'alert' });
	const button = h('button', { type: 'submit', class: 'primary' }, 'Make the token');
	const form = h('form', { class: 'card token-form', novalidate: true, 'aria-label': 'New token' },
		h('h2', {}, 'New token'),
		h('div', { class: 'field' }, h('label', { for: name_input.id }, 'What it is for'), name_input,
			h('span', { class: 'hint' }, 'a name to know it by: "course LMS", "grading script"')),
		h('div', { class: 'field' }, h('label', { for: scope.id }, 'What it may do'), scope),
		h('div', { class: 'field' }, h('label', { for: courses.id }, 'Only in these courses'), courses,
			h('span', { class: 'hint' }, 'a grade token: course slugs, separated by commas; empty: all your courses')),
		h('div', { class: 'field' }, h('label', { for: days.id }, 'Expires after (days)'), days,
			h('span', { class: 'hint' }, 'empty: it does not expire')),
		button, err);
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		err.textContent = '';
		const name = name_input.value.trim();
		if (!name) {
			err.textContent = 'Say what the token is for.';
			name_input.focus();
			return;
		}
		button.disabled = true;
		try {
			const opts = { scope: scope.value };
			const limit = courses.disabled ? [] : courses.value.split(',').map((x) => x.trim()).filter(Boolean);
			if (limit.length)
				opts.courses = limit;
			if (days.value)
				opts.days = Number(days.value);
			const t = await api.create_token(name, opts);
			tokens = [...tokens, { id: t.id, name: t.name, scope: t.scope, courses: opts.courses, expires: t.expires,
				created: Math.floor(Date.now() / 1000) }];
			draw();
			name_input.value = '';
			const secret = h('code', { class: 'token-secret', tabindex: '0' }, String(t.token));
			shown.replaceChildren(h('div', { class: 'card secret-card' },
				h('p', {}, h('strong', {}, `The token "${t.name}": copy it now.`),
					' It is shown this once; the server keeps only its hash. Send it as ', h('code', {}, 'Authorization: Bearer TOKEN'), '.'),
				h('p', {}, secret), copy_button(t.token)));
			secret.focus();
		} catch (e2) {
			err.textContent = `No token was made: ${e2.message}`;
		} finally {
			button.disabled = false;
		}
	});

	draw();
	return h('section', { class: 'tokens-page' },
		h('h1', {}, 'API tokens'),
		h('p', { class: 'muted' }, 'A token acts as you through the API (the auto-grader\'s POST /api/v1/grade, scripts). Revoke one you no longer use.'),
		shown, list_box, list_err, form);
}

/* A button that copies text to the clipboard, saying whether it could. */
export function copy_button(text) {
	const said = h('span', { class: 'muted', role: 'status' });
	const b = h('button', {
		type: 'button', class: 'small', onclick: async () => {
			try {
				await navigator.clipboard.writeText(text);
				said.textContent = ' Copied.';
			} catch {
				said.textContent = ' The browser did not let the page copy it: select it and copy it by hand.';
			}
		},
	}, 'Copy');
	return h('span', {}, b, said);
}
