// hexpane.js - the bytes pane: offset, 16 bytes a line in two groups of 8, the
// ASCII column; one tab per data source (the frame, a reassembled PDU).
// Masked bytes (a hidden field's) come from the API as "??".

import { h, uid } from './dom.js';

const PER_LINE = 16;
const LINES_AT_ONCE = 256;          /* 4 KiB of bytes */

/* "0d0a??" -> ['0d', '0a', '??'] */
function byte_strings(hex) {
	const out = [];
	for (let i = 0; i + 1 < hex.length; i += 2)
		out.push(hex.slice(i, i + 2));
	return out;
}

function ascii(b) {
	if (b === '??')
		return '?';
	const v = parseInt(b, 16);
	return v >= 0x20 && v < 0x7f ? String.fromCharCode(v) : '.';
}

export class HexPane {
	/* on_byte(ds, off) is called when a byte is clicked or reached with the keyboard. */
	constructor({ on_byte } = {}) {
		this.on_byte = on_byte;
		this.id = uid('hx');
		this.sources = [];
		this.tab = 0;
		this.cells = [];             /* per source, once opened: {bytes, width, hex: [span], asc: [span]} */
		this.marked = [];            /* the spans highlighted now */
		this.mark = null;            /* {ds, off, len} */
		this.cursor = -1;            /* the byte the keyboard is on */
		this.tabs = h('div', { class: 'hx-tabs', role: 'tablist', 'aria-label': 'Data sources' });
		this.panel = h('div', {
			class: 'hx-panel', role: 'tabpanel', tabindex: '0', id: `${this.id}-panel`,
			'aria-label': 'Bytes',
		});
		this.el = h('div', { class: 'hx' }, this.tabs, this.panel);
		this.tabs.addEventListener('keydown', (e) => this.tab_keydown(e));
		this.panel.addEventListener('click', (e) => {
			const s = e.target.closest('[data-off]');
			if (s)
				this.pick(Number(s.dataset.off));
		});
		this.panel.addEventListener('keydown', (e) => this.keydown(e));
		this.panel.addEventListener('scroll', () => {
			const c = this.cells[this.tab];
			const p = this.panel;
			if (c && c.hex.length < c.bytes.length && p.scrollTop + 2 * p.clientHeight >= p.scrollHeight)
				this.draw_more(c.hex.length + LINES_AT_ONCE * PER_LINE);
		});
	}

	/* Shows a frame's data sources ([{name, bytes}]), the first one's tab open. */
	show(sources) {
		this.sources = sources || [];
		this.cells = this.sources.map(() => null);
		this.marked = [];
		this.mark = null;
		this.cursor = -1;
		this.tabs.replaceChildren(...this.sources.map((s, i) => h('button', {
			type: 'button', role: 'tab', id: `${this.id}-tab-${i}`, 'aria-controls': this.panel.id,
			'aria-selected': 'false', tabindex: '-1', onclick: () => this.open_tab(i, { focus: false }),
		}, String(s.name))));
		this.tabs.hidden = this.sources.length < 2;
		this.open_tab(0);
	}

	open_tab(i, { focus = false } = {}) {
		if (i < 0 || i >= this.sources.length) {
			this.panel.replaceChildren();
			return;
		}
		this.tab = i;
		[...this.tabs.children].forEach((t, k) => {
			t.setAttribute('aria-selected', k === i ? 'true' : 'false');
			t.tabIndex = k === i ? 0 : -1;
		});
		this.panel.setAttribute('aria-labelledby', `${this.id}-tab-${i}`);
		if (focus)
			this.tabs.children[i].focus();
		this.draw(i);
		this.paint();
	}

	/*
	 * Starts drawing source i: its lines are made LINES_AT_ONCE at a time, more
	 * when the pane is scrolled near the end of what is drawn or a highlight
	 * needs them, so a reassembled megabyte does not stall the page.
	 */
	draw(i) {
		const bytes = byte_strings(String(this.sources[i].bytes || ''));
		const width = Math.max(4, (Math.max(0, bytes.length - 1)).toString(16).length);
		this.cells[i] = { bytes, width, hex: [], asc: [] };
		this.panel.replaceChildren();
		this.panel.scrollTop = 0;
		this.draw_more(LINES_AT_ONCE * PER_LINE);
	}

	/* Draws the open source's lines until byte `upto` (excluded) is drawn. */
	draw_more(upto) {
		const c = this.cells[this.tab];
		const end = Math.min(c.bytes.length, Math.ceil(upto / PER_LINE) * PER_LINE);
		const frag = document.createDocumentFragment();
		for (let at = c.hex.length; at < end; at += PER_LINE)
			frag.appendChild(this.line(c, at));
		this.panel.appendChild(frag);
	}

	/* One line: the layout tshark -x would recognise, spaced as Wireshark's pane. */
	line(c, at) {
		const line = h('div', { class: 'hx-line' },
			h('span', { class: 'hx-off' }, at.toString(16).padStart(c.width, '0')), '  ');
		const ascpart = h('span', { class: 'hx-ascii' });
		for (let k = 0; k < PER_LINE; k++) {
			const off = at + k;
			if (k === 8)
				line.appendChild(document.createTextNode(' '));
			if (off >= c.bytes.length) {
				line.appendChild(document.createTextNode(k < PER_LINE - 1 ? '   ' : '  '));
				continue;
			}
			const b = c.bytes[off];
			const hs = h('span', { class: 'hx-b', dataset: { off: String(off) } }, b);
			const as = h('span', { class: 'hx-a', dataset: { off: String(off) } }, ascii(b));
			if (b === '??') {
				hs.classList.add('masked');
				as.classList.add('masked');
			}
			c.hex.push(hs);
			c.asc.push(as);
			line.append(hs, k < PER_LINE - 1 ? ' ' : '');
			if (k === 8)
				ascpart.appendChild(document.createTextNode(' '));
			ascpart.appendChild(as);
		}
		line.append('  ', ascpart);
		return line;
	}

	/* Highlights the bytes [off, off+len) of source ds, opening its tab; len 0: none. */
	highlight(ds, off, len) {
		this.mark = len > 0 ? { ds, off, len } : null;
		if (this.mark && ds !== this.tab && ds < this.sources.length)
			this.open_tab(ds);
		else
			this.paint();
		if (this.mark)
			this.cursor = off;
	}

	paint() {
		for (const s of this.marked)
			s.classList.remove('sel');
		this.marked = [];
		const m = this.mark;
		const c = this.cells[this.tab];
		if (!m || m.ds !== this.tab || !c)
			return;
		if (c.hex.length < m.off + m.len)
			this.draw_more(m.off + m.len);
		for (let o = m.off; o < m.off + m.len && o < c.hex.length; o++) {
			c.hex[o].classList.add('sel');
			c.asc[o].classList.add('sel');
			this.marked.push(c.hex[o], c.asc[o]);
		}
		if (this.marked.length)
			this.marked[0].scrollIntoView({ block: 'nearest' });
	}

	/* The offsets highlighted in the open tab (for tests and the status line). */
	highlighted() {
		return this.marked.filter((s) => s.classList.contains('hx-b')).map((s) => Number(s.dataset.off));
	}

	pick(off) {
		this.cursor = off;
		if (this.on_byte)
			this.on_byte(this.tab, off);
	}

	keydown(e) {
		const c = this.cells[this.tab];
		if (!c || e.altKey || e.ctrlKey || e.metaKey)
			return;
		const step = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -PER_LINE, ArrowDown: PER_LINE }[e.key];
		if (step === undefined)
			return;
		e.preventDefault();
		const from = this.cursor < 0 ? 0 : this.cursor + step;
		this.pick(Math.min(c.bytes.length - 1, Math.max(0, from)));
	}

	tab_keydown(e) {
		const n = this.sources.length;
		const step = { ArrowLeft: -1, ArrowRight: 1 }[e.key];
		if (!step || n < 2)
			return;
		e.preventDefault();
		this.open_tab((this.tab + step + n) % n, { focus: true });
	}
}
