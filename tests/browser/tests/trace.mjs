// trace.mjs - the trace view on the demo exercise: a tree item highlights
// exactly its bytes, a byte selects the deepest field over it, the keyboard
// moves through packets, tree items and bytes, the student's view leaves out
// the excluded fields.

import { assert, assert_equal } from '../harness.mjs';
import { login, open_exercise, wait_frame, api_get, highlighted, find_field, range } from './helpers.mjs';

const SLUG = 'smtp-over-tls';
const BASE = `/api/v1/exercises/${SLUG}`;

async function selected_field(page) {
	return page.locator('[role=treeitem][aria-selected=true]').getAttribute('data-field');
}

export function checks(env) {
	return [{
		name: 'clicking the Response parameter of frame 4 highlights exactly its bytes',
		fn: async ({ page }) => {
			await login(page, env.url, env.student, env.student_pw);
			await open_exercise(page, env.url, SLUG, 4);
			const frame = await api_get(page, `${BASE}/frames/4`);
			const node = find_field(frame.tree, 'smtp.rsp.parameter');
			assert(node, 'frame 4 has no smtp.rsp.parameter in the API');
			await page.getByRole('button', { name: 'Expand all' }).click();
			const item = page.locator('[role=treeitem][data-field="smtp.rsp.parameter"] > .ft-row');
			assert_equal(await item.locator('.ft-label').textContent(), node.l, 'the label');
			assert(node.l.startsWith('Response parameter'), `label ${node.l}`);
			await item.click();
			const [off, len] = node.h;
			assert_equal(await highlighted(page), range(off, len), 'highlighted offsets (hex)');
			const ascii = await page.locator('.hx-a.sel').evaluateAll((els) => els.map((e) => Number(e.dataset.off)));
			assert_equal(ascii, range(off, len), 'highlighted offsets (ASCII)');
			const text = await page.locator('.hx-a.sel').allTextContents();
			assert_equal(text.join(''), 'smtp.campus.example ESMTP Postfix', 'the highlighted characters');
			return `bytes ${off}..${off + len - 1}`;
		},
	}, {
		name: 'clicking a byte of the IPv6 source address selects ipv6.src',
		fn: async ({ page }) => {
			await login(page, env.url, env.student, env.student_pw);
			await open_exercise(page, env.url, SLUG, 1);
			const frame = await api_get(page, `${BASE}/frames/1`);
			const src = find_field(frame.tree, 'ipv6.src');
			const [off, len] = src.h;
			await page.locator(`.hx-b[data-off="${off + 5}"]`).click();
			assert_equal(await selected_field(page), 'ipv6.src', 'the selected field');
			assert_equal(await page.locator('[role=treeitem][aria-selected=true] > .ft-row .ft-label').textContent(), src.l, 'its label');
			assert_equal(await highlighted(page), range(off, len), 'highlighted offsets');
			/* the IPv6 subtree was opened to show it */
			assert_equal(await page.locator('[role=treeitem][data-field="ipv6"]').getAttribute('aria-expanded'), 'true', 'ipv6 opened');
			/* a byte of the ASCII column does the same */
			await page.locator('.hx-a[data-off="58"]').click();
			assert_equal(await selected_field(page), 'tcp.dstport', 'the field under byte 58');
			/* the student's view leaves out what the exercise excludes */
			await page.getByRole('button', { name: 'Expand all' }).click();
			assert_equal(await page.locator('[role=treeitem][data-field="tcp.flags"]').count(), 0, 'tcp.flags items');
			assert_equal(await page.locator('[role=treeitem][data-field="tcp.options"]').count(), 0, 'tcp.options items');
			await page.locator(`.hx-b[data-off="${off + 5}"]`).click();
		},
	}, {
		name: 'an instructor sees each key and jumps to the field it comes from',
		fn: async ({ page }) => {
			await login(page, env.url, 'admin', env.admin_pw);
			await open_exercise(page, env.url, SLUG, 1);
			const key = page.locator('.q[data-qid="q1"] .q-key');
			await key.waitFor();
			assert((await key.textContent()).includes('"smtp.campus.example"'), `q1's key: ${await key.textContent()}`);
			await key.getByRole('button', { name: 'frame 4 smtp.rsp.parameter' }).click();
			await page.locator('.pl-row.selected[data-no="4"]').waitFor();
			await page.locator('[role=treeitem][aria-selected=true][data-field="smtp.rsp.parameter"]').waitFor();
			assert_equal(await page.getByRole('button', { name: 'Submit answers' }).isDisabled(), true, 'submit disabled for staff');
		},
	}, {
		name: 'the keyboard moves through packets, tree items and bytes',
		fn: async ({ page }) => {
			await login(page, env.url, env.student, env.student_pw);
			await open_exercise(page, env.url, SLUG, 1);
			const list = page.getByRole('grid', { name: 'Packet list' });
			await list.focus();
			await page.keyboard.press('ArrowDown');
			await page.keyboard.press('ArrowDown');
			await wait_frame(page, 3);
			assert(page.url().endsWith('frame=3'), `the URL keeps the frame: ${page.url()}`);
			await page.keyboard.press('End');
			await wait_frame(page, 29);
			await page.keyboard.press('Home');
			await wait_frame(page, 1);
			await page.keyboard.press('ArrowDown');
			await page.keyboard.press('ArrowDown');
			await page.keyboard.press('ArrowDown');
			await wait_frame(page, 4);

			const tree = page.getByRole('tree', { name: 'Packet details' });
			await tree.focus();
			await page.keyboard.press('End');
			assert_equal(await selected_field(page), 'smtp', 'End: the last top item');
			await page.keyboard.press('ArrowRight');           /* opens */
			assert_equal(await page.locator('[role=treeitem][data-field="smtp"]').getAttribute('aria-expanded'), 'true', 'smtp opened');
			await page.keyboard.press('ArrowRight');           /* to the first child */
			assert_equal(await selected_field(page), 'smtp.response', 'the first child');
			await page.keyboard.press('ArrowRight');
			await page.keyboard.press('ArrowDown');
			assert_equal(await selected_field(page), 'smtp.response.code', 'down');
			await page.keyboard.press('ArrowDown');
			assert_equal(await selected_field(page), 'smtp.rsp.parameter', 'down again');
			await page.keyboard.press('ArrowLeft');            /* to the parent */
			assert_equal(await selected_field(page), 'smtp.response', 'left: the parent');
			await page.keyboard.press('ArrowLeft');            /* closes */
			assert_equal(await page.locator('[role=treeitem][data-field="smtp.response"]').getAttribute('aria-expanded'), 'false', 'closed');
			const [off, len] = (await api_get(page, `${BASE}/frames/4`)).tree.find((n) => n.f === 'smtp').n[0].h;
			assert_equal(await highlighted(page), range(off, len), 'the bytes of smtp.response');

			/* in the hex pane, the arrows move from byte to byte, selecting the field under each */
			await page.locator('.hx-b[data-off="24"]').click();
			assert_equal(await selected_field(page), 'ipv6.src', 'byte 24');
			await page.keyboard.press('ArrowDown');            /* 16 bytes on: 40, the destination */
			assert_equal(await selected_field(page), 'ipv6.dst', 'byte 40');
		},
	}];
}
