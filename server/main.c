/* main.c - the tracequiz program: subcommands (dissect, eval, key, grade; serve and user later). */
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
#include "server.h"

static void
usage(FILE *fp)
{
	fputs("usage: tracequiz dissect FILE [--format list|text|pdml|json] [--frame N | --frames A-B] [-Y FILTER]\n"
	    "                        [-d RULE]...\n"
	    "       tracequiz follow FILE tcp.stream==N|udp.stream==N|'tcp.stream==N && http2.streamid==S'\n"
	    "                       [--format ascii|hex|raw] [-d RULE]...\n"
	    "       tracequiz eval FILE EXPRESSION [--explain] [--json] [-d RULE]...\n"
	    "       tracequiz key EXERCISE [--trace CAPTURE] [--json]\n"
	    "       tracequiz grade EXERCISE ANSWERS.json [--trace CAPTURE] [--json]\n"
	    "       tracequiz serve [--listen ADDR:PORT] [--db FILE] [--www DIR] [--seed DIR] [limits: doc/security.md]\n"
	    "       tracequiz user add NAME --role student|instructor|admin [--db FILE]\n"
	    "       tracequiz token add NAME [--scope admin|read|grade] [--course SLUG]... [--days N] [--db FILE]\n"
	    "       tracequiz rekey [--db FILE] [--dry-run | --apply]\n"
	    "       tracequiz routes\n"
	    "       tracequiz import inginious TASKDIR|TASK.zip OUTDIR\n"
	    "       tracequiz export inginious EXERCISE OUTDIR\n"
	    "       tracequiz suggest CAPTURE ANSWER | EXERCISE QUESTION [--answer TEXT] [--prompt TEXT] [--max N]\n"
	    "       tracequiz --version\n"
	    "\n"
	    "dissect   print a capture as tshark does: the packet list (default), the tree\n"
	    "          (text, as tshark -V), PDML (as tshark -T pdml) or the browser's JSON;\n"
	    "          -d/--decode-as tcp.port==2222,ssh decodes a port as a protocol (tshark -d);\n"
	    "          -Y/--display-filter FILTER prints only the frames it matches (tshark -2 -Y)\n"
	    "follow    what the two ends of a TCP, UDP or HTTP/2 stream sent each other, in order\n"
	    "          (tshark -qz follow,tcp,ascii,N; follow,http2,ascii,N,S)\n"
	    "eval      the value of an answer-key expression on a capture (doc/expressions.md);\n"
	    "          --explain also prints the frames and fields it came from\n"
	    "key       each question's key, computed on the exercise's capture or another one\n"
	    "grade     grade answers ({\"q1\": \"...\", ...}, a file or - for stdin)\n"
	    "rekey     list the exercises whose keys this version computes differently from\n"
	    "          the keys frozen in the database; --apply stores the new ones\n"
	    "routes    the server's route table: method, path, who may call it\n"
	    "import    an INGInious task (its folder, or the folder as a zip or tar.gz) made an\n"
	    "          exercise folder, with a report of what was mapped and what needs the\n"
	    "          instructor;\n"
	    "          export writes an exercise as an INGInious task (task.yaml, PDML)\n"
	    "suggest   the key expressions whose value on the trace is a literal answer, best first\n",
	    fp);
}

/* Adds one -d rule to o; 0, or 2 (a usage error) after saying what was wrong. */
static int
add_decode_as(struct tq_open_opts *o, struct tq_decode_as *rules, const char *rule)
{
	char err[400];
	if (o->ndecode_as >= TQ_MAX_DECODE_AS) {
		fprintf(stderr, "tracequiz: at most %d decode-as rules\n", TQ_MAX_DECODE_AS);
		return 2;
	}
	if (tq_decode_as_parse(rule, &rules[o->ndecode_as], err, sizeof(err)) != 0) {
		fprintf(stderr, "tracequiz: %s\n", err);
		return 2;
	}
	o->decode_as = rules;
	o->ndecode_as++;
	return 0;
}

/* Parses "N" or "A-B" into a 1-based inclusive range; 0 on success. */
static int
parse_range(const char *s, uint32_t *a, uint32_t *b, int allow_range)
{
	char *end;
	errno = 0;
	unsigned long x = strtoul(s, &end, 10);
	if (errno || end == s || x == 0 || x > UINT32_MAX)
		return -1;
	unsigned long y = x;
	if (*end == '-' && allow_range) {
		const char *t = end + 1;
		y = strtoul(t, &end, 10);
		if (errno || end == t || y < x || y > UINT32_MAX)
			return -1;
	}
	if (*end)
		return -1;
	*a = (uint32_t)x;
	*b = (uint32_t)y;
	return 0;
}

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

/* Prints an expression error with a caret under the place it names. */
static void
expr_error(const char *src, const struct tq_expr_error *e)
{
	fprintf(stderr, "tracequiz: %s\n", e->msg);
	if (e->pos < 0 || !src || strchr(src, '\n'))
		return;
	size_t len = strlen(src);
	size_t pos = (size_t)e->pos <= len ? (size_t)e->pos : len;
	fprintf(stderr, "  %s\n  %*s^\n", src, (int)pos, "");
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
		expr_error(tq_expr_source(fe), &ee);
		rc = 1;
	}
	tq_findex_free(ix);
	if (rc) {
		free(*sel);
		*sel = NULL;
	}
	return rc;
}

static int
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
			if (add_decode_as(&oo, rules, optarg) != 0)
				return 2;
			break;
		case 'f':
			format = optarg;
			break;
		case 'n':
		case 'r':
			if (parse_range(optarg, &from, &to, c == 'r') != 0) {
				fprintf(stderr, "tracequiz: bad frame %s '%s': give a frame number from 1%s\n",
				    c == 'r' ? "range" : "number", optarg, c == 'r' ? ", or A-B" : "");
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
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
		expr_error(filter, &ee);
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

/* "NAME==N" or "NAME eq N" at *pp: 0 and *pp moved past it, or -1. */
static int
stream_term(const char **pp, const char *name, uint32_t *n)
{
	const char *p = *pp;
	size_t k = strlen(name);
	while (*p == ' ')
		p++;
	if (strncmp(p, name, k))
		return -1;
	p += k;
	while (*p == ' ')
		p++;
	if (!strncmp(p, "==", 2))
		p += 2;
	else if (!strncmp(p, "eq ", 3))
		p += 3;
	else
		return -1;
	while (*p == ' ')
		p++;
	char *end;
	errno = 0;
	unsigned long v = strtoul(p, &end, 10);
	if (*p < '0' || *p > '9' || errno || v > UINT32_MAX)
		return -1;
	while (*end == ' ')
		end++;
	*n = (uint32_t)v;
	*pp = end;
	return 0;
}

/*
 * "tcp.stream==N", "udp.stream eq N", or an HTTP/2 stream as tshark's
 * follow filter names it, "tcp.stream eq N and http2.streamid eq S" (&& too):
 * 0, or -1 after saying what was wrong.
 */
static int
stream_spec(const char *s, int *proto, uint32_t *stream, uint32_t *sub)
{
	const char *p = s;
	*sub = 0;
	if (stream_term(&p, "udp.stream", stream) == 0) {
		*proto = TQ_FOLLOW_UDP;
	} else if (stream_term(&p, "tcp.stream", stream) == 0) {
		*proto = TQ_FOLLOW_TCP;
		if (!strncmp(p, "and ", 4) || !strncmp(p, "&&", 2)) {
			p += *p == '&' ? 2 : 4;
			if (stream_term(&p, "http2.streamid", sub) != 0)
				goto bad;
			*proto = TQ_FOLLOW_HTTP2;
		}
	} else {
		goto bad;
	}
	if (!*p)
		return 0;
bad:
	fprintf(stderr, "tracequiz: follow: '%s' is not a stream: say tcp.stream==N, udp.stream==N or "
	    "'tcp.stream==N && http2.streamid==S'\n", s);
	return -1;
}

static int
cmd_follow(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "decode-as", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct tq_decode_as rules[TQ_MAX_DECODE_AS];
	struct tq_open_opts oo = { 0 };
	int format = TQ_FOLLOW_ASCII, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (!strcmp(optarg, "ascii"))
				format = TQ_FOLLOW_ASCII;
			else if (!strcmp(optarg, "hex"))
				format = TQ_FOLLOW_HEX;
			else if (!strcmp(optarg, "raw"))
				format = TQ_FOLLOW_RAW;
			else {
				fprintf(stderr, "tracequiz: follow: --format is ascii, hex or raw, not '%s'\n", optarg);
				return 2;
			}
			break;
		case 'd':
			if (add_decode_as(&oo, rules, optarg) != 0)
				return 2;
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc - 2) {
		usage(stderr);
		return 2;
	}
	const char *path = argv[optind];
	int proto;
	uint32_t stream, sub;
	if (stream_spec(argv[optind + 1], &proto, &stream, &sub) != 0)
		return 2;
	char err[512];
	struct tq_capture *cap;
	if (tq_capture_open_file_opts(path, &oo, &cap, err, sizeof(err)) != 0) {
		fprintf(stderr, "tracequiz: %s: %s\n", path, err);
		return 1;
	}
	if (tq_capture_warning(cap))
		fprintf(stderr, "tracequiz: %s: warning: %s\n", path, tq_capture_warning(cap));
	struct tq_follow *fw;
	int rc = 1;
	if (tq_follow_build(cap, proto, stream, sub, NULL, &fw, err, sizeof(err)) != 0) {
		fprintf(stderr, "tracequiz: %s: %s\n", path, err);
	} else {
		struct tq_sbuf out;
		tq_sbuf_init(&out, 0);
		tq_follow_write(fw, format, &out);
		rc = out.err || fwrite(out.s, 1, out.len, stdout) != out.len || fflush(stdout) != 0;
		tq_sbuf_free(&out);
		tq_follow_free(fw);
	}
	tq_capture_free(cap);
	return rc;
}

static int
cmd_eval(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "explain", no_argument, NULL, 'x' },
		{ "json", no_argument, NULL, 'j' },
		{ "decode-as", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct tq_decode_as rules[TQ_MAX_DECODE_AS];
	struct tq_open_opts oo = { 0 };
	int explain = 0, as_json = 0, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "xjd:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (add_decode_as(&oo, rules, optarg) != 0)
				return 2;
			break;
		case 'x': explain = 1; break;
		case 'j': as_json = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc - 2) {
		usage(stderr);
		return 2;
	}
	const char *path = argv[optind], *src = argv[optind + 1];
	struct tq_expr_error ee;
	struct tq_expr *e;
	if (tq_expr_parse(src, &e, &ee) != 0) {
		if (as_json) {
			json_t *j = json_pack("{s:n,s:s,s:i}", "value", "error", ee.msg, "position", ee.pos);
			json_dumpf(j, stdout, JSON_COMPACT);
			putchar('\n');
			json_decref(j);
		} else {
			expr_error(src, &ee);
		}
		return 1;
	}
	char err[512];
	struct tq_capture *cap;
	if (tq_capture_open_file_opts(path, &oo, &cap, err, sizeof(err)) != 0) {
		fprintf(stderr, "tracequiz: %s: %s\n", path, err);
		tq_expr_free(e);
		return 1;
	}
	if (tq_capture_warning(cap))
		fprintf(stderr, "tracequiz: %s: warning: %s\n", path, tq_capture_warning(cap));
	struct tq_findex *ix;
	int rc = 1;
	if (tq_findex_build(cap, &e, 1, NULL, &ix, err, sizeof(err)) != 0) {
		fprintf(stderr, "tracequiz: %s: %s\n", path, err);
		goto out;
	}
	json_t *from = NULL;
	json_t *v = tq_expr_eval(ix, e, (explain || as_json) ? &from : NULL, &ee);
	if (as_json) {
		json_t *j = v ? json_pack("{s:o,s:n,s:o}", "value", v, "error", "from", from ? from : json_array()) :
		    json_pack("{s:n,s:s,s:i}", "value", "error", ee.msg, "position", ee.pos);
		json_dumpf(j, stdout, JSON_COMPACT | JSON_ENCODE_ANY);
		putchar('\n');
		json_decref(j);
		rc = v ? 0 : 1;
	} else if (!v) {
		expr_error(src, &ee);
	} else {
		if (json_is_string(v))
			printf("%s\n", json_string_value(v));
		else {
			json_dumpf(v, stdout, JSON_COMPACT | JSON_ENCODE_ANY);
			putchar('\n');
		}
		if (explain && from) {
			size_t i;
			json_t *it;
			json_array_foreach(from, i, it)
				printf("  from frame %" JSON_INTEGER_FORMAT ": %s\n", json_integer_value(json_object_get(it, "frame")),
				    json_string_value(json_object_get(it, "field")));
		}
		json_decref(v);
		json_decref(from);
		rc = 0;
	}
	tq_findex_free(ix);
out:
	tq_capture_free(cap);
	tq_expr_free(e);
	return rc;
}

/* Loads an exercise and computes its keys on its capture or on trace. */
static int
exercise_with_keys(const char *path, const char *trace, struct tq_exercise **ex, struct tq_capture **cap)
{
	char err[1024];
	*ex = NULL;
	*cap = NULL;
	if (tq_exercise_load(path, ex, err, sizeof(err)) != 0) {
		fprintf(stderr, "tracequiz: %s\n", err);
		return -1;
	}
	const char *cp = trace ? trace : tq_exercise_capture_path(*ex);
	if (!cp) {
		fprintf(stderr, "tracequiz: %s has no capture: give one with --trace\n", path);
		goto fail;
	}
	struct tq_open_opts oo = tq_exercise_open_opts(*ex);
	if (tq_capture_open_file_opts(cp, &oo, cap, err, sizeof(err)) != 0) {
		fprintf(stderr, "tracequiz: %s: %s\n", cp, err);
		goto fail;
	}
	if (tq_capture_warning(*cap))
		fprintf(stderr, "tracequiz: %s: warning: %s\n", cp, tq_capture_warning(*cap));
	if (tq_exercise_compute_keys(*ex, *cap, NULL, err, sizeof(err)) != 0) {
		fprintf(stderr, "tracequiz: %s: %s\n", cp, err);
		goto fail;
	}
	return 0;
fail:
	tq_capture_free(*cap);
	tq_exercise_free(*ex);
	*cap = NULL;
	*ex = NULL;
	return -1;
}

/*
 * tracequiz suggest CAPTURE ANSWER, or EXERCISE QUESTION (its answer:):
 * the expressions whose value on the trace is the answer, best first.
 */
static int
cmd_suggest(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "answer", required_argument, NULL, 'a' },
		{ "prompt", required_argument, NULL, 'p' },
		{ "max", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *answer = NULL, *prompt = NULL;
	unsigned long max = 5;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "a:p:m:h", opts, NULL)) != -1) {
		switch (c) {
		case 'a': answer = optarg; break;
		case 'p': prompt = optarg; break;
		case 'm': {
			char *end;
			max = strtoul(optarg, &end, 10);
			if (*end || !max || max > 100) {
				fprintf(stderr, "tracequiz: suggest: --max is 1 to 100, not '%s'\n", optarg);
				return 2;
			}
			break;
		}
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc - 2) {
		usage(stderr);
		return 2;
	}
	const char *path = argv[optind], *what = argv[optind + 1];
	struct stat st;
	size_t pl = strlen(path);
	int is_ex = (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) || (pl > 5 && !strcmp(path + pl - 5, ".yaml"));
	char err[1024], num[64];
	struct tq_exercise *ex = NULL;
	const char *cap_path = path;
	if (is_ex) {
		if (tq_exercise_load(path, &ex, err, sizeof(err)) != 0) {
			fprintf(stderr, "tracequiz: %s\n", err);
			return 1;
		}
		cap_path = tq_exercise_capture_path(ex);
		json_t *q = NULL, *x;
		size_t i;
		json_array_foreach(json_object_get(tq_exercise_doc(ex), "questions"), i, x)
			if (!strcmp(json_string_value(json_object_get(x, "id")), what))
				q = x;
		if (!q || !cap_path) {
			fprintf(stderr, "tracequiz: suggest: %s\n", !q ? "no question has that id" : "the exercise has no capture");
			tq_exercise_free(ex);
			return 1;
		}
		if (!prompt)
			prompt = json_string_value(json_object_get(q, "prompt"));
		const json_t *lit = json_object_get(q, "answer");
		if (!answer && json_is_string(lit))
			answer = json_string_value(lit);
		if (!answer && json_is_number(lit)) {
			snprintf(num, sizeof(num), "%.17g", json_number_value(lit));
			answer = num;
		}
		if (!answer) {
			fprintf(stderr, "tracequiz: suggest: question %s has no literal answer: give one with --answer\n", what);
			tq_exercise_free(ex);
			return 1;
		}
	} else if (!answer) {
		answer = what;
	}
	struct tq_capture *cap;
	struct tq_open_opts oo = ex ? tq_exercise_open_opts(ex) : (struct tq_open_opts){ 0 };
	if (tq_capture_open_file_opts(cap_path, &oo, &cap, err, sizeof(err)) != 0) {
		fprintf(stderr, "tracequiz: %s: %s\n", cap_path, err);
		tq_exercise_free(ex);
		return 1;
	}
	struct tq_findex *ix;
	int rc = 1;
	if (tq_findex_build(cap, NULL, TQ_FINDEX_ALL, NULL, &ix, err, sizeof(err)) != 0) {
		fprintf(stderr, "tracequiz: %s: %s\n", cap_path, err);
	} else {
		char **s;
		size_t n;
		if (tq_suggest(ix, answer, prompt, max, &s, &n) != 0) {
			fprintf(stderr, "tracequiz: suggest: out of memory\n");
		} else {
			for (size_t i = 0; i < n; i++) {
				printf("%s\n", s[i]);
				free(s[i]);
			}
			free(s);
			if (!n)
				fprintf(stderr, "tracequiz: suggest: no expression found whose value is \"%s\"\n", answer);
			rc = n ? 0 : 1;
		}
		tq_findex_free(ix);
	}
	tq_capture_free(cap);
	tq_exercise_free(ex);
	return rc;
}

/* tracequiz import inginious TASKDIR|ARCHIVE OUTDIR, tracequiz export inginious EXERCISE OUTDIR */
static int
cmd_import(int argc, char **argv)
{
	int out = !strcmp(argv[0], "export");
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	if (argc != 4 || strcmp(argv[1], "inginious")) {
		usage(stderr);
		return 2;
	}
	struct tq_sbuf rep;
	tq_sbuf_init(&rep, 0);
	char err[1024];
	int rc;
	struct stat sb;
	if (out) {
		rc = tq_export_inginious(argv[2], argv[3], &rep, err, sizeof(err));
	} else if (stat(argv[2], &sb) == 0 && S_ISREG(sb.st_mode)) {
		/* a task folder's archive (zip, tar.gz...) */
		size_t len;
		char *data = tq_read_file(argv[2], TQ_IMPORT_MAX_ARCHIVE, &len);
		const char *base = strrchr(argv[2], '/');
		if (data)
		{
			struct tq_archive_opts o = { .name = base ? base + 1 : argv[2] };
			rc = tq_import_inginious_archive(data, len, &o, argv[3], &rep, err, sizeof(err));
		}
		else
			rc = -1, snprintf(err, sizeof(err), "%s: %s", argv[2],
			    errno == EFBIG ? "larger than an archive of a task may be" : strerror(errno));
		free(data);
	} else {
		rc = tq_import_inginious(argv[2], NULL, argv[3], &rep, err, sizeof(err));
	}
	if (rep.s)
		fwrite(rep.s, 1, rep.len, stdout);
	if (rc != 0)
		fprintf(stderr, "tracequiz: %s: %s\n", argv[0], err);
	else if (out)
		printf("\nThe task is in %s (task.yaml).\n", argv[3]);
	else
		printf("\nThe exercise is in %s (exercise.yaml; this report is import-report.md).\n", argv[3]);
	tq_sbuf_free(&rep);
	return rc ? 1 : 0;
}

static int
cmd_key_or_grade(int argc, char **argv, int grade)
{
	static const struct option opts[] = {
		{ "trace", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *trace = NULL;
	int as_json = 0, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "t:jh", opts, NULL)) != -1) {
		switch (c) {
		case 't': trace = optarg; break;
		case 'j': as_json = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc - 1 - grade) {
		usage(stderr);
		return 2;
	}
	json_t *answers = NULL;
	if (grade) {
		const char *ap = argv[optind + 1];
		json_error_t je;
		FILE *fp = strcmp(ap, "-") ? fopen(ap, "rb") : stdin;
		if (!fp) {
			fprintf(stderr, "tracequiz: %s: %s\n", ap, strerror(errno));
			return 1;
		}
		answers = json_loadf(fp, JSON_REJECT_DUPLICATES, &je);
		if (fp != stdin)
			fclose(fp);
		if (!answers) {
			fprintf(stderr, "tracequiz: %s: line %d: %s\n", ap, je.line, je.text);
			return 1;
		}
	}
	struct tq_exercise *ex;
	struct tq_capture *cap;
	if (exercise_with_keys(argv[optind], trace, &ex, &cap) != 0) {
		json_decref(answers);
		return 1;
	}
	int rc = 0;
	if (!grade) {
		json_t *keys = tq_exercise_keys_json(ex);
		size_t i;
		json_t *q;
		json_array_foreach(json_object_get(keys, "questions"), i, q)
			if (!json_is_null(json_object_get(q, "error")))
				rc = 1;
		if (as_json) {
			json_dumpf(keys, stdout, JSON_INDENT(2));
			putchar('\n');
		} else {
			json_array_foreach(json_object_get(keys, "questions"), i, q) {
				json_t *k = json_object_get(q, "key");
				printf("%s: ", json_string_value(json_object_get(q, "id")));
				const json_t *valid = json_object_get(q, "valid");
				if (json_is_null(k) && json_is_array(valid) && !json_is_string(json_object_get(q, "error"))) {
					/* a choice question valid as written: its valid choices */
					size_t j;
					json_t *v;
					printf("valid:");
					json_array_foreach(valid, j, v)
						printf("%s %s", j ? ";" : "", json_string_value(v) ? json_string_value(v) : "?");
					putchar('\n');
				} else if (json_is_null(k))
					printf("no key: %s\n", json_string_value(json_object_get(q, "error")));
				else if (json_is_string(k))
					printf("%s\n", json_string_value(k));
				else {
					json_dumpf(k, stdout, JSON_COMPACT | JSON_ENCODE_ANY);
					putchar('\n');
				}
			}
		}
		json_decref(keys);
	} else {
		char err[512];
		json_t *res = tq_exercise_grade(ex, cap, answers, NULL, err, sizeof(err));
		if (!res) {
			fprintf(stderr, "tracequiz: %s\n", err);
			rc = 1;
		} else if (as_json) {
			json_dumpf(res, stdout, JSON_INDENT(2));
			putchar('\n');
		} else {
			printf("score %g / %g\n", json_number_value(json_object_get(res, "score")),
			    json_number_value(json_object_get(res, "max")));
			size_t i;
			json_t *q;
			json_array_foreach(json_object_get(res, "questions"), i, q) {
				printf("%s: %s (%g/%g)\n", json_string_value(json_object_get(q, "id")),
				    json_is_true(json_object_get(q, "correct")) ? "right" : "wrong",
				    json_number_value(json_object_get(q, "score")), json_number_value(json_object_get(q, "max")));
				const char *fb = json_string_value(json_object_get(q, "feedback"));
				if (fb && *fb)
					printf("  %s\n", fb);
			}
		}
		json_decref(res);
	}
	json_decref(answers);
	tq_capture_free(cap);
	tq_exercise_free(ex);
	return rc;
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("tracequiz %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "dissect"))
		return cmd_dissect(argc - 1, argv + 1);
	if (!strcmp(argv[1], "follow"))
		return cmd_follow(argc - 1, argv + 1);
	if (!strcmp(argv[1], "eval"))
		return cmd_eval(argc - 1, argv + 1);
	if (!strcmp(argv[1], "serve"))
		return cmd_serve(argc - 1, argv + 1);
	if (!strcmp(argv[1], "user"))
		return cmd_user(argc - 1, argv + 1);
	if (!strcmp(argv[1], "token"))
		return cmd_token(argc - 1, argv + 1);
	if (!strcmp(argv[1], "key"))
		return cmd_key_or_grade(argc - 1, argv + 1, 0);
	if (!strcmp(argv[1], "grade"))
		return cmd_key_or_grade(argc - 1, argv + 1, 1);
	if (!strcmp(argv[1], "routes") && argc == 2) {
		routes_print(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "rekey"))
		return cmd_rekey(argc - 1, argv + 1);
	if (!strcmp(argv[1], "import") || !strcmp(argv[1], "export"))
		return cmd_import(argc - 1, argv + 1);
	if (!strcmp(argv[1], "suggest"))
		return cmd_suggest(argc - 1, argv + 1);
	fprintf(stderr, "tracequiz: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
