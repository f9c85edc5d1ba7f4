// router.js - routes in the URL's hash (#/exercises/smtp-over-tls?frame=4), so
// the back button works and a page can be linked to; the server serves only
// index.html, whatever the route.

/*
 * A route: {path: '/exercises/:slug', page: async (ctx) => Element, auth: true}.
 * ctx: {params, query (URLSearchParams), user, router}.  Pages may return an
 * element with a `destroy` property, called when the route is left.
 */
export class Router {
	constructor(routes, { render, not_found }) {
		this.routes = routes.map((r) => ({ ...r, re: compile(r.path) }));
		this.render = render;
		this.not_found = not_found;
		window.addEventListener('hashchange', () => this.run());
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

	go(path) {
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
