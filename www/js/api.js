// api.js - the REST API as the browser talks to it: JSON in and out, the
// session's CSRF token on every change, errors carrying the server's message.

/* An API call that failed: status 0 when the server could not be reached. */
export class ApiError extends Error {
	/* data: the whole JSON answer, when there was one ({error, position}, {error, keys}) */
	constructor(status, message, data = null) {
		super(message);
		this.name = 'ApiError';
		this.status = status;
		this.data = data;
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
	if (!resp.ok)
		throw failure(resp.status, resp.statusText, data, opts.quiet);
	return data;
}

/* The ApiError for a failed answer (told to the 401 listeners unless quiet). */
function failure(status, status_text, data, quiet) {
	const msg = data && typeof data.error === 'string' ? data.error : `HTTP ${status} ${status_text}`;
	const err = new ApiError(status, msg, data);
	if (status === 401 && !quiet)
		for (const fn of unauthorized_listeners)
			fn(err);
	return err;
}

export const get = (path, opts) => request('GET', path, undefined, opts);
export const post = (path, body, opts) => request('POST', path, body, opts);
export const put = (path, body, opts) => request('PUT', path, body, opts);
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
/* {slug, exercise, frames, published}; its teachers also get keys, trace (SHA-256) and manage: true */
export const exercise = (slug) => get(`/api/v1/exercises/${enc(slug)}`);
export const submit = (slug, answers) => post(`/api/v1/exercises/${enc(slug)}/submissions`, { answers });
export const submissions = (slug, opts) => get(`/api/v1/exercises/${enc(slug)}/submissions`, opts);
export const keys = (slug) => get(`/api/v1/exercises/${enc(slug)}/keys`);

/* The base URL of an exercise's trace, for a TraceView. */
export const exercise_trace = (slug) => `/api/v1/exercises/${enc(slug)}`;

/* ---------------------------------------------------------------- a trace */

/*
 * A page of the packet list: {total, displayed, frames: [{no, time, src, dst,
 * proto, len, info}]}, lines from..from+count-1 of those shown.  q.filter: a
 * display filter (only the frames it selects are shown); q.at: a frame whose
 * place among them the answer gives (at; 0 when it is not shown).
 */
export function frames_page(base, from, count, q = {}, opts) {
	let path = `${base}/frames?from=${from}&count=${count}`;
	if (q.filter)
		path += `&filter=${enc(q.filter)}`;
	if (q.at)
		path += `&at=${q.at}`;
	return get(path, opts);
}

/* Whether a display filter may be applied: {valid: true}, or an ApiError (400: {error, position}; 403: refused). */
export const check_filter = (base, filter, opts) => get(`${base}/frames?check=1&filter=${enc(filter)}`, opts);

/* Every field a filter may name: {fields: [{f, n, t}]}, sorted by f; fetched once. */
let fields_promise = null;
export function fields() {
	if (!fields_promise) {
		fields_promise = get('/api/v1/fields');
		fields_promise.catch(() => { fields_promise = null; });
	}
	return fields_promise;
}

/* One frame: {frame, sources: [{name, bytes}], tree: [...]} (doc/json.md). */
export const frame = (base, no, opts) => get(`${base}/frames/${no}`, opts);

/* Whether the logged-in role may see keys and statistics. */
export const is_staff = (user) => !!user && (user.role === 'instructor' || user.role === 'admin');

/* ---------------------------------------------------------------- traces */

/* The traces the user may use: {traces: [{sha256, name, size, frames, created}]}. */
export const traces = () => get('/api/v1/traces');
export const trace_meta = (sha) => get(`/api/v1/traces/${enc(sha)}`);

/* The base URL of a stored trace, for a TraceView. */
export const trace_base = (sha) => `/api/v1/traces/${enc(sha)}`;

/*
 * Uploads a file (a File or Blob) as the raw body of a POST to url, with
 * XMLHttpRequest because fetch() tells nothing of an upload's progress.
 * on_progress(sent, total) is called as the bytes go, and once more with
 * sent == total when they are all sent.  Resolves to the server's JSON;
 * rejects with an ApiError carrying the server's message (and its whole
 * answer as data), or an AbortError when signal aborts.
 */
function upload(url, file, { on_progress = null, signal = null } = {}) {
	return new Promise((resolve, reject) => {
		const xhr = new XMLHttpRequest();
		xhr.open('POST', url);
		xhr.setRequestHeader('Accept', 'application/json');
		xhr.setRequestHeader('Content-Type', 'application/octet-stream');
		if (csrf)
			xhr.setRequestHeader('X-CSRF-Token', csrf);
		const total = file.size;
		if (on_progress) {
			xhr.upload.addEventListener('progress', (e) => on_progress(e.loaded, e.lengthComputable ? e.total : total));
			xhr.upload.addEventListener('load', () => on_progress(total, total));
		}
		xhr.addEventListener('load', () => {
			let data = null;
			try {
				data = xhr.responseText ? JSON.parse(xhr.responseText) : null;
			} catch {
				data = null;
			}
			if (xhr.status >= 200 && xhr.status < 300)
				resolve(data);
			else
				reject(failure(xhr.status, xhr.statusText, data, false));
		});
		xhr.addEventListener('error', () => reject(new ApiError(0, 'the upload did not reach the server: check the connection and try again')));
		xhr.addEventListener('abort', () => reject(new DOMException('the upload was cancelled', 'AbortError')));
		if (signal)
			signal.addEventListener('abort', () => xhr.abort(), { once: true });
		xhr.send(file);
	});
}

/* A capture stored (POST /api/v1/traces): resolves to its metadata ({sha256,
 * name, size, frames, created, new}); 422 not a capture, 413 too large. */
export const upload_trace = (file, opts) => upload(`/api/v1/traces?name=${enc(file.name || 'capture.pcap')}`, file, opts);

/* An INGInious task's folder, zipped or tarred, imported (POST /api/v1/import):
 * resolves to {exercise, trace, slug, report}, the exercise not yet saved; a
 * 422 ApiError's data has {error, report}. */
export const import_task = (file, opts) => upload(`/api/v1/import?name=${enc(file.name || 'task.zip')}`, file, opts);

/* ---------------------------------------------------------------- authoring */

/* Creates (slug not yet there) or changes an exercise: {slug, course, trace, exercise, published}; resolves to {slug, trace, published, keys}. */
export const create_exercise = (body) => post('/api/v1/exercises', body);
export const update_exercise = (slug, body) => put(`/api/v1/exercises/${enc(slug)}`, body);
/* Deletes an exercise; one with submissions is refused (409) unless submissions: true deletes them too. */
export const delete_exercise = (slug, { submissions = false } = {}) =>
	del(`/api/v1/exercises/${enc(slug)}${submissions ? '?submissions=delete' : ''}`);

/* A key's live preview: {value, from: [{frame, field}]}; a 422 ApiError's data has {error, position}. */
export const evaluate = (expr, trace, opts) => post('/api/v1/eval', { expr, trace }, opts);
/* Key discovery: the expressions whose value on the trace is answer, best first. */
export const suggest = (answer, trace, prompt, opts) => post('/api/v1/suggest', { answer, trace, prompt }, opts);

export const stats = (slug) => get(`/api/v1/exercises/${enc(slug)}/stats`);
/* Every submission graded again on the current keys: {key_version, submissions, regraded, scores_changed, unchanged, failed}. */
export const regrade = (slug) => post(`/api/v1/exercises/${enc(slug)}/regrade`);
export const submissions_csv_url = (slug) => `/api/v1/exercises/${enc(slug)}/submissions.csv`;

/* ---------------------------------------------------------------- courses */

/* {courses: [{slug, title, open, teaching, enrolled, exercises}]} */
export const courses = () => get('/api/v1/courses');
export const create_course = (slug, title, open) => post('/api/v1/courses', { slug, title, open });
/* {slug, title, open, teachers: [{name, role}], students: [{name, external}] (its teachers only)} */
export const course = (slug) => get(`/api/v1/courses/${enc(slug)}`);
/* All or none: {course, enrolled: [{name, password?}]}, a password for each account made. */
export const enrol = (slug, names) => post(`/api/v1/courses/${enc(slug)}/students`, { students: names });
export const unenrol = (slug, name) => del(`/api/v1/courses/${enc(slug)}/students/${enc(name)}`);
export const add_teacher = (slug, name) => post(`/api/v1/courses/${enc(slug)}/teachers`, { name });

/* ---------------------------------------------------------------- tokens and accounts */

/* {tokens: [{id, name, created}]} */
export const tokens = () => get('/api/v1/tokens');
/* {id, name, token}: the secret, shown once */
/* opts: {scope: 'admin'|'read'|'grade', courses: [slug], exercises: [slug], days} */
export const create_token = (name, opts = {}) => post('/api/v1/tokens', { name, ...opts });
export const revoke_token = (id) => del(`/api/v1/tokens/${enc(String(id))}`);

/* {users: [{name, role, external, can_log_in, created}]} (admins) */
export const users = () => get('/api/v1/users');
/* {name, role, password?}: a generated password when none was given, shown once */
/* A one-time code for a student to set a new password with: {name, code, expires, link}. */
export const reset_code = (name) => post(`/api/v1/users/${enc(name)}/reset-code`);
/* Sets a new password with a reset code (no session needed). */
export const password_reset = (name, code, password) =>
	request('POST', '/api/v1/password-reset', { name, code, password }, { quiet: true });   /* a wrong code is 401, not a lost session */
export const create_user = (name, role, password) => post('/api/v1/users', password ? { name, role, password } : { name, role });
