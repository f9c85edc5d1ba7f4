// fidelity.mjs - the seed's view holds: frame 1's tree, every item opened,
// and its bytes read as `tshark -2 -V -x` prints them (an instructor sees
// the whole tree: the student's view leaves fields out).

import { readFileSync } from 'node:fs';
import { assert, assert_lines, assert_equal } from '../harness.mjs';
import { login, open_exercise } from './helpers.mjs';

/* tshark -V -x text: [tree lines, hex lines] (the tree ends at the first blank line). */
function tshark_parts(text) {
	const lines = text.replace(/\n+$/, '').split('\n');
	const blank = lines.indexOf('');
	return [lines.slice(0, blank), lines.slice(blank + 1).filter((l) => /^[0-9a-f]{4,} /.test(l))];
}

/* A tshark -x line: its offset, bytes and ASCII. */
function tshark_hex(line) {
	const m = /^([0-9a-f]+)  (.{47})   (.*)$/.exec(line);
	assert(m, `not a tshark hex line: ${line}`);
	return { off: m[1], bytes: m[2].trim().split(/ +/), ascii: m[3] };
}

export function checks(env) {
	const skip = env.tshark_frame1 ? null : 'tshark is not installed';
	return [{
		name: 'frame 1\'s tree labels are what tshark -2 -V shows',
		skip,
		fn: async ({ page }) => {
			const [tree] = tshark_parts(readFileSync(env.tshark_frame1, 'utf8'));
			await login(page, env.url, 'admin', env.admin_pw);
			await open_exercise(page, env.url, 'smtp-over-tls', 1);
			await page.getByRole('button', { name: 'Expand all' }).click();
			const got = await page.locator('[role=tree] [role=treeitem]').evaluateAll((els) => els.map((e) =>
				'    '.repeat(Number(e.getAttribute('aria-level')) - 1) + e.querySelector(':scope > .ft-row > .ft-label').textContent));
			assert_lines(got, tree, 'frame 1 tree');
			return `${got.length} lines equal`;
		},
	}, {
		name: 'frame 1\'s hex pane shows the bytes tshark -x shows',
		skip,
		fn: async ({ page }) => {
			const [, hex] = tshark_parts(readFileSync(env.tshark_frame1, 'utf8'));
			await login(page, env.url, 'admin', env.admin_pw);
			await open_exercise(page, env.url, 'smtp-over-tls', 1);
			const got = await page.locator('.hx-line').evaluateAll((els) => els.map((e) => ({
				off: e.querySelector('.hx-off').textContent,
				bytes: [...e.querySelectorAll('.hx-b')].map((s) => s.textContent),
				ascii: [...e.querySelectorAll('.hx-a')].map((s) => s.textContent).join(''),
				text: e.textContent,
			})));
			assert_equal(got.length, hex.length, 'hex lines');
			hex.forEach((line, i) => {
				const want = tshark_hex(line);
				assert_equal({ off: got[i].off, bytes: got[i].bytes, ascii: got[i].ascii }, want, `hex line ${i + 1}`);
			});
			/* two groups of 8, as Wireshark's bytes pane */
			const first = got[0];
			const expect = `${first.off}  ${first.bytes.slice(0, 8).join(' ')}  ${first.bytes.slice(8).join(' ')}  ${first.ascii.slice(0, 8)} ${first.ascii.slice(8)}`;
			assert_equal(first.text, expect, 'the layout of a line');
			return `${hex.length} lines equal`;
		},
	}];
}
