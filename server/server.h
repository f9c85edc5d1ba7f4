/* server.h - tracequiz serve: the HTTP server, its state and its routes. */
#ifndef TQ_SERVER_H
#define TQ_SERVER_H

#include <jansson.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

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

/* An exercise ready to grade: loaded, its capture open, its keys computed. */
struct loaded {
	char slug[128];
	int64_t id, course_id;
	struct tq_exercise *ex;
	struct tq_capture *cap;
	json_t *public_doc;          /* what a student may see: no keys, no feedback */
	struct loaded *next;
};

struct app {
	struct tq_server_opts o;
	pthread_rwlock_t lock;       /* guards the list of loaded exercises */
	struct loaded *exercises;
};

/* The thread's own store (SQLite connection), opened on first use. */
struct tq_store *app_store(struct app *a);
/* A loaded exercise by slug, loading it from the store on a miss; NULL if none. */
struct loaded *app_exercise(struct app *a, const char *slug, char *err, size_t errlen);

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
