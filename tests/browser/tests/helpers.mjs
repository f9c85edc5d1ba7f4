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
