/*
 * conn.h - one connection to the database, as db/store.c speaks to it:
 * SQLite (conn_sqlite.c) or PostgreSQL through libpq (conn_pg.c).
 *
 * A statement is prepared once and run many times: bound, stepped through
 * its rows, reset.  Parameters are written ?1, ?2... in the SQL, whichever
 * the database.  A bound text or blob is read when the statement runs: it
 * must live until the first db_step() after it was bound.  What a column
 * reading returns lives until the next step or reset of the statement.
 */
#ifndef TQ_CONN_H
#define TQ_CONN_H

#include <stddef.h>
#include <stdint.h>

/* What db_step() says. */
enum { DB_DONE = 0, DB_ROW = 1, DB_ERROR = -1, DB_CONSTRAINT = -3 };
/* A column's value, for db_type(). */
enum { DB_NULL, DB_INT, DB_FLOAT, DB_TEXT };

struct db_driver;

/* Each driver's connection and statement begin with these. */
struct db {
	const struct db_driver *d;
};
struct dbq {
	const struct db_driver *d;
};

struct db_driver {
	const char *name;                    /* "sqlite", "postgresql" */
	/* where: a file name, or a connection URI.  0, or DB_ERROR with err set. */
	int (*open)(const char *where, struct db **out, char *err, size_t errlen);
	void (*close)(struct db *db);
	/* The last failure on the connection, as the database said it. */
	const char *(*error)(struct db *db);
	/* Statements without parameters nor rows, separated by ';'.  0 or DB_ERROR. */
	int (*exec)(struct db *db, const char *script);
	/* NULL on failure (error() says why). */
	struct dbq *(*prepare)(struct db *db, const char *sql);
	void (*finalize)(struct dbq *q);
	/* Rows dropped, bindings cleared: ready to run again. */
	void (*reset)(struct dbq *q);
	void (*bind_int)(struct dbq *q, int i, int64_t v);
	void (*bind_double)(struct dbq *q, int i, double v);
	void (*bind_text)(struct dbq *q, int i, const char *v);
	void (*bind_blob)(struct dbq *q, int i, const void *p, size_t n);
	/* DB_ROW (a row to read), DB_DONE, DB_CONSTRAINT or DB_ERROR. */
	int (*step)(struct dbq *q);
	int (*columns)(struct dbq *q);
	const char *(*column_name)(struct dbq *q, int i);
	int (*column_type)(struct dbq *q, int i);
	int64_t (*column_int)(struct dbq *q, int i);          /* 0 for NULL; a boolean as 0 or 1 */
	double (*column_double)(struct dbq *q, int i);
	const char *(*column_text)(struct dbq *q, int i);     /* NULL for NULL */
	const void *(*column_blob)(struct dbq *q, int i, size_t *n);
	/* The rows the last run of q inserted, changed or deleted. */
	int64_t (*changes)(struct dbq *q);
	/* 1 when q only reads. */
	int (*readonly)(struct dbq *q);
	/* 1 inside a transaction. */
	int (*in_transaction)(struct db *db);
	/* A write transaction: begun, the other writers wait their turn (SQLite's BEGIN
	 * IMMEDIATE; on PostgreSQL, a lock every node takes).  With a key (PostgreSQL),
	 * only the writers of the same key wait: those of another run beside it.
	 * 0 or DB_ERROR. */
	int (*begin)(struct db *db, const int64_t *key);
	int (*commit)(struct db *db);
	void (*rollback)(struct db *db);

	/* The schema: the driver's own migrations (db/migrations/NAME/) applied in
	 * order, once, even by two processes starting together.  0 or DB_ERROR. */
	int (*migrate)(struct db *db);
	int (*version)(struct db *db);       /* -1 when it cannot be read */
	/* The database's own check of itself: 0 when sound. */
	int (*integrity)(struct db *db);
	/* A consistent copy into a file (SQLite only).  0, or -1 with err set. */
	int (*backup)(struct db *db, const char *path, char *err, size_t errlen);
	/* SQLite's write-ahead log copied into the database (no-ops elsewhere). */
	int (*checkpoint)(struct db *db, int truncate);
	void (*no_autocheckpoint)(struct db *db);
	int serial_writes;                   /* the process's writers must take turns (SQLite) */
};

/* The migrations of a driver: db/migrations/NAME/NNN_*.sql, compiled in by db/embed.sh. */
struct tq_migration {
	const char *name;
	const char *sql;
};
struct tq_migrations {
	const struct tq_migration *m;
	unsigned n;
};
extern const struct tq_migrations tq_migrations_sqlite, tq_migrations_postgresql;

extern const struct db_driver db_sqlite, db_postgresql;

/* The driver for a --db argument: PostgreSQL for a postgresql:// or postgres:// URI, else SQLite. */
const struct db_driver *db_driver_for(const char *where);

static inline void db_finalize(struct dbq *q) { if (q) q->d->finalize(q); }
static inline void db_reset(struct dbq *q) { q->d->reset(q); }
static inline void db_bind_int(struct dbq *q, int i, int64_t v) { q->d->bind_int(q, i, v); }
static inline void db_bind_double(struct dbq *q, int i, double v) { q->d->bind_double(q, i, v); }
static inline void db_bind_text(struct dbq *q, int i, const char *v) { q->d->bind_text(q, i, v); }
static inline void db_bind_blob(struct dbq *q, int i, const void *p, size_t n) { q->d->bind_blob(q, i, p, n); }
static inline int db_step(struct dbq *q) { return q->d->step(q); }
static inline int db_columns(struct dbq *q) { return q->d->columns(q); }
static inline const char *db_name(struct dbq *q, int i) { return q->d->column_name(q, i); }
static inline int db_type(struct dbq *q, int i) { return q->d->column_type(q, i); }
static inline int64_t db_int(struct dbq *q, int i) { return q->d->column_int(q, i); }
static inline double db_double(struct dbq *q, int i) { return q->d->column_double(q, i); }
static inline const char *db_text(struct dbq *q, int i) { return q->d->column_text(q, i); }
static inline const void *db_blob(struct dbq *q, int i, size_t *n) { return q->d->column_blob(q, i, n); }
static inline int64_t db_changes(struct dbq *q) { return q->d->changes(q); }

#endif
