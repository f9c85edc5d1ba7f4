// hiding.mjs - hiding is total within the frame: the field-question server
// hides tcp.dstport in frame 1 (a SYN to port 587); the rendered page says
// that port nowhere in frame 1 (tree, every item opened; packet list; hex and
// ASCII panes), while frame 2 still shows it and an admin's view of the same
// capture (the demo server) has it in each of those places.

import { assert, assert_equal } from '../harness.mjs';
import { login, open_exercise, api_get, find_field, range } from './helpers.mjs';

const SLUG = 'smtp-over-tls';

/* Every label of the tree, every item opened. */
async function tree_texts(page) {
	await page.getByRole('button', { name: 'Expand all' }).click();
	return page.locator('[role=tree] [role=treeitem] > .ft-row').allTextContents();
}

/* The cells of packet-list row no. */
async function row(page, no) {
	return page.locator(`.pl-row[data-no="${no}"] [role=gridcell]`).allTextContents();
}

/* The restatements of destination port v: each a pattern no text of the hidden frame may hold. */
function restatements(v) {
	return [
		['its own label', new RegExp(`Destination Port: ${v}\\b`)],
		['the protocol line', new RegExp(`Dst Port: ${v}\\b`)],
		['the SYN\'s expert info', new RegExp(`server port ${v}\\b`)],
		['the Info column', new RegExp(`\u2192 ${v}\\b`)],
	];
}

export function checks(env) {
	return [{
		name: 'a hidden port is said nowhere in its frame: tree, packet list, hex',
		skip: env.field_url ? null : 'no field-question server',
		fn: async ({ page }) => {
			/* what the staff see of frame 1: the value, its bytes, and the patterns present */
			await login(page, env.url, 'admin', env.admin_pw);
			const staff = await api_get(page, `/api/v1/exercises/${SLUG}/frames/1`);
			const port = find_field(staff.tree, 'tcp.dstport');
			const v = port.v;
			const [off, len] = port.h;
			await open_exercise(page, env.url, SLUG, 1);
			const staff_texts = (await tree_texts(page)).concat(await row(page, 1));
			const pats = restatements(v);
			for (const [what, re] of pats)
				assert(staff_texts.some((t) => re.test(t)), `the staff page says ${what} (${re})`);

			/* the student's page of the field question */
			await page.context().clearCookies();
			await login(page, env.field_url, env.student, env.student_pw);
			await open_exercise(page, env.field_url, SLUG, 1);
			const texts = (await tree_texts(page)).concat(await row(page, 1));
			for (const [what, re] of pats) {
				const hit = texts.find((t) => re.test(t));
				assert(!hit, `the student's frame 1 says ${what}: ${hit}`);
			}
			assert(!texts.some((t) => new RegExp(`(^|[^\\w.:])${v}([^\\w]|$)`).test(t)),
				`the port ${v} as a word in frame 1: ${texts.find((t) => new RegExp(`\\b${v}\\b`).test(t))}`);
			const hex = await page.locator('.hx-b').evaluateAll((els) => els.map((e) => [Number(e.dataset.off), e.textContent, e.classList.contains('masked')]));
			const masked = hex.filter(([, , m]) => m).map(([o]) => o);
			assert_equal(masked, range(off, len), 'the masked bytes of frame 1');
			assert(hex.filter(([o]) => o >= off && o < off + len).every(([, t]) => t === '??'), 'the port\'s bytes show ??');
			assert_equal(await page.locator('.hx-a.masked').count(), len, 'masked ASCII characters');

			/* the other frames are as they are */
			const second = await row(page, 2);
			assert(second.some((t) => t.includes(`${v} \u2192`)), `frame 2's row still shows port ${v}: ${second}`);
			return `${pats.length} restatements of port ${v} absent, ${len} bytes masked`;
		},
	}];
}
