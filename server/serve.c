/*
 * serve.c - tracequiz serve: the server's state.  A SQLite connection per
 * thread (and a thread that checkpoints the write-ahead log), the cache of
 * loaded captures and exercises (keys computed, so grading reads memory),
 * the first start (the demo exercise, the admin account), and the command
 * line's serve, user add and token add.  Requests are http.c's, their
 * routes routes.c's.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "server.h"

#ifndef TQ_SRCDIR
#define TQ_SRCDIR "."
#endif

/* ------------------------------------------------------------------ per-thread store */

static pthread_key_t store_key;
static pthread_once_t store_once = PTHREAD_ONCE_INIT;

static void
store_free(void *p)
{
	tq_store_close(p);
}

static void
store_key_make(void)
{
	pthread_key_create(&store_key, store_free);
}

struct tq_store *
app_store(struct app *a)
{
	pthread_once(&store_once, store_key_make);
	struct tq_store *st = pthread_getspecific(store_key);
	if (!st) {
		char err[512];
		if (tq_store_open(a->o.db, &st, err, sizeof(err)) != 0) {
			fprintf(stderr, "tracequiz: %s\n", err);
			return NULL;
		}
		tq_store_no_autocheckpoint(st);     /* the checkpointer thread does it */
		pthread_setspecific(store_key, st);
	}
	return st;
}

/*
 * Checkpoints the write-ahead log every second in a thread of its own, so
 * that no request waits for one: SQLite's automatic checkpoint would copy the
 * log into the database inside whichever commit crosses 1,000 pages.
 */
struct checkpointer {
	struct app *a;
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop;
};

static void *
checkpoint_loop(void *arg)
{
	struct checkpointer *ck = arg;
	struct tq_store *st;
	char err[512];
	if (tq_store_open(ck->a->o.db, &st, err, sizeof(err)) != 0) {
		fprintf(stderr, "tracequiz: checkpoints: %s\n", err);
		return NULL;
	}
	pthread_mutex_lock(&ck->mu);
	while (!ck->stop) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 1;
		pthread_cond_timedwait(&ck->cv, &ck->mu, &until);
		pthread_mutex_unlock(&ck->mu);
		if (tq_store_checkpoint(st, 0) != 0)
			fprintf(stderr, "tracequiz: %s\n", tq_store_error(st));
		pthread_mutex_lock(&ck->mu);
	}
	pthread_mutex_unlock(&ck->mu);
	tq_store_checkpoint(st, 1);             /* the log emptied at the end */
	tq_store_close(st);
	return NULL;
}

/* ------------------------------------------------------------------ the cache */

/* What a student may see of an exercise: its questions without keys,
 * expected answers, validity or feedback. */
static json_t *
public_doc(const json_t *doc)
{
	json_t *d = json_deep_copy(doc);
	json_t *qs = json_object_get(d, "questions");
	size_t i;
	json_t *q;
	json_array_foreach(qs, i, q) {
		json_object_del(q, "key");
		json_object_del(q, "answer");
		json_object_del(q, "accept");
		json_object_del(q, "match");
		json_object_del(q, "feedback");
		json_object_del(q, "tolerance");
		json_object_del(q, "normalize");
		size_t c;
		json_t *ch;
		json_array_foreach(json_object_get(q, "choices"), c, ch) {
			json_object_del(ch, "valid");
			json_object_del(ch, "feedback");
		}
	}
	return d;
}

/*
 * The cache: captures loaded from the store, most recently used kept within
 * opts.cache_bytes, and the exercises and previews on them.  One capture is
 * shared by every exercise on it; when it leaves the cache, they leave with
 * it (and are loaded again when asked).  A loader puts a placeholder (ready
 * 0) in its list first, so that a second request for the same waits for it
 * instead of loading it twice.  a->lock guards the lists; counted references
 * keep what a request holds alive.
 */
static void
hold(int *refs)
{
	__atomic_add_fetch(refs, 1, __ATOMIC_ACQ_REL);
}

#define FSEL_KEEP 8                  /* display filters kept per capture */

static void evict(struct app *a, const struct capentry *keep);

/* What a kept selection takes, counted with its capture against the cache's budget. */
static size_t
fsel_bytes(const struct fsel *fs)
{
	return sizeof(*fs) + fs->n + strlen(fs->src) + 1;
}

/* Under a->lock: ce grows (or shrinks) by d bytes. */
static void
capentry_grow(struct app *a, struct capentry *ce, ptrdiff_t d)
{
	ce->bytes += (size_t)d;
	if (ce->in_cache)
		a->cap_bytes += (size_t)d;
}

void
fsel_release(struct fsel *fs)
{
	if (fs && __atomic_sub_fetch(&fs->refs, 1, __ATOMIC_ACQ_REL) == 0) {
		free(fs->src);
		free(fs->sel);
		free(fs);
	}
}

struct fsel *
fsel_find(struct app *a, struct capentry *ce, const char *src)
{
	pthread_mutex_lock(&a->lock);
	struct fsel **pp = &ce->filters, *fs = NULL;
	for (; *pp; pp = &(*pp)->next)
		if (!strcmp((*pp)->src, src)) {
			fs = *pp;
			*pp = fs->next;      /* to the front: the latest first */
			fs->next = ce->filters;
			ce->filters = fs;
			hold(&fs->refs);
			break;
		}
	pthread_mutex_unlock(&a->lock);
	return fs;
}

void
fsel_keep(struct app *a, struct capentry *ce, struct fsel *fs)
{
	struct fsel *drop = NULL;
	pthread_mutex_lock(&a->lock);
	hold(&fs->refs);
	fs->next = ce->filters;
	ce->filters = fs;
	capentry_grow(a, ce, (ptrdiff_t)fsel_bytes(fs));
	unsigned k = 0;
	for (struct fsel **pp = &ce->filters; *pp; pp = &(*pp)->next)
		if (++k == FSEL_KEEP) {
			drop = (*pp)->next;
			(*pp)->next = NULL;
			break;
		}
	for (struct fsel *d = drop; d; d = d->next)
		capentry_grow(a, ce, -(ptrdiff_t)fsel_bytes(d));
	evict(a, ce);
	pthread_mutex_unlock(&a->lock);
	while (drop) {
		struct fsel *next = drop->next;
		fsel_release(drop);
		drop = next;
	}
}

static void
capentry_release(struct capentry *ce)
{
	if (ce && __atomic_sub_fetch(&ce->refs, 1, __ATOMIC_ACQ_REL) == 0) {
		while (ce->filters) {
			struct fsel *next = ce->filters->next;
			fsel_release(ce->filters);
			ce->filters = next;
		}
		tq_capture_free(ce->cap);
		free(ce);
	}
}

static void
loaded_free(struct loaded *l)
{
	if (!l)
		return;
	tq_exercise_free(l->ex);
	capentry_release(l->ce);
	json_decref(l->public_doc);
	free(l);
}

void
app_release(struct loaded *l)
{
	if (l && __atomic_sub_fetch(&l->refs, 1, __ATOMIC_ACQ_REL) == 0)
		loaded_free(l);
}

/* Under a->lock: takes the entries on ce out of a list. */
static void
drop_users(struct loaded **list, const struct capentry *ce)
{
	for (struct loaded **pp = list; *pp;) {
		struct loaded *l = *pp;
		if (l->ready && l->ce == ce) {
			*pp = l->next;
			app_release(l);
		} else {
			pp = &l->next;
		}
	}
}

/* Under a->lock: the least recently used captures leave until the cache is
 * within its budget (keep stays: a request is about to use it). */
static void
evict(struct app *a, const struct capentry *keep)
{
	while (a->cap_bytes > a->o.cache_bytes) {
		struct capentry **victim = NULL;
		for (struct capentry **pp = &a->caps; *pp; pp = &(*pp)->next)
			if ((*pp)->ready && *pp != keep && (!victim || (*pp)->used < (*victim)->used))
				victim = pp;
		if (!victim)
			break;
		struct capentry *ce = *victim;
		*victim = ce->next;
		a->cap_bytes -= ce->bytes;
		drop_users(&a->exercises, ce);
		drop_users(&a->traces, ce);
		ce->in_cache = 0;
		capentry_release(ce);
	}
}

/* Reads a stored capture into memory and opens it. */
static int
open_stored(struct tq_store *st, int64_t capture_id, const struct tq_open_opts *o, struct tq_capture **cap, char *sha,
    char *err, size_t errlen)
{
	void *data = NULL;
	size_t size = 0;
	int rc = tq_store_capture_get(st, capture_id, &data, &size, sha);
	if (rc || !data) {
		snprintf(err, errlen, "the capture cannot be read from the database: %s", rc ? tq_store_error(st) : "out of memory");
		free(data);
		return -1;
	}
	rc = tq_capture_open_mem_opts(data, size, o, cap, err, errlen);
	free(data);
	return rc ? -1 : 0;
}

static int
same_rules(const struct capentry *ce, const struct tq_open_opts *o)
{
	unsigned n = o ? o->ndecode_as : 0;
	return ce->ndecode_as == n && (!n || !memcmp(ce->decode_as, o->decode_as, n * sizeof(*o->decode_as)));
}

/* Under a->lock: the capture entry of capture_id opened with o's rules, waiting for its loader if it has one. */
static struct capentry *
find_capture(struct app *a, int64_t capture_id, const struct tq_open_opts *o)
{
	for (;;) {
		struct capentry *ce = a->caps;
		while (ce && (ce->capture_id != capture_id || !same_rules(ce, o)))
			ce = ce->next;
		if (!ce || ce->ready)
			return ce;
		pthread_cond_wait(&a->loaded_cv, &a->lock);
	}
}

/* The capture capture_id opened with o (NULL: as is), from the cache or loaded into it; held (capentry_release). */
static struct capentry *
app_capture(struct app *a, int64_t capture_id, const struct tq_open_opts *o, char *err, size_t errlen)
{
	pthread_mutex_lock(&a->lock);
	struct capentry *ce = find_capture(a, capture_id, o);
	if (ce) {
		hold(&ce->refs);
		ce->used = ++a->clock;
		pthread_mutex_unlock(&a->lock);
		return ce;
	}
	if (!(ce = calloc(1, sizeof(*ce)))) {
		pthread_mutex_unlock(&a->lock);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	ce->capture_id = capture_id;
	if (o && o->ndecode_as) {
		ce->ndecode_as = o->ndecode_as < TQ_MAX_DECODE_AS ? o->ndecode_as : TQ_MAX_DECODE_AS;
		memcpy(ce->decode_as, o->decode_as, ce->ndecode_as * sizeof(*ce->decode_as));
	}
	ce->refs = 2;                /* the cache's and the caller's */
	ce->in_cache = 1;
	ce->next = a->caps;
	a->caps = ce;
	pthread_mutex_unlock(&a->lock);

	/* loaded outside the lock: what others may read of ce (its hash) is set under it */
	char sha256[sizeof(ce->sha256)] = "";
	struct tq_store *st = app_store(a);
	int rc = st ? open_stored(st, capture_id, o, &ce->cap, sha256, err, errlen) : -1;
	if (!st)
		snprintf(err, errlen, "the database cannot be opened");
	pthread_mutex_lock(&a->lock);
	if (rc) {
		for (struct capentry **pp = &a->caps; *pp; pp = &(*pp)->next)
			if (*pp == ce) {
				*pp = ce->next;
				break;
			}
		free(ce);
		ce = NULL;
	} else {
		memcpy(ce->sha256, sha256, sizeof(ce->sha256));
		ce->bytes = tq_capture_memory(ce->cap);
		ce->ready = 1;
		ce->used = ++a->clock;
		a->cap_bytes += ce->bytes;
		evict(a, ce);
	}
	pthread_cond_broadcast(&a->loaded_cv);
	pthread_mutex_unlock(&a->lock);
	return ce;
}

/* Under a->lock: the entry of list named slug, ready or not, or NULL. */
static struct loaded *
named(struct loaded *list, const char *slug)
{
	while (list && strcmp(list->slug, slug))
		list = list->next;
	return list;
}

/* Under a->lock: the entry of list named slug, waiting for its loader if it has one. */
static struct loaded *
find_loaded(struct app *a, struct loaded *const *list, const char *slug)
{
	for (;;) {
		struct loaded *l = named(*list, slug);
		if (!l || l->ready)
			return l;
		pthread_cond_wait(&a->loaded_cv, &a->lock);
	}
}

static void
unlink_loaded(struct loaded **list, struct loaded *l)
{
	for (struct loaded **pp = list; *pp; pp = &(*pp)->next)
		if (*pp == l) {
			*pp = l->next;
			return;
		}
}

int
app_exercise_ready(struct app *a, const char *slug)
{
	pthread_mutex_lock(&a->lock);
	struct loaded *l = named(a->exercises, slug);
	int ready = l && l->ready;
	pthread_mutex_unlock(&a->lock);
	return ready;
}

int
app_trace_ready(struct app *a, const char *sha256)
{
	pthread_mutex_lock(&a->lock);
	struct capentry *ce = a->caps;
	while (ce && !(ce->ready && !strcmp(ce->sha256, sha256)))
		ce = ce->next;
	int ready = ce != NULL;
	pthread_mutex_unlock(&a->lock);
	return ready;
}

/* Loads an exercise's row, capture and keys into l (a placeholder in the list); 0 or an HTTP status. */
static unsigned
load_exercise(struct app *a, struct loaded *l, const char *slug, char *err, size_t errlen)
{
	struct tq_store *st = app_store(a);
	if (!st) {
		snprintf(err, errlen, "the database cannot be opened");
		return 500;
	}
	struct tq_exrow row;
	int rc = tq_store_exercise_get(st, slug, &row);
	if (rc) {
		snprintf(err, errlen, rc == TQ_STORE_NOTFOUND ? "there is no exercise '%.100s'" : "%s", rc == TQ_STORE_NOTFOUND ? slug :
		    tq_store_error(st));
		return rc == TQ_STORE_NOTFOUND ? 404 : 500;
	}
	json_error_t je;
	json_t *doc = json_loads(row.doc, 0, &je);
	unsigned status = 500;
	if (!doc) {
		snprintf(err, errlen, "exercise '%.100s' is damaged in the database", slug);
		goto out;
	}
	l->id = row.id;
	l->course_id = row.course_id;
	l->capture_id = row.capture_id;
	l->published = row.published;
	l->key_version = row.key_version;
	/* the version: a save that changes the document or the capture changes the ETags */
	char h[65];
	tq_sha256_hex(row.doc, strlen(row.doc), h);
	snprintf(l->version, sizeof(l->version), "%.8s%lld", h, (long long)row.capture_id);
	struct tq_limits lim = job_limits(a);
	if (tq_exercise_from_json(doc, NULL, &l->ex, err, errlen) != 0)
		goto out;
	struct tq_open_opts oo = tq_exercise_open_opts(l->ex);
	if (!(l->ce = app_capture(a, row.capture_id, &oo, err, errlen)))
		goto out;
	/* the keys frozen when it was saved; computed again only when the row's cannot be read */
	json_t *keys = json_loads(row.keys, 0, NULL);
	char kerr[300];
	rc = keys ? tq_exercise_set_keys(l->ex, keys, l->ce->cap, kerr, sizeof(kerr)) : -1;
	json_decref(keys);
	if (rc) {
		fprintf(stderr, "tracequiz: exercise '%s': %s; computing its keys again\n", slug,
		    keys ? kerr : "its stored keys are not JSON");
		rc = tq_exercise_compute_keys(l->ex, l->ce->cap, &lim, err, errlen);
	}
	if (rc) {
		status = rc == TQ_ETIMEOUT || rc == TQ_ETOOBIG ? 503 : 500;    /* past the job's budget: busy */
		goto out;
	}
	l->cap = l->ce->cap;
	snprintf(l->sha256, sizeof(l->sha256), "%s", l->ce->sha256);
	l->public_doc = public_doc(tq_exercise_doc(l->ex));
	status = 0;
out:
	json_decref(doc);
	tq_exrow_free(&row);
	return status;
}

struct loaded *
app_exercise(struct app *a, const char *slug, unsigned *status, char *err, size_t errlen)
{
	pthread_mutex_lock(&a->lock);
	struct loaded *l = find_loaded(a, &a->exercises, slug);
	if (l) {
		hold(&l->refs);
		l->ce->used = ++a->clock;
		pthread_mutex_unlock(&a->lock);
		return l;
	}
	if (!(l = calloc(1, sizeof(*l)))) {
		pthread_mutex_unlock(&a->lock);
		snprintf(err, errlen, "out of memory");
		*status = 503;
		return NULL;
	}
	snprintf(l->slug, sizeof(l->slug), "%s", slug);
	l->refs = 2;                 /* the list's and the caller's */
	l->next = a->exercises;
	a->exercises = l;
	pthread_mutex_unlock(&a->lock);

	unsigned rc = load_exercise(a, l, slug, err, errlen);
	*status = rc;
	pthread_mutex_lock(&a->lock);
	if (rc || l->stale || !l->ce->in_cache) {
		/* failed, changed meanwhile, or its capture already left the cache: not kept */
		unlink_loaded(&a->exercises, l);
		l->refs = 1;
	}
	l->ready = 1;
	pthread_cond_broadcast(&a->loaded_cv);
	pthread_mutex_unlock(&a->lock);
	if (rc) {
		loaded_free(l);
		return NULL;
	}
	return l;
}

struct loaded *
app_trace(struct app *a, const struct tq_capmeta *m, char *err, size_t errlen)
{
	pthread_mutex_lock(&a->lock);
	struct loaded *l = find_loaded(a, &a->traces, m->sha256);
	if (l) {
		hold(&l->refs);
		l->ce->used = ++a->clock;
		pthread_mutex_unlock(&a->lock);
		return l;
	}
	pthread_mutex_unlock(&a->lock);
	struct capentry *ce = app_capture(a, m->id, NULL, err, errlen);
	if (!ce)
		return NULL;
	if (!(l = calloc(1, sizeof(*l)))) {
		capentry_release(ce);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	snprintf(l->slug, sizeof(l->slug), "%s", m->sha256);
	snprintf(l->sha256, sizeof(l->sha256), "%s", ce->sha256);
	l->id = -m->id;              /* apart from the exercises' ids in ETags */
	snprintf(l->version, sizeof(l->version), "t");
	l->capture_id = m->id;
	l->ce = ce;
	l->cap = ce->cap;
	l->ready = 1;
	pthread_mutex_lock(&a->lock);
	struct loaded *o = named(a->traces, l->slug);
	if (o || !ce->in_cache) {
		/* another request was quicker, or the capture left the cache already */
		if (o)
			hold(&o->refs);
		pthread_mutex_unlock(&a->lock);
		if (o) {
			loaded_free(l);
			return o;
		}
		l->refs = 1;
		return l;
	}
	/* at most 8 previews: the oldest goes */
	size_t n = 0;
	for (struct loaded **pp = &a->traces; *pp; pp = &(*pp)->next)
		if (++n == 8) {
			app_release(*pp);
			*pp = NULL;
			break;
		}
	l->refs = 2;
	l->next = a->traces;
	a->traces = l;
	pthread_mutex_unlock(&a->lock);
	return l;
}

void
app_forget(struct app *a, const char *slug)
{
	pthread_mutex_lock(&a->lock);
	for (struct loaded **pp = &a->exercises; *pp; pp = &(*pp)->next)
		if (!strcmp((*pp)->slug, slug)) {
			struct loaded *l = *pp;
			if (!l->ready) {
				l->stale = 1;        /* its loader read the old one: it is not kept */
				break;
			}
			*pp = l->next;
			app_release(l);
			break;
		}
	pthread_mutex_unlock(&a->lock);
}

void
app_cache_figures(struct app *a, size_t *ncaps, size_t *bytes, size_t *nex)
{
	pthread_mutex_lock(&a->lock);
	*ncaps = *nex = 0;
	for (struct capentry *ce = a->caps; ce; ce = ce->next)
		*ncaps += ce->ready;
	for (struct loaded *l = a->exercises; l; l = l->next)
		*nex += l->ready;
	*bytes = a->cap_bytes;
	pthread_mutex_unlock(&a->lock);
}

/* ------------------------------------------------------------------ first start */

/* Stores an exercise folder: its capture once, the document and its keys. */
static int
store_exercise_dir(struct tq_store *st, const char *dir, const char *slug, int64_t course_id, char *err, size_t errlen)
{
	struct tq_exercise *ex = NULL;
	struct tq_capture *cap = NULL;
	void *data = NULL;
	int rc = -1;
	if (tq_exercise_load(dir, &ex, err, errlen) != 0)
		return -1;
	const char *cp = tq_exercise_capture_path(ex);
	if (!cp) {
		snprintf(err, errlen, "%s has no capture", dir);
		goto out;
	}
	size_t len;
	if (!(data = tq_read_file(cp, SIZE_MAX - 1, &len))) {
		snprintf(err, errlen, "%s: %s", cp, strerror(errno));
		goto out;
	}
	struct tq_open_opts oo = tq_exercise_open_opts(ex);
	if (tq_capture_open_mem_opts(data, len, &oo, &cap, err, errlen) != 0 ||
	    tq_exercise_compute_keys(ex, cap, NULL, err, errlen) != 0)
		goto out;
	char sha[65];
	tq_sha256_hex(data, len, sha);
	json_t *keys = tq_exercise_keys_json(ex);
	char *doc = json_dumps(tq_exercise_doc(ex), JSON_COMPACT);
	char *ks = json_dumps(keys, JSON_COMPACT);
	json_decref(keys);
	const char *base = strrchr(cp, '/');
	int64_t cid, eid;
	if (doc && ks && tq_store_begin(st) == 0 &&
	    tq_store_capture_put(st, sha, base ? base + 1 : cp, data, len, tq_capture_count(cap), &cid) == 0 &&
	    tq_store_exercise_put(st, slug, course_id, doc, cid, ks, PACKAGE_VERSION, 0, 1, &eid) == 0 && tq_store_commit(st) == 0)
		rc = 0;
	else {
		snprintf(err, errlen, "storing %s: %s", slug, tq_store_error(st));
		tq_store_rollback(st);
	}
	free(doc);
	free(ks);
out:
	free(data);
	tq_capture_free(cap);
	tq_exercise_free(ex);
	return rc;
}

static const char *
find_dir(const char *given, const char *rel)
{
	static char buf[2][4096];
	static int k;
	if (given)
		return given;
	struct stat sb;
	if (stat(rel, &sb) == 0 && S_ISDIR(sb.st_mode))
		return rel;
	k ^= 1;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", TQ_SRCDIR, rel);
	return buf[k];
}

/* A fresh database gets the demo exercise and an admin whose password is printed once. */
static int
first_start(struct app *a)
{
	struct tq_store *st = app_store(a);
	if (!st)
		return -1;
	int64_t users;
	if (tq_store_user_count(st, &users) != 0) {
		fprintf(stderr, "tracequiz: %s\n", tq_store_error(st));
		return -1;
	}
	char err[1024];
	/* the demo course is open: every account sees its exercise */
	int64_t course;
	struct tq_course dc;
	int rc = tq_store_course_get(st, "demo", &dc);
	if (rc == TQ_STORE_NOTFOUND)
		rc = tq_store_course_add(st, "demo", "Demo course", 1, &course);
	else
		course = dc.id;
	if (rc != 0) {
		fprintf(stderr, "tracequiz: %s\n", tq_store_error(st));
		return -1;
	}
	struct tq_exrow row;
	if (tq_store_exercise_get(st, "smtp-over-tls", &row) == 0) {
		tq_exrow_free(&row);
	} else {
		const char *seed = a->o.seed;
		if (store_exercise_dir(st, seed, "smtp-over-tls", course, err, sizeof(err)) != 0) {
			fprintf(stderr, "tracequiz: the demo exercise: %s\n", err);
			return -1;
		}
		fprintf(stderr, "tracequiz: loaded the demo exercise smtp-over-tls from %s\n", seed);
	}
	if (users == 0) {
		char pw[33], hash[160];
		int64_t id;
		tq_secret(pw, 16);
		if (tq_password_hash(pw, hash, sizeof(hash)) != 0 || tq_store_user_add(st, "admin", "admin", hash, 0, &id) != 0 ||
		    tq_store_teacher_add(st, course, id) != 0) {
			fprintf(stderr, "tracequiz: creating the admin account: %s\n", tq_store_error(st));
			return -1;
		}
		printf("tracequiz: created the account 'admin' with the password %s (shown once: keep it)\n", pw);
		fflush(stdout);
	}
	return 0;
}

static void
app_free(struct app *a)
{
	struct loaded *lists[] = { a->exercises, a->traces };
	for (size_t i = 0; i < 2; i++)
		for (struct loaded *l = lists[i], *n; l; l = n) {
			n = l->next;
			app_release(l);
		}
	for (struct capentry *ce = a->caps, *n; ce; ce = n) {
		n = ce->next;
		capentry_release(ce);
	}
	pthread_mutex_destroy(&a->lock);
	pthread_cond_destroy(&a->loaded_cv);
	free(a);
}

int
tq_serve(const struct tq_server_opts *o)
{
	struct app *a = calloc(1, sizeof(*a));
	if (!a)
		return 1;
	a->o = *o;
	pthread_mutex_init(&a->lock, NULL);
	pthread_cond_init(&a->loaded_cv, NULL);
	/* names without an account are checked against this, so that they take as long as the others */
	char pw[33];
	tq_secret(pw, 16);
	if (tq_password_hash(pw, a->dummy_hash, sizeof(a->dummy_hash)) != 0) {
		fprintf(stderr, "tracequiz: cannot hash a password (out of memory?)\n");
		app_free(a);
		return 1;
	}
	int rc = 1;
	if (first_start(a) == 0) {
		struct checkpointer ck = { .a = a, .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };
		int ck_started = pthread_create(&ck.th, NULL, checkpoint_loop, &ck) == 0;
		rc = http_run(a);
		if (ck_started) {
			pthread_mutex_lock(&ck.mu);
			ck.stop = 1;
			pthread_cond_signal(&ck.cv);
			pthread_mutex_unlock(&ck.mu);
			pthread_join(ck.th, NULL);
		}
	}
	app_free(a);
	return rc;
}

/* ------------------------------------------------------------------ commands */

/* A whole number from lo to hi for option name; -1 (said) when it is not one. */
static int
number(const char *name, const char *text, unsigned long long lo, unsigned long long hi, unsigned long long *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(text, &end, 10);
	if (errno || end == text || *end || text[0] == '-' || v < lo || v > hi) {
		fprintf(stderr, "tracequiz: --%s: give a whole number from %llu to %llu, not '%s'\n", name, lo, hi, text);
		return -1;
	}
	*out = v;
	return 0;
}

static const char serve_usage[] =
    "usage: tracequiz serve [--listen ADDR:PORT] [--db FILE] [--www DIR] [--seed DIR] [--tmp DIR]\n"
    "         [--threads N] [--max-upload MIB] [--max-inflight-mb MIB] [--cache-mb MIB]\n"
    "         [--heavy-threads N] [--heavy-per-user N] [--job-seconds S] [--job-mb MIB]\n"
    "         [--max-connections N] [--per-ip N] [--header-timeout S] [--idle-timeout S]\n"
    "         [--submit-per-minute N] [--behind-https] [--trusted-proxy ADDR] [--quiet]\n"
    "(doc/security.md says what each limit is for)\n";

int
cmd_serve(int argc, char **argv)
{
	enum { O_LISTEN = 1, O_DB, O_WWW, O_SEED, O_TMP, O_THREADS, O_UPLOAD, O_INFLIGHT, O_CACHE, O_HEAVY, O_PERUSER,
	    O_JOBSEC, O_JOBMB, O_CONNS, O_PERIP, O_HEADER, O_IDLE, O_SUBMIT, O_HTTPS, O_PROXY, O_QUIET };
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, O_LISTEN }, { "db", required_argument, NULL, O_DB },
		{ "www", required_argument, NULL, O_WWW }, { "seed", required_argument, NULL, O_SEED },
		{ "tmp", required_argument, NULL, O_TMP }, { "threads", required_argument, NULL, O_THREADS },
		{ "max-upload", required_argument, NULL, O_UPLOAD }, { "max-inflight-mb", required_argument, NULL, O_INFLIGHT },
		{ "cache-mb", required_argument, NULL, O_CACHE }, { "heavy-threads", required_argument, NULL, O_HEAVY },
		{ "heavy-per-user", required_argument, NULL, O_PERUSER }, { "job-seconds", required_argument, NULL, O_JOBSEC },
		{ "job-mb", required_argument, NULL, O_JOBMB }, { "max-connections", required_argument, NULL, O_CONNS },
		{ "per-ip", required_argument, NULL, O_PERIP }, { "header-timeout", required_argument, NULL, O_HEADER },
		{ "idle-timeout", required_argument, NULL, O_IDLE }, { "submit-per-minute", required_argument, NULL, O_SUBMIT },
		{ "behind-https", no_argument, NULL, O_HTTPS }, { "trusted-proxy", required_argument, NULL, O_PROXY },
		{ "quiet", no_argument, NULL, O_QUIET },
		{ NULL, 0, NULL, 0 },
	};
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	if (ncpu < 1 || ncpu > 64)
		ncpu = 2;
	struct tq_server_opts o = {
		.listen = "127.0.0.1:8080", .db = "tracequiz.db", .max_body = 1u << 20, .max_upload = 64u << 20,
		.max_inflight = 256u << 20, .cache_bytes = (size_t)1024 << 20, .threads = (unsigned)ncpu * 2,
		.heavy_threads = (unsigned)ncpu, .heavy_per_user = 2, .heavy_queue = 64, .job_seconds = 60,
		.job_bytes = (size_t)1024 << 20, .max_conns = 1024, .per_ip = 64, .header_seconds = 10,
		.idle_seconds = 30, .submit_per_minute = 10,
	};
	const char *www = NULL, *seed = NULL;
	int c;
	unsigned long long v;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		const char *name = c > 0 && c <= O_QUIET ? opts[c - 1].name : "";
		int bad = 0;
		switch (c) {
		case O_LISTEN: o.listen = optarg; break;
		case O_DB: o.db = optarg; break;
		case O_WWW: www = optarg; break;
		case O_SEED: seed = optarg; break;
		case O_TMP: o.tmpdir = optarg; break;
		case O_HTTPS: o.behind_https = 1; break;
		case O_PROXY: o.trusted_proxy = optarg; break;
		case O_QUIET: o.quiet = 1; break;
		case O_THREADS: bad = number(name, optarg, 1, 256, &v); o.threads = (unsigned)v; break;
		case O_UPLOAD: bad = number(name, optarg, 1, 4096, &v); o.max_upload = (size_t)v << 20; break;
		case O_INFLIGHT: bad = number(name, optarg, 1, 65536, &v); o.max_inflight = (size_t)v << 20; break;
		case O_CACHE: bad = number(name, optarg, 1, 1u << 20, &v); o.cache_bytes = (size_t)v << 20; break;
		case O_HEAVY: bad = number(name, optarg, 1, 64, &v); o.heavy_threads = (unsigned)v; break;
		case O_PERUSER: bad = number(name, optarg, 1, 64, &v); o.heavy_per_user = (unsigned)v; break;
		case O_JOBSEC: bad = number(name, optarg, 1, 86400, &v); o.job_seconds = (unsigned)v; break;
		case O_JOBMB: bad = number(name, optarg, 1, 1u << 20, &v); o.job_bytes = (size_t)v << 20; break;
		case O_CONNS: bad = number(name, optarg, 8, 100000, &v); o.max_conns = (unsigned)v; break;
		case O_PERIP: bad = number(name, optarg, 1, 100000, &v); o.per_ip = (unsigned)v; break;
		case O_HEADER: bad = number(name, optarg, 1, 3600, &v); o.header_seconds = (unsigned)v; break;
		case O_IDLE: bad = number(name, optarg, 1, 3600, &v); o.idle_seconds = (unsigned)v; break;
		case O_SUBMIT: bad = number(name, optarg, 1, 100000, &v); o.submit_per_minute = (unsigned)v; break;
		default:
			fputs(serve_usage, stderr);
			return 2;
		}
		if (bad)
			return 2;
	}
	if (optind < argc) {
		fputs(serve_usage, stderr);
		return 2;
	}
	if (o.trusted_proxy) {
		struct in6_addr a6;
		struct in_addr a4;
		if (inet_pton(AF_INET, o.trusted_proxy, &a4) != 1 && inet_pton(AF_INET6, o.trusted_proxy, &a6) != 1) {
			fprintf(stderr, "tracequiz: --trusted-proxy: give the proxy's address, such as 127.0.0.1\n");
			return 2;
		}
	}
	if (!o.tmpdir) {
		const char *t = getenv("TMPDIR");
		o.tmpdir = t && *t ? t : "/tmp";
	}
	o.www = find_dir(www, "www");
	o.seed = find_dir(seed, "db/seed/smtp-over-tls");
	return tq_serve(&o);
}

static const char *
db_arg(int argc, char **argv)
{
	for (int i = 0; i < argc - 1; i++)
		if (!strcmp(argv[i], "--db"))
			return argv[i + 1];
	return "tracequiz.db";
}

/* tracequiz user add NAME --role student|instructor|admin [--db FILE] */
int
cmd_user(int argc, char **argv)
{
	if (argc < 3 || strcmp(argv[1], "add")) {
		fprintf(stderr, "usage: tracequiz user add NAME --role student|instructor|admin [--db FILE]\n");
		return 2;
	}
	const char *name = argv[2], *role = NULL;
	for (int i = 3; i < argc - 1; i++)
		if (!strcmp(argv[i], "--role"))
			role = argv[i + 1];
	if (!role || (strcmp(role, "student") && strcmp(role, "instructor") && strcmp(role, "admin"))) {
		fprintf(stderr, "tracequiz: give --role student, instructor or admin\n");
		return 2;
	}
	if (!name_ok(name)) {
		fprintf(stderr, "tracequiz: a user name has 1 to 100 printable characters, without space, ',' or '/'\n");
		return 2;
	}
	char pw[256] = "", hash[160], err[512];
	if (!isatty(STDIN_FILENO) && fgets(pw, sizeof(pw), stdin)) {
		pw[strcspn(pw, "\r\n")] = '\0';
	}
	int generated = !*pw;
	if (generated)
		tq_secret(pw, 12);
	struct tq_store *st;
	if (tq_store_open(db_arg(argc, argv), &st, err, sizeof(err)) != 0) {
		fprintf(stderr, "tracequiz: %s\n", err);
		return 1;
	}
	int64_t id;
	int rc = tq_password_hash(pw, hash, sizeof(hash)) == 0 ? tq_store_user_add(st, name, role, hash, 0, &id) : -1;
	if (rc == TQ_STORE_EXISTS)
		fprintf(stderr, "tracequiz: there is already a user '%s'\n", name);
	else if (rc)
		fprintf(stderr, "tracequiz: %s\n", tq_store_error(st));
	else if (generated)
		printf("%s %s\n", name, pw);
	tq_store_close(st);
	return rc ? 1 : 0;
}

/*
 * tracequiz token add NAME [--scope admin|read|grade] [--course SLUG]... [--exercise SLUG]...
 *     [--days N] [--db FILE]: an API token for an instructor or admin, printed once.
 */
int
cmd_token(int argc, char **argv)
{
	static const char usage[] = "usage: tracequiz token add NAME [--scope admin|read|grade] [--course SLUG]... "
	    "[--exercise SLUG]... [--days N] [--db FILE]\n";
	if (argc < 3 || strcmp(argv[1], "add")) {
		fputs(usage, stderr);
		return 2;
	}
	const char *courses[64], *exercises[64];
	size_t nc = 0, ne = 0;
	int scope = TQ_SCOPE_ADMIN;
	int64_t expires = 0;
	for (int i = 3; i < argc; i++) {
		const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		unsigned long long days;
		if (!val) {
			fputs(usage, stderr);
			return 2;
		}
		i++;
		if (!strcmp(opt, "--scope")) {
			if ((scope = tq_scope_parse(val)) == TQ_SCOPE_NONE) {
				fprintf(stderr, "tracequiz: --scope: admin, read or grade, not '%s'\n", val);
				return 2;
			}
		} else if (!strcmp(opt, "--course") && nc < 64) {
			courses[nc++] = val;
		} else if (!strcmp(opt, "--exercise") && ne < 64) {
			exercises[ne++] = val;
		} else if (!strcmp(opt, "--days")) {
			if (number("days", val, 1, 3650, &days))
				return 2;
			expires = (int64_t)time(NULL) + (int64_t)days * 86400;
		} else if (strcmp(opt, "--db")) {
			fputs(usage, stderr);
			return 2;
		}
	}
	if ((nc || ne) && scope != TQ_SCOPE_GRADE) {
		fprintf(stderr, "tracequiz: --course and --exercise limit a grade token (--scope grade)\n");
		return 2;
	}
	char err[512];
	struct tq_store *st;
	if (tq_store_open(db_arg(argc, argv), &st, err, sizeof(err)) != 0) {
		fprintf(stderr, "tracequiz: %s\n", err);
		return 1;
	}
	struct tq_user u;
	int rc = tq_store_user_by_name(st, argv[2], &u);
	if (rc == TQ_STORE_NOTFOUND)
		fprintf(stderr, "tracequiz: there is no user '%s'\n", argv[2]);
	else if (rc)
		fprintf(stderr, "tracequiz: %s\n", tq_store_error(st));
	else if (!is_staff(&u)) {
		fprintf(stderr, "tracequiz: '%s' is a %s; tokens are for instructors and admins\n", u.name, u.role);
		rc = 1;
	} else {
		char tok[65];
		rc = token_mint(st, &u, "cli", scope, courses, nc, exercises, ne, expires, tok, NULL, err, sizeof(err));
		if (rc)
			fprintf(stderr, "tracequiz: %s\n", err);
		else
			printf("%s\n", tok);
	}
	tq_store_close(st);
	return rc ? 1 : 0;
}
