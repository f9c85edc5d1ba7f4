/*
 * serve.c - tracequiz serve: the first start (the demo exercise, the admin
 * account), the server started and stopped, and the command line's serve,
 * user add and token add.  The server's state is app.c's, requests are
 * http.c's, their routes routes.c's.
 */
#include "config.h"

#include <curl/curl.h>
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

#include "lti.h"
#include "server.h"

#ifndef TQ_SRCDIR
#define TQ_SRCDIR "."
#endif
#ifndef TQ_PKGDATADIR
#define TQ_PKGDATADIR "/usr/local/share/tracequiz"
#endif

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
	if (tq_exercise_has_variants(ex)) {
		snprintf(err, errlen, "%s: %s", dir, TQ_EX_NO_VARIANTS);
		goto out;
	}
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

static int
is_dir(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/*
 * A data folder: the one given; else rel under the working folder (a source
 * tree); else name beside the installed program (BINDIR/../share/tracequiz/
 * NAME, wherever the tree was installed or staged); else under the
 * configured $(pkgdatadir); else in the source tree the program was built
 * from.  The result is valid until the next call but one.
 */
static const char *
find_dir(const char *given, const char *rel, const char *name)
{
	static char buf[2][4096];
	static int k;
	if (given)
		return given;
	if (is_dir(rel))
		return rel;
	k ^= 1;
	/* the program is PREFIX/bin/tracequiz: PREFIX/share/tracequiz/NAME, as a clean path for the log */
	char exe[4096], up[4200];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	for (int i = 0; i < 2; i++) {
		char *slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
	}
	if (*exe && snprintf(up, sizeof(up), "%s/share/tracequiz/%s", exe, name) < (int)sizeof(up) && is_dir(up) &&
	    realpath(up, buf[k]))
		return buf[k];
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", TQ_PKGDATADIR, name);
	if (is_dir(buf[k]))
		return buf[k];
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
		tq_log(TQ_LOG_ERR, "%s", tq_store_error(st));
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
	/* another node on the same database made it meanwhile */
	if (rc == TQ_STORE_EXISTS && (rc = tq_store_course_get(st, "demo", &dc)) == 0)
		course = dc.id;
	if (rc != 0) {
		tq_log(TQ_LOG_ERR, "%s", tq_store_error(st));
		return -1;
	}
	struct tq_exrow row;
	if (tq_store_exercise_get(st, "smtp-over-tls", &row) == 0) {
		tq_exrow_free(&row);
	} else {
		const char *seed = a->o.seed;
		if (store_exercise_dir(st, seed, "smtp-over-tls", course, err, sizeof(err)) != 0) {
			tq_log(TQ_LOG_ERR, "the demo exercise: %s", err);
			return -1;
		}
		tq_log(TQ_LOG_NOTICE, "loaded the demo exercise smtp-over-tls from %s", seed);
	}
	if (users == 0) {
		char pw[33], hash[160];
		int64_t id;
		tq_secret(pw, 16);
		if (tq_password_hash(pw, hash, sizeof(hash)) != 0 ||
		    ((rc = tq_store_user_add(st, "admin", "admin", hash, 0, &id)) != 0 && rc != TQ_STORE_EXISTS) ||
		    (rc == 0 && tq_store_teacher_add(st, course, id) != 0)) {
			tq_log(TQ_LOG_ERR, "creating the admin account: %s", tq_store_error(st));
			return -1;
		}
		if (rc == 0)             /* else another node starting on the same database made it */
			tq_log(TQ_LOG_NOTICE, "created the account 'admin' with the password %s (shown once: keep it)", pw);
	}
	return 0;
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
		tq_log(TQ_LOG_ERR, "checkpoints: %s", err);
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
			tq_log(TQ_LOG_WARNING, "%s", tq_store_error(st));
		pthread_mutex_lock(&ck->mu);
	}
	pthread_mutex_unlock(&ck->mu);
	tq_store_checkpoint(st, 1);             /* the log emptied at the end */
	tq_store_close(st);
	return NULL;
}

int
tq_serve(const struct tq_server_opts *o)
{
	struct app *a = calloc(1, sizeof(*a));
	if (!a)
		return 1;
	a->o = *o;
	tq_log_setup(o->log_json);
	curl_global_init(CURL_GLOBAL_DEFAULT);      /* before any thread: an LTI platform's keys are fetched with it */
	pthread_mutex_init(&a->lock, NULL);
	pthread_mutex_init(&a->frame_lock, NULL);
	pthread_cond_init(&a->loaded_cv, NULL);
	/* names without an account are checked against this, so that they take as long as the others */
	char pw[33];
	tq_secret(pw, 16);
	if (tq_password_hash(pw, a->dummy_hash, sizeof(a->dummy_hash)) != 0) {
		tq_log(TQ_LOG_ERR, "cannot hash a password (out of memory?)");
		app_free(a);
		curl_global_cleanup();
		return 1;
	}
	int rc = 1;
	if (first_start(a) == 0) {
		struct checkpointer ck = { .a = a, .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };
		/* SQLite's log only: PostgreSQL checkpoints itself */
		int ck_started = tq_store_is_file(a->o.db) && pthread_create(&ck.th, NULL, checkpoint_loop, &ck) == 0;
		if (lti_grades_start(a) != 0)
			tq_log(TQ_LOG_ERR, "cannot start the thread that sends grades to LTI platforms");
		rc = http_run(a);
		lti_grades_stop(a);
		if (ck_started) {
			pthread_mutex_lock(&ck.mu);
			ck.stop = 1;
			pthread_cond_signal(&ck.cv);
			pthread_mutex_unlock(&ck.mu);
			pthread_join(ck.th, NULL);
		}
	}
	app_free(a);
	curl_global_cleanup();
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
    "         [--submit-per-minute N] [--behind-https] [--trusted-proxy ADDR] [--quiet] [--access-log] [--log-json]\n"
    "         [--frame-ancestors \"ORIGIN...\"]\n"
    "(doc/security.md says what each limit is for)\n";

int
cmd_serve(int argc, char **argv)
{
	enum { O_LISTEN = 1, O_DB, O_WWW, O_SEED, O_TMP, O_THREADS, O_UPLOAD, O_INFLIGHT, O_CACHE, O_HEAVY, O_PERUSER,
	    O_JOBSEC, O_JOBMB, O_CONNS, O_PERIP, O_HEADER, O_IDLE, O_SUBMIT, O_HTTPS, O_PROXY, O_QUIET, O_ACCESS,
	    O_LOGJSON, O_FRAMES };
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
		{ "quiet", no_argument, NULL, O_QUIET }, { "access-log", no_argument, NULL, O_ACCESS },
		{ "log-json", no_argument, NULL, O_LOGJSON }, { "frame-ancestors", required_argument, NULL, O_FRAMES },
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
		case O_ACCESS: o.access_log = 1; break;
		case O_LOGJSON: o.log_json = 1; break;
		case O_FRAMES:
			if (!lti_origins_ok(optarg)) {
				fprintf(stderr, "tracequiz: --frame-ancestors: give origins separated by spaces, such as "
				    "\"https://school.instructure.com https://lms.example.edu\"\n");
				return 2;
			}
			o.frame_ancestors = optarg;
			break;
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
	o.www = find_dir(www, "www", "www");
	o.seed = find_dir(seed, "db/seed/smtp-over-tls", "seed/smtp-over-tls");
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

/* tracequiz backup [--db FILE] OUT: a consistent copy of the database, taken while the server runs. */
int
cmd_backup(int argc, char **argv)
{
	static const char usage[] = "usage: tracequiz backup [--db FILE] OUT\n";
	const char *out = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--db") && i + 1 < argc) {
			i++;
		} else if (argv[i][0] == '-' || out) {
			fputs(usage, stderr);
			return 2;
		} else {
			out = argv[i];
		}
	}
	if (!out) {
		fputs(usage, stderr);
		return 2;
	}
	char err[512];
	struct tq_store *st;
	struct stat sb;
	const char *db = db_arg(argc, argv);
	if (!tq_store_is_file(db)) {
		fprintf(stderr, "tracequiz: backup: a PostgreSQL database is backed up by PostgreSQL's tools: "
		    "pg_dump -Fc -f %s 'URI' (restored with pg_restore), or the cluster's own backups\n", out);
		return 1;
	}
	if (stat(db, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		fprintf(stderr, "tracequiz: backup: there is no database at %s\n", db);
		return 1;
	}
	if (tq_store_open(db, &st, err, sizeof(err)) != 0) {
		fprintf(stderr, "tracequiz: %s\n", err);
		return 1;
	}
	int rc = tq_store_backup(st, out, err, sizeof(err));
	if (rc)
		fprintf(stderr, "tracequiz: backup: %s\n", err);
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
