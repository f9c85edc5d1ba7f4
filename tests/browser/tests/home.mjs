// home.mjs - a student's home: their courses (GET /api/v1/courses), each with
// its published exercises and the student's best score at each.  The course
// and its exercises are made by the admin through the API.

import { readFileSync } from 'node:fs';
import { assert, assert_equal } from '../harness.mjs';
import { login, api_get, api_login, api_send, api_logout } from './helpers.mjs';

const CAPTURE = new URL('../../data/tcp-handshake-eth-ipv4.pcap', import.meta.url).pathname;
const COURSE = 'home-check';
const COURSE_TITLE = 'Home <b>check</b>';      /* shown as text, never as HTML */
const QUESTION = [{ id: 'n', kind: 'number', prompt: 'How many frames have the SYN flag set?', key: 'count(frame where tcp.flags.syn == 1)' }];

/* A course with the student in it and three exercises (one a draft), and two attempts at the first. */
async function setup(page, env) {
	await page.goto(`${env.url}/`);
	await page.getByRole('heading', { name: 'Log in to tracequiz' }).waitFor();
	const csrf = await api_login(page, 'admin', env.admin_pw);
	let r = await api_send(page, 'POST', '/api/v1/courses', { slug: COURSE, title: COURSE_TITLE }, csrf);
	assert(r.status === 201 || r.status === 409, `the course: ${r.status} ${JSON.stringify(r.body)}`);
	r = await api_send(page, 'POST', `/api/v1/courses/${COURSE}/students`, { students: [env.student] }, csrf);
	assert_equal(r.status, 200, `enrolling: ${JSON.stringify(r.body)}`);
	r = await api_send(page, 'POST', '/api/v1/traces?name=handshake.pcap', { bytes: [...readFileSync(CAPTURE)] }, csrf);
	assert(r.status === 200 || r.status === 201, `upload: ${r.status} ${JSON.stringify(r.body)}`);
	const trace = r.body.sha256;
	for (const [slug, title, published] of [['home-tried', 'Tried twice', true], ['home-untried', 'Not tried', true], ['home-draft', 'A draft', false]]) {
		r = await api_send(page, 'POST', '/api/v1/exercises', {
			slug, course: COURSE, trace, published, exercise: { title, questions: QUESTION },
		}, csrf);
		assert(r.status === 201 || r.status === 409, `${slug}: ${r.status} ${JSON.stringify(r.body)}`);
	}
	await api_logout(page, csrf);
	const sc = await api_login(page, env.student, env.student_pw);
	for (const n of [5, 2]) {
		r = await api_send(page, 'POST', '/api/v1/exercises/home-tried/submissions', { answers: { n } }, sc);
		assert_equal(r.status, 201, `a submission: ${JSON.stringify(r.body)}`);
	}
	await api_logout(page, sc);
}

export function checks(env) {
	return [{
		name: 'a student\'s home lists their courses, each with its exercises and the best score at each',
		fn: async ({ page }) => {
			await setup(page, env);
			const asked = [];
			page.on('request', (q) => {
				if (/\/api\/v1\/exercises\/[^/]+\/submissions$/.test(q.url()))
					asked.push(q.url());
			});
			await login(page, env.url, env.student, env.student_pw);
			const home = page.locator('.student-home');
			await home.locator(`.course-block[data-course="${COURSE}"] .best`, { hasText: 'Best score' }).waitFor();

			/* the sections are the API's courses, each with its published exercises */
			const { courses } = await api_get(page, '/api/v1/courses');
			const { exercises } = await api_get(page, '/api/v1/exercises');
			const want = courses.map((c) => [c.title, exercises.filter((x) => x.course === c.slug && x.published !== false).map((x) => x.slug)]);
			const got = await home.locator('.course-block').evaluateAll((ss) => ss.map((s) => [
				s.querySelector('h2').textContent, [...s.querySelectorAll('a.exercise-link')].map((a) => a.dataset.slug)]));
			assert_equal(got, want, 'the courses and their exercises');
			assert(got.some(([t]) => t === COURSE_TITLE), `the course's title as text: ${JSON.stringify(got)}`);
			assert(got.some(([t, xs]) => t === 'Demo course' && xs.includes('smtp-over-tls')), 'the open demo course');
			assert_equal(await home.locator('h2 b').count(), 0, 'HTML made from a title');

			/* the best scores: 1 / 1 of two attempts, none yet, and no draft */
			const block = home.locator(`.course-block[data-course="${COURSE}"]`);
			const cards = await block.locator('a.exercise-link').evaluateAll((as) => as.map((a) => [a.dataset.slug, a.querySelector('.best').textContent]));
			assert_equal(cards, [['home-tried', 'Best score 1 / 1 (2 attempts)'], ['home-untried', 'Not tried yet']], 'the cards of the course');
			await page.waitForFunction(() => [...document.querySelectorAll('.student-home .best')].every((b) => b.textContent));
			const n = await home.locator('a.exercise-link').count();
			assert_equal(asked.length, 0, 'no request per exercise: the list gives the attempts and the best');

			/* a card opens its exercise; back comes home */
			await block.getByRole('link', { name: /Tried twice/ }).click();
			await page.getByRole('heading', { name: 'Tried twice' }).waitFor();
			await page.goBack();
			await block.locator('.best', { hasText: 'Best score 1 / 1' }).waitFor();
			return `${got.length} courses, ${n} exercises`;
		},
	}];
}
