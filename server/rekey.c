/*
 * rekey.c - `tracequiz rekey`: after an upgrade, which exercises' keys this
 * program computes differently from the keys frozen in the database.
 *
 * An exercise is graded with the keys stored when it was saved (the
 * exercises.keys column), never with keys computed again on load: a new
 * dissector or a fixed expression function must not change a grade behind
 * the instructor's back.  This command is how such a change is found and,
 * with --apply, taken on purpose: the new keys are stored as a new key
 * version, and the course's instructors regrade (POST .../regrade) when
 * they choose.  Without --apply nothing is written.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

struct slugs {
	char (*v)[128];
	size_t n, cap;
	int nomem;
};

static int
take_slug(void *arg, const struct tq_exrow *row)
{
	struct slugs *s = arg;
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 32;
		char (*v)[128] = realloc(s->v, nc * sizeof(*v));
		if (!v) {
			s->nomem = 1;
			return 1;
		}
		s->v = v;
		s->cap = nc;
	}
	snprintf(s->v[s->n++], sizeof(s->v[0]), "%s", row->slug);
	return 0;
}

/* A key as one short line: text as it is, anything else as compact JSON, cut at 200 bytes. */
static void
print_key(const json_t *k)
{
	if (!k || json_is_null(k)) {
		fputs("(none)", stdout);
		return;
	}
	char *s = json_is_string(k) ? strdup(json_string_value(k)) : json_dumps(k, JSON_COMPACT | JSON_ENCODE_ANY);
	if (!s) {
		fputs("?", stdout);
		return;
	}
	printf("%.200s%s", s, strlen(s) > 200 ? "..." : "");
	free(s);
}

/*
 * One exercise: its keys computed again on its stored capture and compared
 * with the frozen ones.  1 when they differ (stored when apply), 0 when not,
 * -1 when it could not be checked (said on stderr).
 */
static int
rekey_one(struct tq_store *st, const char *slug, int apply)
{
	struct tq_exrow row;
	if (tq_store_exercise_get(st, slug, &row) != 0) {
		fprintf(stderr, "tracequiz: %s: %s\n", slug, tq_store_error(st));
		return -1;
	}
	int rc = -1;
	char err[1024];
	struct tq_exercise *ex = NULL;
	struct tq_capture *cap = NULL;
	void *data = NULL;
	size_t size = 0;
	char sha[65];
	json_t *doc = json_loads(row.doc, 0, NULL), *old = json_loads(row.keys, 0, NULL), *keys = NULL, *changes = NULL;
	char *ks = NULL;
	if (!doc || tq_exercise_from_json(doc, NULL, &ex, err, sizeof(err)) != 0) {
		fprintf(stderr, "tracequiz: %s: the stored document cannot be read: %s\n", slug, doc ? err : "not JSON");
		goto out;
	}
	if (tq_store_capture_get(st, row.capture_id, &data, &size, sha) != 0 || !data) {
		fprintf(stderr, "tracequiz: %s: its capture cannot be read: %s\n", slug, tq_store_error(st));
		goto out;
	}
	struct tq_open_opts oo = tq_exercise_open_opts(ex);
	if (tq_capture_open_mem_opts(data, size, &oo, &cap, err, sizeof(err)) != 0 ||
	    tq_exercise_compute_keys(ex, cap, NULL, err, sizeof(err)) != 0) {
		fprintf(stderr, "tracequiz: %s: %s\n", slug, err);
		goto out;
	}
	keys = tq_exercise_keys_json(ex);
	if (!old)
		old = json_object();           /* unreadable: every key counts as changed */
	changes = tq_exercise_keys_diff(old, keys);
	rc = json_array_size(changes) > 0;
	if (!rc)
		goto out;
	printf("%s: %zu key%s change (key version %lld, computed by %s)\n", slug, json_array_size(changes),
	    json_array_size(changes) == 1 ? "" : "s", (long long)row.key_version,
	    row.keys_program[0] ? row.keys_program : "a version that did not record it");
	size_t i;
	json_t *c;
	json_array_foreach(changes, i, c) {
		const char *id = json_string_value(json_object_get(c, "id"));
		int64_t n = 0;
		tq_store_key_answered(st, row.id, id, &n);
		printf("  %s: ", id);
		print_key(json_object_get(c, "old"));
		fputs(" -> ", stdout);
		print_key(json_object_get(c, "new"));
		printf(" (%lld submission%s answered it)\n", (long long)n, n == 1 ? "" : "s");
	}
	if (!apply)
		goto out;
	int64_t id;
	ks = json_dumps(keys, JSON_COMPACT);
	if (!ks || tq_store_begin(st) != 0 ||
	    tq_store_exercise_put(st, slug, row.course_id, row.doc, row.capture_id, ks, PACKAGE_VERSION, 1, -1, &id) != 0 ||
	    tq_store_commit(st) != 0) {
		tq_store_rollback(st);
		fprintf(stderr, "tracequiz: %s: the new keys could not be stored: %s\n", slug, tq_store_error(st));
		rc = -1;
		goto out;
	}
	printf("  stored as key version %lld: submissions keep their scores until regraded\n", (long long)row.key_version + 1);
out:
	free(ks);
	json_decref(changes);
	json_decref(keys);
	json_decref(old);
	json_decref(doc);
	free(data);
	tq_capture_free(cap);
	tq_exercise_free(ex);
	tq_exrow_free(&row);
	return rc;
}

/*
 * tracequiz rekey [--db FILE] [--dry-run | --apply]: every exercise whose
 * keys this program computes differently.  Exit status 0 when none does, 1
 * when some do (as diff(1)), 2 on an error.
 */
int
cmd_rekey(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "apply", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char use[] = "usage: tracequiz rekey [--db FILE] [--dry-run | --apply]\n";
	const char *db = "tracequiz.db";
	int apply = 0, dry = 0, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "d:nah", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'n': dry = 1; break;
		case 'a': apply = 1; break;
		case 'h': fputs(use, stdout); return 0;
		default: fputs(use, stderr); return 2;
		}
	}
	if (optind != argc || (apply && dry)) {
		fputs(use, stderr);
		return 2;
	}
	char err[512];
	struct tq_store *st;
	if (tq_store_open(db, &st, err, sizeof(err)) != 0) {
		fprintf(stderr, "tracequiz: %s\n", err);
		return 2;
	}
	struct slugs s = { 0 };
	if (tq_store_exercises_for(st, 0, 1, take_slug, &s) != 0 || s.nomem) {
		fprintf(stderr, "tracequiz: %s\n", s.nomem ? "out of memory" : tq_store_error(st));
		free(s.v);
		tq_store_close(st);
		return 2;
	}
	size_t changed = 0, failed = 0;
	for (size_t i = 0; i < s.n; i++) {
		int rc = rekey_one(st, s.v[i], apply);
		changed += rc == 1;
		failed += rc < 0;
	}
	printf("%zu exercise%s checked, %zu whose keys change, %zu that could not be checked%s\n", s.n, s.n == 1 ? "" : "s",
	    changed, failed, changed && !apply ? "; nothing was changed (--apply stores the new keys)" : "");
	free(s.v);
	tq_store_close(st);
	return failed ? 2 : changed ? 1 : 0;
}
