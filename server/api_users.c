/*
 * api_users.c - /api/v1/users: accounts made, listed and changed by an
 * admin, passwords set, and one-time reset codes made by staff.
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

/*
 * POST /api/v1/users/NAME/password {"password"?} (admins): a new password,
 * given or generated (shown once); the account's sessions, tokens and reset
 * code end.
 */
static void
password_set(struct app *a, const struct tq_user *who, const struct req *q, struct reply *r)
{
	struct tq_store *st = app_store(a);
	json_t *body = q->len ? parse_body(q, r) : json_object();
	if (!body)
		return;
	json_t *given = json_object_get(body, "password");
	char pw[33], hash[160];
	if ((given && (!json_is_string(given) || json_string_length(given) < 8 || json_string_length(given) > 1000)) ||
	    json_object_size(body) > (given ? 1u : 0u)) {
		reply_error(r, 422, "the body is empty (a password is made) or {\"password\": 8 to 1000 characters}");
	} else {
		if (!given)
			tq_secret(pw, 16);
		if ((given ? tq_password_hash(json_string_value(given), hash, sizeof(hash)) :
		    tq_password_hash_random(pw, hash, sizeof(hash))) != 0 || tq_store_user_set_password(st, who->id, hash) != 0)
			reply_db_error(r, st);
		else
			reply_json(r, 200, given ? json_pack("{s:s}", "name", who->name) :
			    json_pack("{s:s,s:s}", "name", who->name, "password", pw));
	}
	json_decref(body);
}

/*
 * POST /api/v1/users/NAME/reset-code: a one-time code (and a link) for the
 * account's student to set a new password with, shown once to be handed
 * over.  Course staff never set a password themselves, and hand codes only
 * to the accounts their course's enrolment made and that study nowhere
 * else: enrolling someone else's student grants nothing over them.  Admins
 * for any account.
 */
static void
reset_code_route(struct app *a, const struct tq_user *u, const struct tq_user *who, struct reply *r)
{
	struct tq_store *st = app_store(a);
	if (role_of(u) != ROLE_ADMIN) {
		int64_t elsewhere = 0;
		int rc = role_of(who) == ROLE_STUDENT && who->origin_course ? may_manage(st, u, who->origin_course) : 0;
		if (rc == 1 && tq_store_courses_elsewhere(st, who->id, who->origin_course, &elsewhere) != 0)
			rc = -1;
		if (rc < 0) {
			reply_db_error(r, st);
			return;
		}
		if (rc != 1 || elsewhere) {
			reply_error(r, 403, "'%.100s' is not an account your course made, or it studies elsewhere too: ask an admin to "
			    "reset its password", who->name);
			return;
		}
	}
	json_t *j = reset_code(a, who, u, r);
	if (j)
		reply_json(r, 200, j);
}

/* PATCH /api/v1/users/NAME {"role"}: an admin changes an account's role; its sessions and tokens end. */
static void
user_change(struct app *a, const struct tq_user *u, const struct tq_user *who, const struct req *q, struct reply *r)
{
	struct tq_store *st = app_store(a);
	json_t *body = parse_body(q, r);
	if (!body)
		return;
	const char *role = json_string_value(json_object_get(body, "role"));
	if (!role || json_object_size(body) != 1 || (strcmp(role, "student") && strcmp(role, "instructor") && strcmp(role, "admin"))) {
		reply_error(r, 422, "the body is {\"role\": \"student\", \"instructor\" or \"admin\"}");
	} else if (who->external) {
		reply_error(r, 422, "'%.100s' is an auto-grader's student: it has no role to change", who->name);
	} else if (who->id == u->id && strcmp(role, "admin")) {
		reply_error(r, 422, "an admin cannot take their own admin role: ask another admin");
	} else if (tq_store_user_set_role(st, who->id, role) != 0) {
		reply_db_error(r, st);
	} else {
		reply_json(r, 200, json_pack("{s:s,s:s}", "name", who->name, "role", role));
	}
	json_decref(body);
}

void
api_users(struct app *a, struct MHD_Connection *c, const char *method, const char *path, struct req *q,
    struct reply *r)
{
	const struct tq_user *u = &q->user;
	(void)c;
	struct tq_store *st = app_store(a);
	if (!st) {
		reply_db_error(r, st);
		return;
	}
	const char *rest = path_after(path, "/api/v1/users/");
	if (rest) {
		/* /api/v1/users/NAME[/password|/reset-code] */
		char name[200];
		size_t n = strcspn(rest, "/");
		struct tq_user who;
		if (n >= sizeof(name)) {
			reply_error(r, 404, "there is no account '%.100s'", rest);
			return;
		}
		memcpy(name, rest, n);
		name[n] = '\0';
		int rc = tq_store_user_by_name(st, name, &who);
		if (rc == TQ_STORE_NOTFOUND) {
			reply_error(r, 404, "there is no account '%.100s'", name);
			return;
		}
		if (rc) {
			reply_db_error(r, st);
			return;
		}
		if (!rest[n])
			user_change(a, u, &who, q, r);
		else if (!strcmp(rest + n, "/password"))
			password_set(a, &who, q, r);
		else
			reset_code_route(a, u, &who, r);
		return;
	}
	if (!strcmp(method, "GET")) {
		json_t *l = tq_store_users(st);
		if (!l)
			reply_db_error(r, st);
		else
			reply_json(r, 200, json_pack("{s:o}", "users", l));
		return;
	}
	json_t *body = parse_body(q, r);
	if (!body)
		return;
	const char *name = json_string_value(json_object_get(body, "name"));
	const char *role = json_string_value(json_object_get(body, "role"));
	const char *given = json_string_value(json_object_get(body, "password"));
	char pw[33], hash[160];
	int64_t id;
	if (!name_ok(name) || !role || (strcmp(role, "student") && strcmp(role, "instructor") && strcmp(role, "admin")) ||
	    (json_object_get(body, "password") && (!given || strlen(given) < 8 || strlen(given) > 1000))) {
		reply_error(r, 422, "give name (1 to 100 printable characters, no space, ',' or '/'), role (student, instructor "
		    "or admin) and, if you choose it, password (8 to 1000 characters)");
	} else {
		if (!given)
			tq_secret(pw, 16);
		int rc = (given ? tq_password_hash(given, hash, sizeof(hash)) : tq_password_hash_random(pw, hash, sizeof(hash))) ?
		    TQ_STORE_ERROR : tq_store_user_add(st, name, role, hash, 0, &id);
		if (rc == TQ_STORE_EXISTS)
			reply_error(r, 409, "there is an account '%.100s' already", name);
		else if (rc)
			reply_db_error(r, st);
		else
			reply_json(r, 201, given ? json_pack("{s:s,s:s}", "name", name, "role", role) :
			    json_pack("{s:s,s:s,s:s}", "name", name, "role", role, "password", pw));
	}
	json_decref(body);
}
