// reassembly.mjs - a frame with two data sources (the frame and the IPv4
// datagram rebuilt from its fragments): a tab each; a field of the rebuilt
// datagram highlights its bytes in that tab, and a byte there selects its field.

import { assert_equal } from '../harness.mjs';
import { login, open_exercise, api_get, highlighted, find_field, range } from './helpers.mjs';

const SLUG = 'smtp-over-tls';        /* the seed's slug, whatever trace it holds */

export function checks(env) {
	return [{
		name: 'a reassembled buffer has its own tab, where its fields are highlighted and picked',
		skip: env.frag_url ? null : 'no fragments server',
		fn: async ({ page }) => {
			await login(page, env.frag_url, env.student, env.student_pw);
			await open_exercise(page, env.frag_url, SLUG, 3);
			const frame = await api_get(page, `/api/v1/exercises/${SLUG}/frames/3`);
			const tabs = page.getByRole('tab');
			assert_equal(await tabs.allTextContents(), frame.sources.map((s) => s.name), 'the tabs');
			const port = find_field(frame.tree, 'udp.dstport');
			assert_equal(port.ds, 1, 'udp.dstport\'s data source');

			await page.getByRole('button', { name: 'Expand all' }).click();
			await page.locator('[role=treeitem][data-field="udp.dstport"] > .ft-row').click();
			assert_equal(await page.getByRole('tab', { selected: true }).textContent(), frame.sources[1].name, 'the open tab');
			assert_equal(await highlighted(page), range(port.h[0], port.h[1]), 'highlighted offsets');

			/* back to the frame's tab: nothing of the datagram is lit there */
			await page.getByRole('tab', { name: frame.sources[0].name }).click();
			assert_equal(await highlighted(page), [], 'highlighted in the frame');
			/* a byte of the IPv4 source address (bytes 26-29) selects it */
			await page.locator('.hx-b[data-off="27"]').click();
			assert_equal(await page.locator('[role=treeitem][aria-selected=true]').getAttribute('data-field'), 'ip.src', 'byte 27 of the frame');

			/* in the datagram's tab, byte 3 is the UDP destination port, not the fragment list around it */
			await page.getByRole('tab', { name: frame.sources[1].name }).click();
			await page.locator('.hx-b[data-off="3"]').click();
			assert_equal(await page.locator('[role=treeitem][aria-selected=true]').getAttribute('data-field'), 'udp.dstport', 'byte 3 of the datagram');
			/* the keyboard moves between tabs */
			await page.getByRole('tab', { selected: true }).focus();
			await page.keyboard.press('ArrowLeft');
			assert_equal(await page.getByRole('tab', { selected: true }).textContent(), frame.sources[0].name, 'ArrowLeft on the tabs');
		},
	}];
}
