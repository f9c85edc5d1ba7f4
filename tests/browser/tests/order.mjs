// order.mjs - an order question: the server deals the frames to other places
// for each student (no numbers, no times to sort by), the page shuffles them
// again, and the student puts them back in order by dragging them with the
// mouse, or with the keyboard alone, and gets full marks; a wrong order gets 0
// and the feedback.  The
// exercise is made by the admin through the API, in the open demo course, on
// tests/data/tcp-handshake-eth-ipv4.pcap.

import { readFileSync } from 'node:fs';
import { assert, assert_equal } from '../harness.mjs';
import { login, api_get, api_login, api_send, api_logout } from './helpers.mjs';

const CAPTURE = new URL('../../data/tcp-handshake-eth-ipv4.pcap', import.meta.url).pathname;
const SLUG = 'handshake-order';
const TITLE = 'The handshake, in order';
const RIGHT = 'SYN, then SYN-ACK, then ACK: the client speaks first.';
const WRONG = 'Who opens a TCP connection? Look at the flags of each segment.';

/* Makes the exercise as the admin, through the API, unless it is there already. */
async function ensure_exercise(page, env) {
	await page.goto(`${env.url}/`);
	await page.getByRole('heading', { name: 'Log in to tracequiz' }).waitFor();
	const csrf = await api_login(page, 'admin', env.admin_pw);
	let r = await api_send(page, 'POST', '/api/v1/traces?name=tcp-handshake-eth-ipv4.pcap', { bytes: [...readFileSync(CAPTURE)] }, csrf);
	assert(r.status === 200 || r.status === 201, `upload: ${r.status} ${JSON.stringify(r.body)}`);
	r = await api_send(page, 'POST', '/api/v1/exercises', {
		slug: SLUG, course: 'demo', trace: r.body.sha256, published: true,
		exercise: {
			title: TITLE,
			intro: 'The first three segments of a TCP connection, *shuffled*.',
			questions: [{
				id: 'hs', kind: 'order', prompt: 'Put the three segments of the handshake in the order they were sent.',
				frames: [1, 2, 3], feedback: { right: RIGHT, wrong: WRONG },
			}],
		},
	}, csrf);
	assert(r.status === 201 || (r.status === 409 && /already/.test(r.body.error)), `the exercise: ${r.status} ${JSON.stringify(r.body)}`);
	await api_logout(page, csrf);
}

/*
 * The right order of the places the student sees.  The server deals the
 * frames to places in another order for each student (their numbers and
 * times are not shown), so it is read from the segments themselves: the SYN,
 * then the SYN+ACK, then the ACK.
 */
async function right_order(page) {
	const info = await page.locator('.q-order ol.order > li').evaluateAll((lis) =>
		lis.map((li) => [Number(li.dataset.frame), li.querySelector('.order-info').textContent]));
	const place = (re) => info.find(([, t]) => re.test(t))[0];
	return [place(/\[SYN\]/), place(/\[SYN, ACK\]/), place(/\[ACK\]/)];
}

/* The frames in the order the list shows them. */
function shown(page) {
	return page.locator('.q-order ol.order > li').evaluateAll((lis) => lis.map((li) => Number(li.dataset.frame)));
}

async function open_as_student(page, env) {
	await ensure_exercise(page, env);
	await login(page, env.url, env.student, env.student_pw);
	await page.getByRole('link', { name: new RegExp(TITLE) }).click();
	await page.getByRole('heading', { name: TITLE }).waitFor();
	await page.locator('.pl-row.selected').waitFor();
	await page.locator('.q-order ol.order > li').nth(2).waitFor();
	const start = await shown(page);
	assert_equal([...start].sort(), [1, 2, 3], 'the places listed');
	const right = await right_order(page);
	assert(start.join() !== right.join(), `the frames are shown in order: ${start}`);
	/* the packet list does not give the order away: no time at the dealt places */
	const times = await page.locator('.pl-row').evaluateAll((rs) => rs.slice(0, 3).map((r) => r.textContent));
	assert(times.every((t) => t.includes('??')), `the times of the dealt frames: ${times}`);
	return { start, right };
}

/*
 * Drags the item of frame no by its handle with the mouse, to y (a share of
 * the height: 0.25 its upper part, 0.75 its lower part) of the item now at
 * position to (0-based); escape: press Escape before letting go.
 */
async function drag(page, no, to, { y = 0.25, escape = false } = {}) {
	const handle = page.locator(`.q-order li[data-frame="${no}"] .order-handle`);
	const target = page.locator('.q-order ol.order > li').nth(to);
	const a = await handle.boundingBox();
	const b = await target.boundingBox();
	await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
	await page.mouse.down();
	await page.mouse.move(b.x + b.width / 2, b.y + b.height * y, { steps: 8 });
	if (escape)
		await page.keyboard.press('Escape');
	await page.mouse.up();
}

async function submit_and_wait(page, score) {
	await page.getByRole('button', { name: 'Submit answers' }).click();
	await page.getByRole('status').filter({ hasText: `Score: ${score}` }).waitFor();
	return page.locator('.q[data-qid="hs"] .q-feedback').textContent();
}

/* Presses Tab (or Shift+Tab) until the focused element's aria-label is label; at most 80 times. */
/* Presses Tab until the focused element is named name (its aria-label, or else its text); at most 80 times. */
async function tab_to(page, name) {
	for (let i = 0; i < 80; i++) {
		const now = await page.evaluate(() => {
			const e = document.activeElement;
			return e ? e.getAttribute('aria-label') || e.textContent.trim() : '';
		});
		if (now === name)
			return;
		await page.keyboard.press('Tab');
	}
	throw new Error(`Tab never reached "${name}"`);
}

export function checks(env) {
	return [{
		name: 'an order question: a wrong order gets 0 and the feedback; dragging the frames into order gets full marks',
		fn: async ({ page }) => {
			const { start, right } = await open_as_student(page, env);
			const [a, b, c] = right;

			/* dragged up with the mouse into the reverse of the right order */
			const wrong_order = [c, b, a];
			for (const [i, no] of wrong_order.entries())
				if ((await shown(page))[i] !== no)
					await drag(page, no, i);
			assert_equal(await shown(page), wrong_order, 'the order after dragging up');
			const wrong = await submit_and_wait(page, '0 / 1');
			assert(wrong.startsWith('Wrong') && wrong.includes(WRONG), `the feedback: ${wrong}`);
			const sub = await api_get(page, `/api/v1/exercises/${SLUG}/submissions`);
			assert_equal(sub.submissions[0].answers.hs, wrong_order, 'the answer sent (places, as shown)');

			/* Escape puts a dragged frame back */
			await drag(page, c, 2, { y: 0.75, escape: true });
			assert_equal(await shown(page), wrong_order, 'the order after a drag cancelled with Escape');
			/* the last dragged down to the end, the first up to the top */
			await drag(page, c, 2, { y: 0.75 });
			assert_equal(await shown(page), [b, a, c], 'the order after dragging down');
			await drag(page, a, 0);
			assert_equal(await shown(page), right, 'the order after dragging up');
			const ok = await submit_and_wait(page, '1 / 1');
			assert(ok.startsWith('Right') && ok.includes(RIGHT), `the feedback: ${ok}`);
			assert_equal(await page.locator('.q.right').count(), 1, 'the question marked right');
			return `shown ${start.join(', ')} at first, right ${right.join(', ')}`;
		},
	}, {
		name: 'an order question is put in order with the keyboard alone',
		fn: async ({ page }) => {
			const { start, right } = await open_as_student(page, env);
			/* from the page's heading, Tab to a frame's "move up" button and press it until it is in place */
			for (const [i, want] of right.entries()) {
				let at = (await shown(page)).indexOf(want);
				if (at === i)
					continue;
				await tab_to(page, `Move frame ${want} up`);
				while (at > i) {
					await page.keyboard.press('Enter');
					at -= 1;
					await page.locator(`.q-order ol.order > li:nth-child(${at + 1})[data-frame="${want}"]`).waitFor();
					/* the focus stays on the moved frame's button */
					assert_equal(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), `Move frame ${want} up`, 'the focus after a move');
				}
			}
			assert_equal(await shown(page), right, 'the order after the keyboard');
			const said = await page.locator('.q-order .order-status').textContent();
			assert(/^Frame \d is now number \d of 3\.$/.test(said), `what a screen reader hears: ${said}`);
			await tab_to(page, 'Submit answers');
			await page.keyboard.press('Enter');
			await page.getByRole('status').filter({ hasText: 'Score: 1 / 1' }).waitFor();
			const fb = await page.locator('.q[data-qid="hs"] .q-feedback').textContent();
			assert(fb.startsWith('Right') && fb.includes(RIGHT), `the feedback: ${fb}`);
			return `shown ${start.join(', ')} at first`;
		},
	}];
}
