// api.js - the REST API as the browser talks to it: JSON in and out, the
// session's CSRF token on every change, errors carrying the server's message.

/* An API call that failed: status 0 when the server could not be reached. */
export class ApiError extends Error {
	constructor(status, message) {
		super(message);
		this.name = 'ApiError';
		this.status = status;
	}
}

/*
 * The session's CSRF token, given by the login and again by GET
 * /api/v1/session (a reload asks for it there).  Kept in memory only; the
 * session cookie itself is HttpOnly and never seen here.
 */
let csrf = null;

function set_csrf(token) {
	csrf = token || null;
}

const unauthorized_listeners = new Set();

/* fn(error) is called whenever the server answers 401 (no or ended session). */
export function on_unauthorized(fn) {
	unauthorized_listeners.add(fn);
	return () => unauthorized_listeners.delete(fn);
}

/*
 * request('POST', '/api/v1/...', body) resolves to the parsed JSON answer, or
 * rejects with an ApiError whose message is the server's {"error"} text.
 * opts.signal aborts (an AbortError, not an ApiError); opts.quiet: a 401 is
 * not told to the on_unauthorized listeners (asking whether one is logged in).
 */
export async function request(method, path, body, opts = {}) {
	const headers = { Accept: 'application/json' };
	if (body !== undefined)
		headers['Content-Type'] = 'application/json';
	if (method !== 'GET' && method !== 'HEAD' && csrf)
		headers['X-CSRF-Token'] = csrf;
	let resp;
	try {
		resp = await fetch(path, {
			method,
			headers,
			body: body === undefined ? undefined : JSON.stringify(body),
			credentials: 'same-origin',
			signal: opts.signal,
		});
	} catch (e) {
		if (e.name === 'AbortError')
			throw e;
		throw new ApiError(0, 'the server cannot be reached: check the connection and try again');
	}
	const text = await resp.text();
	let data = null;
	if (text) {
		try {
			data = JSON.parse(text);
		} catch {
			data = null;
		}
	}
	if (!resp.ok) {
		const msg = data && typeof data.error === 'string' ? data.error : `HTTP ${resp.status} ${resp.statusText}`;
		const err = new ApiError(resp.status, msg);
		if (resp.status === 401 && !opts.quiet)
			for (const fn of unauthorized_listeners)
				fn(err);
		throw err;
	}
	return data;
}

export const get = (path, opts) => request('GET', path, undefined, opts);
export const post = (path, body, opts) => request('POST', path, body, opts);
export const del = (path, opts) => request('DELETE', path, undefined, opts);

const enc = encodeURIComponent;

/* ---------------------------------------------------------------- sessions */

/* Logs in; resolves to {name, role}. */
export async function login(name, password) {
	const r = await post('/api/v1/session', { name, password });
	set_csrf(r.csrf);
	return { name: r.name, role: r.role };
}

/* Who is logged in: {name, role}, or null when nobody is. */
export async function whoami() {
	try {
		const r = await request('GET', '/api/v1/session', undefined, { quiet: true });
		set_csrf(r.csrf);
		return { name: r.name, role: r.role };
	} catch (e) {
		if (e instanceof ApiError && e.status === 401)
			return null;
		throw e;
	}
}

export async function logout() {
	try {
		await del('/api/v1/session');
	} finally {
		set_csrf(null);
	}
}

/* ---------------------------------------------------------------- exercises */

export const exercises = () => get('/api/v1/exercises');
export const exercise = (slug) => get(`/api/v1/exercises/${enc(slug)}`);
export const submit = (slug, answers) => post(`/api/v1/exercises/${enc(slug)}/submissions`, { answers });
export const submissions = (slug) => get(`/api/v1/exercises/${enc(slug)}/submissions`);
export const keys = (slug) => get(`/api/v1/exercises/${enc(slug)}/keys`);

/* The base URL of an exercise's trace, for a TraceView. */
export const exercise_trace = (slug) => `/api/v1/exercises/${enc(slug)}`;

/* ---------------------------------------------------------------- a trace */

/* A page of the packet list: {total, frames: [{no, time, src, dst, proto, len, info}]}. */
export const frames_page = (base, from, count, opts) => get(`${base}/frames?from=${from}&count=${count}`, opts);

/* One frame: {frame, sources: [{name, bytes}], tree: [...]} (doc/json.md). */
export const frame = (base, no, opts) => get(`${base}/frames/${no}`, opts);

/* Whether the logged-in role may see keys and statistics. */
export const is_staff = (user) => !!user && (user.role === 'instructor' || user.role === 'admin');
