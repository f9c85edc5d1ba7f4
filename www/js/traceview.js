// traceview.js - the trace view, reused by every page that shows a trace: the
// packet list, the selected frame's tree and its bytes, wired together as in
// Wireshark (a tree item highlights its bytes, a byte selects the field
// under it as Wireshark picks it).

import * as api from './api.js';
import { h, plural } from './dom.js';
import { FrameSource } from './framesource.js';
import { PacketList } from './packetlist.js';
import { FrameTree } from './frametree.js';
import { HexPane } from './hexpane.js';
import { FilterBar, filter_for } from './filterbar.js';
import { Menu } from './menu.js';
import { FollowDialog } from './follow.js';

export class TraceView {
	/*
	 * base: the URL the trace's frames live under (api.exercise_trace(slug)).
	 * opts.hidden_input(node, frame_no): an element to show in the tree beside
	 * a hidden field (field questions), or null.
	 * opts.on_frame(no): told when the selected frame changes (to keep it in the URL).
	 */
	constructor(base, { hidden_input = null, on_frame = null, label = 'Trace' } = {}) {
		this.source = new FrameSource(base);
		this.on_frame = on_frame;
		this.frame_no = 0;
		this.frame_data = null;
		this.status = h('p', { class: 'tv-status', role: 'status' });
		this.tree = new FrameTree({
			on_select: (node) => this.tree_selected(node),
			hidden_input: hidden_input ? (node) => hidden_input(node, this.frame_no) : null,
			on_menu: (node, x, y) => this.tree_menu(node, x, y),
		});
		this.filter = new FilterBar({
			check: (text) => api.check_filter(base, text),
			apply: (text) => this.apply_filter(text),
		});
		this.counts = h('p', { class: 'tv-counts', 'aria-live': 'polite' });
		this.menu = new Menu();
		this.base = base;
		this.follow = new FollowDialog({ on_filter: (text) => this.filter.set(text, { apply: true }) });
		this.hex = new HexPane({ on_byte: (ds, off) => this.byte_picked(ds, off) });
		const tools = h('div', { class: 'tv-tools' },
			h('button', { type: 'button', class: 'small', onclick: () => this.tree.expand_all() }, 'Expand all'),
			h('button', { type: 'button', class: 'small', onclick: () => this.tree.collapse_all() }, 'Collapse all'));
		this.list_slot = h('div', { class: 'tv-list' }, h('p', { class: 'muted' }, 'Loading the packet list…'));
		this.el = h('section', { class: 'traceview', 'aria-label': label },
			this.filter.el,
			this.list_slot,
			this.counts,
			h('div', { class: 'tv-detail' },
				h('div', { class: 'tv-tree' }, tools, this.tree.el),
				h('div', { class: 'tv-hex' }, this.hex.el)),
			this.status);
	}

	/* Loads the packet list and selects frame `first` (1 if it is not there). */
	async start(first = 1) {
		const total = await this.source.open();
		this.list = new PacketList(this.source, { on_select: (no) => this.show_frame(no) });
		this.list_slot.replaceChildren(this.list.el);
		if (!total) {
			this.say('This trace has no frames.');
			return;
		}
		this.source.on_error = (e) => this.say(`The packet list could not be read: ${e.message}`);
		this.show_counts();
		const no = first >= 1 && first <= total ? first : 1;
		this.list.select(no);
		await this.show_frame(no);
	}

	destroy() {
		if (this.list)
			this.list.destroy();
		this.menu.close();
		this.follow.close();
	}

	/* Wireshark's status bar: "Packets: 29 · Displayed: 12 (41.4%)". */
	show_counts() {
		const total = this.source.total || 0;
		const shown = this.source.displayed ?? total;
		const pct = total ? ` (${(100 * shown / total).toFixed(1)}%)` : '';
		this.counts.textContent = `Packets: ${total} · Displayed: ${shown}${pct}`;
	}

	/*
	 * Shows only the frames display filter text selects ('' : all); the
	 * selected frame stays selected when the filter still shows it, else the
	 * first frame shown is.  Rejects with the server's error, nothing changed.
	 */
	async apply_filter(text) {
		await this.source.set_filter(text);
		this.list.reset();
		this.show_counts();
		const keep = this.frame_no ? await this.source.place_of(this.frame_no) : 0;
		if (keep) {
			this.list.select(this.frame_no, { pos: keep });
		} else if (this.list.count) {
			await this.list.select_place(1, { notify: true });
		} else {
			this.list.select(this.frame_no, { pos: 0 });
			this.say('No frame matches the filter.');
		}
	}

	/* The tree item's menu: Apply as Filter, Prepare as Filter (Wireshark's words). */
	async tree_menu(node, x, y) {
		let types = null;
		try {
			types = new Map((await api.fields()).fields.map((f) => [f.f, f.t]));
		} catch {
			types = null;
		}
		const text = filter_for(node.j, types, this.frame_data && this.frame_data.sources);
		const tcp = this.stream_of('tcp');
		const udp = this.stream_of('udp');
		const h2 = tcp === null ? null : this.http2_of(node);
		this.menu.open(x, y, [
			{ label: 'Apply as Filter', disabled: !text, run: () => this.filter.set(text, { apply: true }) },
			{ label: 'Prepare as Filter', disabled: !text, run: () => this.filter.set(text) },
			{ label: 'Follow TCP Stream', disabled: tcp === null, run: () => this.follow.open(this.base, 'tcp', tcp, this.tree.el) },
			{ label: 'Follow UDP Stream', disabled: udp === null, run: () => this.follow.open(this.base, 'udp', udp, this.tree.el) },
			{ label: 'Follow HTTP/2 Stream', disabled: h2 === null,
				run: () => this.follow.open(this.base, 'http2', tcp, this.tree.el, h2) },
		], this.tree.el);
	}

	/* The HTTP/2 stream id of the HTTP/2 item around node (else the frame's first), or null. */
	http2_of(node) {
		const id_in = (j) => {
			const st = j && (j.n || []).find((n) => n.f === 'http2.stream');
			const id = st && (st.n || []).find((n) => n.f === 'http2.streamid');
			return id && /^[0-9]+$/.test(String(id.v)) ? Number(id.v) : null;
		};
		for (let n = node; n; n = n.parent)
			if (n.j && n.j.f === 'http2')
				return id_in(n.j);
		const top = this.frame_data && (this.frame_data.tree || []).find((n) => n.f === 'http2' && id_in(n) !== null);
		return top ? id_in(top) : null;
	}

	/* The selected frame's stream index (tcp.stream, udp.stream) in its top-level item, or null. */
	stream_of(proto) {
		const top = this.frame_data && (this.frame_data.tree || []).find((n) => n.f === proto);
		const s = top && (top.n || []).find((n) => n.f === `${proto}.stream`);
		return s && /^[0-9]+$/.test(String(s.v)) ? Number(s.v) : null;
	}

	say(text) {
		this.status.textContent = text;
	}

	/* Shows frame no's tree and bytes (the list's selection follows). */
	async show_frame(no) {
		if (this.list && this.list.selected !== no) {
			if (this.source.filter) {
				const pos = await this.source.place_of(no).catch(() => 0);
				this.list.select(no, { pos });
			} else {
				this.list.select(no);
			}
		}
		this.frame_no = no;
		let data;
		try {
			data = await this.source.frame(no);
		} catch (e) {
			if (this.frame_no === no)
				this.say(`Frame ${no} could not be read: ${e.message}`);
			return null;
		}
		if (this.frame_no !== no)   /* the user moved on meanwhile */
			return null;
		this.frame_data = data;
		this.hex.show(data.sources);
		this.tree.show(data.tree);
		this.say(`Frame ${no} of ${this.source.total}`);
		if (this.on_frame)
			this.on_frame(no);
		return data;
	}

	/* Resolves to a Map from frame number to packet-list line for the frames nos (FrameSource.rows). */
	rows(nos) {
		return this.source.rows(nos);
	}

	tree_selected(node) {
		const [off, len] = node.j.h || [0, 0];
		this.hex.highlight(node.j.ds || 0, off, len);
		const f = node.j.f ? ` (${node.j.f})` : '';
		this.say(len > 0 ? `${node.j.l}${f}: ${plural(len, 'byte')} at offset ${off}` : `${node.j.l}${f}`);
	}

	byte_picked(ds, off) {
		const node = this.tree.field_at(ds, off);
		if (node)
			this.tree.select(node);
		else
			this.hex.highlight(ds, off, 0);
	}

	/* Jumps to field f of frame no (a key's origin): selects frame and item. */
	async reveal(no, f) {
		const data = await this.show_frame(no);
		if (!data)
			return false;
		const node = f ? this.tree.find_field(f) : null;
		if (node)
			this.tree.select(node);
		this.list.el.scrollIntoView({ block: 'nearest' });
		return !!node;
	}
}
