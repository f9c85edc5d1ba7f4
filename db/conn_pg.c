/*
 * conn_pg.c - the shared store: a PostgreSQL database through libpq, for
 * several tracequiz nodes on one database.
 *
 * The URI is libpq's (postgresql://USER@HOST:PORT/DB?...); a password comes
 * from PGPASSWORD or ~/.pgpass as libpq reads them, never from the command
 * line.  A statement is prepared on the server the first time it runs, its
 * parameters typed by what was bound (bigint, double precision, text,
 * bytea), and run with the extended protocol: values travel apart from the
 * SQL, numbers and text as text, blobs as binary.  Rows come back as text.
 *
 * Writers take turns across nodes as SQLite's BEGIN IMMEDIATE makes them do
 * in one file: a write transaction begins by taking a transaction-scoped
 * advisory lock, so that "count the attempts, then insert" and "find, then
 * insert" hold with two nodes as with one.  A transaction that only needs
 * its own kind to wait (a student's submissions: tq_store_begin_for) takes
 * a lock of its key instead, and commits beside the others: their commits
 * share a flush of the log.  Migrations
 * (db/migrations/postgresql/) run under another advisory lock, all in one
 * transaction: two nodes starting together migrate once.
 */
#include "config.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"

/* The advisory locks' first key ("tq"), and the second: the schema's, the writers'. */
#define LOCK_KEY "29809"
#define MIGRATE_LOCK "SELECT pg_advisory_xact_lock(" LOCK_KEY ", 0)"
#define WRITE_LOCK "SELECT pg_advisory_xact_lock(" LOCK_KEY ", 1)"

/* Type OIDs (catalog/pg_type_d.h, fixed since PostgreSQL 7) */
enum { OID_BOOL = 16, OID_BYTEA = 17, OID_INT8 = 20, OID_INT2 = 21, OID_INT4 = 23, OID_TEXT = 25, OID_OID = 26,
	OID_FLOAT4 = 700, OID_FLOAT8 = 701, OID_NUMERIC = 1700 };

#define MAXP 16                      /* parameters of one statement */

struct pg {
	struct db base;
	PGconn *conn;
	unsigned named;              /* statements named so far: the next one's name */
	unsigned generation;         /* a new one when the connection was reset: prepare again */
	int in_tx;                   /* in a transaction begun here: a broken connection is not made again */
	char err[512];
};

struct pgq {
	struct dbq base;
	struct pg *c;
	char *sql;                   /* with $1, $2... */
	char name[16];
	unsigned prepared;           /* the generation it was prepared in; 0: not yet */
	int nparams;                 /* the highest ?N of its SQL */
	const char *vals[MAXP];
	int lens[MAXP], fmts[MAXP];
	Oid types[MAXP];
	char nums[MAXP][32];         /* bound numbers as text */
	PGresult *res;               /* the run's rows */
	int row, nrows;
	int64_t changes;
	unsigned char *blob;         /* a bytea column decoded */
};

#define PG(db) ((struct pg *)(db))
#define PQQ(q) ((struct pgq *)(q))

/* libpq's messages end with a newline: kept without it. */
static void
keep_error(struct pg *c, const char *what, const char *msg)
{
	if (!msg || !*msg)
		msg = PQerrorMessage(c->conn);
	snprintf(c->err, sizeof(c->err), "%s%s%s", what ? what : "", what ? ": " : "", msg);
	/* one line for the logs: the lines of a message (a hint, a detail) joined by a space */
	char *o = c->err;
	for (const char *p = c->err; *p; p++) {
		if (*p == '\n' || *p == '\t') {
			if (o > c->err && o[-1] != ' ')
				*o++ = ' ';
		} else {
			*o++ = *p;
		}
	}
	while (o > c->err && o[-1] == ' ')
		o--;
	*o = '\0';
}

/* Notices (a table that exists already, ...) are not errors: not printed. */
static void
quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

static int
pg_exec(struct db *db, const char *script)
{
	struct pg *c = PG(db);
	PGresult *r = PQexec(c->conn, script);
	ExecStatusType st = PQresultStatus(r);
	int rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? 0 : DB_ERROR;
	if (rc)
		keep_error(c, NULL, PQresultErrorMessage(r));
	PQclear(r);
	return rc;
}

static void
pg_close(struct db *db)
{
	if (!db)
		return;
	PQfinish(PG(db)->conn);
	free(db);
}

static int
pg_open(const char *uri, struct db **out, char *err, size_t errlen)
{
	*out = NULL;
	struct pg *c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return DB_ERROR;
	}
	c->base.d = &db_postgresql;
	c->generation = 1;
	c->conn = PQconnectdb(uri);
	if (!c->conn || PQstatus(c->conn) != CONNECTION_OK) {
		keep_error(c, NULL, c->conn ? NULL : "out of memory");
		snprintf(err, errlen, "PostgreSQL: %s", c->err);
		pg_close(&c->base);
		return DB_ERROR;
	}
	PQsetNoticeProcessor(c->conn, quiet, NULL);
	/* times are Unix seconds in bigint columns: no time zone is read; text is UTF-8 */
	if (pg_exec(&c->base, "SET client_encoding = 'UTF8'")) {
		snprintf(err, errlen, "PostgreSQL: %s", c->err);
		pg_close(&c->base);
		return DB_ERROR;
	}
	*out = &c->base;
	return 0;
}

static const char *
pg_error(struct db *db)
{
	return PG(db)->err;
}

/* The SQL with ?N written $N (outside quotes), and the highest N. */
static char *
dollars(const char *sql, int *nparams)
{
	char *out = malloc(strlen(sql) + 1), *o = out;
	char quote = 0;
	*nparams = 0;
	if (!out)
		return NULL;
	for (const char *p = sql; *p; p++) {
		if (quote) {
			if (*p == quote)
				quote = 0;
		} else if (*p == '\'' || *p == '"') {
			quote = *p;
		} else if (*p == '?' && p[1] >= '1' && p[1] <= '9') {
			*o++ = '$';
			int n = 0;
			while (p[1] >= '0' && p[1] <= '9')
				n = n * 10 + (*o++ = *++p) - '0';
			if (n > *nparams)
				*nparams = n;
			continue;
		}
		*o++ = *p;
	}
	*o = '\0';
	return out;
}

static struct dbq *
pg_prepare(struct db *db, const char *sql)
{
	struct pg *c = PG(db);
	struct pgq *q = calloc(1, sizeof(*q));
	if (q)
		q->sql = dollars(sql, &q->nparams);
	if (!q || !q->sql) {
		free(q);
		keep_error(c, NULL, "out of memory");
		return NULL;
	}
	if (q->nparams > MAXP) {
		keep_error(c, NULL, "a statement has too many parameters");
		free(q->sql);
		free(q);
		return NULL;
	}
	q->base.d = &db_postgresql;
	q->c = c;
	snprintf(q->name, sizeof(q->name), "tq%u", ++c->named);
	return &q->base;
}

static void
drop_rows(struct pgq *q)
{
	PQclear(q->res);
	q->res = NULL;
	q->row = q->nrows = 0;
	PQfreemem(q->blob);
	q->blob = NULL;
}

static void
pg_reset(struct dbq *dq)
{
	struct pgq *q = PQQ(dq);
	drop_rows(q);
	for (int i = 0; i < MAXP; i++) {
		q->vals[i] = NULL;
		q->lens[i] = q->fmts[i] = 0;
		q->types[i] = 0;
	}
}

static void
pg_finalize(struct dbq *dq)
{
	struct pgq *q = PQQ(dq);
	drop_rows(q);
	if (q->prepared == q->c->generation && PQstatus(q->c->conn) == CONNECTION_OK) {
		char dealloc[32];
		snprintf(dealloc, sizeof(dealloc), "DEALLOCATE %s", q->name);
		PQclear(PQexec(q->c->conn, dealloc));
	}
	free(q->sql);
	free(q);
}

static void
bind(struct pgq *q, int i, const char *v, int len, int fmt, Oid type)
{
	if (i < 1 || i > MAXP)
		return;
	q->vals[i - 1] = v;
	q->lens[i - 1] = len;
	q->fmts[i - 1] = fmt;
	q->types[i - 1] = v ? type : 0;
}

static void
pg_bind_int(struct dbq *dq, int i, int64_t v)
{
	struct pgq *q = PQQ(dq);
	if (i < 1 || i > MAXP)
		return;
	snprintf(q->nums[i - 1], sizeof(q->nums[0]), "%lld", (long long)v);
	bind(q, i, q->nums[i - 1], 0, 0, OID_INT8);
}

static void
pg_bind_double(struct dbq *dq, int i, double v)
{
	struct pgq *q = PQQ(dq);
	if (i < 1 || i > MAXP)
		return;
	snprintf(q->nums[i - 1], sizeof(q->nums[0]), "%.17g", v);
	bind(q, i, q->nums[i - 1], 0, 0, OID_FLOAT8);
}

static void
pg_bind_text(struct dbq *q, int i, const char *v)
{
	bind(PQQ(q), i, v, 0, 0, OID_TEXT);
}

static void
pg_bind_blob(struct dbq *q, int i, const void *p, size_t n)
{
	if (n > (size_t)1 << 30) {
		bind(PQQ(q), i, NULL, 0, 0, 0);  /* past libpq's limit: refused as NULL by the NOT NULL columns */
		return;
	}
	bind(PQQ(q), i, p ? p : "", (int)n, 1, OID_BYTEA);
}

/* Prepares q on the server, its parameters typed as first bound (unbound: the server infers). */
static int
ensure_prepared(struct pgq *q)
{
	if (q->prepared == q->c->generation)
		return 0;
	PGresult *r = PQprepare(q->c->conn, q->name, q->sql, q->nparams, q->types);
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		keep_error(q->c, "prepare", PQresultErrorMessage(r));
	PQclear(r);
	if (ok)
		q->prepared = q->c->generation;
	return ok ? 0 : DB_ERROR;
}

/* A connection that broke (the server restarted) is made again once, outside a transaction. */
static int
revive(struct pg *c)
{
	if (c->in_tx || PQstatus(c->conn) != CONNECTION_BAD)
		return 0;
	PQreset(c->conn);
	if (PQstatus(c->conn) != CONNECTION_OK)
		return 0;
	PQsetNoticeProcessor(c->conn, quiet, NULL);
	c->generation++;
	return 1;
}

static int
run(struct pgq *q)
{
	for (int attempt = 0;; attempt++) {
		int rc = ensure_prepared(q);
		if (rc == 0) {
			q->res = PQexecPrepared(q->c->conn, q->name, q->nparams, q->vals, q->lens, q->fmts, 0);
			ExecStatusType st = PQresultStatus(q->res);
			if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
				q->nrows = st == PGRES_TUPLES_OK ? PQntuples(q->res) : 0;
				q->row = -1;
				q->changes = strtoll(PQcmdTuples(q->res), NULL, 10);
				return 0;
			}
			const char *state = PQresultErrorField(q->res, PG_DIAG_SQLSTATE);
			keep_error(q->c, NULL, PQresultErrorMessage(q->res));
			drop_rows(q);
			/* class 23: integrity constraint violation */
			if (state && !strncmp(state, "23", 2))
				return DB_CONSTRAINT;
		}
		if (attempt || !revive(q->c))
			return DB_ERROR;
	}
}

static int
pg_step(struct dbq *dq)
{
	struct pgq *q = PQQ(dq);
	if (!q->res) {
		int rc = run(q);
		if (rc)
			return rc;
	}
	PQfreemem(q->blob);
	q->blob = NULL;
	if (++q->row < q->nrows)
		return DB_ROW;
	q->row = q->nrows;
	return DB_DONE;
}

static int
pg_columns(struct dbq *q)
{
	return PQQ(q)->res ? PQnfields(PQQ(q)->res) : 0;
}

static const char *
pg_column_name(struct dbq *q, int i)
{
	return PQfname(PQQ(q)->res, i);
}

/* The value at column i of the current row, NULL for NULL or no row. */
static const char *
value(struct pgq *q, int i)
{
	if (!q->res || q->row < 0 || q->row >= q->nrows || i < 0 || i >= PQnfields(q->res) ||
	    PQgetisnull(q->res, q->row, i))
		return NULL;
	return PQgetvalue(q->res, q->row, i);
}

static int
pg_column_type(struct dbq *dq, int i)
{
	struct pgq *q = PQQ(dq);
	if (!value(q, i))
		return DB_NULL;
	switch (PQftype(q->res, i)) {
	case OID_BOOL: case OID_INT2: case OID_INT4: case OID_INT8: case OID_OID:
		return DB_INT;
	case OID_FLOAT4: case OID_FLOAT8: case OID_NUMERIC:
		return DB_FLOAT;
	default:
		return DB_TEXT;
	}
}

static int64_t
pg_column_int(struct dbq *dq, int i)
{
	const char *v = value(PQQ(dq), i);
	if (!v)
		return 0;
	if (*v == 't' || *v == 'f')      /* a boolean */
		return *v == 't';
	return strtoll(v, NULL, 10);
}

static double
pg_column_double(struct dbq *dq, int i)
{
	const char *v = value(PQQ(dq), i);
	return v ? strtod(v, NULL) : 0;
}

static const char *
pg_column_text(struct dbq *dq, int i)
{
	return value(PQQ(dq), i);
}

static const void *
pg_column_blob(struct dbq *dq, int i, size_t *n)
{
	struct pgq *q = PQQ(dq);
	const char *v = value(q, i);
	*n = 0;
	if (!v)
		return NULL;
	PQfreemem(q->blob);
	q->blob = PQunescapeBytea((const unsigned char *)v, n);
	return q->blob;
}

static int64_t
pg_changes(struct dbq *q)
{
	return PQQ(q)->changes;
}

/* Every statement may write as far as this process knows: none takes the process's turn (conn.h: serial_writes). */
static int
pg_readonly(struct dbq *q)
{
	(void)q;
	return 1;
}

static int
pg_in_transaction(struct db *db)
{
	PGTransactionStatusType t = PQtransactionStatus(PG(db)->conn);
	return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

static int
pg_begin(struct db *db, const int64_t *key)
{
	struct pg *c = PG(db);
	revive(c);
	/* a key's lock is the one-bigint form, whose keys never meet the two-int form's */
	char sql[96];
	if (key)
		snprintf(sql, sizeof(sql), "BEGIN; SELECT pg_advisory_xact_lock(%lld)", (long long)*key);
	int rc = pg_exec(db, key ? sql : "BEGIN; " WRITE_LOCK);
	c->in_tx = rc == 0;
	return rc;
}

/* A COMMIT of a transaction that failed is a rollback: said as an error, never as committed. */
static int
pg_commit(struct db *db)
{
	struct pg *c = PG(db);
	PGresult *r = PQexec(c->conn, "COMMIT");
	c->in_tx = 0;
	int rc = PQresultStatus(r) == PGRES_COMMAND_OK && !strcmp(PQcmdStatus(r), "COMMIT") ? 0 : DB_ERROR;
	if (rc)
		keep_error(c, "commit", PQresultStatus(r) == PGRES_COMMAND_OK ? "the transaction failed and was rolled back" :
		    PQresultErrorMessage(r));
	PQclear(r);
	return rc;
}

static void
pg_rollback(struct db *db)
{
	if (pg_in_transaction(db)) {
		PGresult *r = PQexec(PG(db)->conn, "ROLLBACK");
		PQclear(r);
	}
	PG(db)->in_tx = 0;
}

/* The schema's version: the number of migrations applied (0 for a new database), -1 when unreadable. */
static int
read_version(struct pg *c)
{
	PGresult *r = PQexec(c->conn, "SELECT coalesce(max(version), 0) FROM tq_schema");
	int v = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 ? atoi(PQgetvalue(r, 0, 0)) : -1;
	if (v < 0)
		keep_error(c, "schema version", PQresultErrorMessage(r));
	PQclear(r);
	return v;
}

static int
pg_version(struct db *db)
{
	return read_version(PG(db));
}

static int
pg_migrate(struct db *db)
{
	struct pg *c = PG(db);
	const struct tq_migrations *all = &tq_migrations_postgresql;
	if (pg_exec(db, "BEGIN; " MIGRATE_LOCK "; CREATE TABLE IF NOT EXISTS tq_schema (version integer PRIMARY KEY, "
	    "name text NOT NULL, applied bigint NOT NULL)"))
		return DB_ERROR;
	int v = read_version(c);
	if (v < 0 || (unsigned)v > all->n) {
		if (v >= 0)
			snprintf(c->err, sizeof(c->err), "the database is at schema version %d, newer than this program knows (%u)",
			    v, all->n);
		pg_rollback(db);
		return DB_ERROR;
	}
	for (unsigned k = (unsigned)v; k < all->n; k++) {
		char done[200];
		snprintf(done, sizeof(done), "INSERT INTO tq_schema VALUES (%u, '%.60s', extract(epoch FROM now())::bigint)", k + 1,
		    all->m[k].name);
		if (pg_exec(db, all->m[k].sql) || pg_exec(db, done)) {
			char keep[400];
			snprintf(keep, sizeof(keep), "%.380s", c->err);
			pg_rollback(db);
			snprintf(c->err, sizeof(c->err), "migration %.60s: %s", all->m[k].name, keep);
			return DB_ERROR;
		}
	}
	return pg_commit(db);
}

static int
pg_integrity(struct db *db)
{
	return pg_exec(db, "SELECT 1");
}

static int
pg_backup(struct db *db, const char *path, char *err, size_t errlen)
{
	(void)db;
	snprintf(err, errlen, "a PostgreSQL database is backed up by PostgreSQL: pg_dump -Fc -f %s 'URI' "
	    "(or the cluster's own backups); tracequiz backup copies SQLite files", path);
	return -1;
}

static int
pg_checkpoint(struct db *db, int truncate)
{
	(void)db;
	(void)truncate;
	return 0;
}

static void
pg_no_autocheckpoint(struct db *db)
{
	(void)db;
}

const struct db_driver db_postgresql = {
	.name = "postgresql",
	.open = pg_open,
	.close = pg_close,
	.error = pg_error,
	.exec = pg_exec,
	.prepare = pg_prepare,
	.finalize = pg_finalize,
	.reset = pg_reset,
	.bind_int = pg_bind_int,
	.bind_double = pg_bind_double,
	.bind_text = pg_bind_text,
	.bind_blob = pg_bind_blob,
	.step = pg_step,
	.columns = pg_columns,
	.column_name = pg_column_name,
	.column_type = pg_column_type,
	.column_int = pg_column_int,
	.column_double = pg_column_double,
	.column_text = pg_column_text,
	.column_blob = pg_column_blob,
	.changes = pg_changes,
	.readonly = pg_readonly,
	.in_transaction = pg_in_transaction,
	.begin = pg_begin,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.migrate = pg_migrate,
	.version = pg_version,
	.integrity = pg_integrity,
	.backup = pg_backup,
	.checkpoint = pg_checkpoint,
	.no_autocheckpoint = pg_no_autocheckpoint,
	.serial_writes = 0,
};

const struct db_driver *
db_driver_for(const char *where)
{
	if (where && (!strncmp(where, "postgresql://", 13) || !strncmp(where, "postgres://", 11)))
		return &db_postgresql;
	return &db_sqlite;
}
