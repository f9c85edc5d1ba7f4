// packetlist.js - the packet list: Wireshark's columns, virtualized (only the
// rows in sight are in the DOM, at a fixed height), its lines read from a
// FrameSource page by page as they come into view.

import { h, uid } from './dom.js';

export const ROW_HEIGHT = 22;        /* px; the CSS gives .pl-row the same */
const OVERSCAN = 8;                  /* rows drawn above and below the view */

const COLUMNS = [
	{ key: 'no', title: 'No.', cls: 'num' },
	{ key: 'time', title: 'Time', cls: 'num' },
	{ key: 'src', title: 'Source', long: true },
	{ key: 'dst', title: 'Destination', long: true },
	{ key: 'proto', title: 'Protocol' },
	{ key: 'len', title: 'Length', cls: 'num' },
	{ key: 'info', title: 'Info', long: true },
];

export class PacketList {
	/*
	 * source: a FrameSource, opened.  on_select(no) is called when the user
	 * picks a frame (click or keyboard).
	 */
	constructor(source, { on_select, label = 'Packet list' } = {}) {
		this.source = source;
		this.on_select = on_select;
		this.total = source.total || 0;
		this.selected = 0;
		this.rows = new Map();           /* no -> row element in the DOM */
		this.id = uid('pl');
		this.frame_pending = 0;

		this.body = h('div', { class: 'pl-body', role: 'rowgroup' });
		this.el = h('div', {
			class: 'pl', role: 'grid', tabindex: '0', 'aria-label': label,
			'aria-rowcount': this.total + 1, 'aria-colcount': COLUMNS.length,
			'aria-multiselectable': 'false',
		},
		h('div', { class: 'pl-head pl-grid', role: 'row', 'aria-rowindex': '1' },
			COLUMNS.map((c) => h('div', { role: 'columnheader', class: c.cls }, c.title))),
		this.body);
		this.body.style.height = `${this.total * ROW_HEIGHT}px`;

		this.el.addEventListener('scroll', () => this.schedule());
		this.el.addEventListener('keydown', (e) => this.keydown(e));
		this.body.addEventListener('click', (e) => {
			const row = e.target.closest('.pl-row');
			if (row)
				this.select(Number(row.dataset.no), { notify: true });
		});
		source.on_page = () => this.schedule();
		this.resize_observer = new ResizeObserver(() => this.schedule());
		this.resize_observer.observe(this.el);
	}

	destroy() {
		this.resize_observer.disconnect();
		cancelAnimationFrame(this.frame_pending);
	}

	/* Draws on the next animation frame (once however often it is asked). */
	schedule() {
		if (!this.frame_pending)
			this.frame_pending = requestAnimationFrame(() => {
				this.frame_pending = 0;
				this.render();
			});
	}

	head_height() {
		return this.el.firstChild.offsetHeight;
	}

	/* The first and last frame numbers in sight. */
	visible_range() {
		const top = Math.max(0, this.el.scrollTop);
		const height = Math.max(ROW_HEIGHT, this.el.clientHeight - this.head_height());
		const first = Math.floor(top / ROW_HEIGHT) + 1;
		const last = Math.min(this.total, first + Math.ceil(height / ROW_HEIGHT));
		return [first, last];
	}

	render() {
		if (!this.total)
			return;
		const [vf, vl] = this.visible_range();
		const first = Math.max(1, vf - OVERSCAN);
		const last = Math.min(this.total, vl + OVERSCAN);
		this.source.want(first, last);
		for (const [no, row] of this.rows)
			if (no < first || no > last) {
				row.remove();
				this.rows.delete(no);
			}
		for (let no = first; no <= last; no++) {
			const old = this.rows.get(no);
			const line = this.source.row(no);
			if (old && (old.dataset.loaded === '1' || !line))
				continue;
			const row = this.make_row(no, line);
			if (old)
				old.replaceWith(row);
			else
				this.body.appendChild(row);
			this.rows.set(no, row);
		}
		this.update_active();
	}

	make_row(no, line) {
		const sel = no === this.selected;
		const row = h('div', {
			class: `pl-row pl-grid${sel ? ' selected' : ''}`, role: 'row', id: `${this.id}-${no}`,
			'aria-rowindex': no + 1, 'aria-selected': sel ? 'true' : 'false',
			dataset: { no: String(no), loaded: line ? '1' : '0' },
		});
		row.style.transform = `translateY(${(no - 1) * ROW_HEIGHT}px)`;
		for (const c of COLUMNS) {
			/* a capture's text: textContent only */
			const text = line ? String(line[c.key]) : (c.key === 'no' ? String(no) : '');
			const cell = h('div', { role: 'gridcell', class: c.cls }, text);
			if (c.long && line)
				cell.title = text;       /* the whole text when the column cuts it */
			row.appendChild(cell);
		}
		if (line)
			row.classList.add(`proto-${String(line.proto).toLowerCase().replace(/[^a-z0-9]/g, '')}`);
		return row;
	}

	update_active() {
		for (const [no, row] of this.rows) {
			const sel = no === this.selected;
			row.classList.toggle('selected', sel);
			row.setAttribute('aria-selected', sel ? 'true' : 'false');
		}
		if (this.selected && this.rows.has(this.selected))
			this.el.setAttribute('aria-activedescendant', `${this.id}-${this.selected}`);
		else
			this.el.removeAttribute('aria-activedescendant');
	}

	/* Makes frame no the selected one, scrolled into sight; notify: tell on_select. */
	select(no, { notify = false } = {}) {
		if (!this.total)
			return;
		no = Math.min(this.total, Math.max(1, no));
		this.selected = no;
		this.scroll_to(no);
		this.render();
		if (notify && this.on_select)
			this.on_select(no);
	}

	scroll_to(no) {
		const top = (no - 1) * ROW_HEIGHT;
		const view = this.el.clientHeight - this.head_height();
		if (top < this.el.scrollTop)
			this.el.scrollTop = top;
		else if (top + ROW_HEIGHT > this.el.scrollTop + view)
			this.el.scrollTop = top + ROW_HEIGHT - view;
	}

	keydown(e) {
		if (e.altKey || e.ctrlKey || e.metaKey)
			return;
		const page = Math.max(1, Math.floor((this.el.clientHeight - this.head_height()) / ROW_HEIGHT) - 1);
		const moves = {
			ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page,
			Home: -Infinity, End: Infinity,
		};
		if (!(e.key in moves))
			return;
		e.preventDefault();
		const from = this.selected || (moves[e.key] > 0 ? 0 : this.total + 1);
		const to = Number.isFinite(moves[e.key]) ? from + moves[e.key] : (moves[e.key] > 0 ? this.total : 1);
		this.select(to, { notify: true });
	}
}
