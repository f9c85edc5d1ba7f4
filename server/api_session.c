/*
 * api_session.c - logging in and out (POST, GET and DELETE /api/v1/session),
 * each failure slowing down who fails, and one-time reset codes: made by
 * staff for an account, redeemed with a new password.
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
