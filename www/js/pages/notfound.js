// pages/notfound.js - a route that does not exist.

import { h } from '../dom.js';

export async function not_found_page(ctx) {
	ctx.title('Not found');
	return h('section', {},
		h('h1', {}, 'There is no such page'),
		h('p', {}, 'The address may be mistyped or old. ', h('a', { href: '#/' }, 'Go to the exercises.')));
}
