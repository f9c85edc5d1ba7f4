// resetcode.js - the "Reset code" button of the course and accounts pages:
// asks the server for a one-time code for an account's lost password (the
// server says when it may not) and hands it over once.

import * as api from './api.js';
import { h } from './dom.js';

/*
 * A button that makes a reset code for name: clear() first, then
 * show(r, until) with the server's {code, link, expires} and the expiry as
 * local text, or fail(error).
 */
export function reset_code_button(name, { clear, show, fail }) {
	return h('button', {
		type: 'button', class: 'small', 'aria-label': `Reset code for ${name}`,
		onclick: async () => {
			clear();
			try {
				const r = await api.reset_code(name);
				show(r, new Date(r.expires * 1000).toLocaleString());
			} catch (e) {
				fail(e);
			}
		},
	}, 'Reset code');
}
