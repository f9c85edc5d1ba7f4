// gradebook.mjs - a course's gradebook on its page (each person's best score
// and attempts, an auto-grader's students and a staff account's tries apart,
// sorted by a click on a column, the CSV link), a student changing their own
// password on the account page, an admin handing any account a new password,
// and the exercise page's "Download the trace" link, or the sentence saying
// why there is none.  The course, its people and their submissions are made
// through the API, on the demo server, with accounts of their own (gb-*), so
// that the other checks' accounts keep their passwords.

import { readFileSync } from 'node:fs';
import { assert, assert_equal } from '../harness.mjs';
import { login, api_login, api_send, api_logout } from './helpers.mjs';
import { ensure_instructor, INES, INES_PW } from './instructor.mjs';

const CAPTURE = new URL('../../data/tcp-handshake-eth-ipv4.pcap', import.meta.url).pathname;
const COURSE = 'gradebook-check';
const COURSE_TITLE = 'Gradebook check';
const EXTERNAL = 'lms-<b>7</b>';             /* an auto-grader's student id: shown as text */
const PEOPLE = [['gb-ann', 'gb-ann-pw-1'], ['gb-bob', 'gb-bob-pw-1'], ['gb-tess', 'gb-tess-pw-1'], ['gb-pw', 'gb-pw-old-1'],
	['gb-reset', 'gb-reset-pw-1']];
const NUMBERS = [
	{ id: 'syns', kind: 'number', prompt: 'How many segments carry SYN?', key: 'count(frame where tcp.flags.syn == 1)' },
	{ id: 'ack2', kind: 'number', prompt: 'The acknowledgement number of frame 2?', key: 'first(tcp.ack where frame.number == 2)' },
];

let made = false;

/*
 * Once per run: the people (made by the admin, with known passwords), a
 * course of ines's with them enrolled and two exercises (gb-open hides
 * nothing, gb-hidden hides a field), gb-ann's two attempts (1 then 2 of 2),
 * gb-bob's one (0), gb-tess's one before she becomes an instructor, and an
 * auto-grader's student graded once.
 */
async function setup(page, env) {
	if (made)
		return;
	await ensure_instructor(page, env);
	let csrf = await api_login(page, 'admin', env.admin_pw);
	for (const [name, password] of PEOPLE) {
		const r = await api_send(page, 'POST', '/api/v1/users', { name, role: 'student', password }, csrf);
		assert(r.status === 201, `making ${name}: ${r.status} ${JSON.stringify(r.body)}`);
	}
	await api_logout(page, csrf);
	csrf = await api_login(page, INES, INES_PW);
	let r = await api_send(page, 'POST', '/api/v1/courses', { slug: COURSE, title: COURSE_TITLE }, csrf);
	assert_equal(r.status, 201, `the course: ${JSON.stringify(r.body)}`);
	r = await api_send(page, 'POST', `/api/v1/courses/${COURSE}/students`, { students: ['gb-ann', 'gb-bob', 'gb-tess'] }, csrf);
	assert_equal(r.status, 200, `enrolling: ${JSON.stringify(r.body)}`);
	r = await api_send(page, 'POST', '/api/v1/traces?name=handshake.pcap', { bytes: [...readFileSync(CAPTURE)] }, csrf);
	assert(r.status === 200 || r.status === 201, `upload: ${r.status} ${JSON.stringify(r.body)}`);
	const trace = r.body.sha256;
	for (const [slug, title, questions] of [['gb-open', 'Nothing hidden', NUMBERS],
		['gb-hidden', 'A field hidden', [{ id: 'f', kind: 'field', prompt: 'Fill in the number', hide: { 2: ['tcp.ack'] } }]]]) {
		r = await api_send(page, 'POST', '/api/v1/exercises', { slug, course: COURSE, trace, exercise: { title, questions } }, csrf);
		assert_equal(r.status, 201, `${slug}: ${JSON.stringify(r.body)}`);
	}
	r = await api_send(page, 'POST', '/api/v1/tokens', { name: 'gradebook LMS', scope: 'grade' }, csrf);
	const token = r.body.token;
	await api_logout(page, csrf);
	const graded = await page.evaluate(async ([t, student]) => (await fetch('/api/v1/grade', {
		method: 'POST', credentials: 'omit', headers: { Authorization: `Bearer ${t}`, 'Content-Type': 'application/json' },
		body: JSON.stringify({ exercise: 'gb-open', student, answers: { syns: 2 } }),
	})).status, [token, EXTERNAL]);
	assert_equal(graded, 200, 'the auto-grader\'s submission');
	for (const [name, answers] of [['gb-ann', { syns: 2, ack2: 0 }], ['gb-ann', { syns: 2, ack2: 1 }], ['gb-bob', { syns: 9, ack2: 9 }],
		['gb-tess', { syns: 2, ack2: 1 }]]) {
		const sc = await api_login(page, name, PEOPLE.find(([n]) => n === name)[1]);
		r = await api_send(page, 'POST', '/api/v1/exercises/gb-open/submissions', { answers }, sc);
		assert_equal(r.status, 201, `${name}'s submission: ${JSON.stringify(r.body)}`);
		await api_logout(page, sc);
	}
	csrf = await api_login(page, 'admin', env.admin_pw);
	r = await api_send(page, 'PATCH', '/api/v1/users/gb-tess', { role: 'instructor' }, csrf);
	assert_equal(r.status, 200, `gb-tess made an instructor: ${JSON.stringify(r.body)}`);
	await api_logout(page, csrf);
	made = true;
}

/* The names of a group's rows, in the order shown. */
function names(page, kind) {
	return page.locator(`table.gradebook tbody[data-kind="${kind}"] tr[data-user]`).evaluateAll((trs) => trs.map((tr) => tr.dataset.user));
}

export function checks(env) {
	return [{
		name: 'the gradebook shows each person\'s best and attempts, API and staff rows apart, sorts on a click and links its CSV',
		fn: async ({ page }) => {
			await page.goto(`${env.url}/`);
			await setup(page, env);
			await login(page, env.url, INES, INES_PW);
			await page.goto(`${env.url}/#/courses/${COURSE}`);
			await page.getByRole('heading', { name: 'Gradebook', exact: true }).waitFor();
			const table = page.locator('table.gradebook');
			await table.waitFor();
			const ann = table.locator('tr[data-user="gb-ann"]');
			assert_equal(await ann.locator('td[data-slug="gb-open"]').textContent(), '2 / 22 attempts', 'gb-ann at gb-open');
			assert_equal(await ann.locator('td').first().textContent(), '—not tried', 'gb-ann at gb-hidden');
			assert_equal(await table.locator('tr[data-user="gb-bob"] td[data-slug="gb-open"]').textContent(), '0 / 21 attempt', 'gb-bob');
			/* the groups: students, the auto-grader's (tagged API, its id shown as text), staff (tagged) */
			assert_equal(await page.locator('table.gradebook tbody[data-kind]').evaluateAll((b) => b.map((x) => x.dataset.kind)),
				['student', 'external', 'staff'], 'the groups');
			const ext = table.locator(`tbody[data-kind="external"] tr[data-user="${COURSE}/${EXTERNAL}"] th`);
			assert((await ext.textContent()).startsWith(`${EXTERNAL} API`), `the external row: ${await ext.textContent()}`);
			assert_equal(await table.locator('b').count(), 0, 'HTML from an external id');
			assert_equal(await table.locator('tbody[data-kind="staff"] tr[data-user="gb-tess"] .badge.staff').textContent(), 'staff', 'the staff tag');
			/* sorted by name at first; by the total on a click (the best first), then the other way */
			assert_equal(await names(page, 'student'), ['gb-ann', 'gb-bob'], 'by name');
			const head = table.locator('thead');
			await head.getByRole('button', { name: 'Total' }).click();
			assert_equal(await head.locator('th[data-key="total"]').getAttribute('aria-sort'), 'descending', 'aria-sort of Total');
			assert_equal(await names(page, 'student'), ['gb-ann', 'gb-bob'], 'by total, the best first');
			await head.getByRole('button', { name: 'Total' }).click();
			assert_equal(await head.locator('th[data-key="total"]').getAttribute('aria-sort'), 'ascending', 'aria-sort, again');
			assert_equal(await names(page, 'student'), ['gb-bob', 'gb-ann'], 'by total, the lowest first');
			await head.getByRole('button', { name: 'Nothing hidden' }).click();
			assert_equal(await names(page, 'student'), ['gb-ann', 'gb-bob'], 'by an exercise\'s best');
			assert_equal(await head.locator('th[aria-sort]').count(), 1, 'one column sorted');
			/* the CSV, downloaded through its link */
			const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download CSV' }).click()]);
			assert_equal(download.suggestedFilename(), `${COURSE}-gradebook.csv`, 'the file\'s name');
			const lines = readFileSync(await download.path(), 'utf8').trim().split('\r\n');
			assert_equal(lines[0], 'user,name,kind,gb-hidden best,gb-hidden attempts,gb-open best,gb-open attempts,total', 'the header');
			assert(lines.includes('gb-ann,gb-ann,student,,0,2,2,2'), `gb-ann's line: ${lines.join(' | ')}`);
			assert(lines.includes(`${COURSE}/${EXTERNAL},${EXTERNAL},external,,0,1,1,1`), `the external line: ${lines.join(' | ')}`);
			return `${lines.length - 1} lines in the CSV`;
		},
	}, {
		name: 'a student changes their password on the account page and logs in with the new one',
		fn: async ({ page }) => {
			await page.goto(`${env.url}/`);
			await setup(page, env);
			await login(page, env.url, 'gb-pw', 'gb-pw-old-1');
			await page.locator('#who').getByRole('link', { name: /gb-pw/ }).click();
			await page.getByRole('heading', { name: 'Your account' }).waitFor();
			const unlabelled = await page.evaluate(() => [...document.querySelectorAll('main input')]
				.filter((e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map((e) => e.outerHTML));
			assert_equal(unlabelled, [], 'inputs without a label');
			await page.getByLabel('Current password').fill('not-my-password');
			await page.getByLabel('New password (8 characters or more)').fill('gb-pw-new-2');
			await page.getByLabel('The new password again').fill('gb-pw-new-2');
			await page.getByRole('button', { name: 'Change the password' }).click();
			await page.getByRole('alert').filter({ hasText: 'the old password is wrong' }).waitFor();
			await page.getByLabel('Current password').fill('gb-pw-old-1');
			await page.getByLabel('The new password again').fill('gb-pw-new-3');
			await page.getByRole('button', { name: 'Change the password' }).click();
			await page.getByRole('alert').filter({ hasText: 'The two new passwords differ' }).waitFor();
			await page.getByLabel('The new password again').fill('gb-pw-new-2');
			await page.getByRole('button', { name: 'Change the password' }).click();
			await page.getByRole('status').filter({ hasText: 'Your password is changed' }).waitFor();
			/* still logged in here */
			await page.getByRole('link', { name: 'tracequiz' }).click();
			await page.getByRole('heading', { name: 'Exercises' }).waitFor();
			await page.getByRole('button', { name: 'Log out' }).click();
			await page.getByRole('heading', { name: 'Log in to tracequiz' }).waitFor();
			const old = await page.evaluate(async () => (await fetch('/api/v1/session', {
				method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'gb-pw', password: 'gb-pw-old-1' }),
			})).status);
			assert_equal(old, 401, 'the old password');
			await login(page, env.url, 'gb-pw', 'gb-pw-new-2');
		},
	}, {
		name: 'an admin gives any account a new password, shown once, or a reset code, on the accounts page',
		fn: async ({ page }) => {
			await page.goto(`${env.url}/`);
			await setup(page, env);
			await login(page, env.url, 'admin', env.admin_pw);
			await page.goto(`${env.url}/#/users`);
			const row = page.locator('table.users tr[data-name="gb-reset"]');
			await row.getByRole('button', { name: 'Reset code for gb-reset' }).click();
			const code = await page.locator('.user-shown .reset-code code').textContent();
			assert(/^[0-9a-f]{24}$/.test(code), `the code: ${code}`);
			await row.getByRole('button', { name: 'New password for gb-reset' }).click();
			await row.getByRole('button', { name: 'Keep it' }).click();
			assert_equal(await page.locator('.user-shown code.password').count(), 0, 'a password before the yes');
			await row.getByRole('button', { name: 'New password for gb-reset' }).click();
			await row.getByRole('button', { name: 'Yes, a new password for gb-reset' }).click();
			const pw = await page.locator('.user-shown code.password').textContent();
			assert(/^[0-9a-f]{32}$/.test(pw), `the password: ${pw}`);
			/* an auto-grader's student has none to reset */
			const ext = page.locator(`table.users tr[data-name="${COURSE}/${EXTERNAL}"]`);
			assert_equal(await ext.getByRole('button').count(), 0, 'buttons on an external account');
			/* nor does the admin here: their own is changed on the account page */
			await page.locator('table.users tr[data-name="admin"]').getByRole('link', { name: /account page/ }).waitFor();
			await page.getByRole('button', { name: 'Log out' }).click();
			await login(page, env.url, 'gb-reset', pw);
		},
	}, {
		name: 'a student gets a "Download the trace" link when nothing is hidden, and a sentence saying why not otherwise',
		fn: async ({ page }) => {
			await page.goto(`${env.url}/`);
			await setup(page, env);
			await login(page, env.url, 'gb-ann', 'gb-ann-pw-1');
			await page.goto(`${env.url}/#/exercises/gb-open`);
			await page.getByRole('heading', { name: 'Nothing hidden' }).waitFor();
			const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download the trace' }).click()]);
			const got = readFileSync(await download.path());
			assert(got.equals(readFileSync(CAPTURE)), `the file downloaded: ${got.length} bytes`);
			for (const [slug, title] of [['gb-hidden', 'A field hidden'], ['smtp-over-tls', null]]) {
				await page.goto(`${env.url}/#/exercises/${slug}`);
				await page.locator('.exercise-head h1', title ? { hasText: title } : {}).waitFor();
				await page.locator('.trace-download', { hasText: 'This trace cannot be downloaded' }).waitFor();
				assert_equal(await page.getByRole('link', { name: 'Download the trace' }).count(), 0, `a link on ${slug}`);
			}
			/* its teacher always has the link */
			await page.getByRole('button', { name: 'Log out' }).click();
			await login(page, env.url, INES, INES_PW);
			await page.goto(`${env.url}/#/exercises/gb-hidden`);
			await page.getByRole('link', { name: 'Download the trace' }).waitFor();
		},
	}];
}
