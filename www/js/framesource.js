// framesource.js - a trace's data as the trace view reads it: the packet list
// in pages fetched on demand and cached, and frames (tree and bytes) cached.

import * as api from './api.js';

/* A Map used as a least-recently-used cache of at most max entries. */
class Lru {
	constructor(max) {
		this.max = max;
		this.map = new Map();
	}

	get(k) {
		const v = this.map.get(k);
		if (v !== undefined) {
			this.map.delete(k);
			this.map.set(k, v);
		}
		return v;
	}

	set(k, v) {
		this.map.delete(k);
		this.map.set(k, v);
		while (this.map.size > this.max)
			this.map.delete(this.map.keys().next().value);
	}

	delete(k) {
		this.map.delete(k);
	}
}

export class FrameSource {
	/*
	 * base: the URL the trace lives under (`${base}/frames`, `${base}/frames/N`).
	 * Pages hold page_size packet-list lines; at most max_pages are kept
	 * (100,000 frames in pages of 200 is 500 pages: a long scroll drops the
	 * oldest), and at most two pages are fetched at a time, the ones still
	 * wanted first.
	 */
	constructor(base, { page_size = 200, max_pages = 150, max_frames = 32 } = {}) {
		this.base = base;
		this.page_size = page_size;
		this.pages = new Lru(max_pages);
		this.frames = new Lru(max_frames);
		this.total = null;
		this.loading = new Map();    /* page index -> Promise */
		this.queue = [];             /* page indexes wanted, the latest first */
		this.on_page = null;         /* called with the page index when one arrives */
		this.on_error = null;
	}

	/* Fetches the first page; resolves to the number of frames. */
	async open() {
		await this.load_page(0);
		return this.total;
	}

	/* The packet-list line of frame no when its page is here, else undefined. */
	row(no) {
		const page = this.pages.get(Math.floor((no - 1) / this.page_size));
		return page ? page[(no - 1) % this.page_size] : undefined;
	}

	/* Asks for the pages covering frames first..last (from 1); the older wishes go. */
	want(first, last) {
		const pf = Math.floor((first - 1) / this.page_size);
		const pl = Math.floor((last - 1) / this.page_size);
		this.queue = [];
		for (let p = pf; p <= pl; p++)
			if (!this.pages.get(p) && !this.loading.has(p))
				this.queue.push(p);
		this.pump();
	}

	pump() {
		while (this.loading.size < 2 && this.queue.length) {
			const p = this.queue.shift();
			this.load_page(p).catch((e) => this.on_error && this.on_error(e));
		}
	}

	load_page(p) {
		if (this.loading.has(p))
			return this.loading.get(p);
		const from = p * this.page_size + 1;
		const pr = api.frames_page(this.base, from, this.page_size).then((r) => {
			this.total = r.total;
			this.pages.set(p, r.frames);
			if (this.on_page)
				this.on_page(p);
		}).finally(() => {
			this.loading.delete(p);
			this.pump();
		});
		this.loading.set(p, pr);
		return pr;
	}

	/*
	 * Resolves to a Map from frame number to its packet-list line, for the
	 * frames nos (an order question's): their pages are fetched, at most
	 * max_pages of them; a frame whose page was not fetched is left out.
	 */
	async rows(nos, { max_pages = 20 } = {}) {
		const pages = [...new Set(nos.map((no) => Math.floor((no - 1) / this.page_size)))].slice(0, max_pages);
		await Promise.all(pages.map((p) => (this.pages.get(p) ? null : this.load_page(p))));
		const out = new Map();
		for (const no of nos) {
			const r = this.row(no);
			if (r)
				out.set(no, r);
		}
		return out;
	}

	/* Resolves to frame no's tree and bytes (doc/json.md), cached. */
	frame(no) {
		let pr = this.frames.get(no);
		if (!pr) {
			pr = api.frame(this.base, no);
			this.frames.set(no, pr);
			pr.catch(() => this.frames.delete(no));
		}
		return pr;
	}
}
