// main.mjs - runs every browser check in Debian's headless Chromium against
// servers run.sh started.  Environment (set by run.sh):
//   TQ_URL, TQ_ADMIN_PW        the demo server and its admin's password
//   TQ_STUDENT, TQ_STUDENT_PW  a student on every server
//   TQ_BIG_URL                 a server whose exercise has 100,000 frames (optional)
//   TQ_FIELD_URL               a server whose exercise has a field question (optional)
//   TQ_FRAG_URL                a server whose trace has IPv4 fragments reassembled (optional)
//   TQ_TSHARK_FRAME1           `tshark -2 -V -x` of the demo's frame 1 (optional)
//   TQ_LTI_PORT                the port of the LTI platform registered in the demo's database (optional)
//   TQ_SHOTS                   where screenshots go
//   CHROMIUM                   the browser (default /usr/bin/chromium)

import { chromium } from 'playwright-core';
import { run_checks } from './harness.mjs';
import * as student from './tests/student.mjs';
import * as trace from './tests/trace.mjs';
import * as fidelity from './tests/fidelity.mjs';
import * as field from './tests/field.mjs';
import * as reassembly from './tests/reassembly.mjs';
import * as big from './tests/big.mjs';
import * as layout from './tests/layout.mjs';
import * as instructor from './tests/instructor.mjs';
import * as order from './tests/order.mjs';
import * as home from './tests/home.mjs';
import * as editor from './tests/editor.mjs';
import * as gradebook from './tests/gradebook.mjs';
import * as hiding from './tests/hiding.mjs';
import * as filter from './tests/filter.mjs';
import * as lti from './tests/lti.mjs';

const env = {
	url: process.env.TQ_URL,
	admin_pw: process.env.TQ_ADMIN_PW,
	student: process.env.TQ_STUDENT || 'student1',
	student_pw: process.env.TQ_STUDENT_PW,
	big_url: process.env.TQ_BIG_URL || '',
	field_url: process.env.TQ_FIELD_URL || '',
	frag_url: process.env.TQ_FRAG_URL || '',
	tshark_frame1: process.env.TQ_TSHARK_FRAME1 || '',
	lti_port: process.env.TQ_LTI_PORT || '',
};
if (!env.url || !env.student_pw) {
	console.error('main.mjs: run it through run.sh (TQ_URL and TQ_STUDENT_PW are not set)');
	process.exit(2);
}

const only = process.argv[2] ? new RegExp(process.argv[2], 'i') : null;
/* numbered before the filter, so that a screenshot's name does not depend on it */
const checks = [student, trace, fidelity, field, reassembly, big, layout, instructor, order, home, editor, gradebook, hiding, filter, lti].flatMap((m) => m.checks(env))
	.map((c, i) => ({ ...c, number: i + 1 }))
	.filter((c) => !only || only.test(c.name));

/* root cannot use Chromium's sandbox; the pages are our own */
const browser = await chromium.launch({
	executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
	args: ['--no-sandbox', '--disable-dev-shm-usage'],
});
let failed;
try {
	failed = await run_checks(browser, checks, { shots: process.env.TQ_SHOTS || new URL('./screenshots', import.meta.url).pathname });
} finally {
	await browser.close();
}
process.exit(failed ? 1 : 0);
