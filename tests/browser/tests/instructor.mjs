// instructor.mjs - the instructors' and admins' pages: an instructor creates
// a course, enrols a student, uploads a capture, writes a question whose key
// is an expression (previewed live), saves, sees the key, publishes, and the
// student sees the question and never the key; a text file is refused with
// the server's message; an expression's error is underlined and a key's
// origin opens in the trace view; enrolling from a CSV file; statistics and
// the CSV export; API tokens; the accounts page; an INGInious task's
// archive imported, reviewed in the editor beside its report, and saved.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assert, assert_equal } from '../harness.mjs';
import { login, api_get, api_login, api_send, api_logout } from './helpers.mjs';
import { make_capture } from '../mkcap.mjs';

const CAPTURE = new URL('../../data/tcp-handshake-eth-ipv4.pcap', import.meta.url).pathname;
export const INES = 'ines';
export const INES_PW = 'ines-browser-pw';

/* Makes the instructor's account as the admin, through the API (409: it is there already). */
export async function ensure_instructor(page, env, name = INES, password = INES_PW) {
	await page.goto(`${env.url}/`);
	await page.getByRole('heading', { name: 'Log in to tracequiz' }).waitFor();
	const csrf = await api_login(page, 'admin', env.admin_pw);
	const r = await api_send(page, 'POST', '/api/v1/users', { name, role: 'instructor', password }, csrf);
	assert(r.status === 201 || r.status === 409, `making ${name}: ${r.status} ${JSON.stringify(r.body)}`);
	await api_logout(page, csrf);
}

/*
 * Sets up, as the instructor and through the API, a course with the harness's
 * student enrolled and an exercise on the handshake capture; resolves to the
 * instructor's CSRF token.
 */
export async function setup_exercise(page, env, { course, slug, published = true, questions }) {
	await ensure_instructor(page, env);
	const csrf = await api_login(page, INES, INES_PW);
	let r = await api_send(page, 'POST', '/api/v1/courses', { slug: course, title: `Course ${course}` }, csrf);
	assert(r.status === 201 || r.status === 409, `course: ${r.status} ${JSON.stringify(r.body)}`);
	r = await api_send(page, 'POST', `/api/v1/courses/${course}/students`, { students: [env.student] }, csrf);
	assert_equal(r.status, 200, `enrolling: ${JSON.stringify(r.body)}`);
	r = await api_send(page, 'POST', '/api/v1/traces?name=handshake.pcap', { bytes: [...readFileSync(CAPTURE)] }, csrf);
	assert(r.status === 200 || r.status === 201, `upload: ${r.status} ${JSON.stringify(r.body)}`);
	const sha = r.body.sha256;
	r = await api_send(page, 'POST', '/api/v1/exercises', {
		slug, course, trace: sha, published, exercise: { title: `Exercise ${slug}`, intro: 'A TCP handshake.', questions },
	}, csrf);
	assert_equal(r.status, 201, `the exercise: ${JSON.stringify(r.body)}`);
	return { csrf, sha };
}

/*
 * An INGInious task folder as a tar.gz, made with tar: task.yaml (a hidden
 * field, a typed answer the trace gives, one it does not) and, unless
 * capture is false, the handshake capture in public/.
 */
function task_archive({ capture = true } = {}) {
	const dir = mkdtempSync(join(tmpdir(), 'tq-task-'));
	try {
		mkdirSync(join(dir, 'tcp-task', 'public'), { recursive: true });
		writeFileSync(join(dir, 'tcp-task', 'task.yaml'), [
			'name: A handshake', 'context: The ``SYN`` and its answer.', 'problems:',
			'    seq:', '        type: network-trace', '        trace: hs.pcap.xml', '        hide:', '            1:', '            - tcp.ack',
			'    port:', '        type: code_single_line', '        header: Which port does the server listen on?', '        answer: 50001',
			'    host:', '        type: code_single_line', '        header: Which host?', '        answer: ftp.example.org', ''].join('\n'));
		if (capture)
			writeFileSync(join(dir, 'tcp-task', 'public', 'hs.pcap'), readFileSync(CAPTURE));
		return execFileSync('tar', ['-czf', '-', '-C', dir, 'tcp-task']);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

/* JSON with the keys of every object sorted: documents compared whatever their key order. */
export function canonical(v) {
	return JSON.stringify(v, (k, x) => (x && typeof x === 'object' && !Array.isArray(x) ?
		Object.fromEntries(Object.keys(x).sort().map((key) => [key, x[key]])) : x));
}

/* The menu of the instructors' pages. */
function menu(page) {
	return page.getByRole('navigation', { name: 'Instructor pages' });
}

export function checks(env) {
	return [{
		name: 'an instructor creates a course, enrols a student, uploads a capture, writes a keyed question and publishes it; the student never gets the key',
		fn: async ({ page }) => {
			await ensure_instructor(page, env);
			await login(page, env.url, INES, INES_PW);

			/* a course */
			await menu(page).getByRole('link', { name: 'Courses' }).click();
			await page.getByRole('heading', { name: 'Courses', exact: true }).waitFor();
			await page.getByLabel('Course title').fill('Networks 101');
			assert_equal(await page.getByLabel('Course slug').inputValue(), 'networks-101', 'the slug made from the title');
			await page.getByRole('button', { name: 'Create the course' }).click();
			await page.getByRole('heading', { name: 'Networks 101' }).waitFor();
			assert(page.url().endsWith('#/courses/networks-101'), `the course's page: ${page.url()}`);
			await page.goBack();
			await page.getByRole('heading', { name: 'Courses', exact: true }).waitFor();
			await page.locator('.course-link', { hasText: 'Networks 101' }).waitFor();
			await page.goForward();
			await page.getByRole('heading', { name: 'Networks 101' }).waitFor();

			/* the harness's student, who has an account already: no password to hand out */
			await page.getByLabel('Student\'s account name').fill(env.student);
			await page.getByRole('button', { name: 'Enrol', exact: true }).click();
			await page.locator(`.student-list li[data-name="${env.student}"]`).waitFor();
			const said = await page.locator('.passwords').textContent();
			assert(said.includes('1 student enrolled (1 had an account already)'), `after enrolling: ${said}`);
			assert_equal(await page.locator('.passwords code.password').count(), 0, 'passwords shown');

			/* a new exercise in it, on a capture uploaded here */
			await page.getByRole('link', { name: 'New exercise in this course' }).click();
			await page.getByRole('heading', { name: 'New exercise' }).waitFor();
			assert_equal(await page.getByLabel('Course', { exact: true }).inputValue(), 'networks-101', 'the course chosen');
			await page.getByLabel('Title', { exact: true }).fill('The TCP handshake');
			assert_equal(await page.getByLabel('Slug (its address)').inputValue(), 'the-tcp-handshake', 'the slug');
			await page.getByLabel(/^Or upload a capture/).setInputFiles(CAPTURE);
			await page.locator('.uploader .upload-status', { hasText: '12 frames' }).waitFor();
			assert_equal(await page.locator('.uploader progress').evaluate((p) => p.value), 100, 'the progress bar');
			/* the trace view shows its packet list: 12 frames, the first one's tree */
			await page.locator('.editor-trace .pl-row[data-loaded="1"][data-no="12"]').waitFor();
			assert_equal(await page.locator('.editor-trace .pl-row[data-loaded="1"]').count(), 12, 'rows in the packet list');
			await page.locator('.editor-trace .tv-status', { hasText: 'Frame 1 of 12' }).waitFor();
			const info = await page.locator('.editor-trace .pl-row[data-no="2"] [role=gridcell]').nth(6).textContent();
			assert(info.includes('[SYN, ACK]'), `frame 2's Info: ${info}`);

			/* a number question, its key an expression previewed as it is typed */
			await page.getByLabel('New question of kind').selectOption('number');
			await page.getByRole('button', { name: 'Add the question' }).click();
			await page.getByLabel('Prompt', { exact: true }).fill('How many frames have the SYN flag set?');
			await page.getByLabel('Key expression').fill('count(frame where tcp.flags.syn == 1)');
			const value = page.locator('.qe .expr-preview .expr-value');
			await value.waitFor();
			assert_equal(await value.textContent(), '2', 'the live preview');

			/* a fixed answer finds its key: "Find a key" lists expressions that give it, one becomes the key */
			await page.getByLabel('A fixed answer').check();
			await page.getByLabel('Answer', { exact: true }).fill('2');
			await page.getByRole('button', { name: 'Find a key' }).click();
			const found = page.locator('.qe-suggest li code');
			await found.first().waitFor();
			const suggested = await found.first().textContent();
			await page.locator('.qe-suggest li').first().getByRole('button', { name: 'Use this key' }).click();
			assert_equal(await page.getByLabel('Key expression').inputValue(), suggested, 'the suggestion as the key');
			await page.locator('.qe .expr-preview .expr-value', { hasText: '2' }).waitFor();
			/* an answer the trace does not hold: said so */
			await page.getByLabel('A fixed answer').check();
			await page.getByLabel('Answer', { exact: true }).fill('no such value');
			await page.getByRole('button', { name: 'Find a key' }).click();
			await page.locator('.qe-suggest', { hasText: 'No value of the trace reads as “no such value”' }).waitFor();
			/* back to the key written by hand */
			await page.getByLabel('Computed from the trace by an expression').check();
			await page.getByLabel('Key expression').fill('count(frame where tcp.flags.syn == 1)');
			await page.locator('.qe .expr-preview .expr-value', { hasText: '2' }).waitFor();

			/* saved as a draft: the key computed by the server shows */
			await page.getByRole('button', { name: 'Save', exact: true }).click();
			await page.locator('.ed-status', { hasText: 'Saved as a draft' }).waitFor();
			assert_equal(await page.locator('.ed-keys .key-list .key-value').allTextContents(), ['2'], 'the keys after the save');
			assert_equal(await page.locator('.qe .qe-key .key-value').textContent(), '2', 'the key beside the question');
			assert(page.url().endsWith('#/exercises/the-tcp-handshake/edit'), `the URL after the first save: ${page.url()}`);
			/* the new exercise's form is not in the history: back is the course, forward the edit page */
			await page.goBack();
			await page.getByRole('heading', { name: 'Networks 101' }).waitFor();
			await page.locator('.course-exercises', { hasText: 'The TCP handshake' }).waitFor();
			await page.goForward();
			await page.getByRole('heading', { name: 'Edit The TCP handshake' }).waitFor();
			await page.locator('.qe .expr-value', { hasText: '2' }).waitFor();

			/* published */
			await page.getByLabel(/^Published/).check();
			await page.getByRole('button', { name: 'Save', exact: true }).click();
			await page.locator('.ed-status', { hasText: 'Saved and published' }).waitFor();
			const full = await api_get(page, '/api/v1/exercises/the-tcp-handshake');
			assert_equal([full.published, full.exercise.questions[0].key], [true, 'count(frame where tcp.flags.syn == 1)'], 'as stored');

			/* the student sees it, and no key anywhere in what the server sends */
			await page.getByRole('button', { name: 'Log out' }).click();
			await page.getByRole('heading', { name: 'Log in to tracequiz' }).waitFor();
			const bodies = [];
			page.on('response', (r) => {
				if (r.url().includes('/api/'))
					bodies.push(r.text().then((t) => [r.url(), t], () => [r.url(), '']));
			});
			await login(page, env.url, env.student, env.student_pw);
			await page.getByRole('link', { name: /The TCP handshake/ }).click();
			await page.getByRole('heading', { name: 'The TCP handshake' }).waitFor();
			await page.getByLabel(/How many frames have the SYN flag set/).waitFor();
			await page.locator('.pl-row.selected').waitFor();
			await page.locator('.tv-status', { hasText: 'Frame 1 of 12' }).waitFor();
			assert_equal(await page.locator('.q-key').count(), 0, 'keys on the student\'s page');
			const ex = await api_get(page, '/api/v1/exercises/the-tcp-handshake');
			assert(!JSON.stringify(ex).includes('"key"'), `the student's exercise JSON holds a key: ${JSON.stringify(ex)}`);
			assert(!('key' in ex.exercise.questions[0]) && !('keys' in ex), 'no key in the question');
			const seen = await Promise.all(bodies);
			assert(seen.some(([u]) => u.endsWith('/api/v1/exercises/the-tcp-handshake')), 'the page read the exercise');
			for (const [u, t] of seen)
				assert(!t.includes('"key"') && !t.includes('tcp.flags.syn == 1'), `${u} holds a key: ${t.slice(0, 300)}`);
			return `${seen.length} API answers to the student, none with a key`;
		},
	}, {
		name: 'an INGInious task\'s tar.gz is imported from the web: the editor opens the draft beside its report, and a save stores it; a refused archive says why',
		fn: async ({ page }) => {
			await ensure_instructor(page, env);
			const csrf = await api_login(page, INES, INES_PW);
			const r = await api_send(page, 'POST', '/api/v1/courses', { slug: 'imports', title: 'Imported tasks' }, csrf);
			assert(r.status === 201 || r.status === 409, `course: ${r.status} ${JSON.stringify(r.body)}`);
			await api_logout(page, csrf);
			await login(page, env.url, INES, INES_PW);
			await page.getByRole('link', { name: 'Import an INGInious task' }).click();
			await page.getByRole('heading', { name: 'Import an INGInious task' }).waitFor();
			const input = page.getByLabel(/^The task's folder/);
			const alert = page.locator('.uploader [role=alert]');

			/* a file that is no archive, then a task whose capture is missing: the message, and the report so far */
			await input.setInputFiles({ name: 'notes.zip', mimeType: 'application/zip', buffer: Buffer.from('not a zip at all\n'.repeat(30)) });
			await alert.filter({ hasText: 'notes.zip: not an archive tracequiz reads' }).waitFor();
			await input.setInputFiles({ name: 'nocap.tar.gz', mimeType: 'application/gzip', buffer: task_archive({ capture: false }) });
			await alert.filter({ hasText: 'is not in the task folder' }).waitFor();
			await page.locator('.import-refused .import-report li', { hasText: 'no capture for the trace' }).waitFor();

			/* the task: the editor opens with the draft, the trace and the report */
			await input.setInputFiles({ name: 'tasks.tar.gz', mimeType: 'application/gzip', buffer: task_archive() });
			await page.getByRole('heading', { name: 'New exercise from an INGInious task' }).waitFor();
			assert(page.url().includes('#/new-exercise?import=1'), `the editor's URL: ${page.url()}`);
			assert_equal(await page.getByLabel('Slug (its address)').inputValue(), 'tcp-task', 'the slug, from the task\'s folder');
			assert_equal(await page.getByLabel('Title').inputValue(), 'A handshake', 'the title, from task.yaml');
			const report = page.locator('.ed-import .import-report');
			await report.locator('h3', { hasText: 'Import of tasks.tar.gz:tcp-task' }).waitFor();
			await report.locator('li', { hasText: 'is, on this trace, first(tcp.dstport)' }).waitFor();
			await report.locator('li strong', { hasText: 'does the course\'s answer agree with the trace?' }).waitFor();
			await page.locator('.editor-view .tv-status', { hasText: /^Frame 1 of \d+/ }).waitFor();
			assert_equal(await page.locator('.qe').count(), 3, 'the three questions in the editor');

			/* saved into a course: stored as imported, its keys computed */
			await page.getByLabel('Course', { exact: true }).selectOption('imports');
			await page.getByRole('button', { name: 'Save', exact: true }).click();
			await page.locator('.ed-status', { hasText: 'Saved as a draft' }).waitFor();
			assert(page.url().endsWith('#/exercises/tcp-task/edit'), `the URL after the save: ${page.url()}`);
			const full = await api_get(page, '/api/v1/exercises/tcp-task');
			assert_equal(full.exercise.questions.map((q) => q.id), ['seq', 'port', 'host'], 'the questions stored');
			const keys = Object.fromEntries(full.keys.questions.map((k) => [k.id, k.key]));
			assert_equal(JSON.stringify(keys.seq), '{"2":{"tcp.ack":"1"}}', 'the hidden field\'s key, frame 1 of INGInious made frame 2');
			return 'no archive and a missing capture refused with the report so far; the task imported, reviewed and saved';
		},
	}, {
		name: 'a text file is refused with the server\'s message; the progress bar follows a large upload to 100%',
		fn: async ({ page }) => {
			await ensure_instructor(page, env);
			await login(page, env.url, INES, INES_PW);
			await menu(page).getByRole('link', { name: 'Traces' }).click();
			await page.getByRole('heading', { name: 'Traces', exact: true }).waitFor();
			const bar = page.locator('.uploader progress');
			assert_equal(await bar.count(), 1, 'the progress bar element');
			await page.getByLabel(/^Capture file/).setInputFiles({
				name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('These are my notes, not a capture.\n'.repeat(40)),
			});
			const alert = page.locator('.uploader [role=alert]');
			await alert.filter({ hasText: 'not a capture' }).waitFor();
			const msg = await alert.textContent();
			assert(msg.includes('notes.txt is not a capture tracequiz can read') && msg.includes('no pcap or pcapng magic number'),
				`the message: ${msg}`);
			assert_equal(await bar.evaluate((p) => p.value), 100, 'the progress bar after the upload');
			assert_equal(await page.locator('.uploader .upload-percent').textContent(), 'Upload: 100%', 'its text');
			/*
			 * a capture of 2.6 MiB sent at 4 MiB/s (Chromium's network
			 * emulation): the bar moves as the bytes go, then the trace shows below
			 */
			const cdp = await page.context().newCDPSession(page);
			await cdp.send('Network.enable');
			await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 4 * 1024 * 1024 });
			await page.evaluate(() => {
				window.tq_seen = [];
				const b = document.querySelector('.uploader progress');
				new MutationObserver(() => window.tq_seen.push(b.value)).observe(b, { attributes: true });
			});
			await page.getByLabel(/^Capture file/).setInputFiles({
				name: 'udp-30000.pcap', mimeType: 'application/vnd.tcpdump.pcap', buffer: make_capture(30000),
			});
			await page.locator('.uploader .upload-status', { hasText: 'udp-30000.pcap: 30000 frames' }).waitFor({ timeout: 30000 });
			await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
			const seen = await page.evaluate(() => window.tq_seen);
			const between = [...new Set(seen.filter((v) => v > 0 && v < 100))];
			assert(between.length >= 2, `the bar's values during the upload: ${JSON.stringify(seen)}`);
			assert_equal(seen[seen.length - 1], 100, 'the bar at the end');
			assert_equal(await page.locator('.uploader .upload-percent').textContent(), 'Upload: 100% (2.6 MiB of 2.6 MiB)', 'its text');
			assert_equal(await alert.textContent(), '', 'the error after a good upload');
			await page.locator('.trace-preview .tv-status', { hasText: 'Frame 1 of 30000' }).waitFor();
			assert(page.url().includes('#/traces?trace='), `the URL names the trace: ${page.url()}`);
			return `${msg}; the bar went through ${between.join(', ')}`;
		},
	}, {
		name: 'an expression\'s error is underlined where it is, a key\'s origin opens in the trace view, a failing key is refused for publishing',
		fn: async ({ page }) => {
			await setup_exercise(page, env, {
				course: 'editor-check', slug: 'editor-check', published: false,
				questions: [{ id: 'port', kind: 'number', prompt: 'Which port does the server listen on?', key: 'first(tcp.srcport where tcp.flags.syn == 1 and tcp.flags.ack == 1)' }],
			});
			/* the page booted logged out: a reload makes it read the session */
			await page.goto(`${env.url}/#/exercises/editor-check/edit`);
			await page.reload();
			await page.getByRole('heading', { name: 'Edit Exercise editor-check' }).waitFor();
			const preview = page.locator('.qe .expr-preview');
			await preview.locator('.expr-value').waitFor();
			assert_equal(await preview.locator('.expr-value').textContent(), '50001', 'the key previewed');

			/* its origin: frame 2's tcp.srcport, selected in the trace view */
			await preview.getByRole('button', { name: 'frame 2 tcp.srcport' }).click();
			await page.locator('.editor-trace .pl-row.selected[data-no="2"]').waitFor();
			await page.locator('.editor-trace [role=treeitem][aria-selected=true][data-field="tcp.srcport"]').waitFor();

			/* a misspelt field: the message, and the place underlined */
			const input = page.getByLabel('Key expression');
			await input.fill('count(frame where tcp.flagz.syn == 1)');
			await preview.locator('.expr-error').waitFor();
			const err = await preview.locator('.expr-error').textContent();
			assert(err.includes('unknown field \'tcp.flagz.syn\'') && err.includes('did you mean \'tcp.flags.syn\'') && err.includes('at character 19'),
				`the error: ${err}`);
			assert_equal(await preview.locator('mark.expr-bad').textContent(), 'tcp.flagz.syn', 'the underlined part');
			assert_equal(await input.getAttribute('aria-invalid'), 'true', 'aria-invalid');

			/* saved anyway: the server names the question and the place */
			await page.getByRole('button', { name: 'Save', exact: true }).click();
			const summary = page.locator('.ed-summary');
			await summary.filter({ hasText: 'Not saved' }).waitFor();
			const s = await summary.textContent();
			assert(s.includes('questions[0] (port).key: unknown field \'tcp.flagz.syn\''), `the summary: ${s}`);
			assert((await page.locator('.qe .qe-error').textContent()).includes('questions[0] (port).key'), 'the error beside the question');
			await summary.getByRole('button', { name: 'Go to question 1' }).click();
			assert_equal(await page.evaluate(() => document.activeElement.classList.contains('expr-input')), true, 'the key\'s input focused');

			/* a key with no value on this trace: kept as a draft, refused for publishing */
			await input.fill('nth(3, tcp.srcport where tcp.flags.syn == 1)');
			await preview.locator('.expr-error', { hasText: 'there are only 2' }).waitFor();
			await page.getByRole('button', { name: 'Save', exact: true }).click();
			await page.locator('.ed-status', { hasText: /^Saved as a draft at .*: 1 key cannot be computed on this trace\.$/ }).waitFor();
			await page.getByLabel(/^Published/).check();
			await page.getByRole('button', { name: 'Save', exact: true }).click();
			await summary.filter({ hasText: '1 key cannot be computed on this trace' }).waitFor();
			assert((await page.locator('.ed-keys li.bad').textContent()).includes('there are only 2'), 'the failing key listed');
			const stored = await api_get(page, '/api/v1/exercises/editor-check');
			assert_equal(stored.published, false, 'still a draft');

			/* a new exercise under a slug taken: the server's 409 beside the slug (the refused publish is unsaved: leaving asks) */
			const asked = new Promise((resolve) => page.once('dialog', (d) => {
				resolve(d.message());
				d.accept();
			}));
			await page.goto(`${env.url}/#/new-exercise?course=editor-check&trace=${stored.trace}`);
			assert((await asked).includes('unsaved changes'), 'the question before leaving');
			await page.getByRole('heading', { name: 'New exercise' }).waitFor();
			await page.getByLabel('Title', { exact: true }).fill('Another one');
			await page.getByLabel('Slug (its address)').fill('editor-check');
			await page.getByRole('button', { name: 'Save', exact: true }).click();
			await page.locator('.ed-summary', { hasText: 'there is an exercise \'editor-check\' already' }).waitFor();
			assert_equal(await page.getByLabel('Slug (its address)').getAttribute('aria-invalid'), 'true', 'the slug marked');
			assert((await page.locator('.field:has(.ed-slug) .field-error').textContent()).includes('already'), 'the message beside the slug');
		},
	}, {
		name: 'every kind of question is written in the editor, saved and keyed',
		fn: async ({ page }) => {
			const mistake = { answers: [{ answer: 3, feedback: 'Count the SYN flags, not the segments.' }] };
			await setup_exercise(page, env, {
				course: 'kinds-check', slug: 'kinds-check', published: false,
				questions: [{ id: 'n', kind: 'number', prompt: 'How many SYN frames?', key: 'count(frame where tcp.flags.syn == 1)', tolerance: 0, feedback: mistake }],
			});
			await page.goto(`${env.url}/#/exercises/kinds-check/edit`);
			await page.reload();
			await page.getByRole('heading', { name: 'Edit Exercise kinds-check' }).waitFor();
			const q = (i) => page.locator('fieldset.qe').nth(i);
			const add = async (kind) => {
				await page.getByLabel('New question of kind').selectOption(kind);
				await page.getByRole('button', { name: 'Add the question' }).click();
			};

			await add('text');
			await q(1).getByLabel('Prompt', { exact: true }).fill('Which address opens the connection?');
			await q(1).getByLabel('Key expression').fill('first(ip.src)');
			await q(1).locator('.expr-value', { hasText: '"192.0.2.1"' }).waitFor();
			await q(1).getByLabel(/^case:/).check();
			await q(1).getByLabel('Other right answers (one a line)').fill('client');

			await add('choice');
			await q(2).getByLabel('Prompt', { exact: true }).fill('Which flag does the first segment carry?');
			await q(2).getByLabel('Choice 1', { exact: true }).fill('SYN');
			await q(2).getByLabel('Choice 1 is right').selectOption('yes');
			await q(2).getByLabel('Choice 2', { exact: true }).fill('FIN');
			await q(2).getByLabel('Feedback when choice 2 is picked').fill('FIN closes a connection.');
			await q(2).getByRole('button', { name: 'Add a choice' }).click();
			await q(2).getByLabel('Choice 3', { exact: true }).fill('RST');
			await q(2).getByLabel('Choice 3 is right', { exact: true }).selectOption('expr');
			await q(2).getByLabel('Choice 3 is right when').fill('tcp.flags.reset == 1');
			await q(2).locator('.expr-value', { hasText: 'false' }).waitFor();

			await add('field');
			await q(3).getByLabel('Prompt', { exact: true }).fill('Fill in the ports of frame 1.');
			await q(3).getByLabel('Frame', { exact: true }).fill('1');
			await q(3).getByLabel('Fields to hide in it').fill('tcp.srcport tcp.dstport');

			await add('order');
			await q(4).getByLabel('Prompt', { exact: true }).fill('Put the handshake back in order.');
			await q(4).getByLabel('Frames to put in order').fill('3 1 2');
			await q(4).getByRole('button', { name: 'Move question 5 up' }).click();
			assert_equal(await page.locator('fieldset.qe').evaluateAll((fs) => fs.map((f) => f.dataset.qid)), ['n', 'q2', 'q3', 'q5', 'q4'], 'the order after moving');

			await page.getByRole('button', { name: 'Save', exact: true }).click();
			await page.locator('.ed-status', { hasText: 'Saved as a draft' }).waitFor();
			assert(!(await page.locator('.ed-status').textContent()).includes('cannot'), 'every key computed');
			const keys = await page.locator('.ed-keys .key-list li').evaluateAll((lis) => lis.map((li) => [li.dataset.qid, li.querySelector('.key-v').textContent]));
			assert_equal(keys.map((k) => k[0]), ['n', 'q2', 'q3', 'q5', 'q4'], 'the keys listed');
			assert(keys[0][1].startsWith('Key: 2 from'), `n: ${keys[0][1]}`);
			assert(keys[1][1].startsWith('Key: "192.0.2.1" from frame 1 ip.src'), `q2: ${keys[1][1]}`);
			assert_equal(keys[2][1], 'right choices: SYN', 'q3');
			assert(keys[3][1].startsWith('Key: [1,2,3]'), `q5: ${keys[3][1]}`);
			assert(keys[4][1].startsWith('Key: {"1":{"tcp.srcport":"37652","tcp.dstport":"50001"}}'), `q4: ${keys[4][1]}`);

			const stored = await api_get(page, '/api/v1/exercises/kinds-check');
			assert_equal(canonical(stored.exercise.questions), canonical([
				{ id: 'n', kind: 'number', prompt: 'How many SYN frames?', key: 'count(frame where tcp.flags.syn == 1)', tolerance: 0, feedback: mistake, points: 1 },
				{ id: 'q2', kind: 'text', prompt: 'Which address opens the connection?', key: 'first(ip.src)', normalize: ['case', 'trim'], accept: ['client'], points: 1 },
				{ id: 'q3', kind: 'choice', prompt: 'Which flag does the first segment carry?', points: 1, choices: [
					{ text: 'SYN', valid: true }, { text: 'FIN', feedback: 'FIN closes a connection.' }, { text: 'RST', valid: 'tcp.flags.reset == 1' }] },
				{ id: 'q5', kind: 'order', prompt: 'Put the handshake back in order.', frames: [3, 1, 2], points: 1 },
				{ id: 'q4', kind: 'field', prompt: 'Fill in the ports of frame 1.', hide: { 1: ['tcp.srcport', 'tcp.dstport'] }, points: 1 },
			]), 'the stored questions');
		},
	}, {
		name: 'the demo exercise goes through the editor unchanged',
		fn: async ({ page }) => {
			await login(page, env.url, 'admin', env.admin_pw);
			const before = await api_get(page, '/api/v1/exercises/smtp-over-tls');
			await page.getByRole('link', { name: 'Edit SMTP over TLS' }).click();
			await page.getByRole('heading', { name: 'Edit SMTP over TLS' }).waitFor();
			assert_equal(await page.locator('fieldset.qe').count(), 3, 'questions in the editor');
			assert_equal(await page.getByLabel(/^Published/).isChecked(), true, 'published');
			assert_equal(await page.getByLabel('Fields and protocols left out').inputValue(), 'tcp.flags\ntcp.options', 'the excluded fields');
			/* q1's expected mistake, a regular expression, in its editor */
			const q1 = page.locator('fieldset.qe').first();
			const mistake = await Promise.all([q1.getByLabel('Mistake 1 is'), q1.getByLabel('Mistake 1', { exact: true }),
				q1.getByLabel('Feedback for mistake 1')].map((l) => l.inputValue()));
			assert_equal(mistake, ['match', '^\\s*[A-Za-z0-9-]+\\s*$', 'This is not a fully qualified domain name.'], 'q1\'s expected mistake');
			/* each key previewed on the trace as the save computed it */
			await page.locator('.qe .expr-value').nth(2).waitFor();
			assert_equal(await page.locator('.qe .expr-value').allTextContents(), ['"smtp.campus.example"', '"TLS 1.2"', '3'], 'the previews');
			await page.getByRole('button', { name: 'Save', exact: true }).click();
			await page.locator('.ed-status', { hasText: 'Saved and published' }).waitFor();
			const after = await api_get(page, '/api/v1/exercises/smtp-over-tls');
			assert_equal(canonical(after.exercise), canonical(before.exercise), 'the document');
			assert_equal(canonical(after.keys), canonical(before.keys), 'the keys');
		},
	}, {
		name: 'enrolling from a CSV file shows each new password once; unenrolling removes a student',
		fn: async ({ page }) => {
			await ensure_instructor(page, env);
			await login(page, env.url, INES, INES_PW);
			await menu(page).getByRole('link', { name: 'Courses' }).click();
			await page.getByLabel('Course title').fill('CSV course');
			await page.getByRole('button', { name: 'Create the course' }).click();
			await page.getByRole('heading', { name: 'CSV course' }).waitFor();
			await page.getByLabel('A CSV file of account names').setInputFiles({
				name: 'class.csv', mimeType: 'text/csv',
				buffer: Buffer.from(`name,email\r\ncsv-alice,alice@example.org\r\n"csv-bob",bob@example.org\r\n\r\n${env.student},s@example.org\r\ncsv-alice,again\r\n`),
			});
			await page.locator('.file-info', { hasText: '3 names' }).waitFor();
			assert((await page.locator('.file-info').textContent()).includes(`csv-alice, csv-bob, ${env.student}`), 'the names read');
			await page.getByRole('button', { name: 'Enrol these 3 students' }).click();
			const box = page.locator('.passwords');
			await box.filter({ hasText: '3 students enrolled (1 had an account already)' }).waitFor();
			assert((await box.textContent()).includes('shown this once'), 'the note to hand them out');
			const rows = await box.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
			assert_equal(rows.map((r) => r[0]), ['csv-alice', 'csv-bob'], 'the new accounts');
			assert(rows.every((r) => /^[0-9a-f]{32}$/.test(r[1])), `passwords: ${JSON.stringify(rows)}`);
			assert_equal((await page.locator('.student-list li').evaluateAll((els) => els.map((e) => e.dataset.name))).sort(),
				['csv-alice', 'csv-bob', env.student].sort(), 'the students');

			/* one of the new passwords works (that session replaces the instructor's; back as her after) */
			const alice = await api_login(page, 'csv-alice', rows[0][1]);
			assert_equal((await api_get(page, '/api/v1/session')).name, 'csv-alice', 'logged in with the password shown');
			await api_logout(page, alice);
			await login(page, env.url, INES, INES_PW);
			await page.goto(`${env.url}/#/courses/csv-course`);
			await page.getByRole('heading', { name: 'CSV course' }).waitFor();

			/* unenrolling asks first */
			await page.getByRole('button', { name: 'Unenrol csv-bob' }).click();
			await page.getByRole('button', { name: 'Yes, unenrol csv-bob' }).click();
			await page.locator('.student-list li[data-name="csv-bob"]').waitFor({ state: 'detached' });
			const course = await api_get(page, '/api/v1/courses/csv-course');
			assert_equal(course.students.map((s) => s.name).sort(), ['csv-alice', env.student].sort(), 'the students left');
			/* a bad name: nobody enrolled, the server's message */
			await page.getByLabel('Student\'s account name').fill('two words');
			await page.getByRole('button', { name: 'Enrol', exact: true }).click();
			await page.locator('.enrol-one [role=alert]', { hasText: 'Nobody was enrolled: students[0]: a name is' }).waitFor();
		},
	}, {
		name: 'the results page shows success rates, the most common wrong answers and the CSV export',
		fn: async ({ page }) => {
			const { csrf } = await setup_exercise(page, env, {
				course: 'stats-check', slug: 'stats-check',
				questions: [
					{ id: 'syn', kind: 'number', prompt: 'How many SYN frames?', key: 'count(frame where tcp.flags.syn == 1)' },
					{ id: 'src', kind: 'text', prompt: 'Which address opens the connection?', key: 'first(ip.src)' },
				],
			});
			/* the student answers three times */
			await api_logout(page, csrf);
			const sc = await api_login(page, env.student, env.student_pw);
			for (const answers of [{ syn: 3, src: '192.0.2.2' }, { syn: 3, src: '192.0.2.1' }, { syn: 2, src: '192.0.2.1' }]) {
				const r = await api_send(page, 'POST', '/api/v1/exercises/stats-check/submissions', { answers }, sc);
				assert_equal(r.status, 201, `a submission: ${JSON.stringify(r.body)}`);
			}
			await api_logout(page, sc);

			await login(page, env.url, INES, INES_PW);
			await page.getByRole('link', { name: 'Results of Exercise stats-check' }).click();
			await page.getByRole('heading', { name: 'Results of Exercise stats-check' }).waitFor();
			const summary = await page.locator('.results-summary').textContent();
			assert(summary.startsWith('3 submissions by 1 student'), `the summary: ${summary}`);
			const rows = await page.locator('table.stats tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent.trim())));
			assert_equal(rows.map((r) => r.slice(1, 4)), [['3', '1', '33%'], ['3', '2', '67%']], 'answered, right, rate');
			assert_equal(rows[0][4], '3 × 2', 'the most common wrong answer to syn');
			assert_equal(rows[1][4], '192.0.2.2 × 1', 'to src');
			assert_equal(await page.locator('.attempts > li').count(), 3, 'the submissions listed');
			const link = page.getByRole('link', { name: 'Download every submission (CSV)' });
			const href = await link.getAttribute('href');
			assert_equal(href, '/api/v1/exercises/stats-check/submissions.csv', 'the CSV link');
			const csv = await page.evaluate(async (u) => {
				const r = await fetch(u);
				return [r.status, r.headers.get('content-type'), await r.text()];
			}, href);
			assert_equal(csv.slice(0, 2), [200, 'text/csv; charset=utf-8'], 'the CSV answer');
			const lines = csv[2].trim().split('\r\n');
			assert_equal(lines[0], 'id,student,time,score,max,key version,syn,syn correct,src,src correct', 'the CSV header');
			assert_equal(lines.length, 4, 'CSV lines');
		},
	}, {
		name: 'an API token is shown once, listed without its secret, and revoked',
		fn: async ({ page }) => {
			await ensure_instructor(page, env);
			await login(page, env.url, INES, INES_PW);
			await menu(page).getByRole('link', { name: 'API tokens' }).click();
			await page.getByRole('heading', { name: 'API tokens' }).waitFor();
			await page.getByLabel('What it is for').fill('grading <script>');
			await page.getByRole('button', { name: 'Make the token' }).click();
			const secret = await page.locator('.token-secret').textContent();
			assert(/^[0-9a-f]{64}$/.test(secret), `the token: ${secret}`);
			const row = page.locator('table.tokens tbody tr', { hasText: 'grading <script>' });
			await row.waitFor();
			assert(!(await page.locator('table.tokens').textContent()).includes(secret), 'the list shows no secret');
			/* the token works */
			const who = await page.evaluate(async (t) => (await fetch('/api/v1/tokens', { headers: { Authorization: `Bearer ${t}` }, credentials: 'omit' })).status, secret);
			assert_equal(who, 200, 'the token used as a Bearer');
			/* a reload shows it no more */
			await page.reload();
			await row.waitFor();
			assert_equal(await page.locator('.token-secret').count(), 0, 'the secret after a reload');
			await row.getByRole('button', { name: 'Revoke the token grading <script>' }).click();
			await row.waitFor({ state: 'detached' });
			const after = await page.evaluate(async (t) => (await fetch('/api/v1/tokens', { headers: { Authorization: `Bearer ${t}` }, credentials: 'omit' })).status, secret);
			assert_equal(after, 401, 'the revoked token');
			/* a grade token, for one course, for 30 days: it grades and reads nothing */
			const csrf = await api_login(page, INES, INES_PW);
			const r = await api_send(page, 'POST', '/api/v1/courses', { slug: 'tokens-course', title: 'Course tokens' }, csrf);
			assert(r.status === 201 || r.status === 409, `course: ${r.status}`);
			await page.reload();
			await page.getByLabel('What it is for').fill('the LMS');
			await page.getByLabel('What it may do').selectOption('grade');
			await page.getByLabel('Only in these courses').fill('tokens-course');
			await page.getByLabel('Expires after (days)').fill('30');
			await page.getByRole('button', { name: 'Make the token' }).click();
			const grader = await page.locator('.token-secret').textContent();
			const lms = page.locator('table.tokens tbody tr', { hasText: 'the LMS' });
			await lms.waitFor();
			const cells = await lms.locator('td').allTextContents();
			assert(cells[1] === 'grade: tokens-course' && cells[3] !== 'never', `the grade token's row: ${cells.join(' | ')}`);
			const reads = await page.evaluate(async (t) => (await fetch('/api/v1/exercises', { headers: { Authorization: `Bearer ${t}` }, credentials: 'omit' })).status, grader);
			assert_equal(reads, 403, 'a grade token reading');
		},
	}, {
		name: 'an admin makes an instructor account whose generated password works',
		fn: async ({ page }) => {
			await login(page, env.url, 'admin', env.admin_pw);
			await menu(page).getByRole('link', { name: 'Accounts' }).click();
			await page.getByRole('heading', { name: 'Accounts' }).waitFor();
			await page.getByLabel('Account name').fill('olga');
			await page.getByLabel('Role').selectOption('instructor');
			await page.getByRole('button', { name: 'Make the account' }).click();
			const pw = await page.locator('.user-shown code.password').textContent();
			assert(/^[0-9a-f]{32}$/.test(pw), `the password: ${pw}`);
			await page.locator('table.users tr[data-name="olga"]').waitFor();
			/* a second time: the server's message */
			await page.getByLabel('Account name').fill('olga');
			await page.getByRole('button', { name: 'Make the account' }).click();
			await page.locator('.user-form [role=alert]', { hasText: 'there is an account \'olga\' already' }).waitFor();
			await page.getByRole('button', { name: 'Log out' }).click();
			await login(page, env.url, 'olga', pw);
			/* an instructor's menu, without the admins' page */
			await menu(page).getByRole('link', { name: 'Courses' }).waitFor();
			assert_equal(await menu(page).getByRole('link', { name: 'Accounts' }).count(), 0, 'Accounts in an instructor\'s menu');
			await page.goto(`${env.url}/#/users`);
			await page.getByRole('heading', { name: 'Not for your role' }).waitFor();
		},
	}, {
		name: 'the instructors\' pages fit a tablet and label every control',
		viewport: { width: 820, height: 1180 },
		fn: async ({ page }) => {
			await login(page, env.url, 'admin', env.admin_pw);
			const pages = ['/', '/courses', '/courses/demo', '/traces', '/tokens', '/users', '/new-exercise',
				'/exercises/smtp-over-tls/edit', '/exercises/smtp-over-tls/results'];
			for (const p of pages) {
				await page.goto(`${env.url}/#${p}`);
				await page.locator('main h1').waitFor();
				await page.waitForFunction(() => !document.getElementById('main').hasAttribute('aria-busy'));
				if (p.endsWith('/edit'))
					await page.locator('.qe .expr-value').nth(2).waitFor();
				const over = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
				assert(over <= 0, `${p}: the page is ${over} px wider than the screen`);
				const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea, progress, meter')]
					.filter((e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby'))
					.map((e) => e.outerHTML));
				assert(!unlabelled.length, `${p}: controls without a label: ${unlabelled.join(' ')}`);
			}
			return `${pages.length} pages`;
		},
	}, {
		name: 'a student has no instructor menu and no instructor page',
		fn: async ({ page }) => {
			await login(page, env.url, env.student, env.student_pw);
			assert_equal(await page.locator('#sections').isHidden(), true, 'the menu is hidden');
			await page.goto(`${env.url}/#/new-exercise`);
			await page.getByRole('heading', { name: 'Not for your role' }).waitFor();
			await page.goto(`${env.url}/#/courses`);
			await page.getByRole('heading', { name: 'Not for your role' }).waitFor();
		},
	}, {
		name: 'an instructor hands a student a one-time reset code; the student sets a new password through its link',
		fn: async ({ page }) => {
			await ensure_instructor(page, env);
			const csrf = await api_login(page, INES, INES_PW);
			let r = await api_send(page, 'POST', '/api/v1/courses', { slug: 'resets', title: 'Course resets' }, csrf);
			assert(r.status === 201 || r.status === 409, `course: ${r.status}`);
			r = await api_send(page, 'POST', '/api/v1/courses/resets/students', { students: ['lost-one'] }, csrf);
			assert_equal(r.status, 200, `enrolling: ${JSON.stringify(r.body)}`);
			await api_logout(page, csrf);
			await login(page, env.url, INES, INES_PW);
			await page.goto(`${env.url}/#/courses/resets`);
			await page.getByRole('button', { name: 'Reset code for lost-one' }).click();
			const link = await page.locator('.reset-code a').textContent();
			assert(/#\/reset\?name=lost-one&code=[0-9a-f]{24}$/.test(link), `the link handed over: ${link}`);
			await page.getByRole('button', { name: 'Log out' }).click();
			await page.getByRole('heading', { name: 'Log in to tracequiz' }).waitFor();
			await page.goto(link);
			await page.getByRole('heading', { name: 'Set a new password' }).waitFor();
			assert_equal(await page.getByLabel('Name').inputValue(), 'lost-one', 'the name from the link');
			await page.getByLabel('New password (8 characters or more)').fill('found-again-1');
			await page.getByLabel('The new password again').fill('found-again-1');
			await page.getByRole('button', { name: 'Set the password' }).click();
			await page.getByRole('status').filter({ hasText: 'Your password is set' }).waitFor();
			await page.getByRole('button', { name: 'Set the password' }).click();
			await page.getByRole('alert').filter({ hasText: 'not valid' }).waitFor();
			await login(page, env.url, 'lost-one', 'found-again-1');
		},
	}];
}
