/*
 * keys.c - times the answer keys of an exercise: opens a capture (pass 1),
 * builds one field index for all the expressions given (each frame dissected
 * once), then evaluates each expression on it.  bench/keys.sh runs it.
 *
 *   usage: keys FILE EXPR...
 *
 * Prints one line per step, tab-separated, for keys.sh to read:
 *   open    SECONDS  CPU-SECONDS  FRAMES
 *   index   SECONDS  CPU-SECONDS  FIELDS  OCCURRENCES  ANCESTOR-ENTRIES  BYTES
 *   expr    SECONDS  CPU-SECONDS  N  VALUE-OR-ERROR          (one per expression)
 *   total   SECONDS  CPU-SECONDS
 * SECONDS is wall-clock time, CPU-SECONDS the process's CPU time (user and
 * system): on a loaded machine the first grows, the second much less.
 * Exit status 0 even when an expression has no value (its line says why);
 * 1 when the capture or an expression cannot be read.
 */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "expr.h"

static double
clk(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double
now(void)
{
	return clk(CLOCK_MONOTONIC);
}

static double
cpu(void)
{
	return clk(CLOCK_PROCESS_CPUTIME_ID);
}

int
main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: keys FILE EXPR...\n");
		return 2;
	}
	size_t n = (size_t)argc - 2;
	struct tq_expr **ex = calloc(n, sizeof(*ex));
	if (!ex)
		return 1;
	for (size_t i = 0; i < n; i++) {
		struct tq_expr_error ee;
		if (tq_expr_parse(argv[i + 2], &ex[i], &ee) != 0) {
			fprintf(stderr, "keys: expression %zu at %d: %s\n", i + 1, ee.pos, ee.msg);
			return 1;
		}
	}
	char err[512];
	double t0 = now(), c0 = cpu();
	struct tq_capture *cap;
	if (tq_capture_open_file(argv[1], &cap, err, sizeof(err)) != 0) {
		fprintf(stderr, "keys: %s: %s\n", argv[1], err);
		return 1;
	}
	double t1 = now(), c1 = cpu();
	printf("open\t%.4f\t%.4f\t%u\n", t1 - t0, c1 - c0, tq_capture_count(cap));
	struct tq_findex *ix;
	if (tq_findex_build(cap, ex, n, NULL, &ix, err, sizeof(err)) != 0) {
		fprintf(stderr, "keys: %s: %s\n", argv[1], err);
		return 1;
	}
	double t2 = now(), c2 = cpu();
	size_t nfields = 0;
	for (uint32_t id = 0; id < ix->idlimit; id++)
		nfields += ix->want[id] != 0;
	printf("index\t%.4f\t%.4f\t%zu\t%zu\t%zu\t%zu\n", t2 - t1, c2 - c1, nfields, ix->nocc, ix->nanc, ix->nbytes);
	for (size_t i = 0; i < n; i++) {
		struct tq_expr_error ee;
		double a = now(), ca = cpu();
		json_t *v = tq_expr_eval(ix, ex[i], NULL, &ee);
		double b = now(), cb = cpu();
		char *s = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
		printf("expr\t%.4f\t%.4f\t%zu\t%s%s\n", b - a, cb - ca, i + 1, v ? "" : "error: ", v ? (s ? s : "?") : ee.msg);
		free(s);
		json_decref(v);
	}
	double t3 = now(), c3 = cpu();
	printf("total\t%.4f\t%.4f\n", t3 - t0, c3 - c0);
	tq_findex_free(ix);
	tq_capture_free(cap);
	for (size_t i = 0; i < n; i++)
		tq_expr_free(ex[i]);
	free(ex);
	return 0;
}
