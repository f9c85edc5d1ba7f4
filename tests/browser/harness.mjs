// harness.mjs - a tiny test harness for the browser tests: each check gets a
// fresh browser context and page, saves a screenshot, and prints one line,
// "ok NAME" or "FAIL NAME: why"; the run ends with "N passed, N failed".

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export class AssertionError extends Error {}

/* Throws with msg unless cond. */
export function assert(cond, msg) {
	if (!cond)
		throw new AssertionError(msg);
}

/* Throws unless a and b are equal as JSON, saying where they differ first. */
export function assert_equal(a, b, what) {
	const sa = JSON.stringify(a);
	const sb = JSON.stringify(b);
	if (sa !== sb)
		throw new AssertionError(`${what}: got ${sa.slice(0, 400)}, expected ${sb.slice(0, 400)}`);
}

/* Compares two lists of lines; throws with the first difference. */
export function assert_lines(got, want, what) {
	const n = Math.max(got.length, want.length);
	for (let i = 0; i < n; i++)
		if (got[i] !== want[i])
			throw new AssertionError(`${what}: line ${i + 1} differs (${got.length} lines against ${want.length}):\n  got:      ${JSON.stringify(got[i])}\n  expected: ${JSON.stringify(want[i])}`);
}

function slug(name) {
	return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60);
}

/*
 * Runs checks ([{name, fn, viewport?, skip?}]) in browser, one context each;
 * fn({page, context}) may return a figure to print.  Resolves to the number
 * of failures.
 */
export async function run_checks(browser, checks, { shots, timeout = 60000 }) {
	mkdirSync(shots, { recursive: true });
	let passed = 0;
	let failed = 0;
	let skipped = 0;
	let n = 0;
	for (const c of checks) {
		n += 1;
		if (c.skip) {
			console.log(`skip ${c.name}: ${c.skip}`);
			skipped += 1;
			continue;
		}
		const context = await browser.newContext({ viewport: c.viewport || { width: 1440, height: 900 } });
		const page = await context.newPage();
		page.setDefaultTimeout(15000);
		const page_errors = [];
		page.on('pageerror', (e) => page_errors.push(e.message));
		const shot = join(shots, `${String(c.number || n).padStart(2, '0')}-${slug(c.name)}.png`);
		let error = null;
		let note = '';
		const t0 = Date.now();
		try {
			let timer;
			const res = await Promise.race([
				c.fn({ page, context }),
				new Promise((_, rej) => { timer = setTimeout(() => rej(new Error(`timed out after ${timeout} ms`)), timeout); }),
			]);
			clearTimeout(timer);
			if (typeof res === 'string')
				note = res;
			assert(!page_errors.length, `the page threw: ${page_errors.join('; ')}`);
		} catch (e) {
			error = e;
		}
		try {
			await page.screenshot({ path: shot, fullPage: true });
		} catch (e) {
			note += ` (no screenshot: ${e.message})`;
		}
		const ms = Date.now() - t0;
		if (error) {
			failed += 1;
			console.log(`FAIL ${c.name}: ${error.message}\n     screenshot ${shot}`);
		} else {
			passed += 1;
			console.log(`ok   ${c.name}${note ? ` — ${note}` : ''} (${ms} ms, ${shot})`);
		}
		await context.close();
	}
	console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
	return failed;
}
