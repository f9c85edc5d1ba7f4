// frametree.js - the frame tree ("packet details"): one frame's items as the
// API gives them, collapsible, keyboard-driven (the WAI-ARIA tree pattern),
// generated items in [brackets] as Wireshark shows them.

import { h, uid } from './dom.js';

/* Subtrees the user opened, by path, kept from frame to frame as Wireshark does. */
const opened = new Set();

/* A tree item's identity across frames: its field names (or text, digits blurred) down from the top. */
function path_key(node) {
	const parts = [];
	for (let n = node; n; n = n.parent)
		parts.push(n.j.f || `"${String(n.j.l).replace(/[0-9]+/g, '#')}"`);
	return parts.reverse().join('/');
}

/* The label as Wireshark shows it: generated items in brackets (doc/json.md). */
export function display_label(j) {
	const l = String(j.l ?? '');
	return j.g ? `[${l}]` : l;
}

export class FrameTree {
	/*
	 * on_select(node) is called when an item is selected (node.j is the JSON
	 * item: l, f, v, h, ds, g, e, n); hidden_input(node) may return an element
	 * to show beside a hidden field (a field question's input), or null.
	 */
	constructor({ on_select, hidden_input, on_menu } = {}) {
		this.on_select = on_select;
		this.hidden_input = hidden_input;
		this.on_menu = on_menu;      /* on_menu(node, x, y): the item's context menu (right click, Shift+F10) */
		this.id = uid('ft');
		this.nodes = [];             /* every node, in tree order */
		this.roots = [];
		this.selected = null;
		this.el = h('div', {
			class: 'ft', role: 'tree', tabindex: '0', 'aria-label': 'Packet details',
		});
		this.el.addEventListener('keydown', (e) => this.keydown(e));
		this.el.addEventListener('click', (e) => this.click(e));
		this.el.addEventListener('contextmenu', (e) => {
			const n = this.node_of(e.target);
			if (!n || !this.on_menu || e.target.closest('input, select, textarea'))
				return;
			e.preventDefault();
			this.select(n);
			this.on_menu(n, e.clientX, e.clientY);
		});
		this.el.addEventListener('dblclick', (e) => {
			const n = this.node_of(e.target);
			if (n && n.kids.length && !e.target.closest('input, select, textarea'))
				this.toggle(n);
		});
	}

	/* Shows a frame's tree (the `tree` array of doc/json.md); nothing selected. */
	show(tree) {
		this.nodes = [];
		this.selected = null;
		this.el.replaceChildren();
		this.el.removeAttribute('aria-activedescendant');
		const build = (j, parent, depth) => {
			const node = { j, parent, depth, kids: [], li: null, group: null, index: this.nodes.length };
			this.nodes.push(node);
			node.key = path_key(node);
			for (const c of j.n || [])
				node.kids.push(build(c, node, depth + 1));
			return node;
		};
		this.roots = (tree || []).map((j) => build(j, null, 1));
		for (const n of this.roots)
			this.el.appendChild(this.item(n));
		/* tree order: a parent is settled before its children */
		for (const n of this.nodes) {
			if (n.kids.length && opened.has(n.key) && (!n.parent || this.is_open(n.parent)))
				this.expand(n, { remember: false });
			if (n.j.hidden)          /* a field to fill in is always in sight */
				this.open_parents(n);
		}
	}

	/* Opens node's parents, the outermost first (an item exists once its parent was opened). */
	open_parents(node) {
		const chain = [];
		for (let p = node.parent; p; p = p.parent)
			chain.unshift(p);
		for (const p of chain)
			this.expand(p, { remember: false });
	}

	/* The <div role=treeitem> of node (its children built when first opened). */
	item(node) {
		const j = node.j;
		const label = h('span', { class: 'ft-label' }, display_label(j));
		const row = h('div', { class: 'ft-row' },
			h('span', { class: 'ft-twisty', 'aria-hidden': 'true' }), label);
		row.style.paddingLeft = `${(node.depth - 1) * 1.1 + 0.3}em`;
		const li = h('div', {
			role: 'treeitem', id: `${this.id}-${node.index}`, class: 'ft-item',
			'aria-level': node.depth, 'aria-selected': 'false',
			dataset: { index: String(node.index), field: j.f || '' },
		}, row);
		if (j.g)
			li.classList.add('generated');
		if (j.e)
			li.classList.add('expert');
		if (j.hidden) {
			li.classList.add('hidden-field');
			const input = this.hidden_input ? this.hidden_input(node) : null;
			if (input)
				row.appendChild(input);
		}
		if (node.kids.length)
			li.setAttribute('aria-expanded', 'false');
		node.li = li;
		return li;
	}

	node_of(target) {
		const li = target.closest('[role=treeitem]');
		return li && this.el.contains(li) ? this.nodes[Number(li.dataset.index)] : null;
	}

	is_open(node) {
		return node.li && node.li.getAttribute('aria-expanded') === 'true';
	}

	expand(node, { remember = true } = {}) {
		if (!node.kids.length || !node.li)
			return;
		if (!node.group) {
			node.group = h('div', { role: 'group' });
			for (const k of node.kids)
				node.group.appendChild(this.item(k));
			node.li.appendChild(node.group);
		}
		node.group.hidden = false;
		node.li.setAttribute('aria-expanded', 'true');
		if (remember)
			opened.add(node.key);
	}

	collapse(node) {
		if (!node.group)
			return;
		node.group.hidden = true;
		node.li.setAttribute('aria-expanded', 'false');
		opened.delete(node.key);
	}

	toggle(node) {
		if (this.is_open(node))
			this.collapse(node);
		else
			this.expand(node);
	}

	/* Opens every item (Wireshark's "Expand All"), or closes every one. */
	expand_all() {
		for (const n of this.nodes)
			this.expand(n);
	}

	collapse_all() {
		for (const n of this.nodes)
			this.collapse(n);
	}

	/* Selects node: its parents opened, scrolled into sight; notify: tell on_select. */
	select(node, { notify = true, scroll = true } = {}) {
		this.open_parents(node);
		if (this.selected && this.selected.li) {
			this.selected.li.setAttribute('aria-selected', 'false');
			this.selected.li.classList.remove('selected');
		}
		this.selected = node;
		node.li.setAttribute('aria-selected', 'true');
		node.li.classList.add('selected');
		this.el.setAttribute('aria-activedescendant', node.li.id);
		if (scroll)
			node.li.firstChild.scrollIntoView({ block: 'nearest' });
		if (notify && this.on_select)
			this.on_select(node);
	}

	/* The first node with field name f, or null. */
	find_field(f) {
		return this.nodes.find((n) => n.j.f === f) || null;
	}

	/*
	 * The item to select when byte off of data source ds is clicked, chosen as
	 * Wireshark's proto_find_field_from_offset() does: the last item in tree
	 * order whose bytes cover it, generated items aside (so the deepest one,
	 * and in a reassembled buffer the protocol field rather than the fragment
	 * list that spans it all).  Null when none covers it.
	 */
	field_at(ds, off) {
		let best = null;
		let generated = null;
		for (const n of this.nodes) {
			const [start, len] = n.j.h || [0, 0];
			if ((n.j.ds || 0) !== ds || len <= 0 || off < start || off >= start + len)
				continue;
			if (n.j.g)
				generated = n;
			else
				best = n;
		}
		return best || generated;
	}

	/* The items on screen, in order: those whose parents are all open. */
	visible() {
		const out = [];
		const walk = (list) => {
			for (const n of list) {
				out.push(n);
				if (this.is_open(n))
					walk(n.kids);
			}
		};
		walk(this.roots);
		return out;
	}

	click(e) {
		if (e.target.closest('input, select, textarea, button'))
			return;
		const n = this.node_of(e.target);
		if (!n)
			return;
		if (e.target.classList.contains('ft-twisty'))
			this.toggle(n);
		this.select(n);
	}

	keydown(e) {
		if (e.target !== this.el || e.altKey || e.ctrlKey || e.metaKey)
			return;
		if ((e.key === 'ContextMenu' || (e.key === 'F10' && e.shiftKey)) && this.selected && this.on_menu) {
			e.preventDefault();
			const r = this.selected.li.firstChild.getBoundingClientRect();
			this.on_menu(this.selected, r.left + 24, r.bottom);
			return;
		}
		const vis = this.visible();
		if (!vis.length)
			return;
		const cur = this.selected;
		const i = cur ? vis.indexOf(cur) : -1;
		let to = null;
		switch (e.key) {
		case 'ArrowDown': to = vis[Math.min(vis.length - 1, i + 1)]; break;
		case 'ArrowUp': to = vis[Math.max(0, i - 1)]; break;
		case 'Home': to = vis[0]; break;
		case 'End': to = vis[vis.length - 1]; break;
		case 'ArrowRight':
			if (!cur)
				to = vis[0];
			else if (cur.kids.length && !this.is_open(cur))
				this.expand(cur);
			else if (cur.kids.length)
				to = cur.kids[0];
			break;
		case 'ArrowLeft':
			if (cur && cur.kids.length && this.is_open(cur))
				this.collapse(cur);
			else if (cur && cur.parent)
				to = cur.parent;
			break;
		case 'Enter':
		case ' ':
			if (cur && cur.kids.length)
				this.toggle(cur);
			break;
		case '*':
			if (cur)
				this.expand_subtree(cur);
			break;
		default:
			return;
		}
		e.preventDefault();
		if (to && to !== cur)
			this.select(to);
	}

	expand_subtree(node) {
		this.expand(node);
		for (const k of node.kids)
			this.expand_subtree(k);
	}
}
