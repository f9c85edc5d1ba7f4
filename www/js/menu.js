// menu.js - a context menu (the WAI-ARIA menu pattern): opened at a point,
// its items reached with the arrow keys, Enter runs one, Escape or a click
// elsewhere closes it and gives the focus back.

import { h, uid } from './dom.js';

export class Menu {
	constructor() {
		this.el = null;
		this.back = null;            /* where the focus goes back to */
		this.outside = (e) => {
			if (this.el && !this.el.contains(e.target))
				this.close();
		};
	}

	/* items: [{label, run, disabled}]; back: the element focused again when it closes. */
	open(x, y, items, back) {
		this.close();
		this.back = back || document.activeElement;
		const id = uid('menu');
		this.el = h('ul', { class: 'menu', role: 'menu', id, tabindex: '-1' },
			items.map((it, i) => h('li', {
				role: 'menuitem', tabindex: '-1', id: `${id}-${i}`,
				'aria-disabled': it.disabled ? 'true' : 'false',
				onclick: () => this.run(it),
			}, it.label)));
		this.items = items;
		document.body.appendChild(this.el);
		const r = this.el.getBoundingClientRect();
		const left = Math.max(0, Math.min(x, window.innerWidth - r.width - 4));
		const top = Math.max(0, Math.min(y, window.innerHeight - r.height - 4));
		this.el.style.left = `${left + window.scrollX}px`;
		this.el.style.top = `${top + window.scrollY}px`;
		this.el.addEventListener('keydown', (e) => this.keydown(e));
		document.addEventListener('mousedown', this.outside, true);
		this.focus(items.findIndex((it) => !it.disabled));
	}

	focus(i) {
		const lis = this.el ? [...this.el.children] : [];
		if (i >= 0 && i < lis.length) {
			this.at = i;
			lis[i].focus();
		}
	}

	run(it) {
		if (it.disabled)
			return;
		this.close();
		it.run();
	}

	keydown(e) {
		const n = this.items.length;
		const step = (d) => {
			for (let k = 1; k <= n; k++) {
				const i = (this.at + d * k + n * k) % n;
				if (!this.items[i].disabled)
					return this.focus(i);
			}
			return undefined;
		};
		switch (e.key) {
		case 'ArrowDown': step(1); break;
		case 'ArrowUp': step(-1); break;
		case 'Home': this.focus(0); break;
		case 'End': this.focus(n - 1); break;
		case 'Enter':
		case ' ':
			this.run(this.items[this.at]);
			break;
		case 'Escape':
		case 'Tab':
			this.close();
			break;
		default:
			return;
		}
		e.preventDefault();
	}

	close() {
		if (!this.el)
			return;
		document.removeEventListener('mousedown', this.outside, true);
		this.el.remove();
		this.el = null;
		if (this.back && this.back.isConnected)
			this.back.focus();
	}
}
