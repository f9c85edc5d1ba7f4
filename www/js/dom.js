// dom.js - building elements without HTML strings: every text goes in as text.

/*
 * h('button', {class: 'x', onclick: fn, 'aria-label': 'Close'}, 'Close')
 * makes an element.  Attributes: `class`, `text` (textContent), `dataset`
 * (an object), `on<event>` (a listener), true (present), false/null/undefined
 * (left out), anything else set as an attribute.  Children: elements, or
 * strings and numbers, which become text nodes; arrays are flattened, null
 * and false skipped.  There is deliberately no way to pass HTML.
 */
export function h(tag, attrs = {}, ...children) {
	const el = document.createElement(tag);
	for (const [k, v] of Object.entries(attrs)) {
		if (v === undefined || v === null || v === false)
			continue;
		if (k === 'class')
			el.className = v;
		else if (k === 'text')
			el.textContent = v;
		else if (k === 'dataset')
			Object.assign(el.dataset, v);
		else if (k.startsWith('on') && typeof v === 'function')
			el.addEventListener(k.slice(2), v);
		else
			el.setAttribute(k, v === true ? '' : String(v));
	}
	append(el, ...children);
	return el;
}

/* Appends children as h() takes them. */
export function append(el, ...children) {
	for (const c of children.flat(Infinity)) {
		if (c === null || c === undefined || c === false)
			continue;
		el.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
	}
	return el;
}

/* A document-unique id with a prefix, for label/aria wiring. */
let next_id = 0;
export function uid(prefix = 'tq') {
	next_id += 1;
	return `${prefix}-${next_id}`;
}

/* "3 frames", "1 frame" */
export function plural(n, word) {
	return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/* "SMTP over TLS!" -> "smtp-over-tls": a title made a slug (1 to 64 of a-z, 0-9 and '-'). */
export function slugify(s) {
	return String(s).toLowerCase().normalize('NFKD').replace(/[\u0300-\u036f]/g, '')
		.replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64).replace(/-+$/, '');
}

/* The index in s of the character at UTF-8 byte offset pos (the server counts bytes). */
export function char_index(s, pos) {
	const enc = new TextEncoder();
	let bytes = 0;
	let i = 0;
	for (const ch of s) {
		if (bytes >= pos)
			return i;
		bytes += enc.encode(ch).length;
		i += ch.length;
	}
	return s.length;
}
