/*
 * cli_exercise.c - the exercise commands: `key` and `grade` on an exercise
 * folder, `suggest` (key discovery), `import inginious` and `export
 * inginious`.
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
int
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
		case 'h': cli_usage(stdout); return 0;
		default: cli_usage(stderr); return 2;
		}
	}
	if (optind != argc - 2) {
		cli_usage(stderr);
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
int
cmd_import(int argc, char **argv)
{
	int out = !strcmp(argv[0], "export");
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		cli_usage(stdout);
		return 0;
	}
	if (argc != 4 || strcmp(argv[1], "inginious")) {
		cli_usage(stderr);
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
		rc = tq_import_inginious(argv[2], NULL, NULL, argv[3], &rep, err, sizeof(err));
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

int
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
		case 'h': cli_usage(stdout); return 0;
		default: cli_usage(stderr); return 2;
		}
	}
	if (optind != argc - 1 - grade) {
		cli_usage(stderr);
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
