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

struct tq_server_opts {
	const char *listen;          /* ADDR:PORT, default 127.0.0.1:8080 */
	const char *db;              /* the SQLite file, default tracequiz.db */
	const char *www;             /* static files */
	const char *seed;            /* the demo exercise's folder */
	size_t max_body;             /* JSON bodies */
	size_t max_upload;           /* captures */
	unsigned threads;
};

/*
 * An exercise ready to grade: loaded, its capture open, its keys computed;
 * or a trace alone (ex NULL), open for an instructor's preview.  Counted
 * references: a request holds one while it reads, so an exercise updated or
 * deleted meanwhile is freed only when the last reader lets go.
 */
struct loaded {
	char slug[128];              /* a trace's: its SHA-256 */
	int64_t id, course_id, capture_id;
	int published;
	char version[32];            /* in ETags: changes when a save changes what is shown */
	char sha256[65];             /* the capture's */
	struct tq_exercise *ex;
	struct tq_capture *cap;
	json_t *public_doc;          /* what a student may see: no keys, no feedback */
	int refs;
	struct loaded *next;
};

struct app {
	struct tq_server_opts o;
	pthread_rwlock_t lock;       /* guards the lists of loaded exercises and traces */
	struct loaded *exercises;
	struct loaded *traces;       /* the last few previewed, at most 8 */
};

/* A request's body, gathered up to its cap. */
struct req {
	char *body;
	size_t len, cap, max;
	int too_big;
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
	char cookie[256];
	char disposition[200];       /* Content-Disposition of a download */
	char etag[80];
	int not_modified;            /* 304: the client's copy (If-None-Match) is current */
};

void reply_json(struct reply *r, unsigned status, json_t *j);
void reply_error(struct reply *r, unsigned status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
const char *header(struct MHD_Connection *c, const char *name);
/* The body as a JSON object, or NULL with a 400 set in r. */
json_t *parse_body(const struct req *q, struct reply *r);
/* The account behind "Authorization: Bearer TOKEN", or -1 with 401 set in r. */
int bearer_user(struct app *a, struct MHD_Connection *c, struct reply *r, struct tq_user *u);
/* The account behind a token or a session cookie; state-changing methods with a
 * cookie must carry its X-CSRF-Token.  -1 with 401/403 set in r when none. */
int request_user(struct app *a, struct MHD_Connection *c, const char *method, struct reply *r, struct tq_user *u);

/* The routes of api.c; they return 1 when the path was theirs. */
int api_session(struct app *a, struct MHD_Connection *c, const char *method, const char *path, const struct req *q,
    struct reply *r);
int api_exercise_routes(struct app *a, struct MHD_Connection *c, const char *method, const char *path, const struct req *q,
    struct reply *r);

int api_author_routes(struct app *a, struct MHD_Connection *c, const char *method, const char *path, const struct req *q,
    struct reply *r);

int is_staff(const struct tq_user *u);
/* Whether a question of an exercise document is of this kind ("order", ...). */
int question_is(const json_t *q, const char *kind);
/* Whether u may read the exercise (*staff: and manage it); -1 with r set when not. */
int exercise_access(struct app *a, const struct tq_user *u, const struct loaded *l, int *staff, struct reply *r);
/* A trace's packet list page (?from=&count=) and one frame's tree and bytes, as staff (viewer 0) or the
 * student whose account is viewer sees them. */
void frames_page(struct MHD_Connection *c, struct loaded *l, int64_t viewer, struct reply *r);
void frame_tree(struct MHD_Connection *c, struct loaded *l, int64_t viewer, const char *num_s, struct reply *r);
void exercise_stats(struct app *a, const struct loaded *l, struct reply *r);
void exercise_csv(struct app *a, const struct loaded *l, struct reply *r);
void exercise_trace(struct app *a, const struct loaded *l, int staff, struct reply *r);

/* The thread's own store (SQLite connection), opened on first use. */
struct tq_store *app_store(struct app *a);
/* A loaded exercise by slug, loading it from the store on a miss; NULL if none.
 * The caller holds a reference and gives it back with app_release. */
struct loaded *app_exercise(struct app *a, const char *slug, char *err, size_t errlen);
/* A stored capture, open for the packet list and frames (ex NULL); held as above. */
struct loaded *app_trace(struct app *a, const struct tq_capmeta *m, char *err, size_t errlen);
void app_release(struct loaded *l);
/* Drops an exercise from memory (changed or deleted): it is loaded again when asked. */
void app_forget(struct app *a, const char *slug);

/* Run the server until SIGINT or SIGTERM. */
int tq_serve(const struct tq_server_opts *o);

/* Accounts (auth.c) */
int tq_password_hash(const char *pw, char *out, size_t outlen);
int tq_password_check(const char *hash, const char *pw);
/* A random secret as hex (2 * nbytes characters), and its SHA-256. */
void tq_secret(char *hex, size_t nbytes);
void tq_sha256(const void *data, size_t len, uint8_t out[32]);
void tq_sha256_hex(const void *data, size_t len, char out[65]);

/* The command line's serve, user add and token add. */
int cmd_serve(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_token(int argc, char **argv);

#endif
