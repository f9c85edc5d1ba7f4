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
	 * The packet list's lines are those a display filter shows (every frame
	 * without one), numbered from 1 by their place; each line's `no` is its
	 * frame.  Pages hold page_size lines; at most max_pages are kept
	 * (100,000 frames in pages of 200 is 500 pages: a long scroll drops the
	 * oldest), and at most two pages are fetched at a time, the ones still
	 * wanted first.
	 */
	constructor(base, { page_size = 200, max_pages = 150, max_frames = 32 } = {}) {
		this.base = base;
		this.page_size = page_size;
		this.max_pages = max_pages;
		this.pages = new Lru(max_pages);
		this.frames = new Lru(max_frames);
		this.total = null;           /* frames in the trace */
		this.displayed = null;       /* lines shown: the frames the filter selects */
		this.filter = '';
		this.generation = 0;         /* a new filter: pages of the old one are dropped */
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

	/*
	 * Shows only the frames display filter f selects ('' : every frame).
	 * Resolves once its first page is here; rejects with the server's
	 * ApiError (an invalid or refused filter), the lines shown unchanged.
	 */
	async set_filter(f) {
		const first = await api.frames_page(this.base, 1, this.page_size, { filter: f });
		this.generation += 1;
		this.filter = f;
		this.pages = new Lru(this.max_pages);
		this.loading = new Map();
		this.queue = [];
		this.total = first.total;
		this.displayed = first.displayed;
		this.pages.set(0, first.frames);
		return this.displayed;
	}

	/* Resolves to the place of frame no among the lines shown (0: the filter leaves it out). */
	async place_of(no) {
		if (!this.filter)
			return no >= 1 && no <= this.total ? no : 0;
		const r = await api.frames_page(this.base, 1, 1, { filter: this.filter, at: no });
		return r.at || 0;
	}

	/* The packet-list line at place pos when its page is here, else undefined. */
	row(pos) {
		const page = this.pages.get(Math.floor((pos - 1) / this.page_size));
		return page ? page[(pos - 1) % this.page_size] : undefined;
	}

	/* Asks for the pages covering places first..last (from 1); the older wishes go. */
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
		const gen = this.generation;
		const loading = this.loading;
		const pr = api.frames_page(this.base, from, this.page_size, { filter: this.filter }).then((r) => {
			if (gen !== this.generation)
				return;          /* a page of a filter no longer shown */
			this.total = r.total;
			this.displayed = r.displayed ?? r.total;
			this.pages.set(p, r.frames);
			if (this.on_page)
				this.on_page(p);
		}).finally(() => {
			loading.delete(p);
			if (gen === this.generation)
				this.pump();
		});
		loading.set(p, pr);
		return pr;
	}

	/*
	 * Resolves to a Map from frame number to its packet-list line, for the
	 * frames nos (an order question's), whatever the filter: their pages of
	 * the unfiltered list are fetched, at most max_pages of them; a frame
	 * whose page was not fetched is left out.
	 */
	async rows(nos, { max_pages = 20 } = {}) {
		const pages = [...new Set(nos.map((no) => Math.floor((no - 1) / this.page_size)))].slice(0, max_pages);
		const got = await Promise.all(pages.map((p) => {
			const here = !this.filter && this.pages.get(p);
			return here ? here : api.frames_page(this.base, p * this.page_size + 1, this.page_size).then((r) => r.frames);
		}));
		const out = new Map();
		for (const lines of got)
			for (const line of lines)
				if (nos.includes(line.no))
					out.set(line.no, line);
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
