/*
 * app.c - the server's state: a SQLite connection per thread (and a thread
 * that checkpoints the write-ahead log), and the cache of loaded captures
 * and exercises (keys computed, so grading reads memory), with a byte
 * budget and reference counts: a save drops the loaded exercise that
 * readers still hold, and they finish with theirs.
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
			tq_log(TQ_LOG_ERR, "%s", err);
			return NULL;
		}
		tq_store_no_autocheckpoint(st);     /* the checkpointer thread does it */
		pthread_setspecific(store_key, st);
	}
	return st;
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
	l->revision = row.revision;
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
		tq_log(TQ_LOG_WARNING, "exercise '%s': %s; computing its keys again", slug,
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
app_exercise(struct app *a, const char *slug, const struct tq_exmeta *current, unsigned *status, char *err,
    size_t errlen)
{
	pthread_mutex_lock(&a->lock);
	struct loaded *l = find_loaded(a, &a->exercises, slug);
	if (l && current && (l->id != current->id || l->revision < current->revision)) {
		/* saved, published or deleted and made again through another node: loaded again */
		unlink_loaded(&a->exercises, l);
		app_release(l);
		l = NULL;
	}
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

void
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
	pthread_mutex_destroy(&a->frame_lock);
	pthread_cond_destroy(&a->loaded_cv);
	free(a);
}
