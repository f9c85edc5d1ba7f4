/*
 * conn_sqlite.c - the embedded store: one SQLite file.
 *
 * A connection runs in WAL mode with foreign keys on, a busy timeout and
 * synchronous=NORMAL: a committed transaction survives the process being
 * killed (the kill test), and commits cost no fsync each.  Migrations are
 * db/migrations/sqlite/NNN_*.sql, applied in order under PRAGMA
 * user_version, each in its own BEGIN IMMEDIATE transaction: a second
 * process opening the file at the same time waits, then finds them done.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conn.h"

struct lite {
	struct db base;
	sqlite3 *db;
	char err[512];
};

struct liteq {
	struct dbq base;
	struct lite *c;
	sqlite3_stmt *st;
	int64_t changes;
};

#define LITE(db) ((struct lite *)(db))
#define LQ(q) ((struct liteq *)(q))

static void
keep_error(struct lite *c, const char *msg)
{
	snprintf(c->err, sizeof(c->err), "%s", msg ? msg : sqlite3_errmsg(c->db));
}

static int
lite_exec(struct db *db, const char *script)
{
	struct lite *c = LITE(db);
	char *msg = NULL;
	if (sqlite3_exec(c->db, script, NULL, NULL, &msg) != SQLITE_OK) {
		keep_error(c, msg);
		sqlite3_free(msg);
		return DB_ERROR;
	}
	return 0;
}

static void
lite_close(struct db *db)
{
	if (!db)
		return;
	sqlite3_close(LITE(db)->db);
	free(db);
}

static int
lite_open(const char *path, struct db **out, char *err, size_t errlen)
{
	*out = NULL;
	struct lite *c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return DB_ERROR;
	}
	c->base.d = &db_sqlite;
	if (sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, c->db ? sqlite3_errmsg(c->db) : "cannot open");
		lite_close(&c->base);
		return DB_ERROR;
	}
	sqlite3_busy_timeout(c->db, 5000);
	sqlite3_extended_result_codes(c->db, 1);
	if (lite_exec(&c->base, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON")) {
		snprintf(err, errlen, "%s: %s", path, c->err);
		lite_close(&c->base);
		return DB_ERROR;
	}
	*out = &c->base;
	return 0;
}

static const char *
lite_error(struct db *db)
{
	return LITE(db)->err;
}

static struct dbq *
lite_prepare(struct db *db, const char *sql)
{
	struct lite *c = LITE(db);
	struct liteq *q = calloc(1, sizeof(*q));
	if (!q) {
		keep_error(c, "out of memory");
		return NULL;
	}
	if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &q->st, NULL) != SQLITE_OK) {
		keep_error(c, NULL);
		sqlite3_finalize(q->st);
		free(q);
		return NULL;
	}
	q->base.d = &db_sqlite;
	q->c = c;
	return &q->base;
}

static void
lite_finalize(struct dbq *q)
{
	sqlite3_finalize(LQ(q)->st);
	free(q);
}

static void
lite_reset(struct dbq *q)
{
	sqlite3_reset(LQ(q)->st);
	sqlite3_clear_bindings(LQ(q)->st);
}

static void
lite_bind_int(struct dbq *q, int i, int64_t v)
{
	sqlite3_bind_int64(LQ(q)->st, i, v);
}

static void
lite_bind_double(struct dbq *q, int i, double v)
{
	sqlite3_bind_double(LQ(q)->st, i, v);
}

static void
lite_bind_text(struct dbq *q, int i, const char *v)
{
	sqlite3_bind_text(LQ(q)->st, i, v, -1, SQLITE_TRANSIENT);
}

static void
lite_bind_blob(struct dbq *q, int i, const void *p, size_t n)
{
	/* read by the step that runs it (conn.h): a capture is not copied */
	sqlite3_bind_blob64(LQ(q)->st, i, p, n, SQLITE_STATIC);
}

static int
lite_step(struct dbq *dq)
{
	struct liteq *q = LQ(dq);
	int rc = sqlite3_step(q->st);
	if (rc == SQLITE_ROW)
		return DB_ROW;
	if (rc == SQLITE_DONE) {
		q->changes = sqlite3_changes(q->c->db);
		return DB_DONE;
	}
	keep_error(q->c, NULL);
	sqlite3_reset(q->st);        /* the error's message is the connection's */
	return (rc & 0xff) == SQLITE_CONSTRAINT ? DB_CONSTRAINT : DB_ERROR;
}

static int
lite_columns(struct dbq *q)
{
	return sqlite3_column_count(LQ(q)->st);
}

static const char *
lite_column_name(struct dbq *q, int i)
{
	return sqlite3_column_name(LQ(q)->st, i);
}

static int
lite_column_type(struct dbq *q, int i)
{
	switch (sqlite3_column_type(LQ(q)->st, i)) {
	case SQLITE_INTEGER: return DB_INT;
	case SQLITE_FLOAT: return DB_FLOAT;
	case SQLITE_NULL: return DB_NULL;
	default: return DB_TEXT;
	}
}

static int64_t
lite_column_int(struct dbq *q, int i)
{
	return sqlite3_column_int64(LQ(q)->st, i);
}

static double
lite_column_double(struct dbq *q, int i)
{
	return sqlite3_column_double(LQ(q)->st, i);
}

static const char *
lite_column_text(struct dbq *q, int i)
{
	return (const char *)sqlite3_column_text(LQ(q)->st, i);
}

static const void *
lite_column_blob(struct dbq *q, int i, size_t *n)
{
	const void *p = sqlite3_column_blob(LQ(q)->st, i);
	*n = (size_t)sqlite3_column_bytes(LQ(q)->st, i);
	return p;
}

/* After a statement with RETURNING, the changes are counted by the reset that ends it. */
static int64_t
lite_changes(struct dbq *q)
{
	return LQ(q)->changes;
}

static int
lite_readonly(struct dbq *q)
{
	return sqlite3_stmt_readonly(LQ(q)->st);
}

static int
lite_in_transaction(struct db *db)
{
	return !sqlite3_get_autocommit(LITE(db)->db);
}

/* SQLite has one writer at a time whatever the key. */
static int
lite_begin(struct db *db, const int64_t *key)
{
	(void)key;
	return lite_exec(db, "BEGIN IMMEDIATE");
}

static int
lite_commit(struct db *db)
{
	return lite_exec(db, "COMMIT");
}

static void
lite_rollback(struct db *db)
{
	if (lite_in_transaction(db))
		lite_exec(db, "ROLLBACK");
}

static int
lite_version(struct db *db)
{
	sqlite3_stmt *q;
	int v = -1;
	if (sqlite3_prepare_v2(LITE(db)->db, "PRAGMA user_version", -1, &q, NULL) == SQLITE_OK) {
		if (sqlite3_step(q) == SQLITE_ROW)
			v = sqlite3_column_int(q, 0);
		sqlite3_finalize(q);
	}
	return v;
}

static int
lite_migrate(struct db *db)
{
	struct lite *c = LITE(db);
	const struct tq_migrations *all = &tq_migrations_sqlite;
	for (;;) {
		if (lite_exec(db, "BEGIN IMMEDIATE"))
			return DB_ERROR;
		int v = lite_version(db);
		if (v < 0 || (unsigned)v > all->n) {
			lite_exec(db, "ROLLBACK");
			snprintf(c->err, sizeof(c->err), "the database is at schema version %d, newer than this program knows (%u)",
			    v, all->n);
			return DB_ERROR;
		}
		if ((unsigned)v == all->n)
			return lite_exec(db, "COMMIT");
		char setv[64];
		snprintf(setv, sizeof(setv), "PRAGMA user_version = %d", v + 1);
		if (lite_exec(db, all->m[v].sql) || lite_exec(db, setv) || lite_exec(db, "COMMIT")) {
			char keep[400];
			snprintf(keep, sizeof(keep), "%.380s", c->err);
			lite_exec(db, "ROLLBACK");
			snprintf(c->err, sizeof(c->err), "migration %.60s: %s", all->m[v].name, keep);
			return DB_ERROR;
		}
	}
}

static int
lite_integrity(struct db *db)
{
	sqlite3_stmt *q;
	int ok = 0;
	if (sqlite3_prepare_v2(LITE(db)->db, "PRAGMA integrity_check", -1, &q, NULL) != SQLITE_OK) {
		keep_error(LITE(db), NULL);
		return DB_ERROR;
	}
	if (sqlite3_step(q) == SQLITE_ROW && !strcmp((const char *)sqlite3_column_text(q, 0), "ok"))
		ok = 1;
	sqlite3_finalize(q);
	return ok ? 0 : DB_ERROR;
}

/* fsync of a file or folder by name; 0 or -1. */
static int
sync_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	close(fd);
	return rc;
}

/*
 * A consistent copy of the database in path (SQLite's online backup API: a
 * snapshot while the server goes on writing), written under a temporary
 * name, checked (PRAGMA quick_check), synced and renamed: path holds a whole
 * backup or what it held before.
 */
static int
lite_backup(struct db *db, const char *path, char *err, size_t errlen)
{
	struct stat sb;
	if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "%s is not a file", path);
		return -1;
	}
	char tmp[4200], dir[4200];
	if (snprintf(tmp, sizeof(tmp), "%s.tmp-%ld", path, (long)getpid()) >= (int)sizeof(tmp)) {
		snprintf(err, errlen, "the backup's name is too long");
		return -1;
	}
	unlink(tmp);
	sqlite3 *dst = NULL;
	int rc = sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc == SQLITE_OK) {
		/* every page in one step, under one read transaction: a snapshot, while writers go on (WAL) */
		sqlite3_backup *b = sqlite3_backup_init(dst, "main", LITE(db)->db, "main");
		if (b) {
			do {
				rc = sqlite3_backup_step(b, -1);
				if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
					sqlite3_sleep(20);
			} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
			sqlite3_backup_finish(b);
		}
		rc = sqlite3_errcode(dst);
	}
	if (rc == SQLITE_OK || rc == SQLITE_DONE) {
		/* the copy read back whole before it takes the name */
		sqlite3_stmt *q = NULL;
		rc = sqlite3_prepare_v2(dst, "PRAGMA quick_check", -1, &q, NULL);
		if (rc == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW && !strcmp((const char *)sqlite3_column_text(q, 0), "ok"))
			rc = SQLITE_OK;
		else if (rc == SQLITE_OK)
			rc = SQLITE_CORRUPT;
		sqlite3_finalize(q);
	}
	if (rc != SQLITE_OK)
		snprintf(err, errlen, "%s: %s", tmp, dst ? sqlite3_errmsg(dst) : sqlite3_errstr(rc));
	sqlite3_close(dst);
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash)
		slash[slash == dir] = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	if (rc == SQLITE_OK && (sync_path(tmp) != 0 || rename(tmp, path) != 0 || sync_path(dir) != 0)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		rc = SQLITE_IOERR;
	}
	if (rc != SQLITE_OK)
		unlink(tmp);
	return rc == SQLITE_OK ? 0 : -1;
}

static int
lite_checkpoint(struct db *db, int truncate)
{
	int rc = sqlite3_wal_checkpoint_v2(LITE(db)->db, NULL, truncate ? SQLITE_CHECKPOINT_TRUNCATE : SQLITE_CHECKPOINT_PASSIVE,
	    NULL, NULL);
	if (rc == SQLITE_OK || rc == SQLITE_BUSY)
		return 0;
	keep_error(LITE(db), NULL);
	return DB_ERROR;
}

static void
lite_no_autocheckpoint(struct db *db)
{
	sqlite3_wal_autocheckpoint(LITE(db)->db, 0);
}

const struct db_driver db_sqlite = {
	.name = "sqlite",
	.open = lite_open,
	.close = lite_close,
	.error = lite_error,
	.exec = lite_exec,
	.prepare = lite_prepare,
	.finalize = lite_finalize,
	.reset = lite_reset,
	.bind_int = lite_bind_int,
	.bind_double = lite_bind_double,
	.bind_text = lite_bind_text,
	.bind_blob = lite_bind_blob,
	.step = lite_step,
	.columns = lite_columns,
	.column_name = lite_column_name,
	.column_type = lite_column_type,
	.column_int = lite_column_int,
	.column_double = lite_column_double,
	.column_text = lite_column_text,
	.column_blob = lite_column_blob,
	.changes = lite_changes,
	.readonly = lite_readonly,
	.in_transaction = lite_in_transaction,
	.begin = lite_begin,
	.commit = lite_commit,
	.rollback = lite_rollback,
	.migrate = lite_migrate,
	.version = lite_version,
	.integrity = lite_integrity,
	.backup = lite_backup,
	.checkpoint = lite_checkpoint,
	.no_autocheckpoint = lite_no_autocheckpoint,
	.serial_writes = 1,
};
