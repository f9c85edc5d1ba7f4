// filter.mjs - the display filter bar: a filter typed shows exactly the frames
// the API selects, with Wireshark's counts, the selected frame kept when it
// still matches; a wrong filter turns red with the server's message; field
// names are completed; Escape clears; the history comes back with ArrowUp;
// "Apply as Filter" and "Prepare as Filter" from a tree item (mouse and
// keyboard); Follow TCP and HTTP/2 Stream; a student is refused a filter on a
// hidden field, with a sentence.

import { readFileSync } from 'node:fs';
import { assert, assert_equal } from '../harness.mjs';
import { login, open_exercise, api_get, wait_frame, api_login, api_send, api_logout } from './helpers.mjs';

const H2_CAPTURE = new URL('../../data/http2-prior.pcap', import.meta.url).pathname;

/* An exercise on an HTTP/2 capture, published in a course the student is in. */
async function h2_exercise(page, env) {
	await page.goto(`${env.url}/`);
	await page.getByRole('heading', { name: 'Log in to tracequiz' }).waitFor();
	const csrf = await api_login(page, 'admin', env.admin_pw);
	let r = await api_send(page, 'POST', '/api/v1/courses', { slug: 'h2-check', title: 'HTTP/2 check' }, csrf);
	assert(r.status === 201 || r.status === 409, `the course: ${r.status} ${JSON.stringify(r.body)}`);
	r = await api_send(page, 'POST', '/api/v1/courses/h2-check/students', { students: [env.student] }, csrf);
	assert_equal(r.status, 200, `enrolling: ${JSON.stringify(r.body)}`);
	r = await api_send(page, 'POST', '/api/v1/traces?name=http2-prior.pcap', { bytes: [...readFileSync(H2_CAPTURE)] }, csrf);
	assert(r.status === 200 || r.status === 201, `upload: ${r.status} ${JSON.stringify(r.body)}`);
	r = await api_send(page, 'POST', '/api/v1/exercises', {
		slug: 'h2-follow', course: 'h2-check', trace: r.body.sha256, published: true,
		exercise: { title: 'HTTP/2', questions: [{ id: 'p', kind: 'text', prompt: 'Which path is asked first?', key: 'first(http2.headers.path)' }] },
	}, csrf);
	assert(r.status === 201 || r.status === 409, `the exercise: ${r.status} ${JSON.stringify(r.body)}`);
	await api_logout(page, csrf);
}

const SLUG = 'smtp-over-tls';
const BASE = `/api/v1/exercises/${SLUG}`;

const bar = (page) => page.getByRole('combobox', { name: 'Display filter' });

/* The frame numbers of the packet list's rows in the DOM, in order of place. */
async function shown(page) {
	return page.locator('.pl-row[data-loaded="1"]').evaluateAll((rows) => rows
		.sort((a, b) => Number(a.dataset.pos) - Number(b.dataset.pos)).map((r) => Number(r.dataset.no)));
}

/* Types text in the bar and waits for it to turn green (valid) or red (invalid). */
async function type(page, text, state = 'valid') {
	await bar(page).fill(text);
	await page.locator(`.fb-input.${state}`).waitFor();
}

async function counts(page, displayed, total) {
	await page.locator('.tv-counts', { hasText: `Packets: ${total} · Displayed: ${displayed} ` }).waitFor();
}

export function checks(env) {
	return [{
		name: 'a display filter typed in the bar shows the frames it selects, the selection kept',
		fn: async ({ page }) => {
			await login(page, env.url, env.student, env.student_pw);
			await open_exercise(page, env.url, SLUG, 4);
			const all = await api_get(page, `${BASE}/frames?count=1000`);
			const want = await api_get(page, `${BASE}/frames?count=1000&filter=${encodeURIComponent('smtp')}`);
			assert(want.displayed > 0 && want.displayed < all.total, `smtp selects ${want.displayed} of ${all.total}`);
			await type(page, 'smtp');
			await page.keyboard.press('Enter');
			await counts(page, want.displayed, all.total);
			assert_equal(await shown(page), want.frames.map((r) => r.no), 'the rows shown');
			await page.locator('.pl-row.selected[data-no="4"]').waitFor();          /* frame 4 still matches */
			const row = await page.locator('.pl-row[data-no="4"] [role=gridcell]').allTextContents();
			assert_equal(row[6], all.frames[3].info, 'the row of frame 4');

			/* a filter frame 4 does not match: the first frame shown is selected */
			const zero = await api_get(page, `${BASE}/frames?count=1000&filter=${encodeURIComponent('tcp.len == 0')}`);
			await type(page, 'tcp.len == 0');
			await page.keyboard.press('Enter');
			await counts(page, zero.displayed, all.total);
			await wait_frame(page, zero.frames[0].no);
			assert_equal(await shown(page), zero.frames.map((r) => r.no), 'the rows of tcp.len == 0');

			/* the keyboard moves through the lines shown */
			await page.getByRole('grid', { name: 'Packet list' }).focus();
			await page.keyboard.press('ArrowDown');
			await wait_frame(page, zero.frames[1].no);
			await page.keyboard.press('End');
			await wait_frame(page, zero.frames[zero.frames.length - 1].no);

			/* Escape clears the filter: every frame again, the selection kept */
			await bar(page).focus();
			await page.keyboard.press('Escape');
			await counts(page, all.total, all.total);
			await page.locator(`.pl-row.selected[data-no="${zero.frames[zero.frames.length - 1].no}"]`).waitFor();
			assert_equal(await bar(page).inputValue(), '', 'the bar is empty');

			/* the history: ArrowUp gives the last filter applied, then the one before */
			await bar(page).focus();
			await page.keyboard.press('ArrowUp');
			assert_equal(await bar(page).inputValue(), 'tcp.len == 0', 'the last filter');
			await page.keyboard.press('ArrowUp');
			assert_equal(await bar(page).inputValue(), 'smtp', 'the one before');
			return `smtp: ${want.displayed} of ${all.total}; tcp.len == 0: ${zero.displayed}`;
		},
	}, {
		name: 'a wrong display filter is shown red with its message, and the list stays',
		fn: async ({ page }) => {
			await login(page, env.url, env.student, env.student_pw);
			await open_exercise(page, env.url, SLUG, 1);
			const all = await api_get(page, `${BASE}/frames?count=1`);
			await type(page, 'smtp.rsp.paramater contains "ESMTP"', 'invalid');
			const msg = await page.locator('.fb-msg.error').textContent();
			assert(msg.includes("unknown field 'smtp.rsp.paramater'") && msg.includes("did you mean 'smtp.rsp.parameter'"),
				`the message: ${msg}`);
			assert_equal(await bar(page).getAttribute('aria-invalid'), 'true', 'aria-invalid');
			await page.keyboard.press('Enter');
			await page.locator('.fb-msg.error').waitFor();
			await counts(page, all.total, all.total);
			await type(page, 'tcp.port == 25 &&', 'invalid');
			const msg2 = await page.locator('.fb-msg.error').textContent();
			assert(msg2.length > 10, `a message for a filter cut short: ${msg2}`);
			/* completion: the fields under what is typed, with their names and types */
			await bar(page).fill('smtp.rsp.');
			const option = page.getByRole('option', { name: /smtp\.rsp\.parameter/ });
			await option.waitFor();
			assert((await option.textContent()).includes('Response parameter'), `the option: ${await option.textContent()}`);
			const options = await page.locator('[role=option]').evaluateAll((els) => els.map((e) => e.dataset.f));
			const k = options.indexOf('smtp.rsp.parameter');
			assert(k >= 0, `the options: ${options}`);
			for (let i = 0; i <= k; i++)
				await page.keyboard.press('ArrowDown');
			assert_equal(await page.locator('[role=option][aria-selected=true]').getAttribute('data-f'), 'smtp.rsp.parameter', 'the option highlighted');
			await page.keyboard.press('Enter');
			assert_equal(await bar(page).inputValue(), 'smtp.rsp.parameter', 'the completed name');
			await page.locator('.fb-input.valid').waitFor();
			return msg;
		},
	}, {
		name: 'Apply as Filter and Prepare as Filter from a tree item, by mouse and keyboard',
		fn: async ({ page }) => {
			await login(page, env.url, 'admin', env.admin_pw);
			await open_exercise(page, env.url, SLUG, 4);
			await page.getByRole('button', { name: 'Expand all' }).click();
			const item = page.locator('[role=treeitem][data-field="smtp.rsp.parameter"] > .ft-row .ft-label');
			await item.click({ button: 'right' });
			await page.getByRole('menuitem', { name: 'Apply as Filter' }).click();
			const text = 'smtp.rsp.parameter == "smtp.campus.example ESMTP Postfix"';
			assert_equal(await bar(page).inputValue(), text, 'the filter made of the item');
			const want = await api_get(page, `${BASE}/frames?count=1000&filter=${encodeURIComponent(text)}`);
			await counts(page, want.displayed, 29);
			assert_equal(await shown(page), want.frames.map((r) => r.no), 'the rows shown');
			assert(want.frames.some((r) => r.no === 4), 'frame 4 is among them');
			await page.locator('.pl-row.selected[data-no="4"]').waitFor();

			/* the keyboard: the item selected, Shift+F10 opens its menu, Prepare only fills the bar */
			const tree = page.getByRole('tree', { name: 'Packet details' });
			await page.locator('[role=treeitem][data-field="smtp.response.code"] > .ft-row .ft-label').click();
			await tree.focus();
			await page.keyboard.press('Shift+F10');
			await page.getByRole('menu').waitFor();
			await page.keyboard.press('ArrowDown');
			await page.keyboard.press('Enter');
			assert_equal(await bar(page).inputValue(), 'smtp.response.code == 220', 'prepared');
			await page.locator('.fb-input.valid').waitFor();
			await counts(page, want.displayed, 29);      /* not applied */
			await page.keyboard.press('Enter');
			const code = await api_get(page, `${BASE}/frames?count=1000&filter=${encodeURIComponent('smtp.response.code == 220')}`);
			await counts(page, code.displayed, 29);
			/* a protocol item gives its name alone */
			await page.locator('[role=treeitem][data-field="smtp"] > .ft-row .ft-label').click({ button: 'right' });
			await page.getByRole('menuitem', { name: 'Prepare as Filter' }).click();
			assert_equal(await bar(page).inputValue(), 'smtp', 'a protocol');
			assert_equal(await page.getByRole('listbox').isVisible(), false, 'no completion offered for a prepared filter');
			/* an item whose value is its own bytes comes as "vb": the filter reads them from the bytes pane's source */
			const f4 = await api_get(page, `${BASE}/frames/4`);
			const find = (ns, f) => { for (const n of ns || []) { if (n.f === f) return n; const k = find(n.n, f); if (k) return k; } return null; };
			const pay = find(f4.tree, 'tcp.payload');
			assert(pay && pay.vb === true && pay.v === undefined, `tcp.payload as its bytes: ${JSON.stringify(pay)}`);
			const hex = f4.sources[pay.ds || 0].bytes.slice(2 * pay.h[0], 2 * (pay.h[0] + pay.h[1]));
			await page.locator('[role=treeitem][data-field="tcp.payload"] > .ft-row .ft-label').click({ button: 'right' });
			await page.getByRole('menuitem', { name: 'Apply as Filter' }).click();
			const bytes = `tcp.payload == ${hex.match(/../g).join(':')}`;
			assert_equal(await bar(page).inputValue(), bytes, 'the bytes as the value');
			const by_bytes = await api_get(page, `${BASE}/frames?count=1000&filter=${encodeURIComponent(bytes)}`);
			assert_equal(by_bytes.frames.map((r) => r.no), [4], 'the one frame with these bytes');
			await counts(page, 1, 29);
			return `${text}: ${want.displayed} frame(s)`;
		},
	}, {
		name: 'Follow TCP Stream from a tree item: both ends in two colours, as ASCII and hex',
		fn: async ({ page }) => {
			await login(page, env.url, env.student, env.student_pw);
			await open_exercise(page, env.url, SLUG, 4);
			const api = await api_get(page, `${BASE}/follow?stream=0`);
			assert(api.records.length > 4, `the API's records: ${api.records.length}`);
			/* by keyboard: the tcp item selected, Shift+F10, down to Follow TCP Stream */
			await page.locator('[role=treeitem][data-field="tcp"] > .ft-row .ft-label').click();
			await page.getByRole('tree', { name: 'Packet details' }).focus();
			await page.keyboard.press('Shift+F10');
			await page.getByRole('menu').waitFor();
			await page.keyboard.press('ArrowDown');
			await page.keyboard.press('ArrowDown');
			assert_equal(await page.evaluate(() => document.activeElement.textContent), 'Follow TCP Stream', 'the item reached');
			await page.keyboard.press('Enter');
			const dialog = page.getByRole('dialog', { name: 'Follow TCP Stream (tcp.stream eq 0)' });
			await dialog.waitFor();
			await dialog.locator('.follow-text > span').first().waitFor();
			const spans = await dialog.locator('.follow-text > span').evaluateAll((els) => els.map((e) => [e.className, e.dataset.frame, e.textContent]));
			assert_equal(spans.length, api.records.length, 'one block per record');
			assert_equal(spans.map((x) => x[0]), api.records.map((r) => (r.node ? 'follow-s' : 'follow-c')), 'the colours: who sent each');
			assert_equal(spans.map((x) => Number(x[1])), api.records.map((r) => r.frame), 'the frames');
			assert(spans[0][2].startsWith('220 smtp.campus.example ESMTP Postfix'), `the server's greeting first: ${spans[0][2]}`);
			assert(spans[1][2].startsWith('EHLO'), `then the client's EHLO: ${spans[1][2]}`);
			const nodes = await dialog.locator('.follow-nodes').textContent();
			assert(nodes.includes(`Client ${api.nodes[0].addr}:${api.nodes[0].port}`), `the nodes: ${nodes}`);
			assert((await dialog.locator('.follow-summary').textContent()).includes('client pkt'), 'the summary');
			/* as a hex dump: offsets per end, as tshark prints them */
			await dialog.getByLabel('Show data as').selectOption('hex');
			const first = (await dialog.locator('.follow-text > span').first().textContent()).split('\n')[0];
			assert_equal(first, '00000000  32 32 30 20 73 6d 74 70  2e 63 61 6d 70 75 73 2e  220 smtp .campus.', 'the first hex line');
			/* Escape closes it and gives the focus back to the tree */
			await page.keyboard.press('Escape');
			await dialog.waitFor({ state: 'detached' });
			assert_equal(await page.evaluate(() => document.activeElement.getAttribute('role')), 'tree', 'the focus back');
			/* by mouse, and "Filter on this stream" applies its filter */
			await page.locator('[role=treeitem][data-field="tcp"] > .ft-row .ft-label').click({ button: 'right' });
			await page.getByRole('menuitem', { name: 'Follow TCP Stream' }).click();
			await dialog.locator('.follow-text > span').first().waitFor();
			assert_equal(await page.getByRole('menuitem', { name: 'Follow UDP Stream' }).count(), 0, 'the menu closed');
			await dialog.getByRole('button', { name: 'Filter on this stream' }).click();
			assert_equal(await bar(page).inputValue(), 'tcp.stream eq 0', 'the stream\'s filter');
			await counts(page, 29, 29);
			return `${api.records.length} records`;
		},
	}, {
		name: 'Follow HTTP/2 Stream from a HEADERS item: the header blocks decompressed, both ends',
		fn: async ({ page }) => {
			await h2_exercise(page, env);
			await login(page, env.url, env.student, env.student_pw);
			await open_exercise(page, env.url, 'h2-follow', 6);
			const api = await api_get(page, '/api/v1/exercises/h2-follow/follow?proto=http2&stream=0&sub=13');
			assert_equal(api.records.map((r) => r.node), [0, 1, 1], 'the API: a request, its headers and body');
			/* the ninth HTTP/2 item of frame 6 is HEADERS[13] (after Magic, two SETTINGS, five PRIORITY) */
			await page.locator('[role=treeitem][data-field="http2"] > .ft-row .ft-label').nth(8).click({ button: 'right' });
			await page.getByRole('menuitem', { name: 'Follow HTTP/2 Stream' }).click();
			const dialog = page.getByRole('dialog', { name: 'Follow HTTP/2 Stream (tcp.stream eq 0 and http2.streamid eq 13)' });
			await dialog.locator('.follow-text > span').first().waitFor();
			const spans = await dialog.locator('.follow-text > span').evaluateAll((els) => els.map((e) => [e.className, e.textContent]));
			assert_equal(spans.map((x) => x[0]), ['follow-c', 'follow-s', 'follow-s'], 'who sent each');
			assert(spans[0][1].includes(':method....GET....:path..../'), `the request's headers, decompressed: ${spans[0][1]}`);
			assert(spans[1][1].includes(':status....200'), `the response's: ${spans[1][1]}`);
			assert(spans[2][1].includes('<!DOCTYPE html>'), `the body: ${spans[2][1].slice(0, 40)}`);
			/* a SETTINGS item belongs to stream 0: none of this */
			await page.keyboard.press('Escape');
			await dialog.waitFor({ state: 'detached' });
			await page.locator('[role=treeitem][data-field="tcp"] > .ft-row .ft-label').click({ button: 'right' });
			assert_equal(await page.getByRole('menuitem', { name: 'Follow HTTP/2 Stream' }).getAttribute('aria-disabled'), 'false',
				'the frame\'s first stream offered from the TCP item');
			await page.keyboard.press('Escape');
			return `${api.records.length} records`;
		},
	}, {
		name: 'a student may not follow a stream that hides a field',
		skip: env.field_url ? null : 'no field-question server',
		fn: async ({ page }) => {
			await login(page, env.field_url, env.student, env.student_pw);
			await open_exercise(page, env.field_url, SLUG, 2);
			await page.locator('[role=treeitem][data-field="tcp"] > .ft-row .ft-label').click({ button: 'right' });
			await page.getByRole('menuitem', { name: 'Follow TCP Stream' }).click();
			const msg = page.locator('.follow-summary.error');
			await msg.waitFor();
			const text = await msg.textContent();
			assert(text.includes('hides a field') && text.includes('cannot be followed'), `the message: ${text}`);
			assert_equal(await page.locator('.follow-text > span').count(), 0, 'no byte of the stream shown');
			return text;
		},
	}, {
		name: 'a student is refused a filter on a hidden field, with a sentence',
		skip: env.field_url ? null : 'no field-question server',
		fn: async ({ page }) => {
			await login(page, env.field_url, env.student, env.student_pw);
			await open_exercise(page, env.field_url, SLUG, 1);
			await type(page, 'smtp.rsp.parameter contains "Postfix"', 'invalid');
			const msg = await page.locator('.fb-msg.error').textContent();
			assert(msg.includes('smtp.rsp.parameter is hidden in this exercise'), `the message: ${msg}`);
			await page.keyboard.press('Enter');
			await page.locator('.fb-msg.error').waitFor();
			await counts(page, 29, 29);
			/* nor through the bytes or the words that hold it */
			await type(page, 'tcp.payload contains "Postfix"', 'invalid');
			assert((await page.locator('.fb-msg.error').textContent()).includes('only ask whether'), 'tcp.payload refused');
			/* a filter that tells nothing hidden is applied */
			await type(page, 'smtp.response.code == 250');
			await page.keyboard.press('Enter');
			const want = await api_get(page, `${BASE}/frames?count=1000&filter=${encodeURIComponent('smtp.response.code == 250')}`);
			await counts(page, want.displayed, 29);
			return msg;
		},
	}];
}
