// follow.js - Follow Stream, as Wireshark's dialog: what the two ends of a TCP,
// UDP or HTTP/2 stream sent each other, in order, the client's bytes in one colour
// and the server's in another, as ASCII, a hex dump or raw hex.  The server
// puts the stream together (GET .../follow, the same as `tracequiz follow`).

import * as api from './api.js';
import { h, uid, plural } from './dom.js';

const FORMATS = [
	{ key: 'ascii', label: 'ASCII' },
	{ key: 'hex', label: 'Hex Dump' },
	{ key: 'raw', label: 'Raw' },
];

function bytes_of(hex) {
	const out = new Uint8Array(hex.length >> 1);
	for (let i = 0; i < out.length; i++)
		out[i] = parseInt(hex.substr(2 * i, 2), 16);
	return out;
}

const printable = (c) => c >= 0x20 && c < 0x7f;

/* A record as text in a format; pos: the bytes its end sent before it (hex dump offsets). */
function record_text(data, format, pos) {
	if (format === 'raw')
		return `${Array.from(data, (b) => b.toString(16).padStart(2, '0')).join('')}\n`;
	if (format === 'ascii') {
		let s = '';
		for (const c of data)
			s += printable(c) || c === 0x0a ? String.fromCharCode(c) : c === 0x0d ? '' : '.';
		return s.endsWith('\n') ? s : `${s}\n`;
	}
	let s = '';
	for (let k = 0; k < data.length; k += 16) {
		const line = data.subarray(k, k + 16);
		let hex = '';
		let asc = '';
		line.forEach((b, j) => {
			hex += `${b.toString(16).padStart(2, '0')} ${j === 7 ? ' ' : ''}`;
			asc += (printable(b) ? String.fromCharCode(b) : '.') + (j === 7 ? ' ' : '');
		});
		s += `${(pos + k).toString(16).toUpperCase().padStart(8, '0')}  ${hex.padEnd(49)} ${asc.trimEnd()}\n`;
	}
	return s;
}

export class FollowDialog {
	/* on_filter(text): "Filter on this stream" applies its display filter. */
	constructor({ on_filter } = {}) {
		this.on_filter = on_filter;
		this.el = null;
	}

	/* Opens the dialog on stream n of proto ('tcp' or 'udp') of the trace at base;
	 * proto 'http2': HTTP/2 stream sub of TCP stream n. */
	async open(base, proto, n, back, sub) {
		this.close();
		this.back = back || document.activeElement;
		const title_id = uid('follow');
		this.format = 'ascii';
		this.text = h('pre', { class: 'follow-text', tabindex: '0', 'aria-label': 'Stream content' });
		this.summary = h('p', { class: 'follow-summary', role: 'status' }, 'Reading the stream…');
		this.nodes = h('p', { class: 'follow-nodes' });
		const select = h('select', { onchange: (e) => { this.format = e.target.value; this.render(); } },
			FORMATS.map((f) => h('option', { value: f.key }, f.label)));
		const select_id = uid('follow-fmt');
		select.id = select_id;
		this.filter_btn = h('button', { type: 'button', class: 'small', disabled: true,
			onclick: () => { const f = this.data && this.data.filter; this.close(); if (f && this.on_filter) this.on_filter(f); } },
		'Filter on this stream');
		this.el = h('div', { class: 'follow-backdrop' },
			h('section', { class: 'follow', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': title_id, tabindex: '-1' },
				h('header', { class: 'follow-head' },
					h('h2', { id: title_id }, proto === 'http2' ?
						`Follow HTTP/2 Stream (tcp.stream eq ${n} and http2.streamid eq ${sub})` :
						`Follow ${proto.toUpperCase()} Stream (${proto}.stream eq ${n})`),
					h('button', { type: 'button', class: 'small', 'aria-label': 'Close', onclick: () => this.close() }, '✕')),
				this.nodes, this.text, this.summary,
				h('div', { class: 'follow-tools' },
					h('label', { for: select_id }, 'Show data as '), select, this.filter_btn,
					h('button', { type: 'button', class: 'small', onclick: () => this.close() }, 'Close'))));
		this.el.addEventListener('keydown', (e) => {
			if (e.key === 'Escape') {
				e.preventDefault();
				this.close();
			} else if (e.key === 'Tab') {
				/* the focus stays in the dialog */
				const f = [...this.el.querySelectorAll('button, select, [tabindex="0"]')].filter((x) => !x.disabled);
				const i = f.indexOf(document.activeElement);
				if (e.shiftKey && i <= 0) {
					e.preventDefault();
					f[f.length - 1].focus();
				} else if (!e.shiftKey && i === f.length - 1) {
					e.preventDefault();
					f[0].focus();
				}
			}
		});
		this.el.addEventListener('mousedown', (e) => {
			if (e.target === this.el)
				this.close();
		});
		document.body.appendChild(this.el);
		this.el.firstChild.focus();
		try {
			this.data = await api.get(`${base}/follow?proto=${proto}&stream=${n}` +
				(proto === 'http2' ? `&sub=${sub}` : ''));
		} catch (e) {
			if (this.el) {
				this.summary.textContent = `This stream cannot be shown: ${e.message}`;
				this.summary.classList.add('error');
			}
			return;
		}
		if (!this.el)
			return;
		this.filter_btn.disabled = false;
		this.render();
	}

	render() {
		const d = this.data;
		if (!d)
			return;
		const [c, s] = d.nodes;
		this.nodes.replaceChildren(
			c ? h('span', { class: 'follow-c' }, `Client ${c.addr}:${c.port}`) : 'This stream has no frame.',
			c ? ' · ' : '', s ? h('span', { class: 'follow-s' }, `Server ${s.addr}:${s.port}`) : '');
		const pos = [0, 0];
		const parts = [];
		let turns = 0;
		let last = -1;
		const pkts = [new Set(), new Set()];
		for (const r of d.records) {
			const data = bytes_of(r.data);
			parts.push(h('span', {
				class: r.node ? 'follow-s' : 'follow-c', dataset: { frame: String(r.frame), node: String(r.node) },
				title: `Frame ${r.frame}: ${plural(data.length, 'byte')}`,
			}, record_text(data, this.format, pos[r.node])));
			pos[r.node] += data.length;
			pkts[r.node].add(r.frame);
			if (r.node !== last)
				turns += 1;
			last = r.node;
		}
		this.text.replaceChildren(...parts);
		this.summary.textContent = `${plural(pkts[0].size, 'client pkt')}, ${plural(pkts[1].size, 'server pkt')}, ` +
			`${plural(Math.max(0, turns - 1), 'turn')}. Client ${plural(pos[0], 'byte')}, server ${plural(pos[1], 'byte')}.`;
	}

	close() {
		if (!this.el)
			return;
		this.el.remove();
		this.el = null;
		this.data = null;
		if (this.back && this.back.isConnected)
			this.back.focus();
	}
}
