// student.mjs - a student's way through the demo exercise: logging in (a
// wrong password is refused with the server's message), answering wrong then
// right, the feedback beside each question, the earlier attempts, the back button.

import { assert, assert_equal } from '../harness.mjs';
import { login, open_exercise } from './helpers.mjs';

const SLUG = 'smtp-over-tls';

async function answer(page, q1, q2, q3) {
	await page.getByLabel(/name of the SMTP server/).fill(q1);
	await page.getByRole('radio', { name: q2, exact: true }).check();
	await page.getByLabel(/How many messages/).fill(q3);
	await page.getByRole('button', { name: 'Submit answers' }).click();
}

/* {qid: text of the question's feedback badge and text} */
async function feedback(page) {
	return page.locator('.q[data-qid]').evaluateAll((els) => Object.fromEntries(
		els.map((e) => [e.dataset.qid, e.querySelector('.q-feedback').textContent])));
}

export function checks(env) {
	return [{
		name: 'a wrong password is refused with the server\'s message',
		fn: async ({ page }) => {
			await page.goto(`${env.url}/#/exercises/${SLUG}`);
			/* sent to the login first, and back to the exercise after it */
			await page.getByRole('heading', { name: 'Log in to tracequiz' }).waitFor();
			assert(page.url().includes('next='), `the login should remember where to go next: ${page.url()}`);
			await page.getByLabel('Name').fill(env.student);
			await page.getByLabel('Password').fill('not the password');
			await page.getByRole('button', { name: 'Log in' }).click();
			const alert = page.getByRole('alert');
			await alert.waitFor();
			assert((await alert.textContent()).includes('wrong name or password'), `alert: ${await alert.textContent()}`);
			await page.getByLabel('Password').fill(env.student_pw);
			await page.getByRole('button', { name: 'Log in' }).click();
			await page.getByRole('heading', { name: 'SMTP over TLS' }).waitFor();
			assert(page.url().endsWith(`#/exercises/${SLUG}`) || page.url().includes(`#/exercises/${SLUG}?`), `after the login: ${page.url()}`);
		},
	}, {
		name: 'a student answers wrong then right and sees the feedback and the full score',
		fn: async ({ page }) => {
			await login(page, env.url, env.student, env.student_pw);
			await page.getByRole('link', { name: /SMTP over TLS/ }).click();
			await page.getByRole('heading', { name: 'SMTP over TLS' }).waitFor();
			await page.locator('.pl-row.selected').waitFor();

			await answer(page, 'smtp', 'TLS 1.0', '5');
			await page.getByRole('status').filter({ hasText: 'Score: 0 / 3' }).waitFor();
			const wrong = await feedback(page);
			assert(wrong.q1.startsWith('Wrong') && wrong.q1.includes('This is not a fully qualified domain name.'), `q1: ${wrong.q1}`);
			assert(wrong.q2.startsWith('Wrong') && wrong.q2.includes('Check the ServerHello message.'), `q2: ${wrong.q2}`);
			assert(wrong.q3.startsWith('Wrong') && wrong.q3.includes('Count the client'), `q3: ${wrong.q3}`);
			assert_equal(await page.locator('.q.wrong').count(), 3, 'questions marked wrong');

			await answer(page, 'smtp.campus.example', 'TLS 1.2', '3');
			await page.getByRole('status').filter({ hasText: 'Score: 3 / 3' }).waitFor();
			const right = await feedback(page);
			assert(right.q1.startsWith('Right') && right.q1.includes('The server gives its name in its 220 greeting.'), `q1: ${right.q1}`);
			assert(right.q2.startsWith('Right'), `q2: ${right.q2}`);
			assert(right.q3.startsWith('Right'), `q3: ${right.q3}`);
			assert_equal(await page.locator('.q.right').count(), 3, 'questions marked right');

			/* both attempts listed, the latest first */
			const scores = page.locator('.attempts .attempt-score');
			await page.waitForFunction(() => document.querySelectorAll('.attempts .attempt-score').length >= 2);
			const list = await scores.allTextContents();
			assert_equal(list.slice(0, 2), ['3 / 3', '0 / 3'], 'earlier attempts');
			await page.locator('.q.right').first().scrollIntoViewIfNeeded();
		},
	}, {
		name: 'the back button returns to the exercise list and forward to the exercise',
		fn: async ({ page }) => {
			await login(page, env.url, env.student, env.student_pw);
			await page.getByRole('link', { name: /SMTP over TLS/ }).click();
			await page.locator('.pl-row.selected').waitFor();
			await page.goBack();
			await page.getByRole('heading', { name: 'Exercises' }).waitFor();
			await page.goForward();
			await page.getByRole('heading', { name: 'SMTP over TLS' }).waitFor();
			await page.locator('.pl-row.selected').waitFor();
			/* a reload keeps the session and the selected frame */
			await page.locator('.pl-row[data-no="6"]').click();
			await page.locator('.tv-status', { hasText: 'Frame 6 of' }).waitFor();
			await page.reload();
			await page.locator('.pl-row.selected[data-no="6"]').waitFor();
		},
	}];
}
