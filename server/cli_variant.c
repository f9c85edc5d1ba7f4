/*
 * cli_variant.c - `tracequiz variant` (one student's trace) and `tracequiz
 * variants` (all of an exercise's, written out and checked).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "../analysis/tq.h"
#include "cli.h"
#include "exercise.h"

#define MAX_CAPTURE (1u << 30)

/* The exercise's slug as the server would have it: its folder's name. */
static const char *
folder_name(const char *path, char *buf, size_t n)
{
	snprintf(buf, n, "%s", path);
	size_t l = strlen(buf);
	while (l > 1 && buf[l - 1] == '/')
		buf[--l] = 0;
	if (l > 5 && !strcmp(buf + l - 5, ".yaml")) {
		char *slash = strrchr(buf, '/');
		if (!slash)
			return ".";
		*slash = 0;
	}
	const char *base = strrchr(buf, '/');
	return base ? base + 1 : buf;
}

/* Writes len bytes to path through a temporary file, so that no half file is left. */
static int
write_file(const char *path, const uint8_t *p, size_t len)
{
	char tmp[4200];
	if (snprintf(tmp, sizeof(tmp), "%s.tmp-XXXXXX", path) >= (int)sizeof(tmp)) {
		fprintf(stderr, "tracequiz: %s: the path is too long\n", path);
		return -1;
	}
	int fd = mkstemp(tmp);
	if (fd < 0) {
		fprintf(stderr, "tracequiz: %s: %s\n", path, strerror(errno));
		return -1;
	}
	size_t done = 0;
	while (done < len) {
		ssize_t w = write(fd, p + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		done += (size_t)w;
	}
	int ok = done == len && fchmod(fd, 0644) == 0 && fsync(fd) == 0;
	int saved = errno;
	if (close(fd) != 0)
		ok = 0;
	if (!ok || rename(tmp, path) != 0) {
		fprintf(stderr, "tracequiz: %s: %s\n", path, strerror(ok ? errno : saved));
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* The bytes of the pool's capture i. */
static uint8_t *
read_pool(const struct tq_exercise *ex, size_t i, size_t *len)
{
	char *path = tq_exercise_pool_path(ex, i);
	if (!path) {
		fprintf(stderr, "tracequiz: the exercise names no capture\n");
		return NULL;
	}
	uint8_t *b = (uint8_t *)tq_read_file(path, MAX_CAPTURE, len);
	if (!b)
		fprintf(stderr, "tracequiz: %s: %s\n", path, errno == EFBIG ? "larger than 1 GiB" : strerror(errno));
	free(path);
	return b;
}

static int
parse_count(const char *s, const char *what, size_t *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (*end || end == s || errno || v == 0 || v > TQ_EX_MAX_VARIANTS) {
		fprintf(stderr, "tracequiz: %s is a number from 1 to %d, not '%s'\n", what, TQ_EX_MAX_VARIANTS, s);
		return -1;
	}
	*out = v;
	return 0;
}

/* tracequiz variant EXERCISE (--student NAME | --variant K) -o OUT.pcap */
int
cmd_variant(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "student", required_argument, NULL, 's' },
		{ "variant", required_argument, NULL, 'v' },
		{ "slug", required_argument, NULL, 'S' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *student = NULL, *slug = NULL, *outp = NULL;
	size_t v = 0;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "s:v:S:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 's': student = optarg; break;
		case 'v':
			if (parse_count(optarg, "--variant", &v))
				return 2;
			break;
		case 'S': slug = optarg; break;
		case 'o': outp = optarg; break;
		case 'h': cli_usage(stdout); return 0;
		default: cli_usage(stderr); return 2;
		}
	}
	if (optind != argc - 1 || !outp || !!student == !!v) {
		fprintf(stderr, "tracequiz: variant EXERCISE (--student NAME | --variant K) -o OUT.pcap\n");
		return 2;
	}
	char err[1024], fb[4096];
	struct tq_exercise *ex;
	if (tq_exercise_load(argv[optind], &ex, err, sizeof(err)) != 0) {
		fprintf(stderr, "tracequiz: %s\n", err);
		return 1;
	}
	size_t n = tq_exercise_variant_count(ex);
	if (student)
		v = tq_exercise_deal(slug ? slug : folder_name(argv[optind], fb, sizeof(fb)), student, n);
	else if (v-- > n) {
		fprintf(stderr, "tracequiz: the exercise has %zu variant%s; there is no variant %zu\n", n, n == 1 ? "" : "s",
		    v + 1);
		tq_exercise_free(ex);
		return 1;
	}
	size_t pi = tq_exercise_variant_capture(ex, v), len;
	uint8_t *in = read_pool(ex, pi, &len), *out = NULL;
	int rc = 1;
	if (in && tq_exercise_make_variant(ex, v, in, len, &out, err, sizeof(err)) != 0)
		fprintf(stderr, "tracequiz: %s: %s\n", tq_exercise_pool_name(ex, pi), err);
	else if (in && write_file(outp, out, len) == 0) {
		fprintf(stderr, "%s%s%svariant %zu of %zu (from %s)\n", student ? "student " : "", student ? student : "",
		    student ? ": " : "", v + 1, n, tq_exercise_pool_name(ex, pi));
		rc = 0;
	}
	free(in);
	free(out);
	tq_exercise_free(ex);
	return rc;
}

/* ------------------------------------------------------------------ checking */

/* Every field of a frame's tree, one abbrev a line, in order, indented by depth. */
static void
shape_nodes(const struct tq_node *n, int depth, struct tq_sbuf *out)
{
	for (; n; n = tq_node_next(n)) {
		const struct tq_field *f = tq_node_field(n);
		for (int i = 0; i < depth; i++)
			tq_sbuf_putc(out, ' ');
		tq_sbuf_puts(out, f ? tq_field_abbrev(f) : "(text)");
		tq_sbuf_putc(out, '\n');
		shape_nodes(tq_node_child(n), depth + 1, out);
	}
}

struct shape {
	uint32_t frames;
	char **frame;                /* per frame: its fields, as shape_nodes writes them */
};

static void
shape_free(struct shape *s)
{
	for (uint32_t i = 0; s->frame && i < s->frames; i++)
		free(s->frame[i]);
	free(s->frame);
	memset(s, 0, sizeof(*s));
}

static int
shape_of(struct tq_capture *cap, struct shape *s, char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	if (tq_capture_wait_read(cap, err, errlen) != 0)
		return -1;
	s->frames = tq_capture_count(cap);
	if (!(s->frame = calloc(s->frames ? s->frames : 1, sizeof(*s->frame)))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	struct tq_sbuf b;
	tq_sbuf_init(&b, 0);
	for (uint32_t i = 0; i < s->frames; i++) {
		int e = 0;
		struct tq_tree *t = tq_dissect(cap, i + 1, &e);
		if (!t) {
			snprintf(err, errlen, "frame %u: %s", i + 1, tq_strerror(e));
			tq_sbuf_free(&b);
			return -1;
		}
		tq_sbuf_reset(&b);
		shape_nodes(tq_tree_root(t), 0, &b);
		tq_tree_free(t);
		if (!(s->frame[i] = strdup(tq_sbuf_str(&b)))) {
			snprintf(err, errlen, "out of memory");
			tq_sbuf_free(&b);
			return -1;
		}
	}
	tq_sbuf_free(&b);
	return 0;
}

/* Where two frames' fields first differ, as "the original has X where the variant has Y". */
static void
shape_diff(const char *a, const char *b, char *out, size_t n)
{
	size_t line = 1;
	while (*a && *a == *b) {
		if (*a == '\n')
			line++;
		a++, b++;
	}
	while (line > 1 && a[-1] != '\n')
		a--, b--;
	int la = (int)strcspn(a, "\n"), lb = (int)strcspn(b, "\n");
	snprintf(out, n, "field %zu: the original has '%.*s' where the variant has '%.*s'", line, la, *a ? a : "(end)",
	    lb, *b ? b : "(end)");
}

/* The text a question's key is compared by: its key, or its valid choices. */
static char *
key_text(const json_t *q)
{
	json_t *k = json_pack("{s:O?,s:O?}", "key", json_object_get(q, "key"), "valid", json_object_get(q, "valid"));
	char *s = k ? json_dumps(k, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(k);
	return s;
}

/*
 * Checks one variant (len bytes at b) against its original's fields: the
 * same frames, every frame with the same fields; then computes the keys on
 * it and adds each question's to its set in seen.  0, or -1 with why set.
 */
static int
check_variant(struct tq_exercise *ex, const struct tq_open_opts *oo, const uint8_t *b, size_t len,
    const struct shape *orig, json_t *seen, uint32_t *frames, char *why, size_t n)
{
	struct tq_capture *cap = NULL;
	struct shape sh = { 0 };
	int rc = -1;
	if (tq_capture_open_mem_opts(b, len, oo, &cap, why, n) != 0 || shape_of(cap, &sh, why, n) != 0)
		goto out;
	*frames = sh.frames;
	if (sh.frames != orig->frames) {
		snprintf(why, n, "%u frames where the original has %u", sh.frames, orig->frames);
		goto out;
	}
	for (uint32_t f = 0; f < sh.frames; f++) {
		if (strcmp(sh.frame[f], orig->frame[f])) {
			char d[900];
			shape_diff(orig->frame[f], sh.frame[f], d, sizeof(d));
			snprintf(why, n, "frame %u: %s", f + 1, d);
			goto out;
		}
	}
	if (tq_exercise_compute_keys(ex, cap, NULL, why, n) != 0)
		goto out;
	json_t *keys = tq_exercise_keys_json(ex), *kq;
	size_t qi;
	rc = 0;
	json_array_foreach(json_object_get(keys, "questions"), qi, kq) {
		const char *e = json_string_value(json_object_get(kq, "error"));
		if (e) {
			snprintf(why, n, "question %s: no key: %s", json_string_value(json_object_get(kq, "id")), e);
			rc = -1;
			break;
		}
		char *kt = key_text(kq);
		if (kt)
			json_object_set_new(json_array_get(seen, qi), kt, json_true());
		free(kt);
	}
	json_decref(keys);
out:
	shape_free(&sh);
	tq_capture_free(cap);
	return rc;
}

/*
 * tracequiz variants EXERCISE [--check] [--out DIR] [--json]: makes every
 * variant; --out writes them (variant-001.pcap...), --check dissects each
 * and compares every frame's fields with its original's, computes the keys
 * on it, and says which questions the variants protect.
 */
int
cmd_variants(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "check", no_argument, NULL, 'c' },
		{ "out", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = NULL;
	int check = 0, as_json = 0, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "co:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': check = 1; break;
		case 'o': dir = optarg; break;
		case 'j': as_json = 1; break;
		case 'h': cli_usage(stdout); return 0;
		default: cli_usage(stderr); return 2;
		}
	}
	if (optind != argc - 1 || (!check && !dir)) {
		fprintf(stderr, "tracequiz: variants EXERCISE [--check] [--out DIR] [--json]\n");
		return 2;
	}
	char err[1024];
	struct tq_exercise *ex;
	if (tq_exercise_load(argv[optind], &ex, err, sizeof(err)) != 0) {
		fprintf(stderr, "tracequiz: %s\n", err);
		return 1;
	}
	if (dir && mkdir(dir, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "tracequiz: %s: %s\n", dir, strerror(errno));
		tq_exercise_free(ex);
		return 1;
	}
	size_t n = tq_exercise_variant_count(ex);
	json_t *qs = json_object_get(tq_exercise_doc(ex), "questions");
	size_t nq = json_array_size(qs);
	json_t *report = json_object(), *vrep = json_array(), *seen = json_array();
	json_object_set_new(report, "variants", vrep);
	for (size_t q = 0; q < nq; q++)
		json_array_append_new(seen, json_object());
	struct tq_open_opts oo = tq_exercise_open_opts(ex);
	int failed = 0;
	uint8_t *in = NULL;
	size_t in_len = 0, in_idx = (size_t)-1;
	struct shape orig = { 0 };
	for (size_t v = 0; v < n; v++) {
		size_t pi = tq_exercise_variant_capture(ex, v);
		json_t *r = json_object();
		json_array_append_new(vrep, r);
		json_object_set_new(r, "variant", json_integer((json_int_t)v + 1));
		json_object_set_new(r, "capture", json_string(tq_exercise_pool_name(ex, pi)));
		if (pi != in_idx) {
			free(in);
			shape_free(&orig);
			in_idx = pi;
			if (!(in = read_pool(ex, pi, &in_len))) {
				failed = 1;
				break;
			}
			if (check) {
				struct tq_capture *oc = NULL;
				int bad = tq_capture_open_mem_opts(in, in_len, &oo, &oc, err, sizeof(err)) != 0 ||
				    shape_of(oc, &orig, err, sizeof(err)) != 0;
				tq_capture_free(oc);
				if (bad) {
					fprintf(stderr, "tracequiz: %s: %s\n", tq_exercise_pool_name(ex, pi), err);
					failed = 1;
					break;
				}
			}
		}
		uint8_t *out = NULL;
		const char *problem = NULL;
		char why[1200] = "";
		if (tq_exercise_make_variant(ex, v, in, in_len, &out, err, sizeof(err)) != 0) {
			problem = err;
		} else if (dir) {
			char path[4200];
			snprintf(path, sizeof(path), "%s/variant-%03zu.pcap%s", dir, v + 1,
			    in_len >= 4 && !memcmp(in, "\x0a\x0d\x0d\x0a", 4) ? "ng" : "");
			if (write_file(path, out, in_len) != 0)
				problem = "could not be written";
			else
				json_object_set_new(r, "file", json_string(path));
		}
		uint32_t frames = 0;
		if (!problem && check && check_variant(ex, &oo, out, in_len, &orig, seen, &frames, why, sizeof(why)) != 0)
			problem = why;
		json_object_set_new(r, "ok", json_boolean(!problem));
		if (problem) {
			json_object_set_new(r, "problem", json_string(problem));
			failed = 1;
		}
		if (!as_json) {
			if (problem)
				printf("variant %zu (%s): %s\n", v + 1, tq_exercise_pool_name(ex, pi), problem);
			else if (check)
				printf("variant %zu (%s): %u frames, the same fields as the original's, every key computed\n",
				    v + 1, tq_exercise_pool_name(ex, pi), frames);
			else
				printf("variant %zu (%s): %s\n", v + 1, tq_exercise_pool_name(ex, pi),
				    json_string_value(json_object_get(r, "file")));
		}
		free(out);
	}
	free(in);
	shape_free(&orig);
	if (check) {
		json_t *qrep = json_array();
		json_object_set_new(report, "questions", qrep);
		for (size_t q = 0; q < nq; q++) {
			const char *id = json_string_value(json_object_get(json_array_get(qs, q), "id"));
			size_t distinct = json_object_size(json_array_get(seen, q));
			json_array_append_new(qrep, json_pack("{s:s,s:I,s:b}", "id", id, "distinct", (json_int_t)distinct,
			    "protected", distinct > 1));
			if (!as_json && !failed) {
				if (distinct > 1)
					printf("question %s: %zu different keys over %zu variants\n", id, distinct, n);
				else
					printf("question %s: the same key on every variant: the variants do not protect it\n", id);
			}
		}
	}
	if (as_json) {
		json_object_set_new(report, "ok", json_boolean(!failed));
		json_dumpf(report, stdout, JSON_INDENT(2));
		putchar('\n');
	}
	json_decref(report);
	json_decref(seen);
	tq_exercise_free(ex);
	return failed ? 1 : 0;
}
