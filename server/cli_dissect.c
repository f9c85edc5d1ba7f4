/*
 * cli_dissect.c - `tracequiz dissect`: a capture printed as tshark prints it
 * (the packet list, -V text, PDML) or as the web app's JSON, through a
 * display filter, on every core when the capture is large: pass 1 on a
 * thread of its own, pass 2 in chunks rendered ahead of the writer.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <sys/stat.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "../analysis/tq.h"
#include "exercise.h"
#include "import.h"
#include "cli.h"
#include "server.h"

static int
flush(struct tq_sbuf *b, FILE *fp, int force)
{
	if (b->err) {
		fprintf(stderr, "tracequiz: %s\n", tq_strerror(b->err));
		return -1;
	}
	if (b->len && (force || b->len >= 1 << 16)) {
		if (fwrite(b->s, 1, b->len, fp) != b->len)
			return -1;
		tq_sbuf_reset(b);
	}
	return 0;
}

/* ------------------------------------------------------------------ dissect */

#define CHUNK 1024                   /* frames between two releases of the mapped file */
#define PARALLEL_MIN 20000           /* below this many frames, one thread is quicker */
#define WINDOW 2                     /* pieces rendered ahead of the writer, per worker */

/*
 * Renders frames a..b in format fmt: 0 the packet list, 1 text, 2 PDML
 * packets, 3 JSON array items (first: the run's first frame, which has no
 * comma before it).  sel (NULL: all) says which frames a display filter
 * kept.  With flushing, out is written to stdout as it fills.
 */
static int
render(struct tq_capture *cap, int fmt, const uint8_t *sel, uint32_t first, uint32_t a, uint32_t b,
    struct tq_sbuf *out, struct tq_sbuf *scratch, int flushing)
{
	for (uint32_t i = a; i <= b; i++) {
		if (sel && !sel[i - 1])
			continue;
		if (fmt == 0) {
			struct tq_columns cols;
			if (tq_columns_get(cap, i, &cols, scratch) != 0)
				return 1;
			tq_columns_line(&cols, out);
		} else {
			int e;
			/* text and JSON show no hidden items: do not build them */
			struct tq_tree *t = tq_dissect_ex(cap, i, fmt == 2 ? 0 : TQ_DISSECT_DISPLAY, &e);
			if (!t) {
				fprintf(stderr, "tracequiz: frame %u: %s\n", i, tq_strerror(e));
				return 1;
			}
			if (fmt == 1)
				tq_write_text(t, out);
			else if (fmt == 2)
				tq_write_pdml_packet(t, out);
			else {
				if (i != first)
					tq_sbuf_puts(out, ",\n");
				tq_write_json(t, out);
			}
			tq_tree_free(t);
		}
		if (out->err) {
			fprintf(stderr, "tracequiz: %s\n", tq_strerror(out->err));
			return 1;
		}
		if (flushing && flush(out, stdout, 0) != 0)
			return 1;
	}
	return 0;
}

/* Threads for pass 2: the cores, or TQ_THREADS (1 renders in this thread alone). */
static unsigned
workers(void)
{
	const char *env = getenv("TQ_THREADS");
	long n = env && *env ? strtol(env, NULL, 10) : sysconf(_SC_NPROCESSORS_ONLN);
	return n < 2 ? 1 : n > 8 ? 8 : (unsigned)n;
}

/*
 * Pass 1 is one walk in order; pass 2 dissects each frame from its state
 * alone, so frames can be rendered on every core.  Workers take chunks in
 * turn and render each into its own buffer; this thread writes the buffers
 * in order, and workers stay at most WINDOW pieces each ahead of it, so
 * memory stays bounded whatever the capture's size.
 */
struct piece {
	struct tq_sbuf out;
	int state;                   /* 0 waiting, 1 rendered, -1 failed */
};

struct pool {
	struct tq_capture *cap;
	int fmt;
	const uint8_t *sel;
	uint32_t first;              /* the first frame rendered */
	uint32_t from, to, per, nchunks, next, written, window;
	struct piece *pieces;        /* window of them, chunk k in pieces[k % window] */
	int stop;
	pthread_mutex_t mu;
	pthread_cond_t done, room;
};

static void *
pool_worker(void *arg)
{
	struct pool *p = arg;
	struct tq_sbuf scratch;
	tq_sbuf_init(&scratch, 0);
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->stop && p->next < p->nchunks && p->next >= p->written + p->window)
			pthread_cond_wait(&p->room, &p->mu);
		if (p->stop || p->next >= p->nchunks)
			break;
		uint32_t k = p->next++;
		struct piece *pc = &p->pieces[k % p->window];
		pthread_mutex_unlock(&p->mu);
		uint32_t a = p->from + k * p->per, b = p->to - a < p->per ? p->to : a + p->per - 1;
		tq_capture_wait_frames(p->cap, b);      /* pass 1 may still run, ahead */
		tq_capture_prefetch(p->cap, a, b);
		int rc = render(p->cap, p->fmt, p->sel, p->first, a, b, &pc->out, &scratch, 0);
		pthread_mutex_lock(&p->mu);
		pc->state = rc ? -1 : 1;
		pthread_cond_broadcast(&p->done);
	}
	pthread_mutex_unlock(&p->mu);
	tq_sbuf_free(&scratch);
	return NULL;
}

static int
render_parallel(struct tq_capture *cap, int fmt, const uint8_t *sel, uint32_t first_frame, uint32_t from,
    uint32_t to, struct tq_sbuf *out)
{
	unsigned nw = workers();
	/* pieces of about 100 KiB to 1 MiB: a list line is ~100 bytes, a text frame ~3 KiB */
	static const uint32_t per[] = { 2048, 64, 16, 64 };
	struct pool p = { .cap = cap, .fmt = fmt, .sel = sel, .first = first_frame, .from = from, .to = to, .per = per[fmt],
	    .window = WINDOW * nw };
	p.nchunks = (to - from) / p.per + 1;
	p.pieces = calloc(p.window, sizeof(*p.pieces));
	pthread_t th[8];
	unsigned started = 0;
	int rc = 0;
	if (!p.pieces || flush(out, stdout, 1) != 0)
		rc = 1;
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.done, NULL);
	pthread_cond_init(&p.room, NULL);
	for (unsigned i = 0; i < p.window && rc == 0; i++)
		tq_sbuf_init(&p.pieces[i].out, 0);
	/* while pass 1 runs it has a core of its own: one worker fewer until it ends */
	unsigned first = tq_capture_loading(cap) ? nw - 1 : nw;
	for (; started < first && rc == 0; started++)
		if (pthread_create(&th[started], NULL, pool_worker, &p) != 0)
			break;
	if (!started)
		rc = 1;
	for (uint32_t k = 0; k < p.nchunks && rc == 0; k++) {
		struct piece *pc = &p.pieces[k % p.window];
		pthread_mutex_lock(&p.mu);
		while (!pc->state)
			pthread_cond_wait(&p.done, &p.mu);
		pthread_mutex_unlock(&p.mu);
		if (started == first && started < nw && !tq_capture_loading(cap) &&
		    pthread_create(&th[started], NULL, pool_worker, &p) == 0)
			started++;
		if (pc->state < 0 || flush(&pc->out, stdout, 1) != 0) {
			rc = 1;
			break;
		}
		uint32_t end = to - (from + k * p.per) < p.per ? to : from + k * p.per + p.per - 1;
		tq_capture_release(cap, end);       /* gives pages back every few MiB */
		pthread_mutex_lock(&p.mu);
		pc->state = 0;
		p.written = k + 1;
		pthread_cond_broadcast(&p.room);
		pthread_mutex_unlock(&p.mu);
	}
	pthread_mutex_lock(&p.mu);
	p.stop = 1;
	pthread_cond_broadcast(&p.room);
	pthread_mutex_unlock(&p.mu);
	for (unsigned i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	for (unsigned i = 0; p.pieces && i < p.window; i++)
		tq_sbuf_free(&p.pieces[i].out);
	free(p.pieces);
	pthread_mutex_destroy(&p.mu);
	pthread_cond_destroy(&p.done);
	pthread_cond_destroy(&p.room);
	return rc;
}


/*
 * The frames display filter fe keeps (*sel: one byte per frame), read after
 * pass 1 has seen the whole capture; 0, or 1 after saying what went wrong.
 */
static int
select_frames(struct tq_capture *cap, const char *path, struct tq_expr *fe, uint8_t **sel)
{
	char err[512];
	struct tq_findex *ix;
	struct tq_expr_error ee;
	*sel = NULL;
	tq_capture_wait_loaded(cap);
	if (tq_findex_build(cap, &fe, 1, NULL, &ix, err, sizeof(err)) != 0) {
		fprintf(stderr, "tracequiz: %s: %s\n", path, err);
		return 1;
	}
	uint32_t n = tq_capture_count(cap);
	*sel = calloc(n ? n : 1, 1);
	int rc = 0;
	if (!*sel) {
		fprintf(stderr, "tracequiz: out of memory\n");
		rc = 1;
	} else if (tq_filter_select(ix, fe, *sel, &ee) != 0) {
		cli_expr_error(tq_expr_source(fe), &ee);
		rc = 1;
	}
	tq_findex_free(ix);
	if (rc) {
		free(*sel);
		*sel = NULL;
	}
	return rc;
}

int
cmd_dissect(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "frame", required_argument, NULL, 'n' },
		{ "frames", required_argument, NULL, 'r' },
		{ "decode-as", required_argument, NULL, 'd' },
		{ "display-filter", required_argument, NULL, 'Y' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *format = "list", *filter = NULL;
	uint32_t from = 1, to = UINT32_MAX;
	struct tq_decode_as rules[TQ_MAX_DECODE_AS];
	struct tq_open_opts oo = { .async = 1 };
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:n:r:d:Y:h", opts, NULL)) != -1) {
		switch (c) {
		case 'Y':
			filter = optarg;
			break;
		case 'd':
			if (cli_add_decode_as(&oo, rules, optarg) != 0)
				return 2;
			break;
		case 'f':
			format = optarg;
			break;
		case 'n':
		case 'r':
			if (cli_parse_range(optarg, &from, &to, c == 'r') != 0) {
				fprintf(stderr, "tracequiz: bad frame %s '%s': give a frame number from 1%s\n",
				    c == 'r' ? "range" : "number", optarg, c == 'r' ? ", or A-B" : "");
				return 2;
			}
			break;
		case 'h':
			cli_usage(stdout);
			return 0;
		default:
			cli_usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		cli_usage(stderr);
		return 2;
	}
	int fmt = !strcmp(format, "list") ? 0 : !strcmp(format, "text") ? 1 :
	    !strcmp(format, "pdml") ? 2 : !strcmp(format, "json") ? 3 : -1;
	if (fmt < 0) {
		fprintf(stderr, "tracequiz: unknown format '%s': use list, text, pdml or json\n", format);
		return 2;
	}
	const char *path = argv[optind];
	struct tq_expr *fe = NULL;
	struct tq_expr_error ee;
	if (filter && tq_filter_parse(filter, &fe, &ee) != 0) {
		cli_expr_error(filter, &ee);
		return 2;
	}
	char err[512];
	struct tq_capture *cap;
	/* pass 2 follows pass 1 as soon as the frames it needs are ready */
	if (tq_capture_open_file_opts(path, &oo, &cap, err, sizeof(err)) != 0) {
		fprintf(stderr, "tracequiz: %s: %s\n", path, err);
		tq_expr_free(fe);
		return 1;
	}
	if (tq_capture_wait_read(cap, err, sizeof(err)) != 0) {
		fprintf(stderr, "tracequiz: %s: %s\n", path, err);
		tq_capture_free(cap);
		return 1;
	}
	if (tq_capture_warning(cap))
		fprintf(stderr, "tracequiz: %s: warning: %s\n", path, tq_capture_warning(cap));
	uint32_t n = tq_capture_count(cap);
	if (to > n)
		to = n;
	if (from > n && n > 0) {
		fprintf(stderr, "tracequiz: %s has %u frames; there is no frame %u\n", path, n, from);
		tq_capture_free(cap);
		tq_expr_free(fe);
		return 1;
	}
	/* a display filter: which frames it keeps, from the whole capture's analysis (tshark -2) */
	uint8_t *sel = NULL;
	uint32_t first = from;
	if (fe && select_frames(cap, path, fe, &sel) != 0) {
		tq_capture_free(cap);
		tq_expr_free(fe);
		return 1;
	}
	while (sel && first <= to && !sel[first - 1])
		first++;

	static char obuf[1 << 16];
	setvbuf(stdout, obuf, _IOFBF, sizeof(obuf));
	struct tq_sbuf out, scratch;
	tq_sbuf_init(&out, 0);
	tq_sbuf_init(&scratch, 0);
	int rc = 0;
	const char *base = strrchr(path, '/');
	if (fmt == 2)
		tq_write_pdml_header(cap, base ? base + 1 : path, &out);
	if (fmt == 3)
		tq_sbuf_putc(&out, '[');
	if (to >= from && to - from >= PARALLEL_MIN && workers() > 1)
		rc = render_parallel(cap, fmt, sel, first, from, to, &out);
	else
		for (uint32_t i = from; i <= to && rc == 0; i += CHUNK) {
			uint32_t end = to - i < CHUNK ? to : i + CHUNK - 1;
			tq_capture_wait_frames(cap, end);
			rc = render(cap, fmt, sel, first, i, end, &out, &scratch, 1);
			if (rc == 0 && flush(&out, stdout, 0) != 0)
				rc = 1;
			tq_capture_release(cap, end);
		}
	/* the count came from the scout; pass 1 must have read as many frames */
	tq_capture_wait_loaded(cap);
	if (rc == 0 && tq_capture_count(cap) != n) {
		fprintf(stderr, "tracequiz: %s: the file changed while it was read (%u frames, then %u)\n",
		    path, n, tq_capture_count(cap));
		rc = 1;
	}
	if (fmt == 2)
		tq_write_pdml_footer(&out);
	if (fmt == 3)
		tq_sbuf_puts(&out, "]\n");
	if (flush(&out, stdout, 1) != 0 || fflush(stdout) != 0)
		rc = 1;
	tq_sbuf_free(&out);
	tq_sbuf_free(&scratch);
	tq_capture_free(cap);
	tq_expr_free(fe);
	free(sel);
	return rc;
}
