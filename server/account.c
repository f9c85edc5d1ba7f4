/*
 * account.c - what a person does with their own account: change its
 * password (POST /api/v1/account/password {"old", "new"}).
 *
 * The old password is asked for, so that a session left open on a shared
 * machine cannot take the account over; a wrong one is a 403 (not a 401:
 * the session is still good) and counts as a failed try of this account,
 * throttled as logins are (a few free, then a delay that doubles, never a
 * lock).  The new password follows the rules of every other place that
 * sets one (8 to 1000 characters).  Changing it ends the account's other
 * sessions and its reset code; the session that changed it stays logged
 * in, and the API tokens stay (they are revoked one by one on their page).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "server.h"

#define CHANGE_WINDOW 900            /* seconds in which wrong old passwords count */
#define CHANGE_FREE 3                /* wrong ones before delays */
#define CHANGE_MAX_DELAY 300         /* seconds: a delay grows to this */

/* Seconds before the account may try again (0: now); -1 when the database fails. */
static int64_t
change_wait(struct tq_store *st, const char *key)
{
	int64_t t = (int64_t)time(NULL), n, last;
	if (tq_store_login_failures(st, key, t - CHANGE_WINDOW, &n, &last) != 0)
		return -1;
	if (n < CHANGE_FREE)
		return 0;
	int64_t k = n - CHANGE_FREE, delay = k >= 9 ? CHANGE_MAX_DELAY : (int64_t)1 << k;
	if (delay > CHANGE_MAX_DELAY)
		delay = CHANGE_MAX_DELAY;
	return last + delay > t ? last + delay - t : 0;
}

void
api_account_password(struct app *a, struct MHD_Connection *c, const char *method, const char *path, struct req *q,
    struct reply *r)
{
	(void)method, (void)path;
	const struct tq_user *u = &q->user;
	json_t *body = parse_body(q, r);
	if (!body)
		return;
	json_t *old_pw = json_object_get(body, "old"), *new_pw = json_object_get(body, "new");
	struct tq_store *st = app_store(a);
	char key[220], hash[160];
	int64_t wait, ended = 0;
	if (!json_is_string(old_pw) || !json_is_string(new_pw) || json_object_size(body) != 2) {
		reply_error(r, 400, "the body is {\"old\": your password, \"new\": the one you choose}");
		goto out;
	}
	if (json_string_length(new_pw) < 8 || json_string_length(new_pw) > 1000) {
		reply_error(r, 422, "new: a password of 8 to 1000 characters");
		goto out;
	}
	if (!u->pw_hash[0]) {
		reply_error(r, 403, "'%.100s' has no password to change", u->name);
		goto out;
	}
	snprintf(key, sizeof(key), "change:%s", u->name);
	if (!st || (wait = change_wait(st, key)) < 0) {
		reply_error(r, 503, "the database failed; try again");
		goto out;
	}
	if (wait > 0) {
		reply_error(r, 429, "too many wrong passwords: try again in %lld s", (long long)wait);
		r->retry_after = (unsigned)wait;
		goto out;
	}
	if (json_string_length(old_pw) > 1000 || password_verify(a, u, json_string_value(old_pw)) != 0) {
		tq_store_login_failed(st, key);
		reply_error(r, 403, "the old password is wrong: nothing was changed");
		goto out;
	}
	if (!strcmp(json_string_value(old_pw), json_string_value(new_pw))) {
		reply_error(r, 422, "new: this is the password you have; choose another");
		goto out;
	}
	/* the session asking stays: the SHA-256 of its cookie (a token's request keeps none) */
	const char *cookie = q->token.scope == TQ_SCOPE_NONE ? MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "tq_session") : NULL;
	uint8_t keep[32];
	int kept = cookie && strlen(cookie) == 64;
	if (kept)
		tq_sha256(cookie, 64, keep);
	if (tq_password_hash(json_string_value(new_pw), hash, sizeof(hash)) != 0 ||
	    tq_store_user_change_password(st, u->id, hash, kept ? keep : NULL, &ended) != 0) {
		reply_error(r, 503, "the password could not be stored; the old one still works, try again");
		goto out;
	}
	reply_json(r, 200, json_pack("{s:s,s:b,s:I}", "name", u->name, "password_changed", 1, "sessions_ended", (json_int_t)ended));
out:
	json_decref(body);
}
