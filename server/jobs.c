/*
 * jobs.c - the pool of heavy work: a few threads, at a lower priority than
 * the threads that serve requests, taking jobs from one bounded queue.
 *
 * A request whose work is heavy (opening a big capture, computing keys,
 * indexing a trace for an expression) is suspended by http.c and handed
 * here, so a student's request never waits behind an instructor's.  Each
 * account may have opts.heavy_per_user jobs at once (the slots below), and
 * each job has a time and a memory budget (job_limits), which the analysis
 * library checks as it goes.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "server.h"

struct job_item {
	void (*fn)(void *arg);
	void *arg;
	struct job_item *next;
};

struct tq_pool {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct job_item *head, *tail;
	unsigned queued, running, max_queue;
	int stopping;
	int nice_inc;
	unsigned nthreads;
	pthread_t th[];
};

static void *
pool_loop(void *arg)
{
	struct tq_pool *p = arg;
	/* Linux: a thread's own nice value, so the scheduler favours the request threads */
	if (p->nice_inc)
		setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), p->nice_inc);
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->head && !p->stopping)
			pthread_cond_wait(&p->cv, &p->mu);
		if (!p->head)
			break;
		struct job_item *j = p->head;
		p->head = j->next;
		if (!p->head)
			p->tail = NULL;
		p->queued--;
		p->running++;
		pthread_mutex_unlock(&p->mu);
		j->fn(j->arg);
		free(j);
		pthread_mutex_lock(&p->mu);
		p->running--;
		pthread_cond_broadcast(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

struct tq_pool *
pool_start(unsigned threads, int nice_inc, unsigned max_queue)
{
	if (!threads)
		threads = 1;
	struct tq_pool *p = calloc(1, sizeof(*p) + threads * sizeof(pthread_t));
	if (!p)
		return NULL;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	p->nice_inc = nice_inc;
	p->max_queue = max_queue ? max_queue : 64;
	for (unsigned i = 0; i < threads; i++) {
		if (pthread_create(&p->th[i], NULL, pool_loop, p) != 0)
			break;
		p->nthreads++;
	}
	if (!p->nthreads) {
		pthread_mutex_destroy(&p->mu);
		pthread_cond_destroy(&p->cv);
		free(p);
		return NULL;
	}
	return p;
}

int
pool_submit(struct tq_pool *p, void (*fn)(void *arg), void *arg)
{
	struct job_item *j = malloc(sizeof(*j));
	if (!j)
		return -1;
	j->fn = fn;
	j->arg = arg;
	j->next = NULL;
	pthread_mutex_lock(&p->mu);
	if (p->stopping || p->queued >= p->max_queue) {
		pthread_mutex_unlock(&p->mu);
		free(j);
		return -1;
	}
	if (p->tail)
		p->tail->next = j;
	else
		p->head = j;
	p->tail = j;
	p->queued++;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
	return 0;
}

unsigned
pool_load(struct tq_pool *p)
{
	pthread_mutex_lock(&p->mu);
	unsigned n = p->queued + p->running;
	pthread_mutex_unlock(&p->mu);
	return n;
}

void
pool_stop(struct tq_pool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	if (p->stopping) {
		pthread_mutex_unlock(&p->mu);
		return;
	}
	/* the jobs queued still run: each holds a suspended connection to resume */
	while (p->head || p->running)
		pthread_cond_wait(&p->cv, &p->mu);
	p->stopping = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	for (unsigned i = 0; i < p->nthreads; i++)
		pthread_join(p->th[i], NULL);
	p->nthreads = 0;
}

void
pool_free(struct tq_pool *p)
{
	if (!p)
		return;
	pool_stop(p);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	free(p);
}

/* ------------------------------------------------------------------ each account's slots */

#define SLOTS 256

/* The accounts with heavy jobs now, and how many each has. */
static struct {
	pthread_mutex_t mu;
	int64_t user[SLOTS];
	unsigned n[SLOTS];
} slots = { .mu = PTHREAD_MUTEX_INITIALIZER };

int
heavy_take(struct app *a, int64_t user)
{
	int rc = -1;
	pthread_mutex_lock(&slots.mu);
	int free_k = -1, k;
	for (k = 0; k < SLOTS; k++) {
		if (slots.n[k] && slots.user[k] == user)
			break;
		if (!slots.n[k] && free_k < 0)
			free_k = k;
	}
	if (k == SLOTS)
		k = free_k;
	if (k >= 0 && slots.n[k] < a->o.heavy_per_user) {
		slots.user[k] = user;
		slots.n[k]++;
		rc = 0;
	}
	pthread_mutex_unlock(&slots.mu);
	return rc;
}

void
heavy_give(struct app *a, int64_t user)
{
	(void)a;
	pthread_mutex_lock(&slots.mu);
	for (int k = 0; k < SLOTS; k++)
		if (slots.n[k] && slots.user[k] == user) {
			slots.n[k]--;
			break;
		}
	pthread_mutex_unlock(&slots.mu);
}

struct tq_limits
job_limits(const struct app *a)
{
	struct tq_limits lim = { 0 };
	lim.deadline_ns = a->o.job_seconds ? tq_monotonic_ns() + (uint64_t)a->o.job_seconds * 1000000000ull : 0;
	lim.max_bytes = a->o.job_bytes;
	return lim;
}
