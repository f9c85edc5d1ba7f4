// pages/traces.js - the traces an instructor may use: upload a capture (with
// its progress, and the library's message when it is refused), preview one
// in the trace view, start an exercise on it.

import * as api from '../api.js';
import { h, plural } from '../dom.js';
import { TraceView } from '../traceview.js';
import { Uploader, size_text } from '../upload.js';

function when(seconds) {
	return new Date(seconds * 1000).toLocaleString();
}

export async function traces_page(ctx) {
	ctx.title('Traces');
	const { traces } = await api.traces();
	let view = null;
	const preview = h('section', { class: 'trace-preview', 'aria-label': 'Trace preview' });
	const list_box = h('div', { class: 'trace-list' });

	function draw_list() {
		if (!traces.length) {
			list_box.replaceChildren(h('p', { class: 'muted' }, 'No trace yet.'));
			return;
		}
		list_box.replaceChildren(h('div', { class: 'table-wrap' }, h('table', { class: 'traces' },
			h('thead', {}, h('tr', {}, ['Name', 'Frames', 'Size', 'Uploaded', 'SHA-256'].map((t) => h('th', { scope: 'col' }, t)))),
			h('tbody', {}, traces.map((t) => h('tr', { dataset: { sha: t.sha256 } },
				h('td', {}, h('a', { href: `#/traces?trace=${t.sha256}` }, String(t.name))),
				h('td', { class: 'num' }, String(t.frames)),
				h('td', { class: 'num' }, size_text(t.size)),
				h('td', {}, when(t.created)),
				h('td', {}, h('code', { title: t.sha256 }, t.sha256.slice(0, 12)))))))));
	}

	async function show(sha, meta = null) {
		if (view)
			view.destroy();
		view = null;
		if (!sha) {
			preview.replaceChildren();
			return;
		}
		let t = meta;
		if (!t) {
			try {
				t = await api.trace_meta(sha);
			} catch (e) {
				preview.replaceChildren(h('p', { class: 'error', role: 'alert' }, `The trace cannot be shown: ${e.message}`));
				return;
			}
		}
		view = new TraceView(api.trace_base(sha), { label: `Trace ${t.name}` });
		preview.replaceChildren(
			h('h2', {}, String(t.name)),
			h('p', {}, `${plural(t.frames, 'frame')}, ${size_text(t.size)} · `,
				h('a', { href: `#/new-exercise?trace=${sha}` }, 'Write an exercise on this trace'), ' · ',
				h('a', { href: `${api.trace_base(sha)}/download`, download: String(t.name) }, 'Download it')),
			view.el);
		await view.start(1).catch((e) => view && view.say(`The trace could not be read: ${e.message}`));
	}

	const uploader = new Uploader({
		on_uploaded: (t) => {
			if (!traces.some((x) => x.sha256 === t.sha256))
				traces.unshift(t);
			draw_list();
			const q = new URLSearchParams(ctx.query);
			q.set('trace', t.sha256);
			ctx.router.replace_query(q);
			show(t.sha256, t);
		},
	});

	draw_list();
	const page = h('section', { class: 'traces-page' },
		h('h1', {}, 'Traces'),
		h('div', { class: 'card upload-card' }, h('h2', {}, 'Upload a capture'),
			h('p', { class: 'muted' }, 'A pcap or pcapng file; it is checked and stored once (by its SHA-256), then previewed below.'),
			uploader.el),
		preview,
		h('section', {}, h('h2', {}, 'Your traces'), list_box));
	page.destroy = () => {
		uploader.destroy();
		if (view)
			view.destroy();
	};
	const sha = ctx.query.get('trace');
	if (sha)
		show(sha);
	return page;
}
