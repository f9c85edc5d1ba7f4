// helpers.mjs - what the browser checks do again and again: log in, open an
// exercise, wait for the trace view, ask the API from inside the page.

/* Logs in through the login form and waits for the exercise list. */
export async function login(page, base, name, password) {
	await page.goto(`${base}/`);
	await page.getByLabel('Name').fill(name);
	await page.getByLabel('Password').fill(password);
	await page.getByRole('button', { name: 'Log in' }).click();
	await page.getByRole('heading', { name: 'Exercises' }).waitFor();
}

/* Opens an exercise (at frame N) and waits for its packet list and frame tree. */
export async function open_exercise(page, base, slug, frame = 1) {
	await page.goto(`${base}/#/exercises/${slug}?frame=${frame}`);
	await wait_frame(page, frame);
}

/* Waits until the trace view shows frame no (list selection and tree). */
export async function wait_frame(page, no) {
	await page.locator(`.pl-row.selected[data-no="${no}"]`).waitFor();
	await page.locator('.tv-status', { hasText: `Frame ${no} of` }).waitFor();
	await page.locator('[role=tree] [role=treeitem]').first().waitFor();
}

/* GET path with the page's session: the parsed JSON. */
export async function api_get(page, path) {
	return page.evaluate(async (p) => {
		const r = await fetch(p);
		if (!r.ok)
			throw new Error(`${p}: HTTP ${r.status}`);
		return r.json();
	}, path);
}

/* The offsets of the bytes highlighted in the hex pane's open tab. */
export async function highlighted(page) {
	return page.locator('.hx-b.sel').evaluateAll((els) => els.map((e) => Number(e.dataset.off)));
}

/* The JSON tree item with field name f (the first, depth first), or null. */
export function find_field(tree, f) {
	for (const n of tree) {
		if (n.f === f)
			return n;
		const k = find_field(n.n || [], f);
		if (k)
			return k;
	}
	return null;
}

export function range(start, len) {
	return Array.from({ length: len }, (_, i) => start + i);
}

/*
 * Logs in through the API from inside the page (which must be on the
 * server's origin); resolves to the session's CSRF token.  For setting up
 * what a check needs without going through the forms.
 */
export async function api_login(page, name, password) {
	return page.evaluate(async ([n, p]) => {
		const r = await fetch('/api/v1/session', {
			method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: n, password: p }),
		});
		if (!r.ok)
			throw new Error(`log in as ${n}: HTTP ${r.status} ${await r.text()}`);
		return (await r.json()).csrf;
	}, [name, password]);
}

/* A change through the API with the page's session: {status, body}.  body: JSON, or {bytes: [...]} sent raw. */
export async function api_send(page, method, path, body, csrf) {
	return page.evaluate(async ([m, p, b, c]) => {
		const raw = b && Array.isArray(b.bytes);
		const r = await fetch(p, {
			method: m,
			headers: { 'Content-Type': raw ? 'application/octet-stream' : 'application/json', 'X-CSRF-Token': c },
			body: b === undefined ? undefined : raw ? new Uint8Array(b.bytes) : JSON.stringify(b),
		});
		const text = await r.text();
		let json = null;
		try {
			json = JSON.parse(text);
		} catch {
			json = text;
		}
		return { status: r.status, body: json };
	}, [method, path, body, csrf]);
}

/* Logs out through the API (the page stays where it is). */
export async function api_logout(page, csrf) {
	await api_send(page, 'DELETE', '/api/v1/session', undefined, csrf);
}
