// layout.mjs - the exercise page on a tablet (portrait) and a laptop: nothing
// wider than the screen but the packet list's own scrolling, every form
// control labelled.

import { assert } from '../harness.mjs';
import { login, open_exercise } from './helpers.mjs';

async function check_page(page, env) {
	await login(page, env.url, env.student, env.student_pw);
	await open_exercise(page, env.url, 'smtp-over-tls', 4);
	const over = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
	assert(over <= 0, `the page is ${over} px wider than the screen`);
	const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea')]
		.filter((e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby'))
		.map((e) => e.outerHTML));
	assert(!unlabelled.length, `controls without a label: ${unlabelled.join(' ')}`);
}

export function checks(env) {
	return [{
		name: 'the exercise page fits a tablet',
		viewport: { width: 820, height: 1180 },
		fn: async ({ page }) => check_page(page, env),
	}, {
		name: 'the exercise page fits a laptop',
		viewport: { width: 1366, height: 768 },
		fn: async ({ page }) => check_page(page, env),
	}];
}
