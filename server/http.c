/*
 * http.c - the server's side of libmicrohttpd: connections and requests
 * (the replies themselves are made in reply.c).
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
 * route needs (auth.c), and its body's length, type and share of the
 * in-flight budget (opts.max_inflight) checked (body.c): a refusal (401, 403, 404, 405, 413,
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

void
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
	if (j->q->heavy_counted) {
		/* the work is done: the slot is free before the reply leaves, for the client's next request */
		heavy_give(j->a, j->q->user.id);
		j->q->heavy_counted = 0;
	}
	__atomic_store_n(&j->done, 1, __ATOMIC_RELEASE);
	MHD_resume_connection(j->c);
}

/* Sends r, and remembers for the access log what was answered.  A server's error (5xx) is logged
 * with its message, but not a 503 that sheds load (it says when to come back: Retry-After). */
static enum MHD_Result
answer(struct MHD_Connection *c, struct req *q, struct reply *r)
{
	if (q && r->status >= 500 && !(r->status == 503 && r->retry_after)) {
		const char *msg = json_string_value(json_object_get(r->json, "error"));
		struct tq_log_request rq = { q->method, q->path, r->status };
		tq_log_request(r->status == 503 ? TQ_LOG_WARNING : TQ_LOG_ERR, &rq, "%s", msg ? msg : "(no message)");
	}
	enum MHD_Result ret = send_reply(c, r);
	if (q) {
		q->status = r->status;
		q->sent = r->sent;
	}
	return ret;
}

/*
 * The access log: one JSON line a request on stderr (journald keeps it), as
 * {"time", "addr", "user", "method", "path", "status", "bytes", "ms"}; the
 * query string is left out (a filter, a name), the path kept.
 */
static void
log_access(struct app *a, struct MHD_Connection *c, const struct req *q)
{
	char addr[64] = "", when[40];
	struct timespec ts;
	struct tm tm;
	client_addr(a, c, addr, sizeof(addr));
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	struct tq_sbuf b;
	tq_sbuf_init(&b, 8192);
	tq_sbuf_printf(&b, "{\"time\":\"%s.%03ldZ\",\"addr\":", when, ts.tv_nsec / 1000000);
	tq_json_string(&b, addr, strlen(addr));
	tq_sbuf_puts(&b, ",\"user\":");
	if (q->user.id)
		tq_json_string(&b, q->user.name, strlen(q->user.name));
	else
		tq_sbuf_puts(&b, "null");
	tq_sbuf_puts(&b, ",\"method\":");
	tq_json_string(&b, q->method, strlen(q->method));
	tq_sbuf_puts(&b, ",\"path\":");
	tq_json_string(&b, q->path, strlen(q->path));
	tq_sbuf_printf(&b, ",\"status\":%u,\"bytes\":%zu,\"ms\":%.3f}\n", q->status, q->sent,
	    (double)(tq_monotonic_ns() - q->t0) / 1e6);
	if (!b.err)
		tq_log_line(TQ_LOG_INFO, b.s, b.len);     /* one write: lines from several threads do not mix */
	tq_sbuf_free(&b);
}

int
heavy_hold(struct app *a, struct req *q, struct reply *r)
{
	if (q->heavy_counted)
		return 0;
	if (heavy_take(a, q->user.id) != 0) {
		reply_error(r, 429, "you have %u heavy jobs (saves, uploads, evaluations) running already: wait for them",
		    a->o.heavy_per_user);
		r->retry_after = 5;
		return -1;
	}
	q->heavy_counted = 1;
	return 0;
}

/*
 * Hands the request to the heavy pool; the connection waits, suspended.
 * counted: its handler holds one of the account's heavy slots
 * (--heavy-per-user) while it runs; a request that only
 * waits for its exercise or trace to be loaded does not (the load is shared:
 * a class opening an exercise after a restart is not refused).
 */
static enum MHD_Result
go_heavy(struct app *a, struct MHD_Connection *c, const char *method, struct req *q, int counted)
{
	struct reply r = { .fd = -1 };
	if (counted && heavy_hold(a, q, &r) != 0)
		return answer(c, q, &r);
	struct job *j = calloc(1, sizeof(*j));
	if (!j) {
		reply_error(&r, 503, "out of memory; try again later");
		return answer(c, q, &r);
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
	q->t0 = tq_monotonic_ns();
	snprintf(q->method, sizeof(q->method), "%s", method);
	*con_cls = q;
	const union MHD_ConnectionInfo *si = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	q->conn = si ? si->socket_context : NULL;
	set_deadline(a, q->conn, 0, 0);
	size_t pl = strcspn(url, "?");
	if (pl >= sizeof(q->path)) {
		reply_error(&r, 414, "the URL is too long");
		return answer(c, q, &r);
	}
	if (!utf8_valid(url, strlen(url))) {
		reply_error(&r, 400, "the URL is not valid UTF-8");
		return answer(c, q, &r);
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
		return answer(c, q, &r);
	}
	if (authorize(a, c, method, q, &r) != 0 || body_begin(a, c, q, &r) != 0)
		return answer(c, q, &r);
	return MHD_YES;
}

static enum MHD_Result
finish(struct app *a, struct MHD_Connection *c, const char *method, struct req *q)
{
	struct reply r = { .fd = -1 };
	set_deadline(a, q->conn, 0, 0);
	if (body_end(q) != 0)
		req_fail(q, 503, "the upload could not be read back; try again later");
	if (q->fail) {
		reply_error(&r, q->fail, "%s", q->failmsg);
		if (q->fail == 503)
			r.retry_after = 5;
		return answer(c, q, &r);
	}
	if (route_is_heavy(a, q->route, q->path))
		return go_heavy(a, c, method, q, (q->route->flags & R_HEAVY) != 0);
	q->route->fn(a, c, method, q->path, q, &r);
	if (q->defer) {
		/* no slot taken yet: on the pool, a handler takes one for the work it does (a filter's
		 * selection, a stream followed); waiting for an exercise to be loaded takes none */
		json_decref(r.json);
		return go_heavy(a, c, method, q, 0);
	}
	return answer(c, q, &r);
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
		return answer(c, q, &q->job->r);
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
		if (a->o.access_log && q->status)
			log_access(a, c, q);
		if (q->job)
			json_decref(q->job->r.json), free(q->job->r.raw), free(q->job->r.location);
		set_deadline(a, q->conn, (uint64_t)a->o.header_seconds * 1000000000ull, 1);
		req_free(a, q);
		*con_cls = NULL;
	}
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
	char msg[1024];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	tq_log(TQ_LOG_WARNING, "%s", msg);
}

int
http_run(struct app *a)
{
	struct sockaddr_in sa;
	if (parse_listen(a->o.listen, &sa) != 0) {
		tq_log(TQ_LOG_ERR, "--listen %s: give ADDR:PORT, such as 127.0.0.1:8080", a->o.listen);
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
		tq_log(TQ_LOG_ERR, "cannot start the heavy pool");
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
		tq_log(TQ_LOG_ERR, "cannot listen on %s: %s", a->o.listen, strerror(errno));
		pool_free(a->heavy);
		a->heavy = NULL;
		return 1;
	}
	int dog = pthread_create(&cs.watchdog, NULL, watchdog, &cs) == 0;
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	char db[512];
	tq_store_describe(a->o.db, db, sizeof(db));
	tq_log(TQ_LOG_NOTICE, "serving http://%s:%u/ (database %s)", inet_ntoa(sa.sin_addr), di ? di->port : ntohs(sa.sin_port),
	    db);
	int sig = 0;
	sigwait(&set, &sig);
	tq_log(TQ_LOG_NOTICE, "%s: finishing the requests in flight", sig == SIGINT ? "SIGINT" : "SIGTERM");
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
