// lti.mjs - an LTI 1.3 launch inside an LMS's frame.  The LMS is written
// here: a Node server with its own RSA key and key set, a course page that
// shows tracequiz in an iframe (the login initiation), and an authorization
// endpoint that signs an id_token for the nonce it is given and posts it, with
// the state, back to the tool (as an LMS does, a form its script submits).
// run.sh registered this platform in the demo's database (TQ_LTI_PORT).
// The student, who has no tracequiz account, sees the exercise in the frame,
// logged in, and answers it there.

import { createServer } from 'node:http';
import { createSign, generateKeyPairSync } from 'node:crypto';
import { assert } from '../harness.mjs';

const CLAIM = 'https://purl.imsglobal.org/spec/lti/claim/';

function b64(s) {
	return Buffer.from(s).toString('base64url');
}

/* The LMS: a key, a key set, a course page, an authorization endpoint; on port, until closed. */
async function platform(env) {
	const iss = `http://127.0.0.1:${env.lti_port}`;
	const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
	const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'browser-1', alg: 'RS256', use: 'sig' };
	const sign = (claims) => {
		const head = b64(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: jwk.kid }));
		const body = b64(JSON.stringify(claims));
		const s = createSign('RSA-SHA256');
		s.update(`${head}.${body}`);
		return `${head}.${body}.${s.sign(privateKey).toString('base64url')}`;
	};
	const server = createServer((req, res) => {
		const u = new URL(req.url, iss);
		if (u.pathname === '/jwks') {
			res.writeHead(200, { 'Content-Type': 'application/json' });
			res.end(JSON.stringify({ keys: [jwk] }));
		} else if (u.pathname === '/course') {
			const login = `${env.url}/lti/login?${new URLSearchParams({
				iss, login_hint: 'frame-student', target_link_uri: `${env.url}/lti/launch`, client_id: 'tq-browser',
			})}`;
			res.writeHead(200, { 'Content-Type': 'text/html' });
			res.end(`<!doctype html><html lang="en"><title>The LMS</title><h1>Networks, week 3</h1>
<iframe id="tool" title="tracequiz" src="${login}" width="1300" height="760"></iframe></html>`);
		} else if (u.pathname === '/auth') {
			const p = u.searchParams;
			const now = Math.floor(Date.now() / 1000);
			const token = sign({
				iss, aud: 'tq-browser', sub: 'frame-student', nonce: p.get('nonce'), iat: now, exp: now + 300,
				[`${CLAIM}deployment_id`]: 'dep-browser', [`${CLAIM}message_type`]: 'LtiResourceLinkRequest',
				[`${CLAIM}version`]: '1.3.0', [`${CLAIM}roles`]: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'],
				[`${CLAIM}context`]: { id: 'net-w3', title: 'Networks, week 3' },
				[`${CLAIM}resource_link`]: { id: 'frame-link' },
				[`${CLAIM}target_link_uri`]: p.get('redirect_uri'), [`${CLAIM}custom`]: { exercise: 'smtp-over-tls' },
			});
			const ok = p.get('client_id') === 'tq-browser' && p.get('response_mode') === 'form_post' &&
				p.get('redirect_uri') === `${env.url}/lti/launch` && /^[0-9a-f]{64}$/.test(p.get('state') || '');
			res.writeHead(ok ? 200 : 400, { 'Content-Type': 'text/html' });
			res.end(ok ? `<!doctype html><form id="f" method="post" action="${env.url}/lti/launch">
<input type="hidden" name="id_token" value="${token}"><input type="hidden" name="state" value="${p.get('state')}">
</form><script>document.getElementById('f').submit();</script>` : 'bad authorization request');
		} else {
			res.writeHead(404);
			res.end();
		}
	});
	await new Promise((ok) => server.listen(env.lti_port, '127.0.0.1', ok));
	return { iss, close: () => new Promise((ok) => server.close(ok)) };
}

export function checks(env) {
	return [{
		name: 'an LTI launch inside the LMS\'s frame: the student, without an account, answers the exercise there',
		skip: env.lti_port ? '' : 'no LTI platform (TQ_LTI_PORT)',
		fn: async ({ page }) => {
			const lms = await platform(env);
			try {
				await page.goto(`${lms.iss}/course`);
				const frame = page.frameLocator('#tool');
				await frame.getByRole('heading', { name: 'SMTP over TLS' }).waitFor();
				await frame.locator('.pl-row').first().waitFor();
				const tool = page.frames().find((f) => f.url().startsWith(env.url));
				assert(tool && tool.url().startsWith(`${env.url}/#/exercises/smtp-over-tls`), `the frame is at ${tool && tool.url()}`);
				const me = await tool.evaluate(async () => (await fetch('/api/v1/session')).json());
				assert(me.name === 'lti1-frame-student' && me.role === 'student', `the frame's session: ${JSON.stringify(me)}`);
				await frame.getByLabel(/name of the SMTP server/).fill('smtp.campus.example');
				await frame.getByRole('radio', { name: 'TLS 1.2', exact: true }).check();
				await frame.getByLabel(/How many messages/).fill('3');
				await frame.getByRole('button', { name: 'Submit answers' }).click();
				await frame.getByRole('status').filter({ hasText: 'Score: 3 / 3' }).waitFor();
				return `logged in as ${me.name}, scored 3 / 3 inside the frame`;
			} finally {
				await lms.close();
			}
		},
	}];
}
