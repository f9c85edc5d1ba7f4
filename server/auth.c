/*
 * auth.c - who asks: passwords (argon2id), secrets and digests, all
 * through libsodium; account names; API tokens made with their scope; and
 * a request's credentials (its session cookie or Bearer token, its role
 * against the route's need, a change's CSRF token and origin).
 *
 * argon2id at libsodium's interactive limits takes about 0.4 s and 64 MiB:
 * password_verify() lets at most KDF_AT_ONCE run together, so a burst of
 * logins costs the server a bounded amount of memory, and checks a name
 * that has no password against a dummy hash, so that a login takes as long
 * whether the name exists or not.  A password the server generates (128
 * random bits, shown once) needs no stretching: its hash is argon2id at the
 * minimum cost, so enrolling a class takes a moment, not an hour, and its
 * check is padded to the time of an interactive one.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <semaphore.h>
#include <strings.h>
#include <sys/socket.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "server.h"

int
tq_password_hash(const char *pw, char *out, size_t outlen)
{
	if (sodium_init() < 0 || outlen < crypto_pwhash_STRBYTES)
		return -1;
	return crypto_pwhash_str(out, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0 ? 0 : -1;
}

int
tq_password_hash_random(const char *pw, char *out, size_t outlen)
{
	if (sodium_init() < 0 || outlen < crypto_pwhash_STRBYTES)
		return -1;
	return crypto_pwhash_str(out, pw, strlen(pw), crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN) == 0 ? 0 : -1;
}

int
tq_password_check(const char *hash, const char *pw)
{
	if (sodium_init() < 0 || !hash || !*hash)
		return -1;
	return crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0 ? 0 : -1;
}

static sem_t kdf_slots;
static pthread_once_t kdf_once = PTHREAD_ONCE_INIT;

static void
kdf_init(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	sem_init(&kdf_slots, 0, n > 1 && n < 64 ? (unsigned)n : 2);
}

int
password_verify(struct app *a, const struct tq_user *u, const char *pw)
{
	pthread_once(&kdf_once, kdf_init);
	sem_wait(&kdf_slots);
	int known = u && u->pw_hash[0];
	int rc = tq_password_check(known ? u->pw_hash : a->dummy_hash, pw);
	/* a generated password's cheap hash is padded to an interactive one's time */
	if (known && crypto_pwhash_str_needs_rehash(u->pw_hash, crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		tq_password_check(a->dummy_hash, pw);
	sem_post(&kdf_slots);
	return known ? rc : -1;
}

void
tq_secret(char *hex, size_t nbytes)
{
	unsigned char buf[64];
	if (nbytes > sizeof(buf))
		nbytes = sizeof(buf);
	if (sodium_init() < 0)
		abort();        /* no randomness: nothing safe to do */
	randombytes_buf(buf, nbytes);
	sodium_bin2hex(hex, nbytes * 2 + 1, buf, nbytes);
	sodium_memzero(buf, sizeof(buf));
}

void
tq_sha256(const void *data, size_t len, uint8_t out[32])
{
	crypto_hash_sha256(out, data, len);
}

void
tq_sha256_hex(const void *data, size_t len, char out[65])
{
	uint8_t d[32];
	crypto_hash_sha256(d, data, len);
	sodium_bin2hex(out, 65, d, sizeof(d));
}

int
name_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > 100)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] > '~' || s[i] == ',' || s[i] == '/')
			return 0;
	return 1;
}

/* ------------------------------------------------------------------ tokens */

/* Grants the token one course or exercise u may grade; 0, 1 refused, -1 database. */
static int
grant(struct tq_store *st, const struct tq_user *u, int64_t token, const char *slug, int exercise, char *err, size_t errlen)
{
	int64_t course_id = 0, exercise_id = 0;
	int rc;
	if (exercise) {
		struct tq_exrow row;
		rc = tq_store_exercise_get(st, slug, &row);
		if (rc == 0) {
			course_id = row.course_id;
			exercise_id = row.id;
			tq_exrow_free(&row);
		}
	} else {
		struct tq_course c;
		rc = tq_store_course_get(st, slug, &c);
		if (rc == 0)
			course_id = c.id;
	}
	if (rc == TQ_STORE_NOTFOUND) {
		snprintf(err, errlen, "there is no %s '%.100s'", exercise ? "exercise" : "course", slug);
		return 1;
	}
	if (rc == 0) {
		rc = may_manage(st, u, course_id);
		if (rc == 0) {
			snprintf(err, errlen, "you do not teach %s '%.100s'", exercise ? "the course of" : "the course", slug);
			return 1;
		}
		rc = rc == 1 ? 0 : rc;
	}
	if (rc == 0)
		rc = tq_store_token_grant(st, token, exercise ? 0 : course_id, exercise_id);
	if (rc) {
		snprintf(err, errlen, "the database failed: %s", tq_store_error(st));
		return -1;
	}
	return 0;
}

int
token_mint(struct tq_store *st, const struct tq_user *u, const char *name, int scope, const char *const *courses,
    size_t ncourses, const char *const *exercises, size_t nexercises, int64_t expires, char tok[65], int64_t *id,
    char *err, size_t errlen)
{
	uint8_t hash[32];
	int64_t tid;
	int limited = ncourses + nexercises > 0;
	tq_secret(tok, 32);          /* 256 random bits */
	tq_sha256(tok, 64, hash);
	if (tq_store_begin(st) != 0 || tq_store_token_add(st, u->id, hash, name, scope, limited, expires, &tid) != 0) {
		snprintf(err, errlen, "the database failed: %s", tq_store_error(st));
		tq_store_rollback(st);
		return -1;
	}
	int rc = 0;
	for (size_t i = 0; i < ncourses && !rc; i++)
		rc = grant(st, u, tid, courses[i], 0, err, errlen);
	for (size_t i = 0; i < nexercises && !rc; i++)
		rc = grant(st, u, tid, exercises[i], 1, err, errlen);
	if (!rc && tq_store_commit(st) != 0) {
		snprintf(err, errlen, "the database failed: %s", tq_store_error(st));
		rc = -1;
	}
	if (rc) {
		tq_store_rollback(st);
		sodium_memzero(tok, 65);
		return rc;
	}
	if (id)
		*id = tid;
	return 0;
}

/* ------------------------------------------------------------------ who asks */

static int
peer_is(struct MHD_Connection *c, const char *addr)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	char buf[INET6_ADDRSTRLEN] = "";
	if (!addr || !ci || !ci->client_addr)
		return 0;
	if (ci->client_addr->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, buf, sizeof(buf));
	else if (ci->client_addr->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ci->client_addr)->sin6_addr, buf, sizeof(buf));
	return !strcmp(buf, addr);
}

void
client_addr(struct app *a, struct MHD_Connection *c, char *buf, size_t len)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	snprintf(buf, len, "?");
	if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, buf, (socklen_t)len);
	else if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ci->client_addr)->sin6_addr, buf, (socklen_t)len);
	const char *xff = a->o.trusted_proxy && peer_is(c, a->o.trusted_proxy) ? header(c, "X-Forwarded-For") : NULL;
	if (xff) {
		/* the proxy's own entry is the last: the address it saw */
		const char *last = strrchr(xff, ',');
		last = last ? last + 1 : xff;
		last += strspn(last, " ");
		size_t n = strspn(last, "0123456789abcdefABCDEF:.");
		if (n && n < len && n <= 45) {
			memcpy(buf, last, n);
			buf[n] = '\0';
		}
	}
}

/* Whether replies go to the browser over HTTPS (the session cookie is then Secure). */
int
request_over_https(struct app *a, struct MHD_Connection *c)
{
	if (a->o.behind_https)
		return 1;
	const char *p = a->o.trusted_proxy && peer_is(c, a->o.trusted_proxy) ? header(c, "X-Forwarded-Proto") : NULL;
	return p && !strcasecmp(p, "https");
}

const char *
cookie_attrs(struct app *a, struct MHD_Connection *c)
{
	return request_over_https(a, c) ? "; Path=/; HttpOnly; SameSite=Strict; Secure" : "; Path=/; HttpOnly; SameSite=Strict";
}

enum role
role_of(const struct tq_user *u)
{
	if (!strcmp(u->role, "admin"))
		return ROLE_ADMIN;
	if (!strcmp(u->role, "instructor"))
		return ROLE_INSTRUCTOR;
	if (!strcmp(u->role, "student"))
		return ROLE_STUDENT;
	return ROLE_NONE;
}

int
is_staff(const struct tq_user *u)
{
	return role_of(u) >= ROLE_INSTRUCTOR;
}

int
may_manage(struct tq_store *st, const struct tq_user *u, int64_t course_id)
{
	if (role_of(u) == ROLE_ADMIN)
		return 1;
	if (!is_staff(u))
		return 0;
	int rc = tq_store_teaches(st, course_id, u->id);
	return rc < 0 ? -1 : rc;
}

/*
 * The account behind a request's credentials: a Bearer token (which may have
 * expired) or a session cookie.  0 with u (and tok: scope NONE for a session;
 * csrf: the session's token) set; TQ_STORE_NOTFOUND (*why says why) when
 * there are none or they are not valid; TQ_STORE_ERROR when the database fails.
 */
static int
identify(struct app *a, struct MHD_Connection *c, struct tq_user *u, struct tq_token *tok, char *csrf, size_t csrflen,
    const char **why)
{
	struct tq_store *st = app_store(a);
	memset(tok, 0, sizeof(*tok));
	csrf[0] = '\0';
	if (!st)
		return TQ_STORE_ERROR;
	const char *h = header(c, "Authorization");
	if (h) {
		if (strncasecmp(h, "Bearer ", 7) || !h[7]) {
			*why = "the Authorization header must be: Bearer TOKEN";
			return TQ_STORE_NOTFOUND;
		}
		uint8_t hash[32];
		tq_sha256(h + 7, strlen(h + 7), hash);
		int rc = tq_store_token_user(st, hash, (int64_t)time(NULL), u, tok);
		if (rc == TQ_STORE_NOTFOUND)
			*why = "the API token is not valid (revoked or expired?)";
		return rc;
	}
	const char *cookie = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "tq_session");
	if (!cookie) {
		*why = "log in first (POST /api/v1/session), or give an API token";
		return TQ_STORE_NOTFOUND;
	}
	if (strlen(cookie) != 64) {
		*why = "the session has ended: log in again";
		return TQ_STORE_NOTFOUND;
	}
	uint8_t hash[32];
	tq_sha256(cookie, 64, hash);
	int rc = tq_store_session_user(st, hash, (int64_t)time(NULL), u, csrf, csrflen);
	if (rc == TQ_STORE_NOTFOUND)
		*why = "the session has ended: log in again";
	return rc;
}

/* Whether a request that changes something comes from our own pages (or from no browser at all). */
static int
same_origin(struct app *a, struct MHD_Connection *c)
{
	const char *site = header(c, "Sec-Fetch-Site");
	if (site && strcmp(site, "same-origin") && strcmp(site, "none"))
		return 0;
	const char *origin = header(c, "Origin");
	if (!origin)
		return 1;                /* not a browser's cross-site request: they all send Origin */
	const char *host = a->o.trusted_proxy && peer_is(c, a->o.trusted_proxy) && header(c, "X-Forwarded-Host") ?
	    header(c, "X-Forwarded-Host") : header(c, "Host");
	const char *o = strstr(origin, "://");
	return host && o && !strcasecmp(o + 3, host);
}

static int
changes(const char *method)
{
	return strcmp(method, "GET") && strcmp(method, "HEAD");
}

/* Checks who asks against what the route needs; 0, or -1 with r set. */
int
authorize(struct app *a, struct MHD_Connection *c, const char *method, struct req *q, struct reply *r)
{
	const struct route *rt = q->route;
	int bearer = header(c, "Authorization") != NULL;
	if (changes(method) && !bearer && !(rt->flags & R_CROSS_SITE) && !same_origin(a, c)) {
		reply_error(r, 403, "a request that changes something must come from tracequiz's own pages");
		return -1;
	}
	if (rt->need == NEED_ANYONE)
		return 0;
	const char *why = "";
	int rc = identify(a, c, &q->user, &q->token, q->csrf, sizeof(q->csrf), &why);
	if (rc == TQ_STORE_NOTFOUND) {
		reply_error(r, 401, "%s", why);
		return -1;
	}
	if (rc) {
		reply_error(r, 503, "the database failed; try again");
		return -1;
	}
	/* a cookie travels by itself: a change needs the token the page was given too */
	if (!bearer && changes(method)) {
		const char *x = header(c, "X-CSRF-Token");
		if (!x || strlen(x) != strlen(q->csrf) || sodium_memcmp(x, q->csrf, strlen(q->csrf)) != 0) {
			reply_error(r, 403, "this request needs the session's X-CSRF-Token header");
			return -1;
		}
	}
	if (q->token.scope == TQ_SCOPE_READ && changes(method)) {
		reply_error(r, 403, "this API token may only read (its scope is read)");
		return -1;
	}
	if (q->token.scope == TQ_SCOPE_GRADE && !(rt->flags & R_GRADE)) {
		reply_error(r, 403, "this API token may only grade (its scope is grade): POST /api/v1/grade");
		return -1;
	}
	enum role have = role_of(&q->user);
	switch (rt->need) {
	case NEED_STUDENT:
		if (have != ROLE_STUDENT) {
			reply_error(r, 403, "this is a student's: instructors grade through POST /api/v1/grade");
			return -1;
		}
		break;
	case NEED_STAFF:
		if (have < ROLE_INSTRUCTOR) {
			reply_error(r, 403, "this is for instructors and admins");
			return -1;
		}
		break;
	case NEED_ADMIN:
		if (have < ROLE_ADMIN) {
			reply_error(r, 403, "only admins may do this");
			return -1;
		}
		break;
	default:
		break;
	}
	return 0;
}
