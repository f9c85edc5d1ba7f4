// markdown.js - the small Markdown of an exercise's intro (doc/exercises.md):
// paragraphs, **bold**, *italic*, `code` and [links](https://...), built as
// DOM nodes: the text an instructor wrote never becomes HTML.

import { h } from './dom.js';

const INLINE = /`([^`]+)`|\*\*([^*]+)\*\*|\*([^*]+)\*|\[([^\]]+)\]\(([^)\s]+)\)/g;

/* Only web and relative links: no javascript: or data: URLs. */
function safe_url(u) {
	return /^(https?:\/\/|\/|#|\.\.?\/)/i.test(u) ? u : null;
}

function inline(text) {
	const out = [];
	let last = 0;
	for (const m of text.matchAll(INLINE)) {
		out.push(text.slice(last, m.index));
		if (m[1] !== undefined)
			out.push(h('code', {}, m[1]));
		else if (m[2] !== undefined)
			out.push(h('strong', {}, m[2]));
		else if (m[3] !== undefined)
			out.push(h('em', {}, m[3]));
		else {
			const url = safe_url(m[5]);
			out.push(url ? h('a', { href: url, rel: 'noopener noreferrer' }, m[4]) : m[0]);
		}
		last = m.index + m[0].length;
	}
	out.push(text.slice(last));
	return out.filter((s) => s !== '');
}

/* A DocumentFragment of paragraphs for text. */
export function markdown(text) {
	const frag = document.createDocumentFragment();
	for (const para of String(text || '').split(/\n\s*\n/)) {
		const t = para.trim().replace(/\s*\n\s*/g, ' ');
		if (t)
			frag.appendChild(h('p', {}, inline(t)));
	}
	return frag;
}

/*
 * A DocumentFragment for a longer text, such as an import's report: the
 * intro's paragraphs and inline marks, and also "# " and "## " headings
 * (shown from level 3 on, under the page's own) and "- " lists.
 */
export function markdown_doc(text) {
	const frag = document.createDocumentFragment();
	let para = [];
	let list = null;
	const end_para = () => {
		if (para.length)
			frag.appendChild(h('p', {}, inline(para.join(' '))));
		para = [];
	};
	for (const raw of String(text || '').split('\n')) {
		const line = raw.trim();
		const head = /^(#{1,2})\s+(.*)$/.exec(line);
		const item = /^-\s+(.*)$/.exec(line);
		if (head || item || !line)
			end_para();
		if (!item && (head || !line))
			list = null;
		if (head) {
			frag.appendChild(h(head[1].length === 1 ? 'h3' : 'h4', {}, inline(head[2])));
		} else if (item) {
			if (!list)
				list = frag.appendChild(h('ul', {}));
			list.appendChild(h('li', {}, inline(item[1])));
		} else if (line) {
			if (list && raw.startsWith('  '))          /* an item's next line */
				list.lastChild.append(' ', ...inline(line));
			else {
				list = null;
				para.push(line);
			}
		}
	}
	end_para();
	return frag;
}
