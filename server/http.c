/*
 * http.c - the server's side of libmicrohttpd: connections, requests and
 * replies.
 *
 * Connections.  Every open connection is recorded (accept, close) with a
 * deadline: its request's headers must be in within opts.header_seconds of
 * its opening (or of its previous reply), a body within a time that grows
 * with its announced length.  A watchdog thread shuts down the connections
 * past their deadline, as nginx's client_header_timeout does, so that slow
 * clients cannot hold the server's connections.  An address may hold
 * opts.per_ip connections; past three quarters of opts.max_conns, only an
 * address with few connections may open more, and the header deadline
 * shrinks: the last quarter stays for new clients.
 *
 * Requests.  A request is answered in three steps.  When its headers are in,
 * its route is found (routes.c), its credentials checked against what the
 * route needs, and its body's length, type and share of the in-flight
 * budget (opts.max_inflight) checked: a refusal (401, 403, 404, 405, 413,
 * 415, 503) is sent at once, before a byte of the body is accepted, and the
 * connection closed.  The body is then taken: JSON into memory up to its
 * cap, an upload into a temporary file (a form through libmicrohttpd's
 * parser, its file part to the file and its text parts to memory).  Last,
 * the route's handler runs: here, or, when its work is heavy, on the heavy
 * pool (jobs.c) while the connection is suspended.
 *
 * Every reply this server makes is JSON with a message ({"error": ...})
 * when it is an error, whatever the route or the failure.
 */
#include "config.h"

#include <ctype.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "server.h"

#define SMALL_BODY 4096              /* a login's, a reset code's */
#define BODY_GRACE_S 60              /* a body's deadline: this, plus its length at BODY_MIN_RATE */
#define BODY_MIN_RATE (32 * 1024)    /* bytes a second */
#define PRESSED_HEADER_S 2           /* the header deadline past three quarters of the connections */
#define FEW_CONNS 4                  /* what an address may still open then */

static uint64_t
now_ns(void)
{
	return tq_monotonic_ns();
}

/* ------------------------------------------------------------------ connections */

struct conn {
	struct sockaddr_storage addr;
	socklen_t alen;
	int fd;
	uint64_t since;              /* when its current phase began */
	uint64_t deadline;           /* 0: none (a request being answered) */
	int waiting;                 /* for a request's headers: the pressed deadline applies */
	struct conn *prev, *next;
};

struct conns {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct conn *head;
	unsigned n;
	int stop;
	pthread_t watchdog;
	struct app *a;
};

static int
same_addr(const struct sockaddr *x, const struct sockaddr_storage *y)
{
	if (x->sa_family != y->ss_family)
		return 0;
	if (x->sa_family == AF_INET)
		return ((const struct sockaddr_in *)x)->sin_addr.s_addr == ((const struct sockaddr_in *)y)->sin_addr.s_addr;
	if (x->sa_family == AF_INET6)
		return !memcmp(&((const struct sockaddr_in6 *)x)->sin6_addr, &((const struct sockaddr_in6 *)y)->sin6_addr, 16);
	return 0;
}

static int
pressed(const struct app *a, unsigned n)
{
	return n >= a->o.max_conns - a->o.max_conns / 4;
}

/* libmicrohttpd asks before it accepts a connection. */
static enum MHD_Result
on_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
	(void)addrlen;
	struct app *a = cls;
	struct conns *cs = a->conns;
	pthread_mutex_lock(&cs->mu);
	unsigned mine = 0, n = cs->n;
	for (struct conn *k = cs->head; k; k = k->next)
		mine += same_addr(addr, &k->addr);
	pthread_mutex_unlock(&cs->mu);
	if (n >= a->o.max_conns || mine >= a->o.per_ip || (pressed(a, n) && mine >= FEW_CONNS))
		return MHD_NO;
	return MHD_YES;
}

static void
set_deadline(struct app *a, struct conn *k, uint64_t after_ns, int waiting)
{
	if (!k)
		return;
	pthread_mutex_lock(&a->conns->mu);
	k->since = now_ns();
	k->deadline = after_ns ? k->since + after_ns : 0;
	k->waiting = waiting;
	pthread_mutex_unlock(&a->conns->mu);
}

static void
on_connection(void *cls, struct MHD_Connection *c, void **socket_context, enum MHD_ConnectionNotificationCode code)
{
	struct app *a = cls;
	struct conns *cs = a->conns;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		struct conn *k = calloc(1, sizeof(*k));
		const union MHD_ConnectionInfo *fd = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		const union MHD_ConnectionInfo *ad = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		if (!k || !fd) {
			free(k);
			return;
		}
		k->fd = fd->connect_fd;
		if (ad && ad->client_addr) {
			k->alen = ad->client_addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
			memcpy(&k->addr, ad->client_addr, k->alen);
		}
		k->since = now_ns();
		k->deadline = k->since + (uint64_t)a->o.header_seconds * 1000000000ull;
		k->waiting = 1;
		pthread_mutex_lock(&cs->mu);
		k->next = cs->head;
		if (cs->head)
			cs->head->prev = k;
		cs->head = k;
		cs->n++;
		pthread_mutex_unlock(&cs->mu);
		*socket_context = k;
	} else if (code == MHD_CONNECTION_NOTIFY_CLOSED && *socket_context) {
		/* libmicrohttpd closes the socket after this: the watchdog, under the
		 * same lock, never shuts down a descriptor that is someone else's */
		struct conn *k = *socket_context;
		pthread_mutex_lock(&cs->mu);
		if (k->prev)
			k->prev->next = k->next;
		else
			cs->head = k->next;
		if (k->next)
			k->next->prev = k->prev;
		cs->n--;
		pthread_mutex_unlock(&cs->mu);
		free(k);
		*socket_context = NULL;
	}
}

/* Shuts down the connections past their deadline: libmicrohttpd then sees them end. */
static void *
watchdog(void *arg)
{
	struct conns *cs = arg;
	struct app *a = cs->a;
	uint64_t pressed_ns = PRESSED_HEADER_S * 1000000000ull;
	pthread_mutex_lock(&cs->mu);
	while (!cs->stop) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 200 * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&cs->cv, &cs->mu, &until);
		uint64_t t = now_ns();
		int press = pressed(a, cs->n);
		for (struct conn *k = cs->head; k; k = k->next) {
			uint64_t d = k->deadline;
			if (press && k->waiting && (!d || d > k->since + pressed_ns))
				d = k->since + pressed_ns;
			if (d && t > d) {
				shutdown(k->fd, SHUT_RDWR);
				k->deadline = 0;
				k->waiting = 0;
			}
		}
	}
	pthread_mutex_unlock(&cs->mu);
	return NULL;
}

unsigned
http_connections(struct app *a)
{
	struct conns *cs = a->conns;
	if (!cs)
		return 0;
	pthread_mutex_lock(&cs->mu);
	unsigned n = cs->n;
	pthread_mutex_unlock(&cs->mu);
	return n;
}

/* ------------------------------------------------------------------ replies */

/*
 * The length of the valid UTF-8 sequence at p (left bytes there), or 0: as
 * strict as jansson, which refuses a string holding an overlong form, a
 * surrogate or a code point past U+10FFFF (RFC 3629).
 */
static size_t
utf8_seq(const unsigned char *p, size_t left)
{
	if (p[0] < 0x80)
		return 1;
	size_t n = p[0] >= 0xc2 && p[0] <= 0xdf ? 2 : p[0] >= 0xe0 && p[0] <= 0xef ? 3 : p[0] >= 0xf0 && p[0] <= 0xf4 ? 4 : 0;
	if (!n || left < n)
		return 0;
	for (size_t k = 1; k < n; k++)
		if ((p[k] & 0xc0) != 0x80)
			return 0;
	/* the second byte's range where the first allows less than 0x80..0xbf */
	if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] > 0x9f) || (p[0] == 0xf0 && p[1] < 0x90) ||
	    (p[0] == 0xf4 && p[1] > 0x8f))
		return 0;
	return n;
}

void
utf8_clean(char *s)
{
	unsigned char *p = (unsigned char *)s;
	size_t left = strlen(s);
	while (left) {
		size_t n = utf8_seq(p, left);
		if (!n) {
			*p = '?';
			n = 1;
		}
		p += n;
		left -= n;
	}
}

/* Whether s (n bytes) is valid UTF-8 without NUL. */
static int
utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	while (n) {
		size_t k = *p ? utf8_seq(p, n) : 0;
		if (!k)
			return 0;
		p += k;
		n -= k;
	}
	return 1;
}

void
reply_json(struct reply *r, unsigned status, json_t *j)
{
	r->status = status;
	json_decref(r->json);
	r->json = j;
}

void
reply_error(struct reply *r, unsigned status, const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	utf8_clean(msg);             /* a message may quote what a client sent */
	reply_json(r, status, json_pack("{s:s}", "error", msg));
}

const char *
header(struct MHD_Connection *c, const char *name)
{
	return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

int
reply_not_modified(struct MHD_Connection *c, struct reply *r)
{
	const char *inm = header(c, "If-None-Match");
	if (!inm || strcmp(inm, r->etag))
		return 0;
	r->status = 304;
	r->not_modified = 1;
	return 1;
}

json_t *
parse_body(const struct req *q, struct reply *r)
{
	if (!q->len) {
		reply_error(r, 400, "the request needs a JSON body");
		return NULL;
	}
	json_error_t je;
	json_t *j = json_loadb(q->body, q->len, JSON_REJECT_DUPLICATES, &je);
	if (!j) {
		reply_error(r, 400, "the body is not valid JSON: %s (line %d, column %d)", je.text, je.line, je.column);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		reply_error(r, 400, "the body must be a JSON object");
		return NULL;
	}
	return j;
}

static enum MHD_Result
send_reply(struct MHD_Connection *c, struct reply *r)
{
	struct MHD_Response *resp;
	if (r->not_modified) {
		resp = MHD_create_response_from_buffer(0, (char *)"", MHD_RESPMEM_PERSISTENT);
		r->status = 304;
	} else if (r->fd >= 0) {
		resp = MHD_create_response_from_fd(r->fdlen, r->fd);
		r->fd = -1;
	} else if (r->raw) {
		resp = MHD_create_response_from_buffer(r->rawlen, r->raw, MHD_RESPMEM_MUST_FREE);
		r->raw = NULL;
	} else {
		if (!r->json || !r->status)
			reply_error(r, 500, "the server made no reply: this is a bug, please report it");
		char *s = json_dumps(r->json, JSON_COMPACT);
		size_t n = s ? strlen(s) : 0;
		if (s && n < SIZE_MAX - 2) {
			char *t = realloc(s, n + 2);
			if (t) {
				s = t;
				s[n++] = '\n';
				s[n] = '\0';
			}
		}
		static const char oom[] = "{\"error\":\"out of memory\"}\n";
		resp = s ? MHD_create_response_from_buffer(n, s, MHD_RESPMEM_MUST_FREE) :
		    MHD_create_response_from_buffer(sizeof(oom) - 1, (char *)oom, MHD_RESPMEM_PERSISTENT);
		r->ctype = "application/json";
	}
	json_decref(r->json);
	r->json = NULL;
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type", r->ctype ? r->ctype : "application/json");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	if (r->status == 405 && r->allow[0])
		MHD_add_response_header(resp, "Allow", r->allow);
	if (r->retry_after) {
		char ra[16];
		snprintf(ra, sizeof(ra), "%u", r->retry_after);
		MHD_add_response_header(resp, "Retry-After", ra);
	}
	if (r->cookie[0])
		MHD_add_response_header(resp, "Set-Cookie", r->cookie);
	if (r->disposition[0])
		MHD_add_response_header(resp, "Content-Disposition", r->disposition);
	if (r->etag[0]) {
		/* a stored capture never changes: its views may be kept, but asked again */
		MHD_add_response_header(resp, "ETag", r->etag);
		MHD_add_response_header(resp, "Cache-Control", "private, no-cache");
	} else {
		MHD_add_response_header(resp, "Cache-Control", "no-store");
	}
	enum MHD_Result ret = MHD_queue_response(c, r->status, resp);
	MHD_destroy_response(resp);
	return ret;
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
static int
over_https(struct app *a, struct MHD_Connection *c)
{
	if (a->o.behind_https)
		return 1;
	const char *p = a->o.trusted_proxy && peer_is(c, a->o.trusted_proxy) ? header(c, "X-Forwarded-Proto") : NULL;
	return p && !strcasecmp(p, "https");
}

const char *
cookie_attrs(struct app *a, struct MHD_Connection *c)
{
	return over_https(a, c) ? "; Path=/; HttpOnly; SameSite=Strict; Secure" : "; Path=/; HttpOnly; SameSite=Strict";
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
static int
authorize(struct app *a, struct MHD_Connection *c, const char *method, struct req *q, struct reply *r)
{
	const struct route *rt = q->route;
	int bearer = header(c, "Authorization") != NULL;
	if (changes(method) && !bearer && !same_origin(a, c)) {
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

/* ------------------------------------------------------------------ bodies */

/* Takes n bytes of the in-flight budget; 0, or -1 when it has not that many left. */
static int
budget_take(struct app *a, struct req *q, size_t n)
{
	size_t cur = __atomic_load_n(&a->inflight, __ATOMIC_RELAXED);
	do {
		if (n > a->o.max_inflight || cur > a->o.max_inflight - n)
			return -1;
	} while (!__atomic_compare_exchange_n(&a->inflight, &cur, cur + n, 1, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED));
	q->reserved += n;
	return 0;
}

static void
budget_give(struct app *a, struct req *q)
{
	if (q->reserved)
		__atomic_sub_fetch(&a->inflight, q->reserved, __ATOMIC_ACQ_REL);
	q->reserved = 0;
}

int
req_is_multipart(struct MHD_Connection *c)
{
	const char *ct = header(c, "Content-Type");
	return ct && !strncasecmp(ct, "multipart/form-data", 19);
}

static int
is_json(struct MHD_Connection *c)
{
	const char *ct = header(c, "Content-Type");
	size_t n = ct ? strcspn(ct, "; ") : 0;
	return ct && n == 16 && !strncasecmp(ct, "application/json", 16);
}

static void
fail(struct req *q, unsigned status, const char *msg)
{
	if (!q->fail) {
		q->fail = status;
		snprintf(q->failmsg, sizeof(q->failmsg), "%s", msg);
	}
	free(q->body);
	q->body = NULL;
	q->len = q->cap = 0;
}

static int
write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* A temporary file that disappears when closed (O_TMPFILE, else made and unlinked at once). */
static int
temp_file(const struct app *a)
{
	const char *dir = a->o.tmpdir;
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
		return fd;
	char path[4200];
	snprintf(path, sizeof(path), "%s/tracequiz-upload-XXXXXX", dir);
	fd = mkostemp(path, O_CLOEXEC);
	if (fd >= 0)
		unlink(path);
	return fd;
}

static int
append(struct req *q, const char *data, size_t n)
{
	if (q->len + n + 1 > q->cap) {
		size_t nc = q->cap ? q->cap : 4096;
		while (nc < q->len + n + 1)
			nc *= 2;
		char *nb = realloc(q->body, nc);
		if (!nb)
			return -1;
		q->body = nb;
		q->cap = nc;
	}
	memcpy(q->body + q->len, data, n);
	q->len += n;
	q->body[q->len] = '\0';
	return 0;
}

/* A form's pieces: text parts into memory (at most max_body in all), the one file part into the file. */
static enum MHD_Result
on_part(void *cls, enum MHD_ValueKind kind, const char *key, const char *filename, const char *content_type,
    const char *transfer_encoding, const char *data, uint64_t off, size_t size)
{
	(void)kind, (void)content_type, (void)transfer_encoding;
	struct req *q = cls;
	struct part *p;
	/* a part comes in pieces: off 0 opens it, later pieces extend the last one */
	if (off == 0 || !q->nparts || strcmp(q->parts[q->nparts - 1].name, key ? key : "")) {
		if (q->nparts == MAX_PARTS) {
			fail(q, 400, "the form has too many parts");
			return MHD_NO;
		}
		p = &q->parts[q->nparts++];
		snprintf(p->name, sizeof(p->name), "%s", key ? key : "");
		snprintf(p->filename, sizeof(p->filename), "%s", filename ? filename : "");
		/* the capture is the form's one file: it goes where a raw upload goes */
		if (!strcmp(p->name, "file") || !strcmp(p->name, "capture")) {
			for (size_t i = 0; i + 1 < q->nparts; i++)
				if (q->parts[i].in_file) {
					fail(q, 400, "the form has two captures");
					return MHD_NO;
				}
			p->in_file = 1;
		}
	} else {
		p = &q->parts[q->nparts - 1];
	}
	if (!size)
		return MHD_YES;
	if (p->in_file) {
		if (write_all(q->fd, data, size) != 0) {
			fail(q, 503, "the upload could not be written to the server's disk; try again later");
			return MHD_NO;
		}
		p->len += size;
		return MHD_YES;
	}
	size_t text = 0;
	for (size_t i = 0; i < q->nparts; i++)
		text += q->parts[i].in_file ? 0 : q->parts[i].len;
	if (text + size > q->max) {
		fail(q, 413, "the form's text parts are too large");
		return MHD_NO;
	}
	if (p->len + size + 1 > p->cap) {
		size_t nc = p->cap ? p->cap : 256;
		while (nc < p->len + size + 1)
			nc *= 2;
		char *nd = realloc(p->data, nc);
		if (!nd)
			return MHD_NO;
		p->data = nd;
		p->cap = nc;
	}
	memcpy(p->data + p->len, data, size);
	p->len += size;
	p->data[p->len] = '\0';
	return MHD_YES;
}

struct part *
req_part(struct req *q, const char *name)
{
	for (size_t i = 0; i < q->nparts; i++)
		if (!strcmp(q->parts[i].name, name))
			return &q->parts[i];
	return NULL;
}

const char *
req_part_text(struct req *q, const char *name)
{
	struct part *p = req_part(q, name);
	if (!p || p->in_file)
		return NULL;
	if (!p->data)
		return "";
	return strlen(p->data) == p->len && p->len <= 256 ? p->data : NULL;
}

/* Sets up where the body goes; 0, or -1 with r set (the reply is sent at once). */
static int
body_begin(struct app *a, struct MHD_Connection *c, struct req *q, struct reply *r)
{
	const struct route *rt = q->route;
	const char *cl = header(c, "Content-Length"), *te = header(c, "Transfer-Encoding");
	unsigned long long announced = cl ? strtoull(cl, NULL, 10) : 0;
	int has_body = announced > 0 || (te && strcasecmp(te, "identity"));
	if (!has_body)
		return 0;
	if (rt->body == BODY_NONE) {
		reply_error(r, 413, "this request takes no body");
		return -1;
	}
	q->max = rt->flags & R_SMALL ? SMALL_BODY : a->o.max_body;
	if (rt->body == BODY_UPLOAD && req_is_multipart(c)) {
		q->max = a->o.max_body;          /* of text parts; the file part may reach max_upload */
		if (!(q->pp = MHD_create_post_processor(c, 64 * 1024, on_part, q))) {
			reply_error(r, 400, "the multipart/form-data body has no boundary");
			return -1;
		}
	} else if (rt->body == BODY_UPLOAD && (rt->flags & R_RAW)) {
		/* a capture as the raw body, whatever type it says it is */
	} else if (rt->body == BODY_UPLOAD && !is_json(c)) {
		reply_error(r, 415, "send the exercise as JSON (Content-Type: application/json) or as a multipart/form-data form");
		return -1;
	} else if (!is_json(c)) {
		reply_error(r, 415, "send the body as JSON, with Content-Type: application/json");
		return -1;
	}
	int to_file = rt->body == BODY_UPLOAD && (q->pp || (rt->flags & R_RAW));
	q->limit = to_file ? a->o.max_upload + (q->pp ? a->o.max_body : 0) : q->max;
	if (announced > q->limit) {
		reply_error(r, 413, "the body is larger than %zu bytes", q->limit);
		return -1;
	}
	if (to_file) {
		if ((q->fd = temp_file(a)) < 0) {
			reply_error(r, 503, "the server cannot store an upload now (%s); try again later", strerror(errno));
			r->retry_after = 30;
			return -1;
		}
	}
	if (announced && budget_take(a, q, (size_t)announced) != 0) {
		reply_error(r, 503, "the server is receiving too much at once; try again in a few seconds");
		r->retry_after = 5;
		return -1;
	}
	/* the body's deadline grows with its length */
	uint64_t allow = (uint64_t)BODY_GRACE_S + (announced ? announced : q->limit) / BODY_MIN_RATE;
	set_deadline(a, q->conn, allow * 1000000000ull, 0);
	return 0;
}

/* Takes n bytes of the body. */
static void
body_take(struct app *a, struct req *q, const char *data, size_t n)
{
	if (q->fail)
		return;
	if (q->received + n > q->limit) {
		char msg[80];
		snprintf(msg, sizeof(msg), "the body is larger than %zu bytes", q->limit);
		fail(q, 413, msg);
		return;
	}
	/* a body of unknown length (chunked) takes its budget as it comes */
	if (q->received + n > q->reserved && budget_take(a, q, q->received + n - q->reserved) != 0) {
		fail(q, 503, "the server is receiving too much at once; try again in a few seconds");
		return;
	}
	q->received += n;
	if (q->pp) {
		if (MHD_post_process(q->pp, data, n) != MHD_YES)
			fail(q, 400, "the multipart/form-data body is malformed");
	} else if (q->fd >= 0) {
		if (write_all(q->fd, data, n) != 0)
			fail(q, 503, "the upload could not be written to the server's disk; try again later");
	} else if (append(q, data, n) != 0) {
		fail(q, 503, "out of memory; try again later");
	}
}

/* The body is all in: the form's parser ends, the file is mapped. */
static int
body_end(struct req *q)
{
	if (q->pp) {
		if (MHD_destroy_post_processor(q->pp) != MHD_YES)
			fail(q, 400, "the multipart/form-data body is malformed");
		q->pp = NULL;
	}
	if (q->fail || q->fd < 0)
		return 0;
	struct stat sb;
	if (fstat(q->fd, &sb) != 0)
		return -1;
	if (sb.st_size > 0) {
		void *m = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, q->fd, 0);
		if (m == MAP_FAILED)
			return -1;
		q->file = m;
		q->flen = (size_t)sb.st_size;
	}
	return 0;
}

static void
req_free(struct app *a, struct req *q)
{
	if (q->pp)
		MHD_destroy_post_processor(q->pp);
	for (size_t i = 0; i < q->nparts; i++)
		free(q->parts[i].data);
	if (q->file)
		munmap((void *)q->file, q->flen);
	if (q->fd >= 0)
		close(q->fd);
	free(q->body);
	budget_give(a, q);
	if (q->heavy_counted)
		heavy_give(a, q->user.id);
	free(q->job);
	free(q);
}

/* ------------------------------------------------------------------ heavy jobs */

struct job {
	struct app *a;
	struct MHD_Connection *c;
	struct req *q;
	char method[16];
	struct reply r;
	int done;
};

static void
job_run(void *arg)
{
	struct job *j = arg;
	j->q->on_pool = 1;
	j->q->route->fn(j->a, j->c, j->method, j->q->path, j->q, &j->r);
	__atomic_store_n(&j->done, 1, __ATOMIC_RELEASE);
	MHD_resume_connection(j->c);
}

/* Hands the request to the heavy pool; the connection waits, suspended. */
static enum MHD_Result
go_heavy(struct app *a, struct MHD_Connection *c, const char *method, struct req *q)
{
	struct reply r = { .fd = -1 };
	int64_t who = q->user.id;
	if (!q->heavy_counted) {
		if (heavy_take(a, who) != 0) {
			reply_error(&r, 429, "you have %u heavy jobs (saves, uploads, evaluations) running already: wait for them",
			    a->o.heavy_per_user);
			r.retry_after = 5;
			return send_reply(c, &r);
		}
		q->heavy_counted = 1;
	}
	struct job *j = calloc(1, sizeof(*j));
	if (!j) {
		reply_error(&r, 503, "out of memory; try again later");
		return send_reply(c, &r);
	}
	j->a = a;
	j->c = c;
	j->q = q;
	j->r.fd = -1;
	snprintf(j->method, sizeof(j->method), "%s", method);
	q->job = j;
	MHD_suspend_connection(c);
	if (pool_submit(a->heavy, job_run, j) != 0) {
		reply_error(&j->r, 503, "the server has too much heavy work waiting; try again in a minute");
		j->r.retry_after = 30;
		j->done = 1;
		MHD_resume_connection(c);
	}
	return MHD_YES;
}

/* ------------------------------------------------------------------ the request's steps */

static enum MHD_Result
begin(struct app *a, struct MHD_Connection *c, const char *url, const char *method, void **con_cls)
{
	struct req *q = calloc(1, sizeof(*q));
	struct reply r = { .fd = -1 };
	if (!q)
		return MHD_NO;
	q->fd = -1;
	*con_cls = q;
	const union MHD_ConnectionInfo *si = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	q->conn = si ? si->socket_context : NULL;
	set_deadline(a, q->conn, 0, 0);
	size_t pl = strcspn(url, "?");
	if (pl >= sizeof(q->path)) {
		reply_error(&r, 414, "the URL is too long");
		return send_reply(c, &r);
	}
	if (!utf8_valid(url, strlen(url))) {
		reply_error(&r, 400, "the URL is not valid UTF-8");
		return send_reply(c, &r);
	}
	memcpy(q->path, url, pl);
	q->path[pl] = '\0';
	unsigned status;
	if (!(q->route = route_find(method, q->path, &status, r.allow, sizeof(r.allow)))) {
		if (status == 405)
			reply_error(&r, 405, "use %s for %.200s", r.allow, q->path);
		else if (!strncmp(q->path, "/api/", 5))
			reply_error(&r, 404, "there is no API route %.200s", q->path);
		else
			reply_error(&r, 404, "there is no page %.200s", q->path);
		return send_reply(c, &r);
	}
	if (authorize(a, c, method, q, &r) != 0 || body_begin(a, c, q, &r) != 0)
		return send_reply(c, &r);
	return MHD_YES;
}

static enum MHD_Result
finish(struct app *a, struct MHD_Connection *c, const char *method, struct req *q)
{
	struct reply r = { .fd = -1 };
	set_deadline(a, q->conn, 0, 0);
	if (body_end(q) != 0)
		fail(q, 503, "the upload could not be read back; try again later");
	if (q->fail) {
		reply_error(&r, q->fail, "%s", q->failmsg);
		if (q->fail == 503)
			r.retry_after = 5;
		return send_reply(c, &r);
	}
	if (route_is_heavy(a, q->route, q->path))
		return go_heavy(a, c, method, q);
	q->route->fn(a, c, method, q->path, q, &r);
	if (q->defer) {
		json_decref(r.json);
		return go_heavy(a, c, method, q);
	}
	return send_reply(c, &r);
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method, const char *version,
    const char *upload, size_t *upload_size, void **con_cls)
{
	(void)version;
	struct app *a = cls;
	struct req *q = *con_cls;
	if (!q)
		return begin(a, c, url, method, con_cls);
	if (q->job) {
		/* back from the heavy pool */
		if (!__atomic_load_n(&q->job->done, __ATOMIC_ACQUIRE))
			return MHD_YES;
		return send_reply(c, &q->job->r);
	}
	if (*upload_size) {
		body_take(a, q, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	return finish(a, c, method, q);
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	(void)toe;
	struct app *a = cls;
	struct req *q = *con_cls;
	if (q) {
		if (q->job)
			json_decref(q->job->r.json), free(q->job->r.raw);
		set_deadline(a, q->conn, (uint64_t)a->o.header_seconds * 1000000000ull, 1);
		req_free(a, q);
		*con_cls = NULL;
	}
	(void)c;
}

/* ------------------------------------------------------------------ running */

static int
parse_listen(const char *s, struct sockaddr_in *sa)
{
	char host[64];
	const char *colon = strrchr(s, ':');
	if (!colon || (size_t)(colon - s) >= sizeof(host))
		return -1;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	char *end;
	long port = strtol(colon + 1, &end, 10);
	if (*end || port < 0 || port > 65535)
		return -1;
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	return inet_pton(AF_INET, *host ? host : "0.0.0.0", &sa->sin_addr) == 1 ? 0 : -1;
}

/* libmicrohttpd's own messages: one line each, and none for a connection refused by the policy. */
static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct app *a = cls;
	if (a->o.quiet)
		return;
	vfprintf(stderr, fmt, ap);
}

int
http_run(struct app *a)
{
	struct sockaddr_in sa;
	if (parse_listen(a->o.listen, &sa) != 0) {
		fprintf(stderr, "tracequiz: --listen %s: give ADDR:PORT, such as 127.0.0.1:8080\n", a->o.listen);
		return 2;
	}
	/* SIGINT and SIGTERM are waited for here, not delivered to workers */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	struct conns cs = { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER, .a = a };
	a->conns = &cs;
	if (!(a->heavy = pool_start(a->o.heavy_threads, 10, a->o.heavy_queue))) {
		fprintf(stderr, "tracequiz: cannot start the heavy pool\n");
		return 1;
	}
	struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
	    MHD_ALLOW_SUSPEND_RESUME, 0, on_accept, a, on_request, a,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, a,
	    MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)&sa,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(a->o.threads ? a->o.threads : 4),
	    MHD_OPTION_CONNECTION_LIMIT, a->o.max_conns,
	    MHD_OPTION_CONNECTION_TIMEOUT, a->o.idle_seconds,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, a,
	    MHD_OPTION_NOTIFY_CONNECTION, on_connection, a,
	    MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "tracequiz: cannot listen on %s: %s\n", a->o.listen, strerror(errno));
		pool_free(a->heavy);
		a->heavy = NULL;
		return 1;
	}
	int dog = pthread_create(&cs.watchdog, NULL, watchdog, &cs) == 0;
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	printf("tracequiz: serving http://%s:%u/ (database %s)\n", inet_ntoa(sa.sin_addr), di ? di->port : ntohs(sa.sin_port),
	    a->o.db);
	fflush(stdout);
	int sig = 0;
	sigwait(&set, &sig);
	fprintf(stderr, "tracequiz: %s: finishing the requests in flight\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
	/* no new connection; the heavy jobs finish (and resume their connections); then the rest */
	MHD_socket ls = MHD_quiesce_daemon(d);
	pool_stop(a->heavy);
	MHD_stop_daemon(d);
	if (ls != MHD_INVALID_SOCKET)
		close(ls);
	pool_free(a->heavy);
	a->heavy = NULL;
	if (dog) {
		pthread_mutex_lock(&cs.mu);
		cs.stop = 1;
		pthread_cond_signal(&cs.cv);
		pthread_mutex_unlock(&cs.mu);
		pthread_join(cs.watchdog, NULL);
	}
	a->conns = NULL;
	return 0;
}

/* A file name as given by a browser, reduced to a safe base name. */
void
file_name(const char *in, char *out, size_t len)
{
	const char *base = in ? in : "";
	for (const char *p = base; *p; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	size_t o = 0;
	for (const char *p = base; *p && o + 1 < len && o < 100; p++)
		out[o++] = isalnum((unsigned char)*p) || *p == '.' || *p == '-' || *p == '_' ? *p : '_';
	out[o] = '\0';
	if (!o || out[0] == '.')
		snprintf(out, len, "capture.pcap");
}

int
reply_db_error(struct reply *r, struct tq_store *st)
{
	reply_error(r, 500, "the database failed: %s", st ? tq_store_error(st) : "cannot open");
	return -1;
}
