/*
 * api_tokens.c - /api/v1/tokens: API tokens made (the secret shown once),
 * listed and revoked, each with a scope and the courses it is for.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "server.h"

/* The slugs of a JSON array (at most max, each a string), into out; -1 when it is not one. */
static int
slugs(const json_t *arr, const char **out, size_t max, size_t *n)
{
	*n = 0;
	if (!arr)
		return 0;
	if (!json_is_array(arr) || json_array_size(arr) > max)
		return -1;
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v) {
		if (!slug_ok(json_string_value(v)))
			return -1;
		out[(*n)++] = json_string_value(v);
	}
	return 0;
}

/*
 * POST /api/v1/tokens {"name", "scope"?, "courses"?, "exercises"?, "days"?}:
 * a token of the caller's, shown once.  Its scope is admin (the default),
 * read or grade; a grade token may be limited to courses and exercises the
 * caller teaches; days sets an expiry.  A token never makes a token beyond
 * itself: a token's token expires no later than it.
 */
static void
token_create(struct app *a, const struct tq_user *u, const struct req *q, struct reply *r)
{
	struct tq_store *st = app_store(a);
	json_t *body = parse_body(q, r);
	if (!body)
		return;
	const char *name = json_string_value(json_object_get(body, "name"));
	json_t *scope_j = json_object_get(body, "scope"), *days_j = json_object_get(body, "days");
	const char *courses[64], *exercises[64];
	size_t nc, ne;
	int scope = scope_j ? tq_scope_parse(json_string_value(scope_j)) : TQ_SCOPE_ADMIN;
	const char *k;
	json_t *v;
	json_object_foreach(body, k, v)
		if (strcmp(k, "name") && strcmp(k, "scope") && strcmp(k, "courses") && strcmp(k, "exercises") && strcmp(k, "days")) {
			reply_error(r, 400, "unknown key '%.60s' (the keys are name, scope, courses, exercises and days)", k);
			goto out;
		}
	if (!name || !*name || strlen(name) > 100) {
		reply_error(r, 422, "name: what the token is for, 1 to 100 characters (\"course LMS\")");
		goto out;
	}
	if (scope == TQ_SCOPE_NONE) {
		reply_error(r, 422, "scope: admin (all you may do), read (only read) or grade (only POST /api/v1/grade)");
		goto out;
	}
	if (slugs(json_object_get(body, "courses"), courses, 64, &nc) || slugs(json_object_get(body, "exercises"), exercises, 64,
	    &ne)) {
		reply_error(r, 422, "courses, exercises: lists of at most 64 slugs");
		goto out;
	}
	if ((nc || ne) && scope != TQ_SCOPE_GRADE) {
		reply_error(r, 422, "courses and exercises limit a grade token (scope grade)");
		goto out;
	}
	if (days_j && (!json_is_integer(days_j) || json_integer_value(days_j) < 1 || json_integer_value(days_j) > 3650)) {
		reply_error(r, 422, "days: the token's life in days, 1 to 3650 (none: it does not expire)");
		goto out;
	}
	int64_t expires = days_j ? (int64_t)time(NULL) + json_integer_value(days_j) * 86400 : 0;
	if (q->token.scope != TQ_SCOPE_NONE && q->token.expires && (!expires || expires > q->token.expires))
		expires = q->token.expires;
	char tok[65], err[300];
	int64_t id;
	int rc = token_mint(st, u, name, scope, courses, nc, exercises, ne, expires, tok, &id, err, sizeof(err));
	if (rc > 0) {
		reply_error(r, 422, "%s", err);
	} else if (rc) {
		reply_error(r, 503, "%s", err);
	} else {
		reply_json(r, 201, json_pack("{s:I,s:s,s:s,s:s}", "id", (json_int_t)id, "name", name, "scope",
		    tq_scope_name(scope), "token", tok));
		if (expires)
			json_object_set_new(r->json, "expires", json_integer(expires));
	}
out:
	json_decref(body);
}

void
api_tokens(struct app *a, struct MHD_Connection *c, const char *method, const char *path, struct req *q,
    struct reply *r)
{
	const struct tq_user *u = &q->user;
	(void)c;
	struct tq_store *st = app_store(a);
	if (!st) {
		reply_db_error(r, st);
		return;
	}
	if (!strcmp(path, "/api/v1/tokens")) {
		if (!strcmp(method, "POST")) {
			token_create(a, u, q, r);
		} else {
			json_t *l = tq_store_tokens(st, u->id);
			if (!l)
				reply_db_error(r, st);
			else
				reply_json(r, 200, json_pack("{s:o}", "tokens", l));
		}
		return;
	}
	char *end;
	errno = 0;
	long long id = strtoll(path + strlen("/api/v1/tokens/"), &end, 10);
	if (errno || *end || id <= 0 || tq_store_token_delete(st, id, u->id) != 0)
		reply_error(r, 404, "you have no token %.40s", path + strlen("/api/v1/tokens/"));
	else
		reply_json(r, 200, json_pack("{s:I}", "revoked", (json_int_t)id));
}
