/*
 * api.c - the REST routes a person uses: sessions (log in and out, a reset
 * code redeemed, each failure slowing down who fails), an exercise's trace
 * (packet list in pages, one frame's tree and bytes, with HTTP caching, as
 * view.c masks it for students), submissions (graded, counted and stored in
 * one transaction), and the auto-grader's endpoint.
 *
 * An order question deals each student its frames to other places (below);
 * a choice question with a limit deals each student their choices.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "server.h"

#define SESSION_SECONDS (12 * 3600)
#define LOGIN_WINDOW 900             /* seconds in which failures count */
#define PAIR_FREE 3                  /* failures of one name from one address before delays */
#define ADDR_FREE 20                 /* failures from one address, any names, before delays */
#define MAX_DELAY 300                /* seconds: a delay grows to this, never to a lock */
#define RESET_SECONDS (8 * 3600)     /* a reset code's life */

/* ------------------------------------------------------------------ logging in */

/*
 * Failed logins slow down who fails, not the account: the failures of one
 * name from one address, and of one address whatever the names, each earn
 * a delay before the next try that doubles with every failure (1 s, 2 s,
 * 4 s... up to MAX_DELAY), past a few free ones.  Nobody can lock an
 * account out from another address.
 */
static int64_t
delay_after(int64_t failures, int64_t free_ones, int64_t step)
{
	if (failures < free_ones)
		return 0;
	int64_t k = (failures - free_ones) / step;
	if (k >= 9)
		return MAX_DELAY;
	return (int64_t)1 << k < MAX_DELAY ? (int64_t)1 << k : MAX_DELAY;
}

/* Seconds before who may try again (0: now); -1 when the database fails. */
static int64_t
throttle(struct tq_store *st, const char *pair, const char *addr)
{
	int64_t t = (int64_t)time(NULL), since = t - LOGIN_WINDOW, np, lp, na, la;
	if (tq_store_login_failures(st, pair, since, &np, &lp) || tq_store_login_failures(st, addr, since, &na, &la))
		return -1;
	int64_t wait = np ? lp + delay_after(np, PAIR_FREE, 1) - t : 0;
	int64_t wa = na ? la + delay_after(na, ADDR_FREE, 5) - t : 0;
	if (wa > wait)
		wait = wa;
	return wait > 0 ? wait : 0;
}

/* The throttle's keys: a name from an address, and the address. */
static void
keys_of(struct app *a, struct MHD_Connection *c, const char *name, char *pair, size_t pl, char *addr, size_t al)
{
	char ip[64];
	client_addr(a, c, ip, sizeof(ip));
	snprintf(pair, pl, "pair:%s %s", name, ip);
	snprintf(addr, al, "addr:%s", ip);
}

static void
session_login(struct app *a, struct MHD_Connection *c, struct req *q, struct reply *r)
{
	json_t *body = parse_body(q, r);
	if (!body)
		return;
	const char *name = json_string_value(json_object_get(body, "name"));
	const char *pw = json_string_value(json_object_get(body, "password"));
	if (!name || !pw || strlen(name) > 100 || strlen(pw) > 1000) {
		reply_error(r, 400, "give name and password as text");
		json_decref(body);
		return;
	}
	struct tq_store *st = app_store(a);
	char pair[200], addr[80];
	keys_of(a, c, name, pair, sizeof(pair), addr, sizeof(addr));
	int64_t wait = st ? throttle(st, pair, addr) : -1;
	if (wait < 0) {
		reply_error(r, 503, "the database failed; try again");
		json_decref(body);
		return;
	}
	if (wait > 0) {
		reply_error(r, 429, "too many failed logins from here: try again in %lld s", (long long)wait);
		r->retry_after = (unsigned)wait;
		json_decref(body);
		return;
	}
	struct tq_user u;
	int rc = tq_store_user_by_name(st, name, &u);
	if (rc && rc != TQ_STORE_NOTFOUND) {
		reply_error(r, 503, "the database failed; try again");
		json_decref(body);
		return;
	}
	/* a name without an account (or a password) costs the same hash as the others */
	if (password_verify(a, rc ? NULL : &u, pw) != 0) {
		tq_store_login_failed(st, pair);
		tq_store_login_failed(st, addr);
		reply_error(r, 401, "wrong name or password");
		json_decref(body);
		return;
	}
	char tok[65], csrf[65];
	uint8_t hash[32];
	tq_secret(tok, 32);          /* 256 random bits */
	tq_secret(csrf, 32);
	tq_sha256(tok, 64, hash);
	if (tq_store_session_add(st, hash, u.id, csrf, (int64_t)time(NULL) + SESSION_SECONDS) != 0) {
		reply_error(r, 503, "the session could not be stored: %s", tq_store_error(st));
		json_decref(body);
		return;
	}
	snprintf(r->cookie, sizeof(r->cookie), "tq_session=%s%s; Max-Age=%d", tok, cookie_attrs(a, c), SESSION_SECONDS);
	reply_json(r, 200, json_pack("{s:s,s:s,s:s}", "name", u.name, "role", u.role, "csrf", csrf));
	json_decref(body);
}

void
api_session(struct app *a, struct MHD_Connection *c, const char *method, const char *path, struct req *q,
    struct reply *r)
{
	(void)path;
	if (!strcmp(method, "POST")) {
		session_login(a, c, q, r);
	} else if (!strcmp(method, "DELETE")) {
		const char *cookie = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "tq_session");
		if (cookie && strlen(cookie) == 64) {
			uint8_t hash[32];
			tq_sha256(cookie, 64, hash);
			tq_store_session_delete(app_store(a), hash);
		}
		snprintf(r->cookie, sizeof(r->cookie), "tq_session=%s; Max-Age=0", cookie_attrs(a, c));
		reply_json(r, 200, json_pack("{s:b}", "logged_out", 1));
	} else {
		reply_json(r, 200, json_pack("{s:s,s:s}", "name", q->user.name, "role", q->user.role));
		if (q->token.scope != TQ_SCOPE_NONE) {
			json_object_set_new(r->json, "scope", json_string(tq_scope_name(q->token.scope)));
			return;
		}
		/* a page loaded again finds its session's CSRF token here (the cookie is HttpOnly) */
		if (q->csrf[0])
			json_object_set_new(r->json, "csrf", json_string(q->csrf));
	}
}

/*
 * POST /api/v1/password-reset {"name", "code", "password"}: a student sets a
 * new password with the one-time code their instructor handed them.  A code
 * is used up by its first try; wrong codes are throttled as failed logins.
 */
void
api_password_reset(struct app *a, struct MHD_Connection *c, const char *method, const char *path, struct req *q,
    struct reply *r)
{
	(void)method, (void)path;
	json_t *body = parse_body(q, r);
	if (!body)
		return;
	const char *name = json_string_value(json_object_get(body, "name"));
	const char *code = json_string_value(json_object_get(body, "code"));
	json_t *pw = json_object_get(body, "password");
	struct tq_store *st = app_store(a);
	char pair[200], addr[80];
	int64_t wait, uid;
	struct tq_user u;
	uint8_t hash[32];
	char pwhash[160];
	if (!name || !code || strlen(name) > 100 || strlen(code) > 100 || !json_is_string(pw) || json_object_size(body) != 3) {
		reply_error(r, 400, "the body is {\"name\", \"code\", \"password\"}");
		goto out;
	}
	if (json_string_length(pw) < 8 || json_string_length(pw) > 1000) {
		reply_error(r, 422, "password: 8 to 1000 characters");
		goto out;
	}
	keys_of(a, c, name, pair, sizeof(pair), addr, sizeof(addr));
	if (!st || (wait = throttle(st, pair, addr)) < 0) {
		reply_error(r, 503, "the database failed; try again");
		goto out;
	}
	if (wait > 0) {
		reply_error(r, 429, "too many wrong codes from here: try again in %lld s", (long long)wait);
		r->retry_after = (unsigned)wait;
		goto out;
	}
	tq_sha256(code, strlen(code), hash);
	int rc = tq_store_reset_take(st, hash, (int64_t)time(NULL), &uid);
	if (rc == 0)
		rc = tq_store_user_by_id(st, uid, &u);
	if (rc == 0 && strcmp(u.name, name))
		rc = TQ_STORE_NOTFOUND;      /* another account's code: used up all the same */
	if (rc == TQ_STORE_NOTFOUND) {
		tq_store_login_failed(st, pair);
		tq_store_login_failed(st, addr);
		reply_error(r, 401, "this reset code is not valid (mistyped, used or expired): ask your instructor for a new one");
		goto out;
	}
	if (rc || tq_password_hash(json_string_value(pw), pwhash, sizeof(pwhash)) != 0 ||
	    tq_store_user_set_password(st, u.id, pwhash) != 0) {
		reply_error(r, 503, "the password could not be stored; ask your instructor for a new code");
		goto out;
	}
	reply_json(r, 200, json_pack("{s:s,s:b}", "name", u.name, "password_set", 1));
out:
	json_decref(body);
}

/* Percent-encodes s into out (a URL's query value). */
static void
url_encode(const char *s, char *out, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;
	for (; *s && o + 4 < len; s++) {
		unsigned char ch = (unsigned char)*s;
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || strchr("-._~", ch)) {
			out[o++] = (char)ch;
		} else {
			out[o++] = '%';
			out[o++] = hex[ch >> 4];
			out[o++] = hex[ch & 15];
		}
	}
	out[o] = '\0';
}

json_t *
reset_code(struct app *a, const struct tq_user *u, const struct tq_user *who, struct reply *r)
{
	char code[25];
	uint8_t hash[32];
	tq_secret(code, 12);         /* 96 random bits, short enough to read out */
	tq_sha256(code, strlen(code), hash);
	int64_t expires = (int64_t)time(NULL) + RESET_SECONDS;
	struct tq_store *st = app_store(a);
	if (!st || tq_store_reset_put(st, u->id, hash, who->id, expires) != 0) {
		reply_error(r, 503, "the database failed; try again");
		return NULL;
	}
	char name[320], link[400];
	url_encode(u->name, name, sizeof(name));
	snprintf(link, sizeof(link), "/#/reset?name=%s&code=%s", name, code);
	return json_pack("{s:s,s:s,s:I,s:s}", "name", u->name, "code", code, "expires", (json_int_t)expires, "link", link);
}

/* ------------------------------------------------------------------ the trace view */

/* "ETag" for what a user sees of an exercise's trace: the exercise, its
 * version (its document and capture: a save may change what is hidden), the
 * viewer's kind and what is asked. */
static int
etag_check(struct MHD_Connection *c, struct reply *r, const struct loaded *l, int staff, const char *what)
{
	/* the exercise's id names it: the slug may be long */
	snprintf(r->etag, sizeof(r->etag), "\"x%lld-%s-%c-%.30s\"", (long long)l->id, l->version, staff ? 'i' : 's', what);
	return reply_not_modified(c, r);
}

/*
 * Order questions: a student puts frames back in order, so their view must not
 * give the order away.  For each student the frames of an order question are
 * dealt to their places in another order: the row and the tree at place p
 * show frame shuffled(p), numbered p, with the times and the fields that
 * name other frames left out; an answer lists places, and is turned back into
 * frames before it is graded.  A question over more than SHUFFLE_MAX frames
 * is not shuffled in the view (doc/exercises.md).
 */
#define SHUFFLE_MAX 256
#define FOLLOW_MAX_BYTES (64u << 20)    /* of a stream's payload shown */

int
question_is(const json_t *q, const char *kind)
{
	const char *k = json_string_value(json_object_get(q, "kind"));
	return k && !strcmp(k, kind);
}

struct shuffle {
	uint32_t n;
	uint32_t place[SHUFFLE_MAX], frame[SHUFFLE_MAX];
};

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* The student's deal for the exercise (nothing for staff: user 0). */
static void
shuffle_for(const struct loaded *l, int64_t user, struct shuffle *sh)
{
	sh->n = 0;
	if (!user || !l->ex)
		return;
	uint32_t total = tq_capture_count(l->cap);
	size_t i;
	json_t *q;
	json_array_foreach(json_object_get(tq_exercise_doc(l->ex), "questions"), i, q) {
		if (!question_is(q, "order"))
			continue;
		uint32_t f[SHUFFLE_MAX], n = 0;
		json_t *list = json_object_get(q, "frames");
		if (list) {
			size_t k;
			json_t *v;
			if (json_array_size(list) > SHUFFLE_MAX)
				continue;
			json_array_foreach(list, k, v)
				if (json_integer_value(v) >= 1 && json_integer_value(v) <= total)
					f[n++] = (uint32_t)json_integer_value(v);
		} else if (total <= SHUFFLE_MAX) {
			for (uint32_t k = 1; k <= total; k++)
				f[n++] = k;
		}
		/* a frame already dealt by an earlier question keeps its place */
		uint32_t m = 0;
		for (uint32_t k = 0; k < n; k++) {
			int seen = 0;
			for (uint32_t j = 0; j < sh->n && !seen; j++)
				seen = sh->place[j] == f[k];
			for (uint32_t j = 0; j < m && !seen; j++)
				seen = f[j] == f[k];
			if (!seen)
				f[m++] = f[k];
		}
		if (m < 2 || sh->n + m > SHUFFLE_MAX)
			continue;
		qsort(f, m, sizeof(*f), cmp_u32);
		uint32_t d[SHUFFLE_MAX];
		memcpy(d, f, m * sizeof(*f));
		const char *id = json_string_value(json_object_get(q, "id"));
		uint64_t seed = (uint64_t)user * 0x100000001b3ULL ^ (uint64_t)l->id << 32;
		seed = tq_fnv1a64(seed, id ? id : "", id ? strlen(id) : 0);
		for (uint32_t k = m - 1; k > 0; k--) {
			uint32_t j = (uint32_t)(tq_splitmix64(&seed) % (k + 1));
			uint32_t t = d[k];
			d[k] = d[j];
			d[j] = t;
		}
		if (!memcmp(d, f, m * sizeof(*f))) {
			/* never the right order: turn it by one */
			uint32_t t = d[0];
			memmove(d, d + 1, (m - 1) * sizeof(*d));
			d[m - 1] = t;
		}
		for (uint32_t k = 0; k < m; k++) {
			sh->place[sh->n] = f[k];
			sh->frame[sh->n++] = d[k];
		}
	}
}

/* The frame shown at place p (p itself when it is not dealt); *dealt says whether it is. */
static uint32_t
shuffled(const struct shuffle *sh, uint32_t p, int *dealt)
{
	for (uint32_t k = 0; k < sh->n; k++)
		if (sh->place[k] == p) {
			if (dealt)
				*dealt = 1;
			return sh->frame[k];
		}
	if (dealt)
		*dealt = 0;
	return p;
}

/*
 * The frames display filter src selects (a student's refused when it would
 * tell what the view hides): held (fsel_release), or NULL with the reply
 * set, or NULL with q->defer set when the capture must be read for it (heavy
 * work: done on the heavy pool, and kept with the capture).
 */
static struct fsel *
filter_frames(struct app *a, struct req *q, struct loaded *l, int staff, int dealing, const char *src, int check,
    struct reply *r)
{
	struct tq_expr *e = NULL;
	struct tq_expr_error ee;
	if (tq_filter_parse(src, &e, &ee) != 0) {
		reply_json(r, 400, json_pack("{s:s,s:i}", "error", ee.msg, "position", ee.pos));
		return NULL;
	}
	char why[300];
	if (!staff && view_filter_refused(l, dealing, e, why, sizeof(why))) {
		reply_json(r, 403, json_pack("{s:s}", "error", why));
		tq_expr_free(e);
		return NULL;
	}
	if (check) {
		/* the filter bar asks as one types: valid, and allowed; nothing is read */
		reply_json(r, 200, json_pack("{s:b}", "valid", 1));
		tq_expr_free(e);
		return NULL;
	}
	struct fsel *fs = fsel_find(a, l->ce, tq_expr_source(e));
	if (fs || !q->on_pool) {
		q->defer = !fs;
		tq_expr_free(e);
		return fs;
	}
	uint32_t n = tq_capture_count(l->cap);
	struct tq_findex *ix = NULL;
	struct tq_limits lim = job_limits(a);
	char err[600];
	int rc = tq_findex_build(l->cap, &e, 1, &lim, &ix, err, sizeof(err));
	if (rc != 0) {
		reply_error(r, rc == TQ_ETIMEOUT || rc == TQ_ETOOBIG ? 422 : 503, "%s", err);
		tq_expr_free(e);
		return NULL;
	}
	fs = calloc(1, sizeof(*fs));
	if (fs) {
		fs->refs = 1;
		fs->n = n;
		fs->src = strdup(tq_expr_source(e));
		fs->sel = malloc(n ? n : 1);
	}
	if (!fs || !fs->src || !fs->sel) {
		reply_error(r, 503, "out of memory; try again later");
		fsel_release(fs);
		fs = NULL;
	} else if (tq_filter_select(ix, e, fs->sel, &ee) != 0) {
		reply_json(r, 422, json_pack("{s:s,s:i}", "error", ee.msg, "position", ee.pos));
		fsel_release(fs);
		fs = NULL;
	} else {
		for (uint32_t i = 0; i < n; i++)
			fs->matched += fs->sel[i];
		fsel_keep(a, l->ce, fs);
	}
	tq_findex_free(ix);
	tq_expr_free(e);
	return fs;
}

/*
 * GET .../frames?from=P&count=K[&filter=F][&at=N]: the packet list, K lines
 * from the P-th line shown.  With a display filter the lines shown are the
 * frames it selects ("displayed" of "total", as Wireshark's status bar);
 * "at" is then the place of frame N among them (0: not shown).  With check,
 * the filter is only read: {"valid": true}, or the error it would give.
 */
void
frames_page(struct app *a, struct MHD_Connection *c, struct req *q, struct loaded *l, int64_t viewer, struct reply *r)
{
	int staff = viewer == 0;
	const char *sf = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "from");
	const char *sc = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "count");
	const char *sa = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "at");
	const char *filter = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "filter");
	int check = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "check") != NULL;
	char *end;
	unsigned long from = 1, count = 100, at = 0;
	if (sf) {
		errno = 0;
		from = strtoul(sf, &end, 10);
		if (errno || *end || !from) {
			reply_error(r, 400, "from: a frame number from 1");
			return;
		}
	}
	if (sc) {
		errno = 0;
		count = strtoul(sc, &end, 10);
		if (errno || *end || !count || count > 1000) {
			reply_error(r, 400, "count: 1 to 1000 frames");
			return;
		}
	}
	if (sa) {
		errno = 0;
		at = strtoul(sa, &end, 10);
		if (errno || *end) {
			reply_error(r, 400, "at: a frame number");
			return;
		}
	}
	while (filter && (*filter == ' ' || *filter == '\t'))
		filter++;
	if (filter && !*filter)
		filter = NULL;           /* an empty filter bar shows every frame */
	if (check && !filter) {
		reply_json(r, 200, json_pack("{s:b}", "valid", 1));
		return;
	}
	struct shuffle sh;
	shuffle_for(l, viewer, &sh);
	struct fsel *fs = NULL;
	if (filter && !(fs = filter_frames(a, q, l, staff, sh.n > 0, filter, check, r)))
		return;                  /* refused, failed, or deferred to the heavy pool */
	char what[96];
	snprintf(what, sizeof(what), "list-%lu-%lu-%lu-%llx-u%lld", from, count, at,
	    filter ? (unsigned long long)tq_fnv1a64(TQ_FNV64_BASIS, filter, strlen(filter)) : 0ULL, sh.n ? (long long)viewer : 0LL);
	if (etag_check(c, r, l, staff, what)) {
		fsel_release(fs);
		return;
	}
	uint32_t total = tq_capture_count(l->cap), displayed = fs ? fs->matched : total;
	json_t *list = json_array();
	struct tq_sbuf scratch;
	tq_sbuf_init(&scratch, 0);
	struct view_masks *ms = calloc(1, sizeof(*ms));
	/* place p (what the student sees as frame p) is the k-th line shown */
	unsigned long k = 0, at_k = 0;
	for (uint32_t p = 1; ms && p <= total; p++) {
		int dealt;
		uint32_t real = shuffled(&sh, p, &dealt);
		if (fs) {
			if (real > fs->n || !fs->sel[real - 1])
				continue;
			k++;
			if (p == at)
				at_k = k;
			if (k < from)
				continue;
			if (k >= from + count) {
				if (at && !at_k && at > p)
					continue;        /* still looking for frame at */
				if (!at || at_k || at < p)
					break;
				continue;
			}
		} else {
			k = p;
			if (p == at)
				at_k = k;
			if (p < from) {
				p = (uint32_t)(from - 1);   /* straight to the page */
				continue;
			}
			if (k >= from + count)
				break;
		}
		struct tq_columns col;
		if (tq_columns_get(l->cap, real, &col, &scratch) != 0)
			break;
		struct view_rules vr = { 0 };
		char *src = NULL, *dst = NULL, *proto = NULL, *info = NULL;
		int whole = 0;
		if (!staff && l->ex) {
			/* the row says again what the frame's tree masks: the same values masked word by word */
			view_rules(l, real, dealt, &vr);
			int rc = view_frame_masks(l->cap, real, &vr, ms);
			whole = json_array_size(vr.hidden) && (rc != 0 || !view_row_maskable(&vr, ms));
			if (rc == 0 && ms->n) {
				src = view_mask_text(col.src, ms);
				dst = view_mask_text(col.dst, ms);
				proto = view_mask_text(col.proto, ms);
				info = view_mask_text(col.info, ms);
			}
			view_rules_free(&vr);
		}
		json_array_append_new(list, json_pack("{s:I,s:s,s:s,s:s,s:s,s:I,s:s}", "no", (json_int_t)p, "time",
		    dealt ? "??" : col.time, "src", src ? src : col.src, "dst", dst ? dst : col.dst,
		    "proto", proto ? proto : col.proto, "len", (json_int_t)col.len, "info", whole ? "??" : info ? info : col.info));
		free(src);
		free(dst);
		free(proto);
		free(info);
	}
	if (!fs && at && at <= total)
		at_k = at;
	free(ms);
	tq_sbuf_free(&scratch);
	json_t *res = json_pack("{s:I,s:I,s:o}", "total", (json_int_t)total, "displayed", (json_int_t)displayed, "frames", list);
	if (filter)
		json_object_set_new(res, "filter", json_string(filter));
	if (at)
		json_object_set_new(res, "at", json_integer((json_int_t)at_k));
	fsel_release(fs);
	reply_json(r, 200, res);
}

/*
 * Whether a student may follow a stream of frames fr[0..n-1]: not when one of
 * them hides a field or is dealt to another place, nor when the exercise
 * redacts a field or leaves out an item above the transport (the stream's
 * bytes would say it).  1 with a sentence in why when not.
 */
static int
follow_refused(const struct loaded *l, const struct shuffle *sh, const uint32_t *fr, size_t n, char *why, size_t len)
{
	const json_t *doc = tq_exercise_doc(l->ex);
	json_t *view = json_object_get(doc, "view");
	if (json_array_size(json_object_get(view, "redact"))) {
		snprintf(why, len, "this exercise redacts fields: its streams cannot be followed");
		return 1;
	}
	size_t i;
	json_t *x;
	json_array_foreach(json_object_get(view, "exclude"), i, x) {
		const char *f = json_string_value(x);
		static const char *const below[] = { "frame", "eth", "sll", "null", "ip", "ipv6", "tcp", "udp", NULL };
		int low = 0;
		for (int k = 0; f && below[k] && !low; k++) {
			size_t m = strlen(below[k]);
			low = !strncmp(f, below[k], m) && (f[m] == '.' || !f[m]) && strcmp(f, "tcp.payload") &&
			    strcmp(f, "udp.payload");
		}
		if (f && !low) {
			snprintf(why, len, "this exercise leaves %s out of the trace: its streams cannot be followed", f);
			return 1;
		}
	}
	for (size_t k = 0; k < n; k++) {
		char key[16];
		snprintf(key, sizeof(key), "%u", fr[k]);
		json_t *q;
		json_array_foreach(json_object_get(doc, "questions"), i, q)
			if (json_array_size(json_object_get(json_object_get(q, "hide"), key))) {
				snprintf(why, len, "frame %u of this stream hides a field: the stream cannot be followed", fr[k]);
				return 1;
			}
		for (uint32_t j = 0; j < sh->n; j++)
			if (sh->frame[j] == fr[k] || sh->place[j] == fr[k]) {
				snprintf(why, len, "this stream has frames to put in order: it cannot be followed");
				return 1;
			}
	}
	return 0;
}

/*
 * GET .../follow?stream=N[&proto=tcp|udp|http2][&sub=S]: Follow Stream, what
 * the two ends of the conversation (HTTP/2: stream S of TCP stream N) sent
 * each other in order: {proto, stream, [sub,] filter,
 * nodes: [{addr, port}, {addr, port}], records: [{node, frame, data (hex)}],
 * frames: [...]}.  Heavy work (the whole trace is read): on the heavy pool.
 */
void
follow_stream(struct app *a, struct MHD_Connection *c, struct req *q, struct loaded *l, int64_t viewer, struct reply *r)
{
	const char *ss = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "stream");
	const char *sp = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "proto");
	const char *su = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "sub");
	int proto = TQ_FOLLOW_TCP;
	if (sp && !strcmp(sp, "udp"))
		proto = TQ_FOLLOW_UDP;
	else if (sp && !strcmp(sp, "http2"))
		proto = TQ_FOLLOW_HTTP2;
	else if (sp && strcmp(sp, "tcp")) {
		reply_error(r, 400, "proto: tcp, udp or http2");
		return;
	}
	char *end;
	errno = 0;
	unsigned long stream = ss ? strtoul(ss, &end, 10) : 0;
	if (!ss || !*ss || errno || *end || stream > UINT32_MAX) {
		reply_error(r, 400, "stream: the stream's number (tcp.stream or udp.stream), from 0");
		return;
	}
	unsigned long sub = 0;
	if (proto == TQ_FOLLOW_HTTP2) {
		errno = 0;
		sub = su ? strtoul(su, &end, 10) : 0;
		if (!su || !*su || errno || *end || sub > 0x7fffffff) {
			reply_error(r, 400, "sub: the HTTP/2 stream id (http2.streamid)");
			return;
		}
	}
	if (!q->on_pool) {
		q->defer = 1;
		return;
	}
	struct tq_limits lim = job_limits(a);
	if (!lim.max_bytes || lim.max_bytes > FOLLOW_MAX_BYTES)
		lim.max_bytes = FOLLOW_MAX_BYTES;
	struct tq_follow *fw;
	char err[512];
	int rc = tq_follow_build(l->cap, proto, (uint32_t)stream, (uint32_t)sub, &lim, &fw, err, sizeof(err));
	if (rc != 0) {
		reply_error(r, rc == TQ_ETIMEOUT || rc == TQ_ETOOBIG ? 422 : 503, "%s", err);
		return;
	}
	const uint32_t *fr;
	size_t nfr = tq_follow_frames(fw, &fr);
	char why[200];
	if (viewer && l->ex) {
		struct shuffle sh;
		shuffle_for(l, viewer, &sh);
		if (follow_refused(l, &sh, fr, nfr, why, sizeof(why))) {
			reply_error(r, 403, "%s", why);
			tq_follow_free(fw);
			return;
		}
	}
	static const char *const pnames[] = { "tcp", "udp", "http2" };
	const char *pname = pnames[proto];
	json_t *nodes = json_array(), *recs = json_array(), *frames = json_array();
	for (int k = 0; k < 2; k++) {
		uint32_t port;
		const char *addr = tq_follow_node(fw, k, &port);
		if (*addr)
			json_array_append_new(nodes, json_pack("{s:s,s:I}", "addr", addr, "port", (json_int_t)port));
	}
	const struct tq_follow_record *rec;
	size_t nrec = tq_follow_records(fw, &rec);
	struct tq_sbuf hex;
	tq_sbuf_init(&hex, 0);
	for (size_t i = 0; i < nrec; i++) {
		tq_sbuf_reset(&hex);
		for (uint32_t k = 0; k < rec[i].len; k++)
			tq_sbuf_printf(&hex, "%02x", rec[i].data[k]);
		json_array_append_new(recs, json_pack("{s:i,s:I,s:s#}", "node", rec[i].node, "frame", (json_int_t)rec[i].frame,
		    "data", hex.s ? hex.s : "", hex.len));
	}
	tq_sbuf_free(&hex);
	for (size_t i = 0; i < nfr; i++)
		json_array_append_new(frames, json_integer(fr[i]));
	char filter[96];
	tq_follow_filter(fw, filter, sizeof(filter));
	json_t *body = json_pack("{s:s,s:I,s:s,s:o,s:o,s:o}", "proto", pname, "stream", (json_int_t)stream,
	    "filter", filter, "nodes", nodes, "records", recs, "frames", frames);
	if (body && proto == TQ_FOLLOW_HTTP2)
		json_object_set_new(body, "sub", json_integer((json_int_t)sub));
	reply_json(r, 200, body);
	tq_follow_free(fw);
}

void
frame_tree(struct MHD_Connection *c, struct loaded *l, int64_t viewer, const char *num_s, struct reply *r)
{
	int staff = viewer == 0;
	char *end;
	errno = 0;
	unsigned long num = strtoul(num_s, &end, 10);
	if (errno || *end || !num || num > tq_capture_count(l->cap)) {
		reply_error(r, 404, "there is no frame %.20s in this trace (%u frames)", num_s, tq_capture_count(l->cap));
		return;
	}
	struct shuffle sh;
	shuffle_for(l, viewer, &sh);
	int dealt;
	uint32_t real = shuffled(&sh, (uint32_t)num, &dealt);
	char what[64];
	snprintf(what, sizeof(what), sh.n ? "frame-%lu-u%lld" : "frame-%lu", num, (long long)viewer);
	if (etag_check(c, r, l, staff, what))
		return;
	int err;
	struct tq_tree *t = tq_dissect_ex(l->cap, real, TQ_DISSECT_DISPLAY, &err);
	if (!t) {
		reply_error(r, 500, "frame %lu: %s", num, tq_strerror(err));
		return;
	}
	struct tq_sbuf out;
	tq_sbuf_init(&out, 64u << 20);
	tq_write_json(t, &out);
	tq_tree_free(t);
	if (staff || !l->ex)
		tq_sbuf_putc(&out, '\n');
	if (!out.err && (staff || !l->ex)) {
		/* nothing to hide: the library's JSON as it is */
		r->status = 200;
		r->ctype = "application/json";
		r->rawlen = out.len;
		r->raw = out.s;
		return;
	}
	json_error_t je;
	json_t *j = out.err ? NULL : json_loadb(out.s, out.len, 0, &je);
	tq_sbuf_free(&out);
	if (!j) {
		reply_error(r, 500, "frame %lu could not be written", num);
		return;
	}
	struct view_rules vr;
	struct view_masks *ms = calloc(1, sizeof(*ms));
	view_rules(l, real, dealt, &vr);
	if (ms)
		view_frame(j, &vr, ms);
	view_rules_free(&vr);
	free(ms);
	if (!ms) {
		json_decref(j);
		reply_error(r, 503, "out of memory");
		return;
	}
	if (dealt) {
		/* frame `real` shown at place num: "Frame 2: 74 bytes..." becomes "Frame 3: 74 bytes..." */
		json_t *tree = json_object_get(j, "tree");
		json_t *top = json_array_get(tree, 0);
		const char *label = json_string_value(json_object_get(top, "l"));
		const char *colon = label && !strncmp(label, "Frame ", 6) ? strchr(label, ':') : NULL;
		if (colon)
			json_object_set_new(top, "l", json_sprintf("Frame %lu%s", num, colon));
		json_object_set_new(j, "frame", json_integer((json_int_t)num));
	}
	reply_json(r, 200, j);
}

/* ------------------------------------------------------------------ what a student is dealt */

uint64_t
choice_seed(const struct loaded *l, int64_t user)
{
	uint64_t s = (uint64_t)user * 0x9e3779b97f4a7c15ull ^ (uint64_t)l->id * 0xc2b2ae3d27d4eb4full;
	return tq_splitmix64(&s);
}

int
trace_downloadable(const json_t *doc)
{
	const json_t *view = json_object_get(doc, "view");
	if (json_array_size(json_object_get(view, "exclude")) || json_array_size(json_object_get(view, "redact")))
		return 0;
	size_t i;
	json_t *qn;
	json_array_foreach(json_object_get(doc, "questions"), i, qn)
		if (json_object_size(json_object_get(qn, "hide")) > 0 || question_is(qn, "order"))
			return 0;
	return 1;
}

json_t *
student_doc(const struct loaded *l, int64_t user)
{
	json_t *d = json_deep_copy(l->public_doc);
	/* whether GET .../trace gives this student the file: the page offers the link, or says why not */
	json_object_set_new(d, "downloadable", json_boolean(trace_downloadable(tq_exercise_doc(l->ex))));
	size_t i;
	json_t *qn;
	/* a choice question with a limit shows each student their own few choices (doc/exercises.md) */
	json_array_foreach(json_object_get(d, "questions"), i, qn) {
		json_t *all = json_object_get(qn, "choices");
		if (!question_is(qn, "choice") || !json_integer_value(json_object_get(qn, "limit")))
			continue;
		size_t idx[TQ_EX_MAX_CHOICES];
		size_t n = tq_exercise_pick_choices(l->ex, i, choice_seed(l, user), idx, TQ_EX_MAX_CHOICES);
		json_t *shown = json_array();
		for (size_t k = 0; k < n; k++)
			json_array_append(shown, json_array_get(all, idx[k]));
		json_object_set_new(qn, "choices", shown);
		json_object_del(qn, "limit");
	}
	return d;
}

/* ------------------------------------------------------------------ submissions */

struct sublist {
	json_t *list;
	int staff;
};

static int
sub_one(void *arg, const struct tq_subrow *row)
{
	struct sublist *sl = arg;
	json_t *res = json_loads(row->result ? row->result : "null", 0, NULL);
	json_t *ans = json_loads(row->answers ? row->answers : "null", 0, NULL);
	json_t *o = json_pack("{s:I,s:s,s:f,s:f,s:I,s:I,s:o*,s:o*}", "id", (json_int_t)row->id, "student",
	    row->student ? row->student : "", "score", row->score, "max", row->max, "created", (json_int_t)row->created,
	    "key_version", (json_int_t)row->key_version, "answers", ans, "result", res);
	json_t *hist = row->regrades ? json_loads(row->regrades, 0, NULL) : NULL;
	if (hist)
		json_object_set_new(o, "regrades", hist);
	json_array_append_new(sl->list, o);
	return json_array_size(sl->list) >= 10000;
}

/*
 * Grades answers and stores them, one transaction: the submission is
 * committed before its grade is sent.  A student's submissions are counted
 * in it too (opts.submit_per_minute, the exercise's attempts), so two at
 * once cannot both pass the limit.  0 with *res (the grade, with its id) and
 * r untouched; -1 with r set.
 */
static int
grade_and_store(struct app *a, struct loaded *l, int64_t user_id, const json_t *answers, const json_t *graded,
    const struct tq_grade_opts *opts, int limits, json_t **res, struct reply *r)
{
	char err[600];
	*res = tq_exercise_grade(l->ex, l->cap, graded, opts, err, sizeof(err));
	if (!*res) {
		reply_error(r, strstr(err, "too long") || strstr(err, "too large") ? 413 : 400, "answers: %s", err);
		return -1;
	}
	struct tq_store *st = app_store(a);
	char *ans = json_dumps(answers, JSON_COMPACT), *rs = json_dumps(*res, JSON_COMPACT);
	int64_t id = 0, total = 0, recent = 0;
	size_t max_attempts = tq_exercise_attempts(l->ex);
	int rc = ans && rs && st ? tq_store_begin(st) : TQ_STORE_ERROR;
	if (rc == 0 && limits)
		rc = tq_store_attempts(st, l->id, user_id, (int64_t)time(NULL) - 60, &total, &recent);
	if (rc == 0 && limits && recent >= a->o.submit_per_minute) {
		reply_error(r, 429, "you submitted %lld times in the last minute: wait a minute before the next", (long long)recent);
		r->retry_after = 60;
		rc = 1;
	} else if (rc == 0 && limits && max_attempts && (size_t)total >= max_attempts) {
		reply_error(r, 403, "you have used your %zu attempts at this exercise", max_attempts);
		rc = 1;
	}
	if (rc == 0)
		rc = tq_store_submission_add(st, l->id, user_id, ans, json_number_value(json_object_get(*res, "score")),
		    json_number_value(json_object_get(*res, "max")), rs, l->key_version, &id);
	if (rc == 0)
		rc = tq_store_commit(st);
	if (rc && st)
		tq_store_rollback(st);
	if (rc < 0)
		reply_error(r, 503, "the submission could not be stored (%s); nothing was kept, try again",
		    st ? tq_store_error(st) : "no database");
	free(ans);
	free(rs);
	if (rc) {
		json_decref(*res);
		*res = NULL;
		return -1;
	}
	json_object_set_new(*res, "id", json_integer(id));
	json_object_set_new(*res, "key_version", json_integer(l->key_version));
	if (limits && max_attempts)
		json_object_set_new(*res, "attempts_left", json_integer((json_int_t)(max_attempts - (size_t)total - 1)));
	return 0;
}

/*
 * A student's answers as they are graded (a new copy): an order answer lists
 * places, graded as the frames dealt there.  Submissions are stored as given,
 * so the student's history does not tell them the deal.
 */
static json_t *
as_graded(const struct loaded *l, int64_t user, const json_t *answers)
{
	struct shuffle sh;
	shuffle_for(l, user, &sh);
	json_t *graded = json_deep_copy(answers);
	size_t i;
	json_t *qn;
	json_array_foreach(json_object_get(tq_exercise_doc(l->ex), "questions"), i, qn) {
		const char *id = json_string_value(json_object_get(qn, "id"));
		json_t *ans = id ? json_object_get(graded, id) : NULL;
		size_t k;
		json_t *v;
		if (!sh.n || !json_is_array(ans) || !question_is(qn, "order"))
			continue;
		json_array_foreach(ans, k, v)
			if (json_is_integer(v) && json_integer_value(v) > 0 && json_integer_value(v) <= UINT32_MAX)
				json_array_set_new(ans, k, json_integer(shuffled(&sh, (uint32_t)json_integer_value(v), NULL)));
	}
	return graded;
}

static void
submit(struct app *a, struct loaded *l, const struct tq_user *u, const struct req *q, struct reply *r)
{
	json_t *body = parse_body(q, r);
	if (!body)
		return;
	json_t *answers = json_object_get(body, "answers");
	if (!json_is_object(answers) || json_object_size(body) != 1) {
		reply_error(r, 400, "the body is {\"answers\": {question id: answer, ...}}");
		json_decref(body);
		return;
	}
	json_t *graded = as_graded(l, u->id, answers);
	/* graded against the choices the student was shown */
	struct tq_grade_opts opts = { .choice_seed = choice_seed(l, u->id), .limit_choices = 1 };
	json_t *res;
	if (grade_and_store(a, l, u->id, answers, graded, &opts, 1, &res, r) == 0)
		reply_json(r, 201, res);
	json_decref(graded);
	json_decref(body);
}

/* ------------------------------------------------------------------ regrading */

struct regrade_sub {
	struct tq_regrade_row row;   /* answers owned */
	json_t *res;                 /* the new grade, NULL when it could not be made */
};

struct regrade_list {
	struct regrade_sub *v;
	size_t n, cap;
	int nomem;
};

static int
regrade_take(void *arg, const struct tq_regrade_row *row)
{
	struct regrade_list *rl = arg;
	if (rl->n == rl->cap) {
		size_t nc = rl->cap ? rl->cap * 2 : 64;
		struct regrade_sub *v = realloc(rl->v, nc * sizeof(*v));
		if (!v) {
			rl->nomem = 1;
			return 1;
		}
		rl->v = v;
		rl->cap = nc;
	}
	struct regrade_sub *s = &rl->v[rl->n];
	s->row = *row;
	s->res = NULL;
	if (!(s->row.answers = strdup(row->answers ? row->answers : "{}"))) {
		rl->nomem = 1;
		return 1;
	}
	rl->n++;
	return 0;
}

/*
 * A stored submission graded again on l's keys, as it was graded when it was
 * made: a student's against their deal, an auto-grader's as given.  Answers
 * to a question the exercise no longer has are left out.  NULL when it cannot
 * be graded (its answers are damaged).
 */
static json_t *
regrade_one(const struct loaded *l, const struct tq_regrade_row *row)
{
	json_t *given = json_loads(row->answers, 0, NULL), *kept = json_object();
	size_t i;
	json_t *qn;
	json_array_foreach(json_object_get(tq_exercise_doc(l->ex), "questions"), i, qn) {
		const char *id = json_string_value(json_object_get(qn, "id"));
		json_t *v = id ? json_object_get(given, id) : NULL;
		if (v)
			json_object_set(kept, id, v);
	}
	char err[600];
	json_t *res;
	if (row->external) {
		res = tq_exercise_grade(l->ex, l->cap, kept, NULL, err, sizeof(err));
	} else {
		json_t *graded = as_graded(l, row->user_id, kept);
		struct tq_grade_opts opts = { .choice_seed = choice_seed(l, row->user_id), .limit_choices = 1 };
		res = tq_exercise_grade(l->ex, l->cap, graded, &opts, err, sizeof(err));
		json_decref(graded);
	}
	json_decref(given);
	json_decref(kept);
	return res;
}

/*
 * POST .../regrade: every submission graded again against the exercise's
 * current keys, in one transaction.  One whose score or key version changes
 * gets the new grade and a line of history (who, when, old and new); the
 * others are left as they are.  Replies with the counts.
 */
static void
regrade(struct app *a, const struct loaded *l, const struct tq_user *u, struct reply *r)
{
	struct tq_store *st = app_store(a);
	struct regrade_list rl = { 0 };
	if (!st || tq_store_regrade_list(st, l->id, regrade_take, &rl) != 0 || rl.nomem) {
		reply_error(r, 503, rl.nomem ? "out of memory" : "the database failed; try again");
		goto out;
	}
	size_t changed = 0, scores = 0, failed = 0;
	for (size_t i = 0; i < rl.n; i++)
		if (!(rl.v[i].res = regrade_one(l, &rl.v[i].row)))
			failed++;
	int rc = tq_store_begin(st);
	for (size_t i = 0; rc == 0 && i < rl.n; i++) {
		struct regrade_sub *s = &rl.v[i];
		if (!s->res)
			continue;
		double score = json_number_value(json_object_get(s->res, "score"));
		double max = json_number_value(json_object_get(s->res, "max"));
		if (score == s->row.score && max == s->row.max && s->row.key_version == l->key_version)
			continue;
		char *text = json_dumps(s->res, JSON_COMPACT);
		rc = text ? tq_store_regrade_set(st, &s->row, score, max, text, l->key_version, u->id) : TQ_STORE_ERROR;
		free(text);
		changed++;
		scores += score != s->row.score || max != s->row.max;
	}
	if (rc == 0)
		rc = tq_store_commit(st);
	if (rc) {
		tq_store_rollback(st);
		reply_error(r, 503, "the regrade could not be stored (%s); no score was changed, try again", tq_store_error(st));
		goto out;
	}
	reply_json(r, 200, json_pack("{s:s,s:I,s:I,s:I,s:I,s:I,s:I}", "exercise", l->slug, "key_version",
	    (json_int_t)l->key_version, "submissions", (json_int_t)rl.n, "regraded", (json_int_t)changed, "scores_changed",
	    (json_int_t)scores, "unchanged", (json_int_t)(rl.n - changed - failed), "failed", (json_int_t)failed));
out:
	for (size_t i = 0; i < rl.n; i++) {
		free((char *)rl.v[i].row.answers);
		json_decref(rl.v[i].res);
	}
	free(rl.v);
}

/*
 * Who may do what with an exercise: admins and the course's teachers all
 * (staff); a student reads a published exercise of a course they are enrolled
 * in, or of an open one.  To anyone else it does not exist: the same 404
 * whether it does or not.  0, or -1 with the reply set.
 */
static int
access_of(struct app *a, const struct tq_user *u, const char *slug, int64_t course_id, int published, int *staff,
    struct reply *r)
{
	struct tq_store *st = app_store(a);
	int teaches = st && is_staff(u) ? tq_store_teaches(st, course_id, u->id) : 0;
	*staff = role_of(u) == ROLE_ADMIN || teaches == 1;
	if (*staff)
		return 0;
	int sees = st && published ? tq_store_can_see(st, course_id, u->id) : 0;
	if (!st || sees < 0 || teaches < 0) {
		reply_error(r, 503, "the database failed; try again");
		return -1;
	}
	if (!sees) {
		reply_error(r, 404, "there is no exercise '%.100s'", slug);
		return -1;
	}
	return 0;
}

int
exercise_access(struct app *a, const struct tq_user *u, const struct loaded *l, int *staff, struct reply *r)
{
	return access_of(a, u, l->slug, l->course_id, l->published, staff, r);
}

/* An exercise's id, course and whether it is published, from its row; 0, or -1 with r set (404, 503). */
static int
exercise_meta(struct app *a, const char *slug, int64_t *id, int64_t *course, int *published, struct reply *r)
{
	struct tq_store *st = app_store(a);
	int rc = st ? tq_store_exercise_meta(st, slug, id, course, published) : TQ_STORE_ERROR;
	if (rc == TQ_STORE_NOTFOUND)
		reply_error(r, 404, "there is no exercise '%.100s'", slug);
	else if (rc)
		reply_error(r, 503, "the database failed; try again");
	return rc ? -1 : 0;
}

struct loaded *
exercise_open(struct app *a, const struct tq_user *u, const char *slug, int *staff, struct reply *r)
{
	int64_t id, course;
	int published;
	/* who may see it is known before it is loaded: nobody makes the server load what they may not see */
	if (exercise_meta(a, slug, &id, &course, &published, r) != 0 || access_of(a, u, slug, course, published, staff, r) != 0)
		return NULL;
	char err[600];
	unsigned status;
	struct loaded *l = app_exercise(a, slug, &status, err, sizeof(err));
	if (!l)
		reply_error(r, status, "%s", err);
	return l;
}

void
api_exercise_routes(struct app *a, struct MHD_Connection *c, const char *method, const char *path, struct req *q,
    struct reply *r)
{
	/* /api/v1/exercises/SLUG/{frames[/N],submissions,keys,stats,submissions.csv,trace,regrade} */
	const char *p = path + strlen("/api/v1/exercises/");
	const char *slash = strchr(p, '/');
	char slug[128];
	if (!slash || (size_t)(slash - p) >= sizeof(slug) || slash == p) {
		reply_error(r, 404, "there is no such exercise");
		return;
	}
	memcpy(slug, p, (size_t)(slash - p));
	slug[slash - p] = '\0';
	const char *rest = slash + 1;
	const struct tq_user *u = &q->user;
	int staff;
	struct loaded *l = exercise_open(a, u, slug, &staff, r);
	if (!l)
		return;
	if (!strcmp(rest, "frames")) {
		frames_page(a, c, q, l, staff ? 0 : u->id, r);
	} else if (!strncmp(rest, "frames/", 7)) {
		frame_tree(c, l, staff ? 0 : u->id, rest + 7, r);
	} else if (!strcmp(rest, "follow")) {
		follow_stream(a, c, q, l, staff ? 0 : u->id, r);
	} else if (!strcmp(rest, "submissions")) {
		if (!strcmp(method, "POST")) {
			submit(a, l, u, q, r);
		} else {
			/* a student sees their own; the course's instructors see all */
			struct sublist sl = { json_array(), staff };
			if (tq_store_submissions(app_store(a), l->id, staff ? -1 : u->id, sub_one, &sl) != 0) {
				json_decref(sl.list);
				reply_error(r, 503, "the database failed; try again");
			} else {
				reply_json(r, 200, json_pack("{s:o}", "submissions", sl.list));
			}
		}
	} else if (!strcmp(rest, "trace")) {
		exercise_trace(a, l, staff, r);
	} else if (!staff) {
		reply_error(r, 403, "only the course's instructors see the keys, the statistics and the submissions of all");
	} else if (!strcmp(rest, "keys")) {
		json_t *k = tq_exercise_keys_json(l->ex);
		json_object_set_new(k, "key_version", json_integer(l->key_version));
		reply_json(r, 200, k);
	} else if (!strcmp(rest, "regrade")) {
		regrade(a, l, u, r);
	} else if (!strcmp(rest, "stats")) {
		exercise_stats(a, l, r);
	} else if (!strcmp(rest, "submissions.csv")) {
		exercise_csv(a, l, r);
	}
	app_release(l);
}

/* ------------------------------------------------------------------ the auto-grader */

static int
has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

/*
 * POST /api/v1/grade {"exercise", "student", "answers"}: an auto-grader's
 * submission for one of its students.  The student is an external id in the
 * namespace of the exercise's course (never a local account), made and
 * enrolled on first use.  A token limited to some courses or exercises grades
 * those only.  The grade is stored before it is sent.
 */
void
route_grade(struct app *a, struct MHD_Connection *c, const char *method, const char *path, struct req *q,
    struct reply *r)
{
	(void)c, (void)method, (void)path;
	json_t *body = parse_body(q, r);
	if (!body)
		return;
	struct loaded *l = NULL;
	const char *slug = json_string_value(json_object_get(body, "exercise"));
	const char *student = json_string_value(json_object_get(body, "student"));
	json_t *answers = json_object_get(body, "answers");
	const char *k;
	json_t *v;
	json_object_foreach(body, k, v)
		if (strcmp(k, "exercise") && strcmp(k, "student") && strcmp(k, "answers")) {
			reply_error(r, 400, "unknown key '%.60s' (the keys are exercise, student and answers)", k);
			goto out;
		}
	if (!slug || !*slug || strlen(slug) > 100) {
		reply_error(r, 400, "exercise: expected the exercise's slug as text");
		goto out;
	}
	if (!student || !*student || strlen(student) > 100 || has_control(student)) {
		reply_error(r, 400, "student: expected the student's id as text (1 to 100 characters, no control characters)");
		goto out;
	}
	if (!json_is_object(answers)) {
		reply_error(r, 400, "answers: expected an object from question id to answer");
		goto out;
	}
	struct tq_store *st = app_store(a);
	int64_t id, course_id;
	int published;
	if (exercise_meta(a, slug, &id, &course_id, &published, r) != 0)
		goto out;
	int allowed = role_of(&q->user) == ROLE_ADMIN ? 1 : tq_store_teaches(st, course_id, q->user.id);
	if (allowed == 1 && q->token.limited)
		allowed = tq_store_token_granted(st, q->token.id, course_id, id);
	if (allowed < 0) {
		reply_error(r, 503, "the database failed; try again");
		goto out;
	}
	if (!allowed) {
		reply_error(r, 403, q->token.limited ? "this token may not grade '%.100s'" :
		    "your account does not teach the course of '%.100s'", slug);
		goto out;
	}
	/* loading the exercise is heavy work: done on the heavy pool */
	if (!q->on_pool && !app_exercise_ready(a, slug)) {
		q->defer = 1;
		goto out;
	}
	char err[600];
	unsigned status;
	if (!(l = app_exercise(a, slug, &status, err, sizeof(err)))) {
		reply_error(r, status == 404 ? 404 : 503, "%s", err);
		goto out;
	}
	char course_slug[128];
	int64_t sid;
	if (tq_store_course_slug(st, l->course_id, course_slug, sizeof(course_slug)) != 0 || tq_store_begin(st) != 0 ||
	    tq_store_external_user(st, l->course_id, course_slug, student, &sid) != 0 ||
	    tq_store_enrol(st, l->course_id, sid) != 0 || tq_store_commit(st) != 0) {
		tq_store_rollback(st);
		reply_error(r, 503, "the student could not be stored (%s); nothing was kept, try again", tq_store_error(st));
		goto out;
	}
	json_t *res;
	if (grade_and_store(a, l, sid, answers, answers, NULL, 0, &res, r) == 0) {
		json_object_del(res, "id");
		reply_json(r, 200, res);
	}
out:
	app_release(l);
	json_decref(body);
}
