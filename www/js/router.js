// router.js - routes in the URL's hash (#/exercises/smtp-over-tls?frame=4), so
// the back button works and a page can be linked to; the server serves only
// index.html, whatever the route.  A page may refuse to be left (unsaved
// changes): the URL then goes back to it, whichever way it was changed.

/*
 * A route: {path: '/exercises/:slug', page: async (ctx) => Element, auth: true}.
 * ctx: {params, query (URLSearchParams), user, router}.  Pages may return an
 * element with a `destroy` property, called when the route is left.
 * may_leave(): asked when the URL changes (a link, go(), back or forward);
 * false keeps the page shown and puts its URL back.
 */
export class Router {
	constructor(routes, { render, not_found, may_leave = null }) {
		this.routes = routes.map((r) => ({ ...r, re: compile(r.path) }));
		this.render = render;
		this.not_found = not_found;
		this.may_leave = may_leave;
		this.forced = false;         /* the next change is not asked about (go(path, {force})) */
		this.returning = false;      /* a refused change is being undone: not a navigation */
		/* each history entry the app has shown carries its place, to undo a refused back or forward */
		this.stamp(history.state && Number.isInteger(history.state.tq_index) ? history.state.tq_index : 0);
		window.addEventListener('hashchange', () => this.changed());
	}

	stamp(index) {
		this.index = index;
		history.replaceState({ ...(history.state || {}), tq_index: index }, '');
	}

	/*
	 * The URL's hash changed.  A new entry (a link, go()) has no place yet:
	 * it is the one after the shown one.  When may_leave says no, history
	 * goes back to the shown entry (its hashchange then ignored).
	 */
	changed() {
		if (this.returning) {
			this.returning = false;
			return;
		}
		const st = history.state;
		const index = st && Number.isInteger(st.tq_index) ? st.tq_index : this.index + 1;
		const forced = this.forced;
		this.forced = false;
		if (!forced && index !== this.index && this.may_leave && !this.may_leave()) {
			this.returning = true;
			history.go(this.index - index);
			return;
		}
		this.stamp(index);
		this.run();
	}

	/* The current route's path and query: '#/a/b?x=1' -> ['/a/b', URLSearchParams]. */
	location() {
		const raw = location.hash.replace(/^#/, '') || '/';
		const q = raw.indexOf('?');
		return [q < 0 ? raw : raw.slice(0, q), new URLSearchParams(q < 0 ? '' : raw.slice(q + 1))];
	}

	match(path) {
		for (const r of this.routes) {
			const m = r.re.exec(path);
			if (m)
				return { route: r, params: m.groups ? Object.fromEntries(Object.entries(m.groups).map(([k, v]) => [k, decodeURIComponent(v)])) : {} };
		}
		return null;
	}

	run() {
		/* "#main" and the like are in-page anchors, not routes */
		if (location.hash && !location.hash.startsWith('#/'))
			return;
		const [path, query] = this.location();
		const m = this.match(path);
		this.render(m ? m.route : this.not_found, m ? m.params : {}, query);
	}

	/* Shows path, in a new history entry; force: without asking may_leave. */
	go(path, { force = false } = {}) {
		if (location.hash === `#${path}`)
			return;              /* no hashchange: nothing to show, nothing to force */
		this.forced = force;
		location.hash = `#${path}`;
	}

	/* Puts path in the URL in place of the current entry, without showing it
	 * again (a new exercise, once saved, becomes its edit page). */
	replace(path) {
		history.replaceState(history.state, '', `#${path}`);
	}

	/* Changes the URL without a new history entry (the selected frame, say). */
	replace_query(query) {
		const [path] = this.location();
		const qs = query.toString();
		history.replaceState(history.state, '', `#${path}${qs ? `?${qs}` : ''}`);
	}
}

/* '/exercises/:slug' -> /^\/exercises\/(?<slug>[^/]+)$/ */
function compile(path) {
	const src = path.split('/').map((p) => (p.startsWith(':') ? `(?<${p.slice(1)}>[^/]+)` : p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('\\/');
	return new RegExp(`^${src}$`);
}
