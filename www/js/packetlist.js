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
	 * source: a FrameSource, opened.  Its lines are placed 1, 2, ... (the
	 * frames a display filter shows); each says its frame number.
	 * on_select(no) is called with the frame when the user picks a line
	 * (click or keyboard).
	 */
	constructor(source, { on_select, label = 'Packet list' } = {}) {
		this.source = source;
		this.on_select = on_select;
		this.count = 0;                  /* lines */
		this.selected = 0;               /* the selected frame's number */
		this.selected_pos = 0;           /* its place among the lines (0: not shown) */
		this.rows = new Map();           /* place -> row element in the DOM */
		this.id = uid('pl');
		this.frame_pending = 0;

		this.body = h('div', { class: 'pl-body', role: 'rowgroup' });
		this.empty = h('p', { class: 'pl-empty muted', hidden: true }, 'No frame matches the filter.');
		this.el = h('div', {
			class: 'pl', role: 'grid', tabindex: '0', 'aria-label': label,
			'aria-colcount': COLUMNS.length, 'aria-multiselectable': 'false',
		},
		h('div', { class: 'pl-head pl-grid', role: 'row', 'aria-rowindex': '1' },
			COLUMNS.map((c) => h('div', { role: 'columnheader', class: c.cls }, c.title))),
		this.body, this.empty);
		this.reset();

		this.el.addEventListener('scroll', () => this.schedule());
		this.el.addEventListener('keydown', (e) => this.keydown(e));
		this.body.addEventListener('click', (e) => {
			const row = e.target.closest('.pl-row');
			if (row && row.dataset.no)
				this.select_place(Number(row.dataset.pos), { notify: true });
		});
		source.on_page = () => this.schedule();
		this.resize_observer = new ResizeObserver(() => this.schedule());
		this.resize_observer.observe(this.el);
	}

	/* Takes the source's lines again (a new filter): every row redrawn, nothing selected. */
	reset() {
		this.count = this.source.displayed ?? this.source.total ?? 0;
		for (const row of this.rows.values())
			row.remove();
		this.rows.clear();
		this.selected_pos = 0;
		this.el.setAttribute('aria-rowcount', this.count + 1);
		this.body.style.height = `${this.count * ROW_HEIGHT}px`;
		this.empty.hidden = this.count > 0 || !this.source.filter;
		this.el.scrollTop = 0;
		this.schedule();
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

	/* The first and last places in sight. */
	visible_range() {
		const top = Math.max(0, this.el.scrollTop);
		const height = Math.max(ROW_HEIGHT, this.el.clientHeight - this.head_height());
		const first = Math.floor(top / ROW_HEIGHT) + 1;
		const last = Math.min(this.count, first + Math.ceil(height / ROW_HEIGHT));
		return [first, last];
	}

	render() {
		if (!this.count)
			return;
		const [vf, vl] = this.visible_range();
		const first = Math.max(1, vf - OVERSCAN);
		const last = Math.min(this.count, vl + OVERSCAN);
		this.source.want(first, last);
		for (const [pos, row] of this.rows)
			if (pos < first || pos > last) {
				row.remove();
				this.rows.delete(pos);
			}
		for (let pos = first; pos <= last; pos++) {
			const old = this.rows.get(pos);
			const line = this.source.row(pos);
			if (old && (old.dataset.loaded === '1' || !line))
				continue;
			const row = this.make_row(pos, line);
			if (old)
				old.replaceWith(row);
			else
				this.body.appendChild(row);
			this.rows.set(pos, row);
		}
		this.update_active();
	}

	make_row(pos, line) {
		/* without a filter, place and frame are one: a line not yet here knows its number */
		const no = line ? line.no : (this.source.filter ? 0 : pos);
		const sel = pos === this.selected_pos;
		const row = h('div', {
			class: `pl-row pl-grid${sel ? ' selected' : ''}`, role: 'row', id: `${this.id}-${pos}`,
			'aria-rowindex': pos + 1, 'aria-selected': sel ? 'true' : 'false',
			dataset: { pos: String(pos), no: no ? String(no) : '', loaded: line ? '1' : '0' },
		});
		row.style.transform = `translateY(${(pos - 1) * ROW_HEIGHT}px)`;
		for (const c of COLUMNS) {
			/* a capture's text: textContent only */
			const text = line ? String(line[c.key]) : (c.key === 'no' && no ? String(no) : '');
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
		for (const [pos, row] of this.rows) {
			const sel = pos === this.selected_pos;
			row.classList.toggle('selected', sel);
			row.setAttribute('aria-selected', sel ? 'true' : 'false');
		}
		if (this.selected_pos && this.rows.has(this.selected_pos))
			this.el.setAttribute('aria-activedescendant', `${this.id}-${this.selected_pos}`);
		else
			this.el.removeAttribute('aria-activedescendant');
	}

	/*
	 * Makes frame no the selected one, scrolled into sight when it is shown;
	 * pos: its place when known (without a filter it is no).  notify: tell on_select.
	 */
	select(no, { pos = 0, notify = false } = {}) {
		this.selected = no;
		this.selected_pos = pos || (this.source.filter ? 0 : Math.min(this.count, Math.max(1, no)));
		if (this.selected_pos)
			this.scroll_to(this.selected_pos);
		this.render();
		if (notify && this.on_select)
			this.on_select(no);
	}

	/* Selects the line at place pos; its frame is told to on_select once its line is here. */
	async select_place(pos, { notify = false } = {}) {
		if (!this.count)
			return;
		pos = Math.min(this.count, Math.max(1, pos));
		this.selected_pos = pos;
		this.scroll_to(pos);
		this.render();
		let line = this.source.row(pos);
		if (!line) {
			await this.source.load_page(Math.floor((pos - 1) / this.source.page_size)).catch(() => null);
			line = this.source.row(pos);
			if (!line || this.selected_pos !== pos)
				return;
		}
		this.selected = line.no;
		this.render();
		if (notify && this.on_select)
			this.on_select(line.no);
	}

	scroll_to(pos) {
		const top = (pos - 1) * ROW_HEIGHT;
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
		if (!(e.key in moves) || !this.count)
			return;
		e.preventDefault();
		const from = this.selected_pos || (moves[e.key] > 0 ? 0 : this.count + 1);
		const to = Number.isFinite(moves[e.key]) ? from + moves[e.key] : (moves[e.key] > 0 ? this.count : 1);
		this.select_place(to, { notify: true });
	}
}
