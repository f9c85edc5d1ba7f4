// big.mjs - the packet list of a 100,000-frame trace stays small in the DOM
// and reaches its last frame; figures (printed, not asserted): time from
// navigation to a visible packet list and tree, and the bytes downloaded.

import { assert, assert_equal } from '../harness.mjs';
import { login, wait_frame } from './helpers.mjs';

const SLUG = 'smtp-over-tls';         /* the seed's slug, whatever trace it holds */

/* Opens the exercise, returns "N ms to the list and tree, M KiB downloaded". */
async function figures(page, base) {
	await page.goto(`${base}/#/`);
	await page.getByRole('heading', { name: 'Exercises' }).waitFor();
	await page.evaluate(() => performance.clearResourceTimings());
	const t0 = Date.now();
	await page.evaluate((s) => { location.hash = `#/exercises/${s}`; }, SLUG);
	await wait_frame(page, 1);
	const ms = Date.now() - t0;
	const bytes = await page.evaluate(() => performance.getEntriesByType('resource')
		.reduce((sum, e) => sum + (e.transferSize || e.encodedBodySize || 0), 0));
	return { ms, kib: (bytes / 1024).toFixed(1) };
}

export function checks(env) {
	return [{
		name: 'figures: time to a visible packet list and tree, bytes downloaded',
		skip: env.big_url ? null : 'no 100,000-frame server',
		fn: async ({ page }) => {
			/* the app's own files, fetched once (a fresh context: nothing cached) */
			await page.goto(`${env.url}/`);
			await page.getByRole('heading', { name: 'Log in to tracequiz' }).waitFor();
			const app_kib = await page.evaluate(() => ([...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
				.reduce((sum, e) => sum + (e.transferSize || e.encodedBodySize || 0), 0) / 1024).toFixed(1));
			await login(page, env.url, env.student, env.student_pw);
			const demo = await figures(page, env.url);
			await login(page, env.big_url, env.student, env.student_pw);
			const big = await figures(page, env.big_url);
			return `the app's files: ${app_kib} KiB once; then the demo exercise: ${demo.ms} ms, ${demo.kib} KiB; 100,000 frames: ${big.ms} ms, ${big.kib} KiB (the server's first open of an exercise included)`;
		},
	}, {
		name: 'the 100,000-frame packet list is virtualized and scrolls to its end',
		skip: env.big_url ? null : 'no 100,000-frame server',
		fn: async ({ page }) => {
			await login(page, env.big_url, env.student, env.student_pw);
			await page.goto(`${env.big_url}/#/exercises/${SLUG}`);
			await wait_frame(page, 1);
			const grid = page.getByRole('grid', { name: 'Packet list' });
			assert_equal(await grid.getAttribute('aria-rowcount'), '100001', 'aria-rowcount');
			const rows = () => page.locator('.pl-row').count();
			const n0 = await rows();
			assert(n0 > 10 && n0 < 80, `rows in the DOM at the top: ${n0}`);

			/* scroll through in steps, as a wheel would, then jump to the end */
			const t0 = Date.now();
			for (let i = 1; i <= 20; i++) {
				await grid.evaluate((el, f) => { el.scrollTop = el.scrollHeight * f; }, i / 20);
				await page.waitForTimeout(16);
			}
			await grid.evaluate((el) => { el.scrollTop = el.scrollHeight; });
			await page.locator('.pl-row[data-no="100000"][data-loaded="1"]').waitFor();
			const scroll_ms = Date.now() - t0;
			const last = await page.locator('.pl-row[data-no="100000"] [role=gridcell]').allTextContents();
			assert_equal(last[0], '100000', 'the last row\'s number');
			assert(last[6].includes('→ 9') && last[4] === 'UDP', `the last row: ${last.join(' | ')}`);
			const n1 = await rows();
			assert(n1 < 80, `rows in the DOM at the end: ${n1}`);

			/* the keyboard goes there too, and the tree follows */
			await grid.focus();
			await page.keyboard.press('Home');
			await wait_frame(page, 1);
			await page.keyboard.press('End');
			await wait_frame(page, 100000);
			await page.keyboard.press('PageUp');
			const sel = Number(await page.locator('.pl-row.selected').getAttribute('data-no'));
			assert(sel < 100000 && sel > 99950, `PageUp from the end: ${sel}`);
			return `${n0} rows in the DOM at the top, ${n1} at the end; scrolled to the end in ${scroll_ms} ms`;
		},
	}];
}
