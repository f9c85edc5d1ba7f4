/*
 * expr_int.h - what the files of the expression language share: the syntax
 * tree and the values (expr_lex.c reads the text, expr_parse.c builds the
 * tree, expr_check.c types it, expr_eval.c computes it; expr.c is the
 * entry points).  Never included outside analysis/.
 */
#ifndef TQ_EXPR_INT_H
#define TQ_EXPR_INT_H

#define PCRE2_CODE_UNIT_WIDTH 8

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <pcre2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "expr.h"

/* ------------------------------------------------------------------ syntax tree */

enum nkind {
	N_LIT,          /* a value known when parsed */
	N_RAW,          /* an unquoted literal (10.0.0.1, 16:03:01, 2001:db8::1), text until a field types it */
	N_FIELD,
	N_NOT, N_AND, N_OR,
	N_CMP,          /* op: ==, !=, <, >, <=, >= */
	N_CONTAINS, N_MATCHES, N_IN,
	N_ARITH,        /* op: + - * / % */
	N_NEG,
	N_CALL,         /* fn: a plain function */
	N_AGG,          /* fn: an aggregate over frames; a value, b where, c the k of nth */
	N_FALLBACK,     /* a ?? b */
	N_RANGE,        /* lo..hi inside a set */
	N_SLICE,        /* a[...]: op the form, lit.i the start, lit.n the length, lit.d the end */
	N_IF,           /* if a then b else c */
	N_ITEM,         /* it: the item filter(list, cond) is looking at */
};

enum { OP_EQ, OP_NE, OP_LT, OP_GT, OP_LE, OP_GE, OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD,
	OP_ALLEQ,       /* ===: every occurrence equals */
	OP_ANYNE,       /* !== and ~=: some occurrence differs */
	OP_BAND,        /* &: bitwise and */
};

enum fn {
	/* aggregates */
	F_FIRST, F_LAST, F_NTH, F_COUNT, F_DISTINCT, F_MIN, F_MAX, F_SUM, F_LIST,
	/* plain */
	F_WORD, F_LOWER, F_UPPER, F_TRIM, F_SPLIT, F_LEN, F_LABEL, F_STR, F_INT, F_JOIN, F_UNDER,
	F_TEXT, F_INTERSECT, F_UNION, F_DIFFERENCE, F_INDEX, F_FILTER,
	/* display filters' own (filter_fn): on each occurrence in the frame */
	F_FCOUNT, F_FLEN, F_FSTRING, F_FUPPER, F_FLOWER, F_FABS, F_FMAX, F_FMIN,
};

static const struct {
	const char *name;
	int agg;
	int min, max;           /* arguments of a plain function */
} fns[] = {
	[F_FIRST] = { "first", 1, 0, 0 }, [F_LAST] = { "last", 1, 0, 0 }, [F_NTH] = { "nth", 1, 0, 0 },
	[F_COUNT] = { "count", 1, 0, 0 }, [F_DISTINCT] = { "distinct", 1, 0, 0 },
	[F_MIN] = { "min", 1, 0, 0 }, [F_MAX] = { "max", 1, 0, 0 }, [F_SUM] = { "sum", 1, 0, 0 },
	[F_LIST] = { "list", 1, 0, 0 },
	[F_WORD] = { "word", 0, 2, 2 }, [F_LOWER] = { "lower", 0, 1, 1 }, [F_UPPER] = { "upper", 0, 1, 1 },
	[F_TRIM] = { "trim", 0, 1, 1 }, [F_SPLIT] = { "split", 0, 2, 3 }, [F_LEN] = { "len", 0, 1, 1 },
	[F_LABEL] = { "label", 0, 1, 1 }, [F_STR] = { "str", 0, 1, 1 }, [F_INT] = { "int", 0, 1, 1 },
	[F_JOIN] = { "join", 0, 2, 2 }, [F_UNDER] = { "under", 0, 1, 1 },
	[F_TEXT] = { "text", 0, 1, 1 }, [F_INTERSECT] = { "intersect", 0, 2, 2 }, [F_UNION] = { "union", 0, 2, 2 },
	[F_DIFFERENCE] = { "difference", 0, 2, 2 }, [F_INDEX] = { "index", 0, 2, 2 },
	[F_FILTER] = { "filter", 0, 2, 2 },
	[F_FCOUNT] = { "count", 0, 1, 1 }, [F_FLEN] = { "len", 0, 1, 1 }, [F_FSTRING] = { "string", 0, 1, 1 },
	[F_FUPPER] = { "upper", 0, 1, 1 }, [F_FLOWER] = { "lower", 0, 1, 1 }, [F_FABS] = { "abs", 0, 1, 1 },
	[F_FMAX] = { "max", 0, 1, 4 }, [F_FMIN] = { "min", 0, 1, 4 },
};
#define NFNS (sizeof(fns) / sizeof(fns[0]))

enum vkind { V_NONE, V_BOOL, V_INT, V_REAL, V_STR, V_BYTES, V_LIST };

struct from {
	uint32_t frame;
	const struct tq_field *f;
};

/* A value.  Strings and bytes are borrowed (from the index, the syntax tree
 * or the evaluation's arena); so are lists. */
struct val {
	uint8_t k;
	uint8_t multi;               /* V_LIST: the occurrences of a field in a frame */
	uint8_t ftype;               /* V_BYTES, V_INT: the field type it came from (addresses) */
	uint8_t subnet;              /* V_BYTES: an address with a prefix length (10.0.0.0/8) */
	uint8_t plen;                /* its length in bits */
	uint8_t mask;                /* V_BYTES made by '&': holds when a bit is set */
	const struct tq_field *f;    /* the field it came from: label() */
	int64_t i;
	double d;
	const char *s;               /* V_STR, V_BYTES; for V_NONE, why (may be NULL) */
	size_t n;
	struct val *items;
	size_t nitems;
	struct from *from;           /* with explain: where it came from */
	size_t nfrom;
};

struct node {
	uint8_t kind, op, fn;
	uint8_t frame_dep;           /* reads fields of the frame being looked at */
	uint8_t item_dep;            /* reads the item of an enclosing filter() */
	uint32_t start, end;         /* its text in the source */
	uint32_t id;
	struct node *a, *b, *c;
	struct node **args;
	uint32_t nargs;
	const struct tq_field *f;    /* N_FIELD; N_AGG: the field it walks, NULL for frames */
	struct val lit;              /* N_LIT */
	pcre2_code *re;              /* N_MATCHES */
};

struct tq_expr {
	char *src;
	struct node *root;
	struct node **nodes;         /* every node, by id: freeing, memo slots */
	uint32_t nnodes;
	const struct tq_field **fields;
	size_t nfields;
	const struct tq_field **bfields;  /* protocols whose bytes are read */
	size_t nbfields;
	struct tq_arena arena;       /* literals' text */
};

/* ------------------------------------------------------------------ errors */

void expr_set_err(struct tq_expr_error *err, int pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ------------------------------------------------------------------ lexer */

enum tok {
	T_END, T_INT, T_REAL, T_STR, T_WORD, T_RAW, T_LP, T_RP, T_LB, T_RB, T_COMMA, T_DOTDOT,
	T_EQ, T_NE, T_LT, T_GT, T_LE, T_GE, T_AND, T_OR, T_NOT, T_PLUS, T_MINUS, T_STAR, T_SLASH,
	T_PCT, T_FALLBACK, T_CONTAINS, T_MATCHES, T_IN, T_WHERE, T_TRUE, T_FALSE, T_BAD,
	T_ALLEQ, T_ANYNE, T_BAND, T_LBR, T_IF, T_THEN, T_ELSE,
};

struct lexer {
	const char *src;
	size_t len, pos;
	/* the current token */
	enum tok t;
	size_t tstart, tend;
	int64_t i;
	double d;
	char *s;                     /* T_STR: its text, unescaped, in the arena */
	size_t slen;
	const char *bad;             /* T_BAD: why */
	struct tq_arena *arena;
};

/* ------------------------------------------------------------------ parser */

struct parser {
	struct lexer lx;
	struct tq_expr *e;
	struct tq_expr_error *err;
	int depth;
	int failed;
	int filter;                  /* a display filter: Wireshark 4.0's language alone */
	int items;                   /* inside this many filter() conditions: 'it' names the item */
};


/* ------------------------------------------------------------------ evaluation */

#define MAX_FROM 1000           /* origins kept for an explanation */
#define MAX_LIST 100000         /* items in a computed list */
#define MAX_STR (1u << 20)      /* bytes in a computed string */
#define MAX_MEM (256u << 20)    /* bytes one evaluation may hold */
#define RE_STEPS 4              /* steps charged for each item a regular expression tries */

struct memo {
	uint8_t state;               /* 0 not yet, 1 value, 2 error */
	struct val v;
	struct tq_expr_error err;
};

/*
 * Memory: values are made in c->cur.  That is c->arena, which lasts the whole
 * evaluation, except while an aggregate's condition is evaluated: then it is
 * the aggregate's scratch arena, emptied after each occurrence, so that a
 * condition read on every frame of a big trace takes no more memory than one
 * reading.  Nothing a condition makes outlives it but the value of an
 * aggregate inside it, which is made in c->arena (and remembered).  c->mem
 * counts the bytes of every arena against MAX_MEM.
 */
struct ctx {
	const struct tq_findex *ix;
	const struct tq_expr *e;
	struct tq_arena arena;
	struct tq_arena *cur;
	size_t mem;
	struct memo *memo;           /* by node id */
	const struct val *item;      /* the item of the innermost filter(): 'it' */
	uint64_t steps;
	int explain;
	int hard;                    /* the error is a limit: ?? does not catch it */
	struct tq_expr_error err;
	pcre2_match_data *md;
	pcre2_match_context *mc;
};

/* Where a field is read: a frame, and in it the occurrence the aggregate is at. */
struct scope {
	uint32_t frame;              /* 0: none (the whole trace) */
	const struct fx_occ *occ;
};

/* ---- the lexer (expr_lex.c) */
/* An integer as Wireshark writes them: decimal, 0x hex, 0b binary, 0 octal. */
int expr_parse_int(const char *s, size_t n, int64_t *out);
void expr_lex_next(struct lexer *lx);

/* ---- the parser (expr_parse.c) */
/* expr := or [ '??' expr ] */
struct node *expr_parse_node(struct parser *ps);
void expr_syntax(struct parser *ps, size_t pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ---- the checker (expr_check.c) */
int expr_check_node(struct parser *ps, struct node *n);

/* ---- evaluation (expr_eval.c): memory, origins, values, comparisons, the evaluator */
int ev_fail(struct ctx *c, const struct node *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
char *ev_printf(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A value as a list: a computed list as it is, a field's occurrences as the
 * list of them, a single value as a list of one. */
struct val ev_as_list(const struct val *v);
/* Compares two scalars: -1, 0, 1, or 2 when they cannot be compared. */
int ev_compare(const struct val *a, const struct val *b);
void *ev_alloc(struct ctx *c, size_t n);
char *ev_strdup(struct ctx *c, const char *s, size_t n);
int ev_node(struct ctx *c, const struct node *n, const struct scope *sc, struct val *out);
const void *ev_find_bytes(const void *h, size_t hn, const void *nd, size_t nn);
int ev_from_add(struct ctx *c, struct val *v, const struct from *f, size_t n);
int ev_from_merge(struct ctx *c, struct val *v, const struct val *a);
const char *ev_kind_desc(int k);
/* Evaluates n as a member of an any/all comparison: a field's occurrences are
 * its members; anything else is one member. */
int ev_members(const struct val *v, const struct val **items, size_t *n);
int ev_nomem(struct ctx *c);
struct val ev_none(const char *why);
/* The first value of a field's occurrences (a scalar stays as it is). */
struct val ev_scalar(const struct val *v);
void ev_scratch_free(struct ctx *c, struct tq_arena *a);
/* Empties a scratch arena, giving its bytes back to the count. */
void ev_scratch_reset(struct ctx *c, struct tq_arena *a);
const char *ev_src_of(const struct ctx *c, const struct node *n, char *buf, size_t len);
int ev_step(struct ctx *c, uint64_t n);
/* A value as a string in the evaluation's arena. */
int ev_to_str(struct ctx *c, const struct val *v, struct val *out);
int ev_truthy(const struct val *v);
/* A scalar's text; lists as their items joined with ", ". */
void ev_val_str(const struct val *v, struct tq_sbuf *out);

/* ---- the plain functions (expr_fn.c) */
int ev_need_int(struct ctx *c, const struct node *arg, const struct val *v, int64_t *out);
int ev_call(struct ctx *c, const struct node *n, const struct scope *sc, struct val *out);
/* A slice of each occurrence: bytes, or nothing where the range falls outside it.
 * In answer keys also of a computed text (its bytes) or list ([i]: an item). */
int ev_slice(struct ctx *c, const struct node *n, const struct scope *sc, struct val *out);

/* ---- the aggregates (expr_agg.c) */
int ev_list_push(struct ctx *c, struct val *l, size_t *cap, const struct val *v);
/* The condition of an aggregate at one occurrence: read in the scratch
 * arena, emptied afterwards, and with no origins kept (none are shown). */
int ev_cond(struct ctx *c, const struct node *n, const struct scope *sc, struct tq_arena *scratch, int *yes);
int ev_agg(struct ctx *c, const struct node *n, struct val *out);

#endif
