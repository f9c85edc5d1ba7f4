// field.mjs - a field question: the hidden field shows an input in the tree
// and "??" in place of its bytes and packet-list line; the filled values are graded.

import { assert, assert_equal } from '../harness.mjs';
import { login, open_exercise, api_get, find_field, range } from './helpers.mjs';

const SLUG = 'smtp-over-tls';

export function checks(env) {
	return [{
		name: 'a hidden-field question shows ?? bytes and grades the filled values',
		skip: env.field_url ? null : 'no field-question server',
		fn: async ({ page }) => {
			await login(page, env.field_url, env.student, env.student_pw);
			await open_exercise(page, env.field_url, SLUG, 4);
			const frame = await api_get(page, `/api/v1/exercises/${SLUG}/frames/4`);
			const node = find_field(frame.tree, 'smtp.rsp.parameter');
			assert(node && node.hidden, 'the API hides smtp.rsp.parameter in frame 4');
			const [off, len] = node.h;

			/* ?? in the hex pane over exactly the field's bytes, and in the packet list */
			const masked = await page.locator('.hx-b.masked').evaluateAll((els) => els.map((e) => Number(e.dataset.off)));
			assert_equal(masked, range(off, len), 'masked offsets');
			assert_equal(await page.locator(`.hx-b[data-off="${off}"]`).textContent(), '??', 'a masked byte');
			const row = await page.locator('.pl-row[data-no="4"] [role=gridcell]').allTextContents();
			assert_equal(row[6], 'S: 220 ??', 'the Info of frame 4: the reply code kept, the hidden parameter masked');

			/* the input in the tree and the one in the form are the same answer */
			const in_tree = page.locator('[role=treeitem][data-field="smtp.rsp.parameter"] input');
			await in_tree.waitFor();
			await in_tree.fill('wrong');
			const in_form = page.locator('form.questions input[aria-label="Value of smtp.rsp.parameter in frame 4"]');
			assert_equal(await in_form.inputValue(), 'wrong', 'the form\'s copy');
			await page.locator('form.questions input[aria-label="Value of tcp.dstport in frame 1"]').fill('0x24b');
			await page.getByRole('button', { name: 'Submit answers' }).click();
			await page.getByRole('status').filter({ hasText: 'Score: 0.5 / 1' }).waitFor();
			const fb = await page.locator('.q[data-qid="f1"] .q-feedback').textContent();
			assert(fb.includes('Partly right') && fb.includes('smtp.rsp.parameter: not right'), `feedback: ${fb}`);

			/* "show in the trace" goes to the field; fill it there */
			await page.locator('.field-row', { hasText: 'Frame 4' }).getByRole('button', { name: 'show in the trace' }).click();
			await page.locator('[role=treeitem][aria-selected=true][data-field="smtp.rsp.parameter"]').waitFor();
			await in_tree.fill('smtp.campus.example ESMTP Postfix');
			await page.getByRole('button', { name: 'Submit answers' }).click();
			await page.getByRole('status').filter({ hasText: 'Score: 1 / 1' }).waitFor();
		},
	}];
}
