/* server.h - tracequiz serve: the HTTP server, its state and its routes. */
#ifndef TQ_SERVER_H
#define TQ_SERVER_H

#include <jansson.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <microhttpd.h>

#include "../db/store.h"
#include "exercise.h"
#include "view.h"

/*
 * The server's settings: every limit of doc/security.md is one of these,
 * with its command-line option.
 */
struct tq_server_opts {
	const char *listen;          /* ADDR:PORT, default 127.0.0.1:8080 */
	const char *db;              /* the SQLite file, default tracequiz.db */
	const char *www;             /* static files */
	const char *seed;            /* the demo exercise's folder */
	const char *tmpdir;          /* where uploads are streamed (--tmp, else $TMPDIR, else /tmp) */
	size_t max_body;             /* JSON bodies */
	size_t max_upload;           /* captures and exercise folders */
	size_t max_inflight;         /* request bodies being received, all together (--max-inflight-mb) */
	size_t cache_bytes;          /* loaded captures kept in memory (--cache-mb) */
	unsigned threads;            /* request threads */
	unsigned heavy_threads;      /* the pool of heavy work (--heavy-threads) */
	unsigned heavy_per_user;     /* heavy jobs one account may have at once */
	unsigned heavy_queue;        /* heavy jobs waiting, all accounts together */
	unsigned job_seconds;        /* time budget of one heavy job */
	size_t job_bytes;            /* memory budget of one heavy job's index */
	unsigned max_conns;          /* connections at once */
	unsigned per_ip;             /* connections from one address */
	unsigned header_seconds;     /* to receive a request's headers (nginx's client_header_timeout) */
	unsigned idle_seconds;       /* a connection's silence, between reads of a body or a response */
	unsigned submit_per_minute;  /* a student's submissions to one exercise */
	int behind_https;            /* the session cookie is Secure */
	const char *trusted_proxy;   /* an address whose X-Forwarded-For / -Proto are believed */
	const char *frame_ancestors; /* origins besides the LTI platforms' that may frame the pages (--frame-ancestors) */
	int quiet;                   /* no access log of refused connections */
	int access_log;              /* a JSON line on stderr for every request answered */
	int log_json;                /* the server's messages as JSON lines too (log.c) */
};

/* ------------------------------------------------------------------ loaded captures and exercises */

/*
 * A capture loaded from the store, shared by every exercise and preview on
 * it.  The cache keeps the most recently used ones within opts.cache_bytes
 * (least recently used first out); an entry in use is freed by its last
 * holder.  Counted references, as struct loaded.
 */
struct capentry {
	int64_t capture_id;
	/* opened with these decode-as rules (an exercise's view.decode_as): part of the key */
	struct tq_decode_as decode_as[TQ_MAX_DECODE_AS];
	unsigned ndecode_as;
	char sha256[65];
	struct tq_capture *cap;
	size_t bytes;                /* tq_capture_memory() */
	int refs;
	int ready;                   /* 0 while its loader opens it */
	int in_cache;                /* still in the cache's list (not evicted) */
	uint64_t used;               /* a clock of uses, for LRU */
	struct fsel *filters;        /* the display filters last applied to it, the latest first */
	struct capentry *next;
};

/* The frames a display filter selects in a capture: kept with the capture, shared, counted. */
struct fsel {
	char *src;
	uint8_t *sel;                /* [n]: 1 where frame i + 1 matches */
	uint32_t n, matched;
	int refs;
	struct fsel *next;
};

/*
 * An exercise ready to grade: loaded, its capture open, its keys computed;
 * or a trace alone (ex NULL), open for an instructor's preview.  Counted
 * references: a request holds one while it reads, so an exercise updated or
 * deleted meanwhile is freed only when the last reader lets go.  When its
 * capture leaves the cache, the exercise leaves with it.
 */
struct loaded {
	char slug[128];              /* a trace's: its SHA-256 */
	int64_t id, course_id, capture_id;
	int published;
	int64_t key_version;         /* of the frozen keys ex grades with */
	int64_t revision;            /* of the row it was loaded from */
	char version[32];            /* in ETags: changes when a save changes what is shown */
	char sha256[65];             /* the capture's */
	struct tq_exercise *ex;
	struct capentry *ce;         /* held */
	struct tq_capture *cap;      /* ce->cap */
	json_t *public_doc;          /* what a student may see: no keys, no feedback */
	int refs;
	int ready;                   /* 0 while its loader loads it */
	int stale;                   /* changed while it was loaded: not kept */
	struct loaded *next;
};

struct tq_pool;
struct conns;

struct app {
	struct tq_server_opts o;
	pthread_mutex_t lock;        /* guards the cache: captures, exercises, traces */
	pthread_cond_t loaded_cv;    /* a loader finished (or failed) */
	struct capentry *caps;
	size_t cap_bytes;            /* of the captures in caps */
	uint64_t clock;
	struct loaded *exercises;
	struct loaded *traces;       /* the last few previewed, at most 8 */
	struct tq_pool *heavy;       /* jobs.c */
	struct lti_grades *grades;   /* lti_grades.c: the scores sent to LTI platforms */
	pthread_mutex_t frame_lock;  /* guards frames, the origins that may frame the pages, */
	char frames[2048];           /* read from the LTI platforms every 30 s (api_lti.c) */
	int64_t frames_read;
	struct conns *conns;         /* http.c: every open connection, for caps and deadlines */
	size_t inflight;             /* bytes of bodies being received (atomic) */
	char dummy_hash[160];        /* a password hash for names that have none (login timing) */
};

/* ------------------------------------------------------------------ requests */

struct route;

/* A part of a multipart/form-data body: text in memory, a file in the request's temporary file. */
struct part {
	char name[64];
	char filename[128];
	char *data;                  /* text parts (NUL-terminated) */
	size_t len, cap;
	int in_file;                 /* the file part: its bytes are the request's file */
};

#define MAX_PARTS 8

/*
 * A request from its headers to its reply: the route it matched, who asks
 * (authenticated on the headers, before any byte of the body is taken), its
 * body (JSON in memory, or an upload streamed to a temporary file), and the
 * heavy job it may have become.
 */
struct req {
	const struct route *route;
	char path[1024];             /* without its query string */
	struct tq_user user;         /* the route's need met; user.id 0 for anyone */
	struct tq_token token;       /* token.scope NONE for a session */
	char csrf[80];               /* a session's CSRF token ("" for a token) */
	/* the body */
	char *body;                  /* JSON, in memory */
	size_t len, cap, max;        /* max: of the bytes kept in memory (JSON, a form's text parts) */
	size_t limit;                /* of the whole body */
	size_t received;             /* bytes taken, whatever their sink */
	int fd;                      /* the upload's temporary file, -1 if none */
	const uint8_t *file;         /* its bytes mapped once whole (NULL when empty) */
	size_t flen;
	struct MHD_PostProcessor *pp;
	struct part parts[MAX_PARTS];
	size_t nparts;
	unsigned fail;               /* an HTTP status: the body is discarded, then this answered */
	char failmsg[200];
	size_t reserved;             /* bytes held of opts.max_inflight */
	struct job *job;             /* when the route runs on the heavy pool */
	int on_pool;                 /* the handler runs on the heavy pool */
	int defer;                   /* set by a handler: run me on the heavy pool instead */
	int heavy_counted;           /* holds one of the user's heavy slots */
	void *conn;                  /* http.c's record of the connection */
	/* for the access log */
	char method[8];
	uint64_t t0;                 /* monotonic ns at its first byte */
	unsigned status;             /* the status answered, 0 before */
	size_t sent;
};

/* What a route answers: JSON (the usual), raw bytes, or a file. */
struct reply {
	unsigned status;
	json_t *json;                /* owned */
	const char *ctype;
	char *raw;                   /* owned (malloc), when not JSON */
	size_t rawlen;
	int fd;                      /* a static file, -1 if none */
	size_t fdlen;
	char cookie[320];
	char *location;              /* a redirect's Location (malloc'd; the reply frees it) */
	char frame_ancestors[2048];  /* a page an LMS may frame: its CSP's frame-ancestors ("": 'none') */
	char disposition[200];       /* Content-Disposition of a download */
	char etag[80];
	char allow[80];              /* Allow of a 405 */
	unsigned retry_after;        /* seconds, for 429 and 503 */
	int not_modified;            /* 304: the client's copy (If-None-Match) is current */
	size_t sent;                 /* set by send_reply: the body's bytes */
};

void reply_json(struct reply *r, unsigned status, json_t *j);
/* A JSON error: {"error": message}; the message is made valid UTF-8 whatever it quotes. */
void reply_error(struct reply *r, unsigned status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
const char *header(struct MHD_Connection *c, const char *name);
/* With r->etag set: 1 and a 304 when the client's copy (If-None-Match) is that one, else 0. */
int reply_not_modified(struct MHD_Connection *c, struct reply *r);
/* The body as a JSON object, or NULL with a 400 set in r. */
json_t *parse_body(const struct req *q, struct reply *r);
/* s with every byte that is not part of valid UTF-8 turned into '?'. */
void utf8_clean(char *s);
/* Whether s (n bytes) is valid UTF-8 without NUL. */
int utf8_valid(const char *s, size_t n);
/* Sends r on c (reply.c): its JSON, its raw bytes or its file, with its status, type and ETag. */
enum MHD_Result send_reply(struct MHD_Connection *c, struct reply *r);
/* A file name sent by a client, made safe to store and show (its last component, tame bytes;
 * "capture.pcap" when nothing is left). */
void file_name(const char *in, char *out, size_t len);
/* A 500 saying the database failed (st's message; st NULL: it could not be opened); -1. */
int reply_db_error(struct reply *r, struct tq_store *st);
/* The client's address as text (the proxy's client when it is the trusted proxy). */
void client_addr(struct app *a, struct MHD_Connection *c, char *buf, size_t len);

/* A form's part by name (NULL if none), and a short text part (NULL if none or not text). */
struct part *req_part(struct req *q, const char *name);
const char *req_part_text(struct req *q, const char *name);
int req_is_multipart(struct MHD_Connection *c);

/* Roles, ranked: a route needs one of them at least. */
enum role { ROLE_NONE = 0, ROLE_STUDENT, ROLE_INSTRUCTOR, ROLE_ADMIN };
enum role role_of(const struct tq_user *u);
int is_staff(const struct tq_user *u);
/* Whether u may manage course_id (its exercises, students, gradebook, grading): an admin, or one of
 * its teachers.  1 yes, 0 no, -1 when the database fails (answer 503, not 403). */
int may_manage(struct tq_store *st, const struct tq_user *u, int64_t course_id);

/* A request's credentials (auth.c): its session cookie or Bearer token, checked against what its
 * route needs, and a change's CSRF token or origin; 0, or -1 with r set (401, 403, 503). */
int authorize(struct app *a, struct MHD_Connection *c, const char *method, struct req *q, struct reply *r);

/* A request's body (body.c): begun when its headers are in (its length, type and share of the
 * in-flight budget checked: 0, or -1 with r set), taken piece by piece, ended (0, or -1 when an
 * upload cannot be read back); req_fail() records the first failure, req_free() gives all back. */
int body_begin(struct app *a, struct MHD_Connection *c, struct req *q, struct reply *r);
void body_take(struct app *a, struct req *q, const char *data, size_t n);
int body_end(struct req *q);
void req_fail(struct req *q, unsigned status, const char *msg);
void req_free(struct app *a, struct req *q);
/* A connection's deadline (http.c): after_ns from now (0: none), waiting for a request or not. */
struct conn;
void set_deadline(struct app *a, struct conn *k, uint64_t after_ns, int waiting);

/* ------------------------------------------------------------------ routes (routes.c) */

enum need { NEED_ANYONE, NEED_USER, NEED_STUDENT, NEED_STAFF, NEED_ADMIN };
enum body_kind { BODY_NONE, BODY_JSON, BODY_UPLOAD, BODY_FORM /* application/x-www-form-urlencoded, in memory */ };
#define R_HEAVY      0x1     /* runs on the heavy pool */
#define R_LOADS_EX   0x2     /* heavy when its exercise (path segment 4) is not loaded */
#define R_LOADS_TR   0x4     /* heavy when its trace (path segment 4) is not loaded */
#define R_GRADE      0x8     /* a grade-scoped token may call it */
#define R_RAW        0x10    /* an upload may be a raw body, not only a form */
#define R_SMALL      0x20    /* a small body (a login): 4 KiB */
#define R_CROSS_SITE 0x40    /* posted by another site's page (an LMS's): no same-origin check, its token is signed */

typedef void route_fn(struct app *a, struct MHD_Connection *c, const char *method, const char *path, struct req *q,
    struct reply *r);

struct route {
	const char *method;          /* GET also answers HEAD */
	const char *pattern;         /* '/'-separated; '*' is one segment, a final "**" the rest */
	enum need need;
	enum body_kind body;
	unsigned flags;
	route_fn *fn;
};

/* The route table, a row a line: method, path pattern (* a segment, ** the rest), who may call
 * it (tracequiz routes; tests compare it with doc/openapi.json). */
void routes_print(FILE *fp);
/* The route of method and path; NULL with *status 404, or 405 and allow filled. */
const struct route *route_find(const char *method, const char *path, unsigned *status, char *allow, size_t allowlen);
/* Whether running the route now would be heavy (loading a capture, computing keys). */
int route_is_heavy(struct app *a, const struct route *rt, const char *path);

/* The routes' handlers. */
route_fn api_session, api_password_reset, api_exercise_routes, route_grade, route_openapi,
    route_healthz, route_static, route_server;
/* A course's gradebook, JSON and CSV (gradebook.c); a password changed by its owner (account.c). */
route_fn api_gradebook, api_account_password, api_lti, api_lti_grades, api_lti_members;
/* One file a resource: api_traces.c, api_exercises.c, api_courses.c, api_eval.c (eval and
 * suggest), api_tokens.c, api_users.c, api_import.c (an INGInious task's archive). */
route_fn api_traces, api_exercises, api_courses, api_eval, api_suggest, api_tokens, api_users, api_import;
/* A slug of a course or an exercise: 1 to 64 lowercase letters, digits and '-' (not first). */
int slug_ok(const char *s);
/* What follows prefix in path, or NULL when path does not start with it. */
const char *path_after(const char *path, const char *prefix);

/*
 * An order question's frames dealt to a student (api.c): the row and the tree at place p show
 * frame shuffled(p); nothing is dealt over more than SHUFFLE_MAX frames.
 */
#define SHUFFLE_MAX 256
struct shuffle {
	uint32_t n;
	uint32_t place[SHUFFLE_MAX], frame[SHUFFLE_MAX];
};
/* The deal of exercise l's order questions to user (0: staff, nothing dealt). */
void shuffle_for(const struct loaded *l, int64_t user, struct shuffle *sh);
/* The frame shown at place p, *dealt (may be NULL) 1 when p is one of the places dealt. */
uint32_t shuffled(const struct shuffle *sh, uint32_t p, int *dealt);

/* An exercise's id, course, whether it is published and its revision, from its row; 0, or -1 with r
 * set (404, 503). */
int exercise_meta(struct app *a, const char *slug, struct tq_exmeta *m, struct reply *r);

/* Submissions (api_submissions.c): a student's graded and stored, the list a user may read
 * (their own; staff all), every one graded again on the current keys. */
void submit(struct app *a, struct loaded *l, const struct tq_user *u, const struct req *q, struct reply *r);
void submissions_list(struct app *a, const struct loaded *l, const struct tq_user *u, int staff, struct reply *r);
void regrade(struct app *a, const struct loaded *l, const struct tq_user *u, struct reply *r);

/* Whether a question of an exercise document is of this kind ("order", ...). */
int question_is(const json_t *q, const char *kind);
/* Whether u may read the exercise (*staff: and manage it); -1 with r set when not
 * (404 for a student, whether it exists or not). */
int exercise_access(struct app *a, const struct tq_user *u, const struct loaded *l, int *staff, struct reply *r);
/* The exercise slug as u may see it: checked from its row first (a 404 for a student who may not
 * see it, whether it exists or not), then loaded; held (app_release).  NULL with r set. */
struct loaded *exercise_open(struct app *a, const struct tq_user *u, const char *slug, int *staff, struct reply *r);
/* A trace's packet list page (?from=&count=) and one frame's tree and bytes, as staff (viewer 0) or the
 * student whose account is viewer sees them. */
void frames_page(struct app *a, struct MHD_Connection *c, struct req *q, struct loaded *l, int64_t viewer, struct reply *r);
void follow_stream(struct app *a, struct MHD_Connection *c, struct req *q, struct loaded *l, int64_t viewer,
    struct reply *r);
void frame_tree(struct MHD_Connection *c, struct loaded *l, int64_t viewer, const char *num_s, struct reply *r);
void exercise_stats(struct app *a, const struct loaded *l, struct reply *r);
void exercise_csv(struct app *a, const struct loaded *l, struct reply *r);
void exercise_trace(struct app *a, const struct loaded *l, int staff, struct reply *r);
/* What a student sees of an exercise: its public document with the choices dealt to them. */
json_t *student_doc(const struct loaded *l, int64_t user);
/* Whether a student may download an exercise's capture: its view excludes and redacts nothing, no
 * question hides a field or deals frames (order).  The rule of exercise_trace(); student_doc()
 * tells the page as "downloadable". */
int trace_downloadable(const json_t *doc);
/* A course the user may manage (teaches it, or is an admin): 0 with *c set, or -1 with r set
 * (404 no such course, 403 not theirs, 503 the database). */
int managed_course(struct tq_store *st, const struct tq_user *u, const char *slug, struct tq_course *c, struct reply *r);
/* A CSV cell (RFC 4180): quoted when it holds a comma, a quote or a line break, and a first
 * character a spreadsheet reads as a formula (= + - @, a tab, a carriage return) defused
 * behind a quote ("'=cmd"). */
void csv_cell(struct tq_sbuf *b, const char *s);
/* The seed of a student's deal of choices in an exercise. */
uint64_t choice_seed(const struct loaded *l, int64_t user);

/* Checks that data is a capture the library reads and stores it once (by SHA-256), owned by u
 * too: 0 with *m set and *created 1 when it is new, or -1 with r set (422 when it is not a
 * capture); its description in the API. */
int store_capture(struct app *a, const struct tq_user *u, const void *data, size_t len, const char *name,
    struct tq_capmeta *m, int *created, struct reply *r);
json_t *capture_json(const struct tq_capmeta *m);
/* A stored capture the user may use (theirs, or of an exercise of a course they teach): 0 with *m
 * set, or -1 with r set (404). */
int usable_capture(struct app *a, const struct tq_user *u, const char *sha, struct tq_capmeta *m, struct reply *r);

/* The session cookie's attributes (Secure behind HTTPS). */
const char *cookie_attrs(struct app *a, struct MHD_Connection *c);
/* Whether the browser reached the server over HTTPS (--behind-https, or a trusted proxy's X-Forwarded-Proto). */
int request_over_https(struct app *a, struct MHD_Connection *c);
/* A one-time reset code for u, made by who: {name, code, expires, link}; NULL with r set. */
json_t *reset_code(struct app *a, const struct tq_user *u, const struct tq_user *who, struct reply *r);

/* The selection of filter src on ce's capture when it is cached, held (fsel_release); else NULL. */
struct fsel *fsel_find(struct app *a, struct capentry *ce, const char *src);
/* Keeps fs (built by the caller, refs 1: the caller's) with ce's capture; fs is still the caller's to release. */
void fsel_keep(struct app *a, struct capentry *ce, struct fsel *fs);
void fsel_release(struct fsel *fs);

/* ------------------------------------------------------------------ the heavy pool (jobs.c) */

/*
 * Heavy work (opening a big capture, computing keys, evaluating an
 * expression over a whole trace) runs on a pool of its own, at a lower
 * priority, off the threads that serve students: the request's connection is
 * suspended meanwhile.  A job has opts.job_seconds and opts.job_bytes; an
 * account may have opts.heavy_per_user jobs at once; at most opts.heavy_queue
 * wait.
 */
struct tq_pool *pool_start(unsigned threads, int nice_inc, unsigned max_queue);
/* Runs fn(arg) on the pool; 0, or -1 when the queue is full or the pool stops. */
int pool_submit(struct tq_pool *p, void (*fn)(void *arg), void *arg);
/* Waits for the jobs queued and running, then stops the threads: a job
 * submitted later is refused.  pool_free() frees it then. */
void pool_stop(struct tq_pool *p);
void pool_free(struct tq_pool *p);
/* Jobs waiting and running (for the figures of a test). */
unsigned pool_load(struct tq_pool *p);
/* Takes one of user's heavy slots: 0, or -1 when they hold max already. */
int heavy_take(struct app *a, int64_t user);
void heavy_give(struct app *a, int64_t user);
/* For a handler about to do heavy work on the pool where it came only to wait for a load (which
 * holds no slot): one of the account's heavy slots, kept until the request ends.  0, or -1 with a
 * 429 in r. */
int heavy_hold(struct app *a, struct req *q, struct reply *r);
/* The limits of one heavy job that starts now. */
struct tq_limits job_limits(const struct app *a);

/* ------------------------------------------------------------------ messages (log.c) */

/* syslog's priorities, as journald reads them */
enum { TQ_LOG_ERR = 3, TQ_LOG_WARNING = 4, TQ_LOG_NOTICE = 5, TQ_LOG_INFO = 6 };
/* What a message about a request says of it. */
struct tq_log_request {
	const char *method, *path;
	unsigned status;
};
/* json: messages as JSON lines ({"time","level","msg"}); a priority prefix when stderr is the journal. */
void tq_log_setup(int json);
void tq_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tq_log_request(int level, const struct tq_log_request *rq, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A line made already (the access log's), with the priority prefix when stderr is the journal. */
void tq_log_line(int level, const char *line, size_t len);

/* ------------------------------------------------------------------ the store and the cache (serve.c) */

/* The thread's own store (SQLite connection), opened on first use. */
struct tq_store *app_store(struct app *a);
/* A loaded exercise by slug, loading it from the store on a miss, or when the
 * copy loaded is older than current (its row as just read; NULL: any copy
 * will do): changed meanwhile through another node on the same database.
 * The caller holds a reference and gives it back with app_release.  NULL
 * with err and *status set when it cannot: 404 (no such exercise), 503 (past
 * the job's budget, out of memory), 500 (a damaged row or capture, the
 * database). */
struct loaded *app_exercise(struct app *a, const char *slug, const struct tq_exmeta *current, unsigned *status, char *err,
    size_t errlen);
/* Whether an exercise, or a capture by SHA-256, is loaded and ready now. */
int app_exercise_ready(struct app *a, const char *slug);
int app_trace_ready(struct app *a, const char *sha256);
/* A stored capture, open for the packet list and frames (ex NULL); held as above. */
struct loaded *app_trace(struct app *a, const struct tq_capmeta *m, char *err, size_t errlen);
void app_release(struct loaded *l);
/* Frees the server's state at its stop: the loaded exercises, traces and captures. */
void app_free(struct app *a);
/* Drops an exercise from memory (changed or deleted): it is loaded again when asked. */
void app_forget(struct app *a, const char *slug);
/* The cache's figures: captures loaded, their bytes, exercises loaded. */
void app_cache_figures(struct app *a, size_t *ncaps, size_t *bytes, size_t *nex);

/* Run the server until SIGINT or SIGTERM. */
int tq_serve(const struct tq_server_opts *o);
/* http.c: serve a's routes until SIGINT or SIGTERM. */
int http_run(struct app *a);
/* Connections open now. */
unsigned http_connections(struct app *a);

/* Accounts (auth.c) */
int tq_password_hash(const char *pw, char *out, size_t outlen);
/* The same for a password of 128 random bits or more, made by the server: the least cost. */
int tq_password_hash_random(const char *pw, char *out, size_t outlen);
int tq_password_check(const char *hash, const char *pw);
/* A random secret as hex (2 * nbytes characters), and its SHA-256. */
void tq_secret(char *hex, size_t nbytes);
void tq_sha256(const void *data, size_t len, uint8_t out[32]);
void tq_sha256_hex(const void *data, size_t len, char out[65]);
/* Account names: 1 to 100 printable ASCII characters, no space, ',' or '/'. */
int name_ok(const char *s);
/*
 * Makes an API token of u's with a scope; a grade token may be limited to
 * courses and exercises (by slug) that u teaches (an admin: any), in one
 * transaction.  0 with tok (64 hex digits, shown once) and *id (may be NULL)
 * set; 1 when refused (err says why: an unknown or foreign course); -1 when
 * the database fails (err says so).
 */
int token_mint(struct tq_store *st, const struct tq_user *u, const char *name, int scope, const char *const *courses,
    size_t ncourses, const char *const *exercises, size_t nexercises, int64_t expires, char tok[65], int64_t *id,
    char *err, size_t errlen);
/* Checks a password against the account's hash, or against a dummy one when the account has none, so
 * that both take as long; at most a few run at once (each takes 64 MiB).  0 when it matches. */
int password_verify(struct app *a, const struct tq_user *u, const char *pw);

/* The command line's serve, user add, token add and backup. */
int cmd_serve(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_backup(int argc, char **argv);
/* tracequiz lti add|list (cli_lti.c): the LTI platforms an admin registers. */
int cmd_lti(int argc, char **argv);
/* rekey.c: tracequiz rekey [--db FILE] [--dry-run | --apply] */
int cmd_rekey(int argc, char **argv);

#endif
