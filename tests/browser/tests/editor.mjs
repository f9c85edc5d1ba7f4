// editor.mjs - more of the exercise editor: expected mistakes and per-field
// feedback written, stored and shown to a student; the introduction previewed
// by the student page's own renderer; leaving with unsaved changes asks first
// (links, the back button, logging out, a reload); deleting an exercise, and
// one with submissions only after the server's message and a second question;
// a key changed after submissions shows the old and new key and asks, and the
// results page regrades the old submissions.

import { assert, assert_equal } from '../harness.mjs';
import { login, api_get, api_login, api_send, api_logout } from './helpers.mjs';
import { setup_exercise, canonical, INES, INES_PW } from './instructor.mjs';

const PORT_Q = { id: 'port', kind: 'number', prompt: 'Which port does the server listen on?', key: 'first(tcp.dstport)' };
const FIELD_Q = { id: 'ports', kind: 'field', prompt: 'Fill in the ports of frame 1.', hide: { 1: ['tcp.srcport', 'tcp.dstport'] } };

/* Opens the editor of slug (the page booted logged out: a reload makes it read the session). */
async function open_editor(page, env, slug) {
	await page.goto(`${env.url}/#/exercises/${slug}/edit`);
	await page.reload();
	await page.getByRole('heading', { name: `Edit Exercise ${slug}` }).waitFor();
	await page.locator('.editor-trace .tv-status', { hasText: 'Frame 1 of 12' }).waitFor();
}

/* Records the page's dialogs ([type, message]), answering each with accept(type) (true: OK). */
function dialogs(page, accept = () => false) {
	const seen = [];
	page.on('dialog', (d) => {
		seen.push([d.type(), d.message()]);
		return accept(d.type()) ? d.accept() : d.dismiss();
	});
	return seen;
}

export function checks(env) {
	return [{
		name: 'expected mistakes and per-field feedback are written in the editor, stored, and shown to a student',
		fn: async ({ page }) => {
			await setup_exercise(page, env, { course: 'feedback-check', slug: 'feedback-check', questions: [PORT_Q, FIELD_Q] });
			await open_editor(page, env, 'feedback-check');
			const q = (i) => page.locator('fieldset.qe').nth(i);

			/* two expected mistakes: an answer, and a regular expression (first a broken one) */
			await q(0).getByRole('button', { name: 'Add an expected mistake' }).click();
			assert_equal(await page.evaluate(() => document.activeElement.getAttribute('aria-label') || document.activeElement.labels[0].textContent), 'Mistake 1', 'the focus on the new mistake');
			await q(0).getByLabel('Mistake 1', { exact: true }).fill('37652');
			await q(0).getByLabel('Feedback for mistake 1').fill('That is the client\'s port.');
			await q(0).getByRole('button', { name: 'Add an expected mistake' }).click();
			await q(0).getByLabel('Mistake 2 is').selectOption('match');
			await q(0).getByLabel('Mistake 2', { exact: true }).fill('^(80');
			await q(0).getByLabel('Feedback for mistake 2').fill('Not a web server: look at the SYN.');
			/* a third, removed */
			await q(0).getByRole('button', { name: 'Add an expected mistake' }).click();
			await q(0).getByRole('button', { name: 'Remove mistake 3' }).click();
			assert_equal(await q(0).locator('.qe-mistake').count(), 2, 'mistakes after removing one');

			/* per-field feedback: one input per hidden field, following the list of fields */
			assert_equal(await q(1).locator('.qe-field-fb').evaluateAll((is) => is.map((i) => i.dataset.field)), ['tcp.srcport', 'tcp.dstport'], 'the per-field inputs');
			await q(1).getByLabel('Fields to hide in it').fill('tcp.srcport tcp.dstport tcp.seq');
			await q(1).getByLabel('Feedback when tcp.seq is wrong').waitFor();
			await q(1).getByLabel('Fields to hide in it').fill('tcp.srcport tcp.dstport');
			await q(1).getByLabel('Feedback when tcp.seq is wrong').waitFor({ state: 'detached' });
			await q(1).getByLabel('Feedback when tcp.srcport is wrong').fill('The client picks its port at random.');
			await q(1).getByLabel('Feedback when tcp.dstport is wrong').fill('The server listens on 50001.');

			/* the broken pattern: the server's message, and "Go to" reaches the mistake */
			await page.getByRole('button', { name: 'Save', exact: true }).click();
			const summary = page.locator('.ed-summary');
			await summary.filter({ hasText: 'Not saved' }).waitFor();
			assert((await summary.textContent()).includes('questions[0] (port).feedback.answers[1].match'), `the summary: ${await summary.textContent()}`);
			await summary.getByRole('button', { name: 'Go to question 1' }).click();
			assert_equal(await page.evaluate(() => document.activeElement.labels[0].textContent), 'Mistake 2', 'the control focused');
			await q(0).getByLabel('Mistake 2', { exact: true }).fill('^80+$');
			await page.getByRole('button', { name: 'Save', exact: true }).click();
			await page.locator('.ed-status', { hasText: 'Saved and published' }).waitFor();

			const stored = await api_get(page, '/api/v1/exercises/feedback-check');
			assert_equal(canonical(stored.exercise.questions), canonical([
				{ ...PORT_Q, points: 1, feedback: { answers: [
					{ answer: 37652, feedback: 'That is the client\'s port.' },
					{ match: '^80+$', feedback: 'Not a web server: look at the SYN.' }] } },
				{ ...FIELD_Q, points: 1, feedback: { fields: {
					'tcp.srcport': 'The client picks its port at random.', 'tcp.dstport': 'The server listens on 50001.' } } },
			]), 'the stored questions');

			/* the student gets them */
			await page.getByRole('button', { name: 'Log out' }).click();
			await login(page, env.url, env.student, env.student_pw);
			await page.goto(`${env.url}/#/exercises/feedback-check`);
			await page.locator('.pl-row.selected').waitFor();
			await page.getByLabel(/Which port does the server listen on/).fill('37652');
			await page.locator('form.questions input[aria-label="Value of tcp.srcport in frame 1"]').fill('1');
			await page.locator('form.questions input[aria-label="Value of tcp.dstport in frame 1"]').fill('50001');
			await page.getByRole('button', { name: 'Submit answers' }).click();
			await page.getByRole('status').filter({ hasText: 'Score: 0.5 / 2' }).waitFor();
			const fb = await page.locator('.q[data-qid="port"] .q-feedback').textContent();
			assert(fb.includes('That is the client\'s port.'), `the mistake's feedback: ${fb}`);
			const ffb = await page.locator('.q[data-qid="ports"] .q-feedback').textContent();
			assert(ffb.includes('tcp.srcport: not right.') && ffb.includes('The client picks its port at random.') && !ffb.includes('50001.'),
				`the field's feedback: ${ffb}`);
			await page.getByLabel(/Which port does the server listen on/).fill('80');
			await page.getByRole('button', { name: 'Submit answers' }).click();
			await page.locator('.q[data-qid="port"] .q-feedback', { hasText: 'Not a web server' }).waitFor();
		},
	}, {
		name: 'the introduction is previewed as students read it, nothing of it made HTML',
		fn: async ({ page }) => {
			await setup_exercise(page, env, { course: 'intro-check', slug: 'intro-check', questions: [PORT_Q] });
			await open_editor(page, env, 'intro-check');
			const intro = 'A **bold** claim, *a stress*, `tcp.port` and [a link](https://example.org/x).\n\n' +
				'<img src=x onerror="window.tq_pwned=1"> and [a trap](javascript:window.tq_pwned=1).';
			await page.getByLabel('Introduction', { exact: true }).fill(intro);
			const preview = page.locator('.ed-intro-preview');
			await preview.locator('strong', { hasText: 'bold' }).waitFor();
			assert_equal(await preview.locator('p').count(), 2, 'paragraphs');
			assert_equal(await preview.locator('em').textContent(), 'a stress', 'italic');
			assert_equal(await preview.locator('code').textContent(), 'tcp.port', 'code');
			assert_equal(await preview.locator('a').evaluateAll((as) => as.map((a) => [a.textContent, a.getAttribute('href')])),
				[['a link', 'https://example.org/x']], 'the links (no javascript: one)');
			assert_equal(await preview.locator('img').count(), 0, 'elements made from the text');
			assert((await preview.textContent()).includes('<img src=x onerror="window.tq_pwned=1">'), 'the tag shown as text');
			const shown = await preview.evaluate((e) => e.innerHTML);

			/* saved, the student page renders the same */
			await page.getByRole('button', { name: 'Save', exact: true }).click();
			await page.locator('.ed-status', { hasText: 'Saved and published' }).waitFor();
			await page.getByRole('link', { name: 'Open it as a page' }).click();
			await page.getByRole('heading', { name: 'Exercise intro-check' }).waitFor();
			assert_equal(await page.locator('.exercise-head .intro').evaluate((e) => e.innerHTML), shown, 'the student page\'s intro');
			assert_equal(await page.evaluate(() => window.tq_pwned), undefined, 'script run');
			/* back in the editor, for the screenshot */
			await page.goBack();
			await preview.locator('strong', { hasText: 'bold' }).waitFor();
		},
	}, {
		name: 'leaving the editor with unsaved changes asks first: a link, the back button, logging out, a reload',
		fn: async ({ page }) => {
			await setup_exercise(page, env, { course: 'leave-check', slug: 'leave-check', questions: [PORT_Q] });
			await page.goto(`${env.url}/#/`);
			await page.reload();
			const seen = dialogs(page, (type) => type === 'beforeunload');
			await page.getByRole('link', { name: 'Edit Exercise leave-check' }).click();
			const heading = page.getByRole('heading', { name: 'Edit Exercise leave-check' });
			await heading.waitFor();
			const edit_url = page.url();
			const crumb = page.locator('.crumbs').getByRole('link', { name: 'Exercises' });

			/* nothing changed: no question */
			await crumb.click();
			await page.getByRole('heading', { name: 'Exercises', exact: true }).waitFor();
			await page.goBack();
			await heading.waitFor();
			assert_equal(seen.length, 0, 'questions without a change');

			/* a change: each way out asks, and "no" keeps the page, its URL and the change */
			await page.getByLabel('Title', { exact: true }).fill('Changed title');
			await page.locator('.ed-unsaved').waitFor();
			/* once the question n was asked and answered */
			const stays = async (what, n) => {
				for (let i = 0; i < 50 && seen.length < n; i++)
					await page.waitForTimeout(100);
				assert_equal(seen.length, n, `questions asked after ${what}`);
				await page.waitForTimeout(100);
				assert_equal(page.url(), edit_url, `the URL after ${what}`);
				assert(await heading.isVisible(), `the editor after ${what}`);
				assert_equal(await page.getByLabel('Title', { exact: true }).inputValue(), 'Changed title', `the title after ${what}`);
			};
			await crumb.click();
			await stays('a link', 1);
			await page.locator('#sections').getByRole('link', { name: 'Courses' }).click();
			await stays('the menu', 2);
			await page.goBack();
			await stays('the back button', 3);
			await page.getByRole('button', { name: 'Log out' }).click();
			await stays('logging out', 4);
			assert_equal(seen.map((d) => d[0]), ['confirm', 'confirm', 'confirm', 'confirm'], 'the questions asked');
			assert(seen[0][1].includes('unsaved changes'), `the question: ${seen[0][1]}`);

			/* a reload: the browser's own question (accepted here), then the stored title */
			await page.reload();
			await heading.waitFor();
			assert_equal(seen[4] && seen[4][0], 'beforeunload', 'the question before a reload');
			assert_equal(await page.getByLabel('Title', { exact: true }).inputValue(), 'Exercise leave-check', 'the title after the reload');

			/* "yes" leaves; saved changes leave unasked */
			await page.getByLabel('Title', { exact: true }).fill('Changed, then saved');
			await page.getByRole('button', { name: 'Save', exact: true }).click();
			await page.locator('.ed-status', { hasText: 'Saved and published' }).waitFor();
			assert(await page.locator('.ed-unsaved').isHidden(), 'the "unsaved" badge after saving');
			await crumb.click();
			await page.getByRole('heading', { name: 'Exercises', exact: true }).waitFor();
			assert_equal(seen.length, 5, 'questions after saving');
			await page.goBack();
			await page.getByRole('heading', { name: 'Edit Changed, then saved' }).waitFor();
			await page.getByLabel('Title', { exact: true }).fill('Changed again');
			page.removeAllListeners('dialog');
			const yes = dialogs(page, () => true);
			await crumb.click();
			await page.getByRole('heading', { name: 'Exercises', exact: true }).waitFor();
			assert_equal(yes.map((d) => d[0]), ['confirm'], 'the question before leaving');
			return `${seen.length + yes.length} questions asked`;
		},
	}, {
		name: 'an exercise is deleted from the editor; one with submissions after the server\'s message and a second question',
		fn: async ({ page }) => {
			const { csrf, sha } = await setup_exercise(page, env, { course: 'delete-check', slug: 'delete-plain', questions: [PORT_Q] });
			let r = await api_send(page, 'POST', '/api/v1/exercises', {
				slug: 'delete-used', course: 'delete-check', trace: sha, published: true, exercise: { title: 'Exercise delete-used', questions: [PORT_Q] },
			}, csrf);
			assert_equal(r.status, 201, `the second exercise: ${JSON.stringify(r.body)}`);
			await api_logout(page, csrf);
			const sc = await api_login(page, env.student, env.student_pw);
			r = await api_send(page, 'POST', '/api/v1/exercises/delete-used/submissions', { answers: { port: 50001 } }, sc);
			assert_equal(r.status, 201, `a submission: ${JSON.stringify(r.body)}`);
			await api_logout(page, sc);
			await login(page, env.url, INES, INES_PW);
			const seen = dialogs(page);

			/* no submissions: one question */
			await page.goto(`${env.url}/#/exercises/delete-plain/edit`);
			await page.getByRole('heading', { name: 'Edit Exercise delete-plain' }).waitFor();
			await page.getByRole('button', { name: 'Delete the exercise…' }).click();
			await page.getByRole('button', { name: 'Keep it' }).click();
			assert(await page.getByRole('button', { name: 'Delete the exercise…' }).isVisible(), 'kept');
			await page.getByRole('button', { name: 'Delete the exercise…' }).click();
			await page.getByRole('button', { name: 'Yes, delete the exercise' }).click();
			await page.getByRole('heading', { name: 'Course delete-check' }).waitFor();
			assert(page.url().endsWith('#/courses/delete-check'), `after deleting: ${page.url()}`);
			const gone = await page.evaluate(async () => (await fetch('/api/v1/exercises/delete-plain')).status);
			assert_equal(gone, 404, 'the deleted exercise');
			await page.locator('.course-exercises', { hasText: 'Exercise delete-used' }).waitFor();
			assert(!(await page.locator('.course-exercises').textContent()).includes('delete-plain'), 'the course page lists it no more');

			/* with a submission: the server's 409, then its submissions too after a second question */
			await page.goto(`${env.url}/#/exercises/delete-used/edit`);
			await page.getByRole('heading', { name: 'Edit Exercise delete-used' }).waitFor();
			await page.getByRole('button', { name: 'Delete the exercise…' }).click();
			await page.getByRole('button', { name: 'Yes, delete the exercise' }).click();
			const alert = page.locator('.ed-delete [role=alert]');
			await alert.filter({ hasText: 'has 1 submission' }).waitFor();
			const msg = await alert.textContent();
			assert(msg.startsWith('Not deleted: \'delete-used\' has 1 submission'), `the message: ${msg}`);
			assert_equal(await page.getByRole('link', { name: 'Download the submissions (CSV)' }).getAttribute('href'),
				'/api/v1/exercises/delete-used/submissions.csv', 'the CSV link');
			assert_equal((await api_get(page, '/api/v1/exercises/delete-used/submissions')).submissions.length, 1, 'the submission kept');
			const again = page.getByRole('button', { name: 'Delete it with its submissions…' });
			assert_equal(await page.evaluate(() => document.activeElement.textContent), 'Delete it with its submissions…', 'the focus');
			await again.click();
			await page.getByRole('button', { name: 'Keep them' }).click();
			await again.click();
			await page.getByRole('button', { name: 'Yes, delete the exercise and its submissions' }).click();
			await page.getByRole('heading', { name: 'Course delete-check' }).waitFor();
			const after = await page.evaluate(async () => [(await fetch('/api/v1/exercises/delete-used')).status,
				(await fetch('/api/v1/exercises/delete-used/submissions')).status]);
			assert_equal(after, [404, 404], 'the exercise and its submissions');
			assert_equal(seen.length, 0, 'browser dialogs');
		},
	}, {
		name: 'a key changed after submissions shows the old and new key and asks; the results page regrades',
		fn: async ({ page }) => {
			const SYN_Q = { id: 'syn', kind: 'number', prompt: 'How many SYN segments?', key: 'count(frame where tcp.flags.syn == 1)' };
			const { csrf } = await setup_exercise(page, env, { course: 'keys-check', slug: 'keys-check', questions: [SYN_Q] });
			await api_logout(page, csrf);
			const sc = await api_login(page, env.student, env.student_pw);
			let r = await api_send(page, 'POST', '/api/v1/exercises/keys-check/submissions', { answers: { syn: 2 } }, sc);
			assert_equal([r.status, r.body.score, r.body.key_version], [201, 1, 1], 'the submission on key version 1');
			await api_logout(page, sc);

			await login(page, env.url, INES, INES_PW);
			await open_editor(page, env, 'keys-check');
			const seen = dialogs(page);
			await page.locator('fieldset.qe').nth(0).getByLabel('Key expression').fill('count(frame where tcp.flags.push == 1)');
			const save = page.getByRole('button', { name: 'Save', exact: true });
			const panel = page.locator('.ed-key-changes');
			await save.click();
			await panel.waitFor();
			assert_equal(await page.evaluate(() => document.activeElement.className), 'ed-key-changes', 'the focus');
			const rows = await panel.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent.trim())));
			assert_equal(rows, [['syn How many SYN segments?', '2', '3', '1']], 'the change: question, key now, new key, submissions');
			assert((await panel.textContent()).includes('It has 1 submission. Their scores stay as they were graded'), 'the explanation');
			/* cancelled: nothing stored */
			await panel.getByRole('button', { name: 'Cancel' }).click();
			await panel.waitFor({ state: 'hidden' });
			let ex = await api_get(page, '/api/v1/exercises/keys-check');
			assert_equal([ex.key_version, ex.keys.questions[0].key], [1, 2], 'the keys after Cancel');
			/* confirmed: the new keys, version 2, the old score kept */
			await save.click();
			await panel.getByRole('button', { name: 'Save the new keys' }).click();
			await page.locator('.ed-status', { hasText: 'Keys version 2: earlier submissions keep their scores' }).waitFor();
			ex = await api_get(page, '/api/v1/exercises/keys-check');
			assert_equal([ex.key_version, ex.keys.questions[0].key], [2, 3], 'the keys after confirming');

			/* the results page: the version, the submission graded on earlier keys, the regrade */
			await page.goto(`${env.url}/#/exercises/keys-check/results`);
			const older = page.locator('.keys-version .older-count');
			await older.waitFor();
			assert_equal(await older.textContent(), '1 submission was graded on earlier keys and keeps its score until regraded.', 'the count');
			assert_equal(await page.locator('.attempts .attempt-keys').textContent(), 'keys v1', 'the submission\'s key version');
			assert_equal(await page.locator('.attempts .attempt-score').textContent(), '1 / 1', 'its score before the regrade');
			await page.getByRole('button', { name: 'Regrade 1 submission on the current keys' }).click();
			await page.locator('.keys-version', { hasText: 'Every submission was graded on these keys.' }).waitFor();
			assert_equal(await page.locator('.attempts .attempt-keys').textContent(), 'keys v2', 'the key version after');
			assert_equal(await page.locator('.attempts .attempt-score').textContent(), '0 / 1', 'the score after');
			assert_equal(await page.locator('.attempts .attempt-regraded').textContent(), '(regraded: was 1 / 1)', 'the old score kept');
			assert_equal(seen.length, 0, 'browser dialogs');
		},
	}];
}
