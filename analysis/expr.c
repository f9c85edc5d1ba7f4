/*
 * expr.c - the answer-key language: parsing, checking, evaluating.
 *
 * An expression is Wireshark's display-filter language (fields, comparisons,
 * contains, matches, in, and/or/not) plus values computed over the frames of
 * a trace: first(F where COND), count(frame where COND), word(s, n), label(x),
 * a ?? b ...  doc/expressions.md is the reference; this is how it works.
 *
 * Parsing is recursive descent over a hand-written lexer, bounded in length,
 * depth and node count.  A second pass checks it: every field exists (else the
 * closest name is suggested), a literal compared with a field is converted to
 * that field's type once (10.0.0.1 for an IPv4 address, 16:03:01 for bytes,
 * "Server Hello" for a value with a name), functions get the arguments they
 * take.  Every node keeps its place in the source for the error messages.
 *
 * Evaluation reads the field index (findex.c), never the capture, so one
 * pass over the trace serves every expression of an exercise.  An aggregate
 * such as first(V where C) walks the frames in order and, in each, the
 * occurrences of V's first field; C is read in the part of the frame that
 * occurrence belongs to: each field C names is looked for in the smallest
 * subtree around the occurrence that holds it.  So in
 *   first(tls.handshake.version where tls.handshake.type == 2)
 * the type is the Server Hello's own even when a Certificate shares its
 * frame, while tq.from_client, which sits in TCP, is read from the frame.
 * An aggregate never depends on the frame around it, so each is computed
 * once per evaluation and remembered.
 */
#include "config.h"

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

static void
set_err(struct tq_expr_error *err, int pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
set_err(struct tq_expr_error *err, int pos, const char *fmt, ...)
{
	if (!err)
		return;
	err->pos = pos;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

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

static int
word_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	    c == '_' || c == '.' || c == ':' || c == '-';
}

static const struct {
	const char *w;
	enum tok t;
} keywords[] = {
	{ "and", T_AND }, { "or", T_OR }, { "not", T_NOT }, { "eq", T_EQ }, { "ne", T_NE },
	{ "lt", T_LT }, { "gt", T_GT }, { "le", T_LE }, { "ge", T_GE }, { "contains", T_CONTAINS },
	{ "matches", T_MATCHES }, { "in", T_IN }, { "where", T_WHERE }, { "true", T_TRUE },
	{ "false", T_FALSE }, { "if", T_IF }, { "then", T_THEN }, { "else", T_ELSE },
};

/* An integer as Wireshark writes them: decimal, 0x hex, 0b binary, 0 octal. */
static int
parse_int(const char *s, size_t n, int64_t *out)
{
	char buf[80];
	if (n == 0)
		return -1;
	if (n >= sizeof(buf)) {
		/* too long to be a 64-bit number: say so when it is one */
		size_t i = s[0] == '-';
		int base = 10;
		if (n > i + 2 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
			base = 16;
			i += 2;
		} else if (n > i + 2 && s[i] == '0' && (s[i + 1] == 'b' || s[i + 1] == 'B')) {
			base = 2;
			i += 2;
		} else if (s[i] == '0') {
			base = 8;
		}
		for (; i < n; i++) {
			char c = s[i];
			int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
			    c >= 'A' && c <= 'F' ? c - 'A' + 10 : 99;
			if (d >= base)
				return -1;
		}
		return -2;
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
	int neg = buf[0] == '-';
	const char *p = buf + neg;
	int base = 10;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	} else if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B')) {
		base = 2;
		p += 2;
	} else if (p[0] == '0' && p[1]) {
		base = 8;
		p += 1;
	}
	if (!*p)
		return -1;
	for (const char *q = p; *q; q++) {
		int d = *q >= '0' && *q <= '9' ? *q - '0' : *q >= 'a' && *q <= 'f' ? *q - 'a' + 10 :
		    *q >= 'A' && *q <= 'F' ? *q - 'A' + 10 : 99;
		if (d >= base)
			return -1;
	}
	errno = 0;
	char *end;
	unsigned long long v = strtoull(p, &end, base);
	if (errno || *end || v > (unsigned long long)INT64_MAX + (neg ? 1u : 0u))
		return -2;
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

static void
lex_next(struct lexer *lx)
{
	const char *s = lx->src;
	while (lx->pos < lx->len && (s[lx->pos] == ' ' || s[lx->pos] == '\t' || s[lx->pos] == '\n' || s[lx->pos] == '\r'))
		lx->pos++;
	lx->tstart = lx->pos;
	if (lx->pos >= lx->len) {
		lx->t = T_END;
		lx->tend = lx->pos;
		return;
	}
	char c = s[lx->pos];
	char c2 = lx->pos + 1 < lx->len ? s[lx->pos + 1] : '\0';
	size_t p = lx->pos;
#define TOK(tk, n) do { lx->t = (tk); lx->pos = p + (n); lx->tend = lx->pos; return; } while (0)
	switch (c) {
	case '(': TOK(T_LP, 1);
	case ')': TOK(T_RP, 1);
	case '{': TOK(T_LB, 1);
	case '}': TOK(T_RB, 1);
	case ',': TOK(T_COMMA, 1);
	case '+': TOK(T_PLUS, 1);
	case '*': TOK(T_STAR, 1);
	case '/': TOK(T_SLASH, 1);
	case '%': TOK(T_PCT, 1);
	case '=':
		if (c2 == '=' && p + 2 < lx->len && s[p + 2] == '=')
			TOK(T_ALLEQ, 3);
		if (c2 == '=')
			TOK(T_EQ, 2);
		TOK(T_EQ, 1);
	case '!':
		if (c2 == '=' && p + 2 < lx->len && s[p + 2] == '=')
			TOK(T_ANYNE, 3);
		if (c2 == '=')
			TOK(T_NE, 2);
		TOK(T_NOT, 1);
	case '[':
		TOK(T_LBR, 1);
	case '<':
		if (c2 == '=')
			TOK(T_LE, 2);
		TOK(T_LT, 1);
	case '>':
		if (c2 == '=')
			TOK(T_GE, 2);
		TOK(T_GT, 1);
	case '&':
		if (c2 == '&')
			TOK(T_AND, 2);
		TOK(T_BAND, 1);
	case '|':
		if (c2 == '|')
			TOK(T_OR, 2);
		break;
	case '?':
		if (c2 == '?')
			TOK(T_FALLBACK, 2);
		break;
	case '~':
		if (c2 == '=')
			TOK(T_ANYNE, 2);
		TOK(T_MATCHES, 1);
	case '-':
		TOK(T_MINUS, 1);
	case '.':
		if (c2 == '.')
			TOK(T_DOTDOT, 2);
		break;
	case '"':
	case '\'': {
		/* a string: \" \\ \n \t \r \xHH and \ooo escapes */
		char q = c;
		size_t i = p + 1;
		struct tq_sbuf b;
		tq_sbuf_init(&b, TQ_EXPR_MAX_LEN);
		while (i < lx->len && s[i] != q) {
			char ch = s[i++];
			if (ch == '\\' && i < lx->len) {
				char e = s[i++];
				switch (e) {
				case 'n': ch = '\n'; break;
				case 't': ch = '\t'; break;
				case 'r': ch = '\r'; break;
				case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
					int v = e - '0';
					for (int k = 0; k < 2 && i < lx->len && s[i] >= '0' && s[i] <= '7'; k++)
						v = v * 8 + (s[i++] - '0');
					ch = (char)v;
					break;
				}
				case 'x': {
					int v = 0, k = 0;
					for (; k < 2 && i < lx->len; k++) {
						char h = s[i];
						int d = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 :
						    h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
						if (d < 0)
							break;
						v = v * 16 + d;
						i++;
					}
					if (!k) {
						tq_sbuf_free(&b);
						lx->t = T_BAD;
						lx->bad = "\\x needs one or two hex digits";
						lx->tend = i;
						return;
					}
					ch = (char)v;
					break;
				}
				default: ch = e; break;
				}
			}
			tq_sbuf_putc(&b, ch);
		}
		if (i >= lx->len) {
			tq_sbuf_free(&b);
			lx->t = T_BAD;
			lx->bad = "the string has no closing quote";
			lx->tend = lx->len;
			lx->pos = lx->len;
			return;
		}
		lx->slen = b.len;
		lx->s = tq_arena_strdup(lx->arena, b.s ? b.s : "", b.len);
		tq_sbuf_free(&b);
		if (!lx->s) {
			lx->t = T_BAD;
			lx->bad = "out of memory";
			lx->tend = i + 1;
			return;
		}
		lx->t = T_STR;
		lx->pos = i + 1;
		lx->tend = lx->pos;
		return;
	}
	default:
		break;
	}
	if (!word_char((unsigned char)c) || c == '-') {
		static const char *const what[] = {
			"unexpected character '&' (and is '&&')", "unexpected character '|' (or is '||')",
			"unexpected character '?' (a fallback is '?\?')", "unexpected character '.'",
			"unexpected character",
		};
		lx->t = T_BAD;
		lx->bad = what[c == '&' ? 0 : c == '|' ? 1 : c == '?' ? 2 : c == '.' ? 3 : 4];
		lx->tend = p + 1;
		lx->pos = p + 1;
		return;
	}
	/* a word: a field name, a keyword, a function, a number or an unquoted literal;
	 * it stops before ".." (a range), and takes '-' only inside (10.0.0.1-2 is no word) */
	size_t i = p;
	while (i < lx->len && word_char((unsigned char)s[i])) {
		if (s[i] == '.' && i + 1 < lx->len && s[i + 1] == '.')
			break;
		if (s[i] == '-')
			break;
		i++;
	}
	/* Wireshark's names with a hyphen (urlencoded-form.value, data-text-lines)
	 * are one word when the whole of it is a field's name */
	if (i < lx->len && s[i] == '-' && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
		size_t j = i;
		while (j < lx->len && word_char((unsigned char)s[j]) && !(s[j] == '.' && j + 1 < lx->len && s[j + 1] == '.'))
			j++;
		char name[128];
		if (j - p < sizeof(name)) {
			memcpy(name, s + p, j - p);
			name[j - p] = '\0';
			if (tq_field_lookup(name))
				i = j;
		}
	}
	lx->pos = i;
	lx->tend = i;
	size_t n = i - p;
	for (size_t k = 0; k < sizeof(keywords) / sizeof(keywords[0]); k++) {
		if (strlen(keywords[k].w) == n && !memcmp(keywords[k].w, s + p, n)) {
			lx->t = keywords[k].t;
			return;
		}
	}
	if (c >= '0' && c <= '9') {
		int r = parse_int(s + p, n, &lx->i);
		if (r == 0) {
			lx->t = T_INT;
			return;
		}
		if (r == -2) {
			lx->t = T_BAD;
			lx->bad = "the number is too large (64 bits at most)";
			return;
		}
		/* 1.5: a real; 10.0.0.1, 16:03:01: an unquoted literal */
		const char *dot = memchr(s + p, '.', n);
		if (dot && !memchr(dot + 1, '.', (size_t)(s + i - dot - 1)) && !memchr(s + p, ':', n)) {
			char buf[80];
			if (n < sizeof(buf)) {
				memcpy(buf, s + p, n);
				buf[n] = '\0';
				char *end;
				lx->d = strtod(buf, &end);
				if (!*end && !isfinite(lx->d)) {
					lx->t = T_BAD;
					lx->bad = "the number is too large";
					return;
				}
				if (!*end) {
					lx->t = T_REAL;
					return;
				}
			}
		}
		lx->t = T_RAW;
		return;
	}
	lx->t = memchr(s + p, ':', n) ? T_RAW : T_WORD;
#undef TOK
}

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

static struct node *
new_node(struct parser *ps, int kind, size_t start, size_t end)
{
	struct tq_expr *e = ps->e;
	if (e->nnodes >= TQ_EXPR_MAX_NODES) {
		/* the place: where the parser got to, not the start of a long operand */
		if (!ps->failed)
			set_err(ps->err, (int)(ps->lx.tstart > start ? ps->lx.tstart : start),
			    "the expression is too long (more than %d parts)", TQ_EXPR_MAX_NODES);
		ps->failed = 1;
		return NULL;
	}
	struct node *n = tq_arena_alloc(&e->arena, sizeof(*n));
	if (!n) {
		if (!ps->failed)
			set_err(ps->err, (int)start, "out of memory");
		ps->failed = 1;
		return NULL;
	}
	n->kind = (uint8_t)kind;
	n->start = (uint32_t)start;
	n->end = (uint32_t)end;
	n->id = e->nnodes;
	e->nodes[e->nnodes++] = n;
	return n;
}

static void
syntax(struct parser *ps, size_t pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
syntax(struct parser *ps, size_t pos, const char *fmt, ...)
{
	if (ps->failed)
		return;
	ps->failed = 1;
	if (!ps->err)
		return;
	ps->err->pos = (int)pos;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ps->err->msg, sizeof(ps->err->msg), fmt, ap);
	va_end(ap);
}

static int
expect(struct parser *ps, enum tok t, const char *what)
{
	if (ps->lx.t == T_BAD) {
		syntax(ps, ps->lx.tstart, "%s", ps->lx.bad);
		return -1;
	}
	if (ps->lx.t != t) {
		if (ps->lx.t == T_END)
			syntax(ps, ps->lx.tstart, "expected %s, found the end of the expression", what);
		else
			syntax(ps, ps->lx.tstart, "expected %s, found '%.*s'", what,
			    (int)(ps->lx.tend - ps->lx.tstart > 40 ? 40 : ps->lx.tend - ps->lx.tstart),
			    ps->lx.src + ps->lx.tstart);
		return -1;
	}
	lex_next(&ps->lx);
	return 0;
}

static struct node *parse_expr(struct parser *ps);
static struct node *parse_or(struct parser *ps);

static int
enter(struct parser *ps)
{
	if (++ps->depth > TQ_EXPR_MAX_DEPTH) {
		syntax(ps, ps->lx.tstart, "the expression nests too deeply (more than %d levels)", TQ_EXPR_MAX_DEPTH);
		return -1;
	}
	return 0;
}

static struct node *
binary(struct parser *ps, int kind, int op, struct node *a, struct node *b)
{
	if (!a || !b)
		return NULL;
	struct node *n = new_node(ps, kind, a->start, b->end);
	if (n) {
		n->op = (uint8_t)op;
		n->a = a;
		n->b = b;
	}
	return n;
}

/* A function by name: the answer-key language's, or a display filter's own. */
static int
find_fn(const char *s, size_t n, int filter)
{
	size_t k0 = filter ? F_FCOUNT : 0, k1 = filter ? NFNS : F_FCOUNT;
	for (size_t k = k0; k < k1; k++)
		if (strlen(fns[k].name) == n && !memcmp(fns[k].name, s, n))
			return (int)k;
	return -1;
}

/* A field name: registered, or an error that names the closest one. */
static struct node *
field_ref(struct parser *ps, size_t start, size_t end)
{
	char name[256];
	size_t n = end - start;
	if (n >= sizeof(name)) {
		syntax(ps, start, "the name is too long to be a field");
		return NULL;
	}
	memcpy(name, ps->lx.src + start, n);
	name[n] = '\0';
	const struct tq_field *f = tq_field_lookup(name);
	if (!f) {
		const char *near = tq_field_suggest(name);
		if (near)
			syntax(ps, start, "unknown field '%s' (did you mean '%s'?)", name, near);
		else
			syntax(ps, start, "unknown field '%s' (text goes in quotes: \"%s\")", name, name);
		return NULL;
	}
	struct node *nd = new_node(ps, N_FIELD, start, end);
	if (nd)
		nd->f = f;
	return nd;
}

static struct node *
parse_call(struct parser *ps, int fn, size_t start)
{
	lex_next(&ps->lx);      /* the '(' */
	struct node *n = new_node(ps, fns[fn].agg ? N_AGG : N_CALL, start, start);
	if (!n)
		return NULL;
	n->fn = (uint8_t)fn;
	if (fns[fn].agg) {
		/* AGG(value [where cond]), nth(k, value [where cond]) */
		if (fn == F_NTH) {
			n->c = parse_expr(ps);
			if (!n->c || expect(ps, T_COMMA, "',' after nth's position"))
				return NULL;
		}
		n->a = parse_expr(ps);
		if (!n->a)
			return NULL;
		if (ps->lx.t == T_WHERE) {
			lex_next(&ps->lx);
			n->b = parse_expr(ps);
			if (!n->b)
				return NULL;
		}
	} else {
		struct node *args[4];
		uint32_t na = 0;
		if (ps->lx.t != T_RP) {
			for (;;) {
				int cond = fn == F_FILTER && na == 1;
				ps->items += cond;
				struct node *a = parse_expr(ps);
				ps->items -= cond;
				if (!a)
					return NULL;
				if (na == 4) {
					syntax(ps, a->start, "%s() takes at most %d arguments", fns[fn].name, fns[fn].max);
					return NULL;
				}
				args[na++] = a;
				if (ps->lx.t != T_COMMA)
					break;
				lex_next(&ps->lx);
			}
		}
		if ((int)na < fns[fn].min || (int)na > fns[fn].max) {
			if (fns[fn].min == fns[fn].max)
				syntax(ps, start, "%s() takes %d argument%s, not %u", fns[fn].name, fns[fn].min,
				    fns[fn].min == 1 ? "" : "s", na);
			else
				syntax(ps, start, "%s() takes %d to %d arguments, not %u", fns[fn].name, fns[fn].min,
				    fns[fn].max, na);
			return NULL;
		}
		n->args = tq_arena_alloc(&ps->e->arena, sizeof(*n->args) * (na ? na : 1));
		if (!n->args) {
			syntax(ps, start, "out of memory");
			return NULL;
		}
		memcpy(n->args, args, sizeof(*args) * na);
		n->nargs = na;
	}
	n->end = (uint32_t)ps->lx.tend;
	if (ps->lx.t == T_END) {
		syntax(ps, start, "%s( has no closing ')'", fns[fn].name);
		return NULL;
	}
	if (expect(ps, T_RP, fns[fn].agg ? "')' (or 'where' and a condition)" : "')' or ','"))
		return NULL;
	return n;
}

static int
slice_int(const char *s, size_t n, int64_t *v)
{
	return n == 0 || n > 10 || parse_int(s, n, v) != 0 || *v > INT32_MAX || *v < -(int64_t)INT32_MAX;
}

/*
 * A slice after a field, as Wireshark writes it: [i:n] (n bytes from i),
 * [i-j] (i to j), [i] (one byte), [i:] (to the end), [:n]; negative offsets
 * count from the end.  The bytes of each occurrence, or none when the range
 * falls outside it.
 */
static struct node *
parse_slice(struct parser *ps, struct node *a)
{
	struct lexer *lx = &ps->lx;
	size_t open = lx->tstart, i = lx->tend;
	const char *s = lx->src;
	size_t close = i;
	while (close < lx->len && s[close] != ']')
		close++;
	if (close >= lx->len) {
		syntax(ps, open, "this '[' has no closing ']'");
		return NULL;
	}
	/* lo and hi are offsets; to_end: hi is the end; lo_set/hi_set tell what was given */
	int64_t lo = 0, hi = 0, len = 0;
	int mode;                    /* 0 [i], 1 [i:n], 2 [i-j], 3 [i:] */
	const char *colon = memchr(s + i, ':', close - i);
	const char *dash = NULL;
	for (size_t k = i + 1; k < close && !dash; k++)
		if (s[k] == '-')
			dash = s + k;
	int bad = 0;
	if (colon) {
		size_t ln = (size_t)(colon - (s + i));
		bad |= ln ? slice_int(s + i, ln, &lo) : 0;
		size_t rn = (size_t)(s + close - colon - 1);
		if (rn == 0) {
			mode = 3;
		} else {
			mode = 1;
			bad |= slice_int(colon + 1, rn, &len) || len <= 0;
		}
	} else if (dash) {
		mode = 2;
		bad |= slice_int(s + i, (size_t)(dash - (s + i)), &lo) || slice_int(dash + 1, (size_t)(s + close - dash - 1), &hi);
	} else {
		mode = 0;
		bad |= slice_int(s + i, close - i, &lo);
	}
	if (bad) {
		syntax(ps, open, "a slice is [i:n], [i-j], [i] or [i:], with whole numbers: '%.*s' is not",
		    (int)(close - open + 1 > 40 ? 40 : close - open + 1), s + open);
		return NULL;
	}
	struct node *n = new_node(ps, N_SLICE, a->start, close + 1);
	if (!n)
		return NULL;
	n->a = a;
	n->op = (uint8_t)mode;
	n->lit.i = lo;
	n->lit.d = (double)hi;
	n->lit.n = (size_t)(mode == 1 ? len : 0);
	lx->pos = close + 1;
	lex_next(lx);
	return n;
}

static struct node *
parse_primary(struct parser *ps)
{
	struct lexer *lx = &ps->lx;
	size_t start = lx->tstart, end = lx->tend;
	struct node *n;
	switch (lx->t) {
	case T_INT:
		n = new_node(ps, N_LIT, start, end);
		if (n) {
			n->lit.k = V_INT;
			n->lit.i = lx->i;
		}
		lex_next(lx);
		return n;
	case T_REAL:
		n = new_node(ps, N_LIT, start, end);
		if (n) {
			n->lit.k = V_REAL;
			n->lit.d = lx->d;
		}
		lex_next(lx);
		return n;
	case T_STR:
		n = new_node(ps, N_LIT, start, end);
		if (n) {
			n->lit.k = V_STR;
			n->lit.s = lx->s;
			n->lit.n = lx->slen;
		}
		lex_next(lx);
		return n;
	case T_TRUE:
	case T_FALSE:
		if (ps->filter) {
			syntax(ps, start, "\"%s\" is not a display-filter value: write 1 or 0", lx->t == T_TRUE ? "true" : "false");
			return NULL;
		}
		n = new_node(ps, N_LIT, start, end);
		if (n) {
			n->lit.k = V_BOOL;
			n->lit.i = lx->t == T_TRUE;
		}
		lex_next(lx);
		return n;
	case T_RAW:
		n = new_node(ps, N_RAW, start, end);
		if (n) {
			n->lit.k = V_STR;
			n->lit.s = tq_arena_strdup(&ps->e->arena, lx->src + start, end - start);
			n->lit.n = end - start;
		}
		lex_next(lx);
		return n;
	case T_WORD: {
		lex_next(lx);
		if (lx->t == T_LP) {
			int fn = find_fn(ps->lx.src + start, end - start, ps->filter);
			if (fn < 0) {
				syntax(ps, start, ps->filter ? "function '%.*s' does not exist (display filters have count, len, string, upper, lower, abs, max and min)" :
				    "unknown function '%.*s'", (int)(end - start > 60 ? 60 : end - start), ps->lx.src + start);
				return NULL;
			}
			n = parse_call(ps, fn, start);
			if (n && lx->t == T_LBR && !ps->filter)
				n = parse_slice(ps, n);
			return n;
		}
		if (!ps->filter && end - start == 2 && !memcmp(lx->src + start, "it", 2)) {
			if (!ps->items) {
				syntax(ps, start, "'it' is the item of filter(list, condition), and only there");
				return NULL;
			}
			n = new_node(ps, N_ITEM, start, end);
		} else {
			n = field_ref(ps, start, end);
		}
		if (n && lx->t == T_LBR)
			n = parse_slice(ps, n);
		return n;
	}
	case T_IF: {
		/* if COND then A else B (answer keys only) */
		if (ps->filter) {
			syntax(ps, start, "'if' was unexpected in this context: display filters have no if/then/else");
			return NULL;
		}
		if (enter(ps))
			return NULL;
		lex_next(lx);
		struct node *cond = parse_expr(ps), *yes = NULL, *no = NULL;
		if (cond && !expect(ps, T_THEN, "'then' after if's condition"))
			yes = parse_expr(ps);
		if (yes && !expect(ps, T_ELSE, "'else' (an if has both branches)"))
			no = parse_expr(ps);
		ps->depth--;
		if (!no)
			return NULL;
		n = new_node(ps, N_IF, start, no->end);
		if (n) {
			n->a = cond;
			n->b = yes;
			n->c = no;
		}
		return n;
	}
	case T_LB:
		/* { a + b }: arithmetic grouped, as Wireshark 4.0 writes it */
		lex_next(lx);
		n = parse_expr(ps);
		if (!n || expect(ps, T_RB, "'}'"))
			return NULL;
		return n;
	case T_LP:
		lex_next(lx);
		n = parse_expr(ps);
		if (n && lx->t == T_END) {
			syntax(ps, start, "this '(' has no closing ')'");
			return NULL;
		}
		if (!n || expect(ps, T_RP, "')'"))
			return NULL;
		if (lx->t == T_LBR && !ps->filter)
			n = parse_slice(ps, n);
		return n;
	case T_BAD:
		syntax(ps, start, "%s", lx->bad);
		return NULL;
	case T_END:
		syntax(ps, start, "the expression ends too early");
		return NULL;
	default:
		syntax(ps, start, "expected a field, a value or '(', found '%.*s'",
		    (int)(end - start > 40 ? 40 : end - start), ps->lx.src + start);
		return NULL;
	}
}

static struct node *
parse_unary(struct parser *ps)
{
	struct node *n;
	if (ps->lx.t == T_MINUS) {
		size_t start = ps->lx.tstart;
		if (enter(ps))
			return NULL;
		lex_next(&ps->lx);
		struct node *a = parse_unary(ps);
		ps->depth--;
		if (!a)
			return NULL;
		if (a->kind == N_LIT && a->lit.k == V_INT && a->lit.i != INT64_MIN) {
			a->lit.i = -a->lit.i;
			a->start = (uint32_t)start;
			n = a;
		} else if (a->kind == N_LIT && a->lit.k == V_REAL) {
			a->lit.d = -a->lit.d;
			a->start = (uint32_t)start;
			n = a;
		} else {
			n = new_node(ps, N_NEG, start, a->end);
			if (n)
				n->a = a;
		}
	} else {
		n = parse_primary(ps);
	}
	return n;
}

static struct node *
parse_mul(struct parser *ps)
{
	struct node *a = parse_unary(ps);
	while (a && (ps->lx.t == T_STAR || ps->lx.t == T_SLASH || ps->lx.t == T_PCT)) {
		int op = ps->lx.t == T_STAR ? OP_MUL : ps->lx.t == T_SLASH ? OP_DIV : OP_MOD;
		lex_next(&ps->lx);
		a = binary(ps, N_ARITH, op, a, parse_unary(ps));
	}
	return a;
}

static struct node *
parse_add(struct parser *ps)
{
	struct node *a = parse_mul(ps);
	while (a && (ps->lx.t == T_PLUS || ps->lx.t == T_MINUS)) {
		int op = ps->lx.t == T_PLUS ? OP_ADD : OP_SUB;
		lex_next(&ps->lx);
		a = binary(ps, N_ARITH, op, a, parse_mul(ps));
	}
	return a;
}

/* a & b: binds less than + and more than comparisons, as in Wireshark */
static struct node *
parse_band(struct parser *ps)
{
	struct node *a = parse_add(ps);
	while (a && ps->lx.t == T_BAND) {
		lex_next(&ps->lx);
		a = binary(ps, N_ARITH, OP_BAND, a, parse_add(ps));
	}
	return a;
}

/* { a b c }, { 1..5 }, commas allowed between members (needed in display filters) */
static struct node *
parse_set(struct parser *ps, struct node *lhs)
{
	size_t start = ps->lx.tstart;
	if (ps->lx.t != T_LB && !ps->filter) {
		/* x in LIST: a list computed by the answer-key language */
		struct node *l = parse_band(ps);
		if (!l)
			return NULL;
		struct node *in = new_node(ps, N_IN, lhs->start, l->end);
		if (!in || !(in->args = tq_arena_alloc(&ps->e->arena, sizeof(*in->args)))) {
			syntax(ps, start, "out of memory");
			return NULL;
		}
		in->a = lhs;
		in->args[0] = l;
		in->nargs = 1;
		return in;
	}
	if (expect(ps, T_LB, "'{' after 'in'"))
		return NULL;
	struct node *items[256];
	uint32_t n = 0;
	while (ps->lx.t != T_RB) {
		if (ps->lx.t == T_END || ps->lx.t == T_BAD) {
			expect(ps, T_RB, "'}'");
			return NULL;
		}
		struct node *it = parse_band(ps);
		if (!it)
			return NULL;
		if (ps->lx.t == T_DOTDOT) {
			lex_next(&ps->lx);
			struct node *hi = parse_band(ps);
			it = binary(ps, N_RANGE, 0, it, hi);
			if (!it)
				return NULL;
		}
		if (n == sizeof(items) / sizeof(items[0])) {
			syntax(ps, it->start, "a set holds at most %zu members", sizeof(items) / sizeof(items[0]));
			return NULL;
		}
		items[n++] = it;
		if (ps->lx.t == T_COMMA)
			lex_next(&ps->lx);
		else if (ps->filter && ps->lx.t != T_RB) {
			syntax(ps, ps->lx.tstart, "'%.*s' was unexpected in this context: members of a set are separated by commas",
			    (int)(ps->lx.tend - ps->lx.tstart > 40 ? 40 : ps->lx.tend - ps->lx.tstart), ps->lx.src + ps->lx.tstart);
			return NULL;
		}
	}
	size_t end = ps->lx.tend;
	lex_next(&ps->lx);
	if (!n) {
		syntax(ps, start, "the set is empty");
		return NULL;
	}
	struct node *in = new_node(ps, N_IN, lhs->start, end);
	if (!in)
		return NULL;
	in->a = lhs;
	in->args = tq_arena_alloc(&ps->e->arena, sizeof(*in->args) * n);
	if (!in->args) {
		syntax(ps, start, "out of memory");
		return NULL;
	}
	memcpy(in->args, items, sizeof(*items) * n);
	in->nargs = n;
	return in;
}

static struct node *
parse_cmp(struct parser *ps)
{
	struct node *a = parse_band(ps);
	if (!a)
		return NULL;
	int op;
	switch (ps->lx.t) {
	case T_EQ: op = OP_EQ; break;
	case T_NE: op = OP_NE; break;
	case T_ALLEQ: op = OP_ALLEQ; break;
	case T_ANYNE: op = OP_ANYNE; break;
	case T_LT: op = OP_LT; break;
	case T_GT: op = OP_GT; break;
	case T_LE: op = OP_LE; break;
	case T_GE: op = OP_GE; break;
	case T_CONTAINS:
		lex_next(&ps->lx);
		return binary(ps, N_CONTAINS, 0, a, parse_band(ps));
	case T_MATCHES:
		lex_next(&ps->lx);
		return binary(ps, N_MATCHES, 0, a, parse_band(ps));
	case T_IN:
		lex_next(&ps->lx);
		return parse_set(ps, a);
	default:
		return a;
	}
	lex_next(&ps->lx);
	return binary(ps, N_CMP, op, a, parse_band(ps));
}

static struct node *
parse_not(struct parser *ps)
{
	struct node *n;
	if (ps->lx.t == T_NOT) {
		size_t start = ps->lx.tstart;
		if (enter(ps))
			return NULL;
		lex_next(&ps->lx);
		struct node *a = parse_not(ps);
		ps->depth--;
		n = a ? new_node(ps, N_NOT, start, a->end) : NULL;
		if (n)
			n->a = a;
	} else {
		n = parse_cmp(ps);
	}
	return n;
}

static struct node *
parse_and(struct parser *ps)
{
	struct node *a = parse_not(ps);
	while (a && ps->lx.t == T_AND) {
		lex_next(&ps->lx);
		a = binary(ps, N_AND, 0, a, parse_not(ps));
	}
	return a;
}

static struct node *
parse_or(struct parser *ps)
{
	struct node *a = parse_and(ps);
	while (a && ps->lx.t == T_OR) {
		lex_next(&ps->lx);
		a = binary(ps, N_OR, 0, a, parse_and(ps));
	}
	return a;
}

/* expr := or [ '??' expr ] */
static struct node *
parse_expr(struct parser *ps)
{
	if (enter(ps))
		return NULL;
	struct node *a = parse_or(ps);
	if (a && ps->lx.t == T_FALLBACK && ps->filter) {
		syntax(ps, ps->lx.tstart, "'?\?' was unexpected in this context: display filters have no fallback");
		a = NULL;
	} else if (a && ps->lx.t == T_FALLBACK) {
		lex_next(&ps->lx);
		a = binary(ps, N_FALLBACK, 0, a, parse_expr(ps));
	}
	ps->depth--;
	return a;
}

/* ------------------------------------------------------------------ checking */

static int
is_uint_ft(int t)
{
	return (t >= FT_UINT8 && t <= FT_UINT64) || t == FT_FRAMENUM;
}

static int
is_int_ft(int t)
{
	return is_uint_ft(t) || (t >= FT_INT8 && t <= FT_INT64);
}

static const char *
ftype_desc(int t)
{
	if (is_uint_ft(t))
		return "an unsigned integer";
	if (t >= FT_INT8 && t <= FT_INT64)
		return "a signed integer";
	switch (t) {
	case FT_BOOLEAN: return "a boolean";
	case FT_DOUBLE: return "a number";
	case FT_RELTIME: return "a time in seconds";
	case FT_ABSTIME: return "a date and time";
	case FT_ETHER: return "an Ethernet address";
	case FT_IPV4: return "an IPv4 address";
	case FT_IPV6: return "an IPv6 address";
	case FT_BYTES: return "a byte string";
	case FT_STRING: return "text";
	default: return "a protocol or a label, with no value";
	}
}

/* Hex bytes separated by ':', '-' or '.', or one run of hex digit pairs. */
static int
parse_bytes(const char *s, size_t n, uint8_t *out, size_t cap, size_t *len)
{
	size_t k = 0, i = 0;
	int sep = 0;
	for (size_t j = 0; j < n; j++)
		if (s[j] == ':' || s[j] == '-' || s[j] == '.')
			sep = 1;
	while (i < n) {
		int hi = -1, lo = -1;
		char a = s[i];
		hi = a >= '0' && a <= '9' ? a - '0' : a >= 'a' && a <= 'f' ? a - 'a' + 10 : a >= 'A' && a <= 'F' ? a - 'A' + 10 : -1;
		if (hi < 0)
			return -1;
		i++;
		if (i < n && s[i] != ':' && s[i] != '-' && s[i] != '.') {
			char b = s[i];
			lo = b >= '0' && b <= '9' ? b - '0' : b >= 'a' && b <= 'f' ? b - 'a' + 10 : b >= 'A' && b <= 'F' ? b - 'A' + 10 : -1;
			if (lo < 0)
				return -1;
			i++;
		} else if (!sep) {
			return -1;       /* an odd number of digits */
		}
		if (k == cap)
			return -1;
		out[k++] = (uint8_t)(lo < 0 ? hi : hi << 4 | lo);
		if (i < n) {
			if (!sep)
				continue;
			if (s[i] != ':' && s[i] != '-' && s[i] != '.')
				return -1;
			i++;
			if (i == n)
				return -1;
		}
	}
	*len = k;
	return k ? 0 : -1;
}

/* The literal lit typed as field f's values; 0, or -1 with a message. */
static int
type_literal(struct parser *ps, struct node *lit, const struct tq_field *f, int for_contains)
{
	int t = f->type;
	const char *s = lit->lit.s;
	size_t n = lit->lit.n;
	char text[80];
	snprintf(text, sizeof(text), "%.*s", (int)(lit->end - lit->start > 60 ? 60 : lit->end - lit->start),
	    ps->lx.src + lit->start);
	if (t == FT_NONE) {
		syntax(ps, lit->start, "%s has no value to compare (%s); test whether it is there with '%s' alone",
		    f->abbrev, ftype_desc(t), f->abbrev);
		return -1;
	}
	if (t == FT_PROTOCOL)
		t = FT_BYTES;           /* its bytes, as Wireshark compares them */
	if (lit->kind == N_LIT && lit->lit.k != V_STR) {
		/* numbers and true/false */
		if (is_int_ft(t) || t == FT_DOUBLE || t == FT_RELTIME || t == FT_BOOLEAN) {
			if (for_contains)
				goto cannot;
			if (t == FT_BOOLEAN && lit->lit.k == V_REAL)
				goto cannot;
			if (lit->lit.k == V_BOOL)
				lit->lit.k = V_INT;
			return 0;
		}
		if (t == FT_BYTES && lit->lit.k == V_INT && lit->kind == N_LIT) {
			/* hex digits without separators, as Wireshark reads them: 323230
			 * (and 32) are the bytes 0x32 0x32 0x30 */
			const char *txt = ps->lx.src + lit->start;
			size_t tl = lit->end - lit->start;
			uint8_t hb[TQ_EXPR_MAX_LEN / 2];
			size_t hl = 0;
			if (!(tl > 1 && txt[0] == '0' && (txt[1] == 'x' || txt[1] == 'X')) &&
			    parse_bytes(txt, tl, hb, sizeof(hb), &hl) == 0) {
				uint8_t *b = tq_arena_alloc(&ps->e->arena, hl);
				if (!b)
					goto cannot;
				memcpy(b, hb, hl);
				lit->lit.k = V_BYTES;
				lit->lit.s = (const char *)b;
				lit->lit.n = hl;
				lit->lit.ftype = FT_BYTES;
				return 0;
			}
		}
		if (t == FT_BYTES && lit->lit.k == V_INT && lit->lit.i >= 0 && lit->lit.i <= 255) {
			/* a single byte written as a number: 0x16 */
			uint8_t *b = tq_arena_alloc(&ps->e->arena, 1);
			if (!b)
				goto cannot;
			b[0] = (uint8_t)lit->lit.i;
			lit->lit.k = V_BYTES;
			lit->lit.s = (const char *)b;
			lit->lit.n = 1;
			lit->lit.ftype = FT_BYTES;
			return 0;
		}
		goto cannot;
	}
	/* text: quoted, or unquoted (10.0.0.1, 16:03:01) */
	if (is_int_ft(t) || t == FT_BOOLEAN) {
		int64_t v;
		if (for_contains)
			goto cannot;
		if (parse_int(s, n, &v) == 0) {
			lit->lit.k = V_INT;
			lit->lit.i = v;
			lit->kind = N_LIT;
			return 0;
		}
		if (t == FT_BOOLEAN && (!strcasecmp(s, "true") || !strcasecmp(s, "false"))) {
			lit->lit.k = V_INT;
			lit->lit.i = !strcasecmp(s, "true");
			lit->kind = N_LIT;
			return 0;
		}
		/* a value's name: "Server Hello", "Set" */
		if (f->skind == SK_VALS || f->skind == SK_RVALS) {
			const struct tq_vals *vs = f->strings;
			const struct tq_rvals *rs = f->strings;
			if (f->skind == SK_VALS) {
				for (; vs->s; vs++) {
					if (!strcasecmp(vs->s, s)) {
						lit->lit.k = V_INT;
						lit->lit.i = vs->v;
						lit->kind = N_LIT;
						return 0;
					}
				}
			} else {
				for (; rs->s; rs++) {
					if (rs->lo == rs->hi && !strcasecmp(rs->s, s)) {
						lit->lit.k = V_INT;
						lit->lit.i = rs->lo;
						lit->kind = N_LIT;
						return 0;
					}
				}
			}
		} else if (f->skind == SK_TFS || t == FT_BOOLEAN) {
			const struct tq_tfs *tf = f->skind == SK_TFS ? f->strings : &tq_tfs_true_false;
			if (!strcasecmp(tf->t, s) || !strcasecmp(tf->f, s)) {
				lit->lit.k = V_INT;
				lit->lit.i = !strcasecmp(tf->t, s);
				lit->kind = N_LIT;
				return 0;
			}
		}
		syntax(ps, lit->start, "%s is %s; %s is neither a number nor the name of one of its values",
		    f->abbrev, ftype_desc(t), text);
		return -1;
	}
	if (t == FT_DOUBLE || t == FT_RELTIME) {
		char buf[80];
		char *end;
		if (for_contains || n == 0 || n >= sizeof(buf))
			goto cannot;
		memcpy(buf, s, n);
		buf[n] = '\0';
		double d = strtod(buf, &end);
		if (*end)
			goto cannot;
		lit->lit.k = V_REAL;
		lit->lit.d = d;
		lit->kind = N_LIT;
		return 0;
	}
	if (t == FT_STRING || t == FT_ABSTIME) {
		if (lit->kind == N_RAW) {
			syntax(ps, lit->start, "%s is text: put %s in quotes", f->abbrev, text);
			return -1;
		}
		return 0;
	}
	if (t == FT_IPV4 || t == FT_IPV6 || t == FT_ETHER || t == FT_BYTES) {
		uint8_t buf[TQ_EXPR_MAX_LEN];
		size_t blen = 0;
		char tmp[64];
		if (t == FT_IPV4 || t == FT_IPV6) {
			if (for_contains || n >= sizeof(tmp))
				goto cannot;
			memcpy(tmp, s, n);
			tmp[n] = '\0';
			if (inet_pton(t == FT_IPV4 ? AF_INET : AF_INET6, tmp, buf) != 1)
				goto cannot;
			blen = t == FT_IPV4 ? 4 : 16;
		} else if (t == FT_BYTES && lit->kind == N_LIT) {
			/* a quoted string against bytes: its own bytes, as Wireshark */
			lit->lit.k = V_BYTES;
			lit->lit.ftype = FT_BYTES;
			return 0;
		} else {
			if (parse_bytes(s, n, buf, sizeof(buf), &blen) != 0 || (t == FT_ETHER && blen != 6 && !for_contains))
				goto cannot;
		}
		uint8_t *b = tq_arena_alloc(&ps->e->arena, blen);
		if (!b)
			goto cannot;
		memcpy(b, buf, blen);
		lit->kind = N_LIT;
		lit->lit.k = V_BYTES;
		lit->lit.s = (const char *)b;
		lit->lit.n = blen;
		lit->lit.ftype = (uint8_t)t;
		return 0;
	}
cannot:
	syntax(ps, lit->start, "%s is %s; %s is not one", f->abbrev, ftype_desc(t), text);
	return -1;
}

static int
is_literal(const struct node *n)
{
	return n && (n->kind == N_LIT || n->kind == N_RAW);
}

/* ADDR/BITS beside an IPv4 or IPv6 field (parsed as a division): a subnet,
 * as Wireshark's ip.addr == 10.0.0.0/8.  1 when lit was one and is now a
 * literal, 0 when it is something else, -1 on error. */
static int
subnet_literal(struct parser *ps, struct node *lit, const struct tq_field *f)
{
	if ((f->type != FT_IPV4 && f->type != FT_IPV6) || lit->kind != N_ARITH || lit->op != OP_DIV ||
	    !is_literal(lit->a) || lit->a->lit.k != V_STR || lit->b->kind != N_LIT || lit->b->lit.k != V_INT)
		return 0;
	int max = f->type == FT_IPV4 ? 32 : 128;
	if (lit->b->lit.i < 0 || lit->b->lit.i > max) {
		syntax(ps, lit->b->start, "a subnet's prefix length is 0 to %d bits", max);
		return -1;
	}
	if (type_literal(ps, lit->a, f, 0) != 0)
		return -1;
	int64_t bits = lit->b->lit.i;
	lit->kind = N_LIT;
	lit->lit = lit->a->lit;
	lit->lit.subnet = 1;
	lit->lit.plen = (uint8_t)bits;
	lit->a = lit->b = NULL;
	return 1;
}

/* The first field an aggregate's value reads, outside nested aggregates. */
static const struct tq_field *
first_field(const struct node *n)
{
	if (!n)
		return NULL;
	switch (n->kind) {
	case N_FIELD:
		return n->f;
	case N_AGG:
		return NULL;
	default:
		break;
	}
	const struct tq_field *f;
	if ((f = first_field(n->a)) || (f = first_field(n->b)) || (f = first_field(n->c)))
		return f;
	for (uint32_t i = 0; i < n->nargs; i++)
		if ((f = first_field(n->args[i])))
			return f;
	return NULL;
}

static int
add_to(const struct tq_field ***list, size_t *n, const struct tq_field *f)
{
	for (size_t i = 0; i < *n; i++)
		if ((*list)[i]->id == f->id)
			return 0;
	const struct tq_field **nf = realloc(*list, (*n + 1) * sizeof(*nf));
	if (!nf)
		return -1;
	*list = nf;
	nf[(*n)++] = f;
	return 0;
}

static int
add_field(struct tq_expr *e, const struct tq_field *f)
{
	return add_to(&e->fields, &e->nfields, f);
}

/* x's bytes are read: when x is a protocol, the index must keep them. */
static int
reads_bytes(struct parser *ps, const struct node *x)
{
	if (!x || x->kind != N_FIELD || x->f->type != FT_PROTOCOL)
		return 0;
	if (add_to(&ps->e->bfields, &ps->e->nbfields, x->f) != 0) {
		syntax(ps, x->start, "out of memory");
		return -1;
	}
	return 0;
}

/* Types literals beside fields, compiles regular expressions, finds what each
 * aggregate walks, and marks the nodes that read the current frame. */
/* What a slice gives: bytes. */
static const struct tq_field slice_field = HF("slice", "Slice", FT_BYTES, BASE_NONE, NULL, 0);

static int
is_sliceable_ft(int t)
{
	return t == FT_BYTES || t == FT_STRING || t == FT_ETHER || t == FT_IPV4 || t == FT_IPV6 || t == FT_PROTOCOL;
}

/* A literal compared with a slice, as bytes, as Wireshark reads them: 45 and
 * 0x45 are the byte 45 (hex), 1 the byte 01, "EHLO" its four bytes. */
static int
slice_literal(struct parser *ps, struct node *lit, int for_contains)
{
	if (lit->kind == N_LIT && lit->lit.k == V_STR) {
		lit->lit.k = V_BYTES;
		lit->lit.ftype = FT_BYTES;
		return 0;
	}
	return type_literal(ps, lit, &slice_field, for_contains);
}

/* Whether n gives bytes whatever it reads: a slice, or one masked with '&'. */
static int
is_bytes_expr(const struct node *n)
{
	while (n->kind == N_ARITH && n->op == OP_BAND)
		n = n->a;
	return n->kind == N_SLICE;
}

static int
check(struct parser *ps, struct node *n)
{
	if (!n || ps->failed)
		return -1;
	if (check(ps, n->a) < 0 && n->a)
		return -1;
	if (n->b && check(ps, n->b) < 0)
		return -1;
	if (n->c && check(ps, n->c) < 0)
		return -1;
	for (uint32_t i = 0; i < n->nargs; i++)
		if (check(ps, n->args[i]) < 0)
			return -1;
	if (ps->failed)
		return -1;
	n->item_dep = n->kind == N_ITEM || (n->a && n->a->item_dep) || (n->b && n->b->item_dep) ||
	    (n->c && n->c->item_dep);
	for (uint32_t i = 0; i < n->nargs; i++)
		n->item_dep |= n->args[i]->item_dep;
	if (n->kind == N_CALL && n->fn == F_FILTER)
		n->item_dep = n->args[0]->item_dep;     /* its condition's 'it' is its own */
	n->frame_dep = (n->a && n->a->frame_dep) || (n->b && n->b->frame_dep) || (n->c && n->c->frame_dep);
	for (uint32_t i = 0; i < n->nargs; i++)
		n->frame_dep |= n->args[i]->frame_dep;

	/* a protocol whose value is read: the index keeps its bytes */
	switch (n->kind) {
	case N_SLICE:
	case N_CMP:
	case N_CONTAINS:
	case N_MATCHES:
	case N_IN:
	case N_ARITH:
		if (reads_bytes(ps, n->a) || reads_bytes(ps, n->b))
			return -1;
		break;
	case N_CALL:
		if (n->fn == F_FSTRING && n->args[0]->kind == N_FIELD && n->args[0]->f->type == FT_PROTOCOL) {
			syntax(ps, n->args[0]->start, "string conversion for field \"%s\" is not supported",
			    n->args[0]->f->abbrev);
			return -1;
		}
		for (uint32_t i = 0; i < n->nargs && n->fn != F_FCOUNT && n->fn != F_UNDER; i++)
			if (reads_bytes(ps, n->args[i]))
				return -1;
		break;
	case N_AGG:
		if (n->fn != F_COUNT && reads_bytes(ps, n->a))
			return -1;
		break;
	default:
		break;
	}

	switch (n->kind) {
	case N_FIELD:
		if (add_field(ps->e, n->f) != 0) {
			syntax(ps, n->start, "out of memory");
			return -1;
		}
		n->frame_dep = 1;
		return 0;
	case N_AGG:
		n->f = first_field(n->a);
		if (n->f && add_field(ps->e, n->f) != 0)
			return -1;
		if (!n->f && add_field(ps->e, tq_field_lookup("frame")) != 0)
			return -1;
		if (n->fn == F_NTH && n->c->frame_dep) {
			syntax(ps, n->c->start, "nth()'s position must not depend on the frame");
			return -1;
		}
		n->frame_dep = 0;      /* its own frames: none from outside */
		return 0;
	case N_SLICE:
		if (n->a->kind != N_FIELD && !ps->filter)
			break;          /* a computed text or list: sliced when evaluated */
		if (n->a->kind != N_FIELD || !is_sliceable_ft(n->a->f->type)) {
			syntax(ps, n->start, n->a->kind == N_FIELD ? "%s (%s) cannot be sliced here: slices take bytes, text and addresses" :
			    "only a field can be sliced%s", n->a->kind == N_FIELD ? n->a->f->abbrev : "",
			    n->a->kind == N_FIELD ? ftype_desc(n->a->f->type) : "");
			return -1;
		}
		break;
	case N_ARITH:
		if (n->op == OP_BAND && is_bytes_expr(n->a) && is_literal(n->b))
			return slice_literal(ps, n->b, 0);
		break;
	case N_CMP:
	case N_CONTAINS:
		if (is_bytes_expr(n->a) && is_literal(n->b))
			return slice_literal(ps, n->b, n->kind == N_CONTAINS);
		if (is_bytes_expr(n->b) && is_literal(n->a) && n->kind == N_CMP)
			return slice_literal(ps, n->a, 0);
		if (n->kind == N_CMP && n->a->kind == N_FIELD && subnet_literal(ps, n->b, n->a->f))
			return ps->failed ? -1 : 0;
		if (n->kind == N_CMP && n->b->kind == N_FIELD && subnet_literal(ps, n->a, n->b->f))
			return ps->failed ? -1 : 0;
		if (n->a->kind == N_FIELD && is_literal(n->b))
			return type_literal(ps, n->b, n->a->f, n->kind == N_CONTAINS);
		if (n->b->kind == N_FIELD && is_literal(n->a) && n->kind == N_CMP)
			return type_literal(ps, n->a, n->b->f, 0);
		break;
	case N_IN:
		if (n->a->kind == N_FIELD) {
			for (uint32_t i = 0; i < n->nargs; i++) {
				struct node *m = n->args[i];
				if (m->kind == N_RANGE) {
					if ((is_literal(m->a) && type_literal(ps, m->a, n->a->f, 0)) ||
					    (is_literal(m->b) && type_literal(ps, m->b, n->a->f, 0)))
						return -1;
				} else if (subnet_literal(ps, m, n->a->f)) {
					if (ps->failed)
						return -1;
				} else if (is_literal(m) && type_literal(ps, m, n->a->f, 0)) {
					return -1;
				}
			}
		}
		break;
	case N_CALL:
		if (n->fn == F_UNDER && n->args[0]->kind != N_FIELD) {
			syntax(ps, n->args[0]->start, "under() takes a field, such as under(x509af.issuer)");
			return -1;
		}
		if (n->fn == F_FCOUNT && n->args[0]->kind != N_FIELD) {
			syntax(ps, n->args[0]->start, "count() takes a field, such as count(tcp.option_kind)");
			return -1;
		}
		break;
	case N_MATCHES: {
		if (n->b->kind != N_LIT || n->b->lit.k != V_STR) {
			syntax(ps, n->b->start, "matches takes a regular expression in quotes");
			return -1;
		}
		int ec;
		PCRE2_SIZE eo;
		/* case-insensitive unless the pattern says (?-i), as Wireshark 4.0's
		 * matches; every item tried is counted (the callout) against the
		 * evaluation's steps, so that no pattern runs for long, however many
		 * texts it is tried on */
		n->re = pcre2_compile((PCRE2_SPTR)n->b->lit.s, n->b->lit.n,
		    PCRE2_NEVER_BACKSLASH_C | PCRE2_CASELESS | PCRE2_AUTO_CALLOUT, &ec, &eo, NULL);
		if (!n->re) {
			PCRE2_UCHAR msg[160];
			pcre2_get_error_message(ec, msg, sizeof(msg));
			syntax(ps, n->b->start + 1 + (uint32_t)(eo < n->b->lit.n ? eo : n->b->lit.n),
			    "bad regular expression: %s", (const char *)msg);
			return -1;
		}
		if (n->a->kind == N_FIELD && n->a->f->type == FT_NONE) {
			syntax(ps, n->a->start, "%s has no value to match (%s)", n->a->f->abbrev, ftype_desc(n->a->f->type));
			return -1;
		}
		if (ps->filter && n->a->kind == N_FIELD && !is_sliceable_ft(n->a->f->type)) {
			syntax(ps, n->a->start, "%s (%s) cannot take part in a 'matches' comparison", n->a->f->abbrev,
			    ftype_desc(n->a->f->type));
			return -1;
		}
		if (ps->filter && n->a->kind == N_FIELD && (n->a->f->type == FT_ETHER || n->a->f->type == FT_IPV4 ||
		    n->a->f->type == FT_IPV6)) {
			syntax(ps, n->a->start, "%s (%s) cannot take part in a 'matches' comparison", n->a->f->abbrev,
			    ftype_desc(n->a->f->type));
			return -1;
		}
		break;
	}
	default:
		break;
	}
	return 0;
}

static int
parse_source(const char *src, int filter, struct tq_expr **out, struct tq_expr_error *err);

int
tq_expr_parse(const char *src, struct tq_expr **out, struct tq_expr_error *err)
{
	return parse_source(src, 0, out, err);
}

int
tq_filter_parse(const char *src, struct tq_expr **out, struct tq_expr_error *err)
{
	return parse_source(src, 1, out, err);
}

static int
parse_source(const char *src, int filter, struct tq_expr **out, struct tq_expr_error *err)
{
	*out = NULL;
	if (err) {
		err->pos = -1;
		err->msg[0] = '\0';
	}
	if (!src) {
		set_err(err, -1, "no expression");
		return TQ_EINVAL;
	}
	size_t len = strlen(src);
	if (len > TQ_EXPR_MAX_LEN) {
		set_err(err, TQ_EXPR_MAX_LEN, "the expression is too long (%zu bytes; %d at most)", len, TQ_EXPR_MAX_LEN);
		return TQ_ETOOBIG;
	}
	tq_init();
	struct tq_expr *e = calloc(1, sizeof(*e));
	if (!e) {
		set_err(err, -1, "out of memory");
		return TQ_ENOMEM;
	}
	tq_arena_init(&e->arena, 0);
	e->src = strdup(src);
	e->nodes = calloc(TQ_EXPR_MAX_NODES, sizeof(*e->nodes));
	if (!e->src || !e->nodes) {
		tq_expr_free(e);
		set_err(err, -1, "out of memory");
		return TQ_ENOMEM;
	}
	struct parser ps = { .lx = { .src = e->src, .len = len, .arena = &e->arena }, .e = e, .err = err, .filter = filter };
	lex_next(&ps.lx);
	if (ps.lx.t == T_END) {
		tq_expr_free(e);
		set_err(err, 0, "the expression is empty");
		return TQ_EINVAL;
	}
	e->root = parse_expr(&ps);
	if (e->root && !ps.failed && ps.lx.t != T_END) {
		if (ps.lx.t == T_BAD)
			syntax(&ps, ps.lx.tstart, "%s", ps.lx.bad);
		else
			syntax(&ps, ps.lx.tstart, "unexpected '%.*s' after a complete expression (missing 'and' or 'or'?)",
			    (int)(ps.lx.tend - ps.lx.tstart > 40 ? 40 : ps.lx.tend - ps.lx.tstart), ps.lx.src + ps.lx.tstart);
	}
	if (e->root && !ps.failed && check(&ps, e->root) < 0 && !ps.failed)
		syntax(&ps, 0, "out of memory");
	if (!e->root || ps.failed) {
		if (!ps.failed)
			set_err(err, 0, "the expression could not be read");
		tq_expr_free(e);
		return TQ_EINVAL;
	}
	*out = e;
	return 0;
}

void
tq_expr_free(struct tq_expr *e)
{
	if (!e)
		return;
	for (uint32_t i = 0; i < e->nnodes; i++)
		if (e->nodes[i]->re)
			pcre2_code_free(e->nodes[i]->re);
	free(e->nodes);
	free(e->fields);
	free(e->bfields);
	free(e->src);
	tq_arena_free(&e->arena);
	free(e);
}

const char *
tq_expr_source(const struct tq_expr *e)
{
	return e ? e->src : "";
}

size_t
tq_expr_fields(const struct tq_expr *e, const struct tq_field *const **out)
{
	*out = e->fields;
	return e->nfields;
}

size_t
tq_expr_byte_fields(const struct tq_expr *e, const struct tq_field *const **out)
{
	*out = e->bfields;
	return e->nbfields;
}

/*
 * A field read as a condition by itself (tcp.analysis.retransmission, !dns,
 * a && b) is asked only whether it is there; anywhere else (compared,
 * searched, sliced, counted, given to a function) its value is read.
 */
static void
uses_walk(const struct node *n, int cond, tq_field_use_fn fn, void *arg)
{
	if (!n)
		return;
	if (n->kind == N_FIELD) {
		int t = n->f->type;
		struct tq_field_use u = {
			.abbrev = n->f->abbrev, .value = !cond, .pos = (int)n->start,
			.raw = t == FT_PROTOCOL || t == FT_NONE || t == FT_BYTES, .text = t == FT_STRING,
		};
		fn(arg, &u);
		return;
	}
	int keep = n->kind == N_NOT || n->kind == N_AND || n->kind == N_OR;
	uses_walk(n->a, keep && cond, fn, arg);
	uses_walk(n->b, (keep && cond) || n->kind == N_AGG, fn, arg);
	uses_walk(n->c, 0, fn, arg);
	for (uint32_t i = 0; i < n->nargs; i++)
		uses_walk(n->args[i], 0, fn, arg);
}

void
tq_expr_uses(const struct tq_expr *e, tq_field_use_fn fn, void *arg)
{
	uses_walk(e->root, 1, fn, arg);
}

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

static int
fail(struct ctx *c, const struct node *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
fail(struct ctx *c, const struct node *n, const char *fmt, ...)
{
	c->err.pos = n ? (int)n->start : -1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->err.msg, sizeof(c->err.msg), fmt, ap);
	va_end(ap);
	return -1;
}

static int
step(struct ctx *c, uint64_t n)
{
	c->steps += n;
	if (c->steps > TQ_EXPR_MAX_STEPS) {
		c->hard = 1;
		c->err.pos = -1;
		snprintf(c->err.msg, sizeof(c->err.msg),
		    "the expression takes too long on this trace (more than %u steps)", TQ_EXPR_MAX_STEPS);
		return -1;
	}
	return 0;
}

static int
nomem(struct ctx *c)
{
	c->hard = 1;
	c->err.pos = -1;
	snprintf(c->err.msg, sizeof(c->err.msg), "out of memory");
	return -1;
}

static const char *
src_of(const struct ctx *c, const struct node *n, char *buf, size_t len)
{
	size_t k = n->end - n->start;
	if (k > 120)
		snprintf(buf, len, "%.117s...", c->e->src + n->start);
	else
		snprintf(buf, len, "%.*s", (int)k, c->e->src + n->start);
	return buf;
}

/* ---- memory (NULL past MAX_MEM or when malloc fails) */

static void *
ealloc(struct ctx *c, size_t n)
{
	if (n > MAX_MEM || c->mem + n > MAX_MEM)
		return NULL;
	struct tq_arena *a = c->cur;
	size_t before = a->total;
	void *p = tq_arena_alloc_raw(a, n);
	c->mem += a->total - before;
	return p && c->mem <= MAX_MEM ? p : NULL;
}

static char *
estrdup(struct ctx *c, const char *s, size_t n)
{
	char *d = ealloc(c, n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

static char *
eprintf(struct ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static char *
eprintf(struct ctx *c, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	return estrdup(c, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

/* Empties a scratch arena, giving its bytes back to the count. */
static void
scratch_reset(struct ctx *c, struct tq_arena *a)
{
	size_t before = a->total;
	tq_arena_reset(a);
	c->mem -= before - a->total;
}

static void
scratch_free(struct ctx *c, struct tq_arena *a)
{
	c->mem -= a->total;
	tq_arena_free(a);
}

static struct val
none(const char *why)
{
	struct val v = { .k = V_NONE, .s = why };
	return v;
}

/* ---- origins (only with explain) */

static int
from_add(struct ctx *c, struct val *v, const struct from *f, size_t n)
{
	if (!c->explain || !n || v->nfrom >= MAX_FROM)
		return 0;
	if (n > MAX_FROM - v->nfrom)
		n = MAX_FROM - v->nfrom;
	struct from *m = ealloc(c, (v->nfrom + n) * sizeof(*m));
	if (!m)
		return nomem(c);
	if (v->nfrom)
		memcpy(m, v->from, v->nfrom * sizeof(*m));
	memcpy(m + v->nfrom, f, n * sizeof(*m));
	v->from = m;
	v->nfrom += n;
	return 0;
}

static int
from_merge(struct ctx *c, struct val *v, const struct val *a)
{
	return from_add(c, v, a->from, a->nfrom);
}

/* ---- values of occurrences */

static struct val
occ_val(const struct ctx *c, const struct fx_occ *o, uint32_t frame)
{
	struct val v = { .f = o->f, .ftype = o->f->type };
	switch (o->kind) {
	case FX_INT:
		v.k = o->f->type == FT_BOOLEAN ? V_BOOL : V_INT;
		v.i = o->v.i;
		break;
	case FX_REAL:
		v.k = V_REAL;
		v.d = o->v.d;
		break;
	case FX_STR:
		v.k = V_STR;
		v.s = (const char *)fx_bytes(c->ix, o);
		v.n = o->v.b.len;
		break;
	case FX_BYTES:
		v.k = V_BYTES;
		v.s = (const char *)fx_bytes(c->ix, o);
		v.n = o->v.b.len;
		break;
	case FX_PROTO:
		/* its own bytes; contains and matches search all it was given (i) */
		v.k = V_BYTES;
		v.s = (const char *)fx_bytes(c->ix, o);
		v.n = fx_proto_len(c->ix, o);
		v.i = o->v.b.len;
		break;
	default:
		v.k = V_BOOL;       /* a protocol: there */
		v.i = 1;
		break;
	}
	(void)frame;
	return v;
}

static int
occ_in(const struct tq_findex *ix, const struct fx_occ *o, const struct fx_anc *a)
{
	uint32_t pre = ix->anc[o->self].pre;
	return pre >= a->pre && pre <= a->end;
}

/* The occurrences of f that a scope sees: the aggregate's own occurrence when
 * f is its field; else those in the smallest subtree around that occurrence
 * that has any; else (no occurrence) those of the whole frame. */
static int
field_val(struct ctx *c, const struct node *n, const struct scope *sc, struct val *out)
{
	const struct tq_findex *ix = c->ix;
	const struct tq_field *f = n->f;
	if (!sc->frame) {
		/* outside any aggregate: the field's first value in the trace */
		for (uint32_t fr = 1; fr <= ix->nframes; fr++) {
			const struct fx_frame *F = &ix->frames[fr - 1];
			if (step(c, F->nocc + 1))
				return -1;
			for (uint32_t k = 0; k < F->nocc; k++) {
				const struct fx_occ *o = &ix->occ[F->occ0 + k];
				if (o->f->id == f->id) {
					*out = occ_val(c, o, fr);
					struct from fm = { fr, f };
					return from_add(c, out, &fm, 1);
				}
			}
		}
		return fail(c, n, "no frame has %s", f->abbrev);
	}
	const struct fx_frame *F = &ix->frames[sc->frame - 1];
	if (step(c, F->nocc + 1))
		return -1;
	if (!F->nocc) {
		/* nothing in this frame (and maybe in none: then the index has no occurrences at all) */
		*out = (struct val){ .k = V_LIST, .multi = 1, .f = f, .ftype = f->type };
		return 0;
	}
	const struct fx_occ *occ = ix->occ + F->occ0, *end = occ + F->nocc;
	const struct fx_anc *scope = NULL;
	/* none, or only one: that one is in every scope that holds any */
	const struct fx_occ *only = NULL;
	size_t k = 0;
	for (const struct fx_occ *o = occ; o < end && k < 2; o++) {
		if (o->f->id == f->id) {
			only = o;
			k++;
		}
	}
	if (k < 2 && !(sc->occ && sc->occ->f->id == f->id)) {
		struct val v = { .k = V_LIST, .multi = 1, .f = f, .ftype = f->type };
		if (k) {
			v.items = ealloc(c, sizeof(*v.items));
			if (!v.items)
				return nomem(c);
			v.items[0] = occ_val(c, only, sc->frame);
			struct from fm = { sc->frame, f };
			if (from_add(c, &v.items[0], &fm, 1))
				return -1;
			v.nitems = 1;
		}
		*out = v;
		return 0;
	}
	if (sc->occ) {
		if (sc->occ->f->id == f->id) {
			*out = occ_val(c, sc->occ, sc->frame);
			out->multi = 0;
			struct from fm = { sc->frame, f };
			return from_add(c, out, &fm, 1);
		}
		for (uint32_t a = sc->occ->self; a != FX_NOANC; a = ix->anc[a].parent) {
			const struct fx_anc *A = &ix->anc[a];
			for (const struct fx_occ *o = occ; o < end; o++) {
				if (o->f->id == f->id && occ_in(ix, o, A)) {
					scope = A;
					break;
				}
			}
			if (scope)
				break;
			if (step(c, F->nocc))
				return -1;
		}
	}
	k = 0;
	for (const struct fx_occ *o = occ; o < end; o++)
		if (o->f->id == f->id && (!scope || occ_in(ix, o, scope)))
			k++;
	struct val v = { .k = V_LIST, .multi = 1, .f = f, .ftype = f->type };
	if (k) {
		v.items = ealloc(c, k * sizeof(*v.items));
		if (!v.items)
			return nomem(c);
		for (const struct fx_occ *o = occ; o < end; o++) {
			if (o->f->id == f->id && (!scope || occ_in(ix, o, scope))) {
				v.items[v.nitems] = occ_val(c, o, sc->frame);
				struct from fm = { sc->frame, f };
				if (from_add(c, &v.items[v.nitems], &fm, 1))
					return -1;
				v.nitems++;
			}
		}
	}
	*out = v;
	return 0;
}

/* ---- conversions */

static void
bytes_str(const struct val *v, struct tq_sbuf *out)
{
	char buf[64];
	const uint8_t *p = (const uint8_t *)v->s;
	if (v->ftype == FT_IPV4 && v->n == 4) {
		tq_ipv4_str(p, buf, sizeof(buf));
		tq_sbuf_puts(out, buf);
	} else if (v->ftype == FT_IPV6 && v->n == 16) {
		tq_ipv6_str(p, buf, sizeof(buf));
		tq_sbuf_puts(out, buf);
	} else {
		tq_hexstr(p, v->n, ':', out);
	}
}

static void
real_str(double d, struct tq_sbuf *out)
{
	if (d == floor(d) && fabs(d) < 1e15)
		tq_sbuf_printf(out, "%.1f", d);
	else
		tq_sbuf_printf(out, "%.15g", d);
}

/* A scalar's text; lists as their items joined with ", ". */
static void
val_str(const struct val *v, struct tq_sbuf *out)
{
	switch (v->k) {
	case V_BOOL: tq_sbuf_puts(out, v->i ? "true" : "false"); break;
	case V_INT: tq_sbuf_put_i64(out, v->i); break;
	case V_REAL: real_str(v->d, out); break;
	case V_STR: tq_sbuf_put(out, v->s, v->n); break;
	case V_BYTES: bytes_str(v, out); break;
	case V_LIST:
		for (size_t i = 0; i < v->nitems; i++) {
			if (i)
				tq_sbuf_puts(out, ", ");
			val_str(&v->items[i], out);
		}
		break;
	default: break;
	}
}

/* A value as a string in the evaluation's arena. */
static int
to_str(struct ctx *c, const struct val *v, struct val *out)
{
	if (v->k == V_STR) {
		*out = *v;
		return 0;
	}
	struct tq_sbuf b;
	tq_sbuf_init(&b, MAX_STR);
	val_str(v, &b);
	if (b.err) {
		tq_sbuf_free(&b);
		return b.err == TQ_ETOOBIG ? fail(c, NULL, "a computed string is longer than %u bytes", MAX_STR) : nomem(c);
	}
	if (step(c, 1 + (v->k == V_LIST ? v->nitems : 0) + b.len / 64)) {
		tq_sbuf_free(&b);
		return -1;
	}
	char *s = estrdup(c, b.s ? b.s : "", b.len);
	size_t n = b.len;
	tq_sbuf_free(&b);
	if (!s)
		return nomem(c);
	struct val r = { .k = V_STR, .s = s, .n = n, .f = v->f, .from = v->from, .nfrom = v->nfrom };
	*out = r;
	return 0;
}

/* The first value of a field's occurrences (a scalar stays as it is). */
static struct val
scalar(const struct val *v)
{
	if (v->k == V_LIST && v->multi)
		return v->nitems ? v->items[0] : none(NULL);
	return *v;
}

static int
truthy(const struct val *v)
{
	switch (v->k) {
	case V_BOOL:
	case V_INT: return v->i != 0;
	case V_REAL: return v->d != 0;
	case V_STR: return v->n != 0;
	case V_BYTES:
		if (v->mask) {
			for (size_t i = 0; i < v->n; i++)
				if (v->s[i])
					return 1;
			return 0;
		}
		return v->n != 0;
	case V_LIST: return v->nitems != 0;   /* a field: present */
	default: return 0;
	}
}

/* Compares two scalars: -1, 0, 1, or 2 when they cannot be compared. */
static int
compare(const struct val *a, const struct val *b)
{
	int an = a->k == V_INT || a->k == V_BOOL || a->k == V_REAL;
	int bn = b->k == V_INT || b->k == V_BOOL || b->k == V_REAL;
	if (an && bn) {
		if (a->k != V_REAL && b->k != V_REAL)
			return a->i < b->i ? -1 : a->i > b->i;
		double x = a->k == V_REAL ? a->d : (double)a->i, y = b->k == V_REAL ? b->d : (double)b->i;
		return x < y ? -1 : x > y;
	}
	if ((a->k == V_STR || a->k == V_BYTES) && (b->k == V_STR || b->k == V_BYTES)) {
		if (a->k == V_BYTES && b->k == V_STR && a->ftype != FT_BYTES) {
			/* an address against text: compare the address as Wireshark writes it */
			struct tq_sbuf s;
			tq_sbuf_init(&s, 0);
			bytes_str(a, &s);
			struct val t = { .k = V_STR, .s = s.s ? s.s : "", .n = s.len };
			int r = compare(&t, b);
			tq_sbuf_free(&s);
			return r;
		}
		if (a->k == V_STR && b->k == V_BYTES && b->ftype != FT_BYTES) {
			int r = compare(b, a);
			return r == 2 ? 2 : -r;
		}
		if (a->k == V_BYTES && b->k == V_BYTES && (a->subnet || b->subnet) && a->n == b->n) {
			/* an address in a subnet: equal when the prefix is */
			unsigned bits = a->subnet && b->subnet ? (a->plen < b->plen ? a->plen : b->plen) :
			    a->subnet ? a->plen : b->plen;
			const uint8_t *x = (const uint8_t *)a->s, *y = (const uint8_t *)b->s;
			int r = bits / 8 ? memcmp(x, y, bits / 8) : 0;
			if (r)
				return r < 0 ? -1 : 1;
			if (bits % 8) {
				uint8_t m = (uint8_t)(0xff << (8 - bits % 8));
				if ((x[bits / 8] & m) != (y[bits / 8] & m))
					return (x[bits / 8] & m) < (y[bits / 8] & m) ? -1 : 1;
			}
			return 0;
		}
		size_t n = a->n < b->n ? a->n : b->n;
		int r = n ? memcmp(a->s, b->s, n) : 0;
		if (r)
			return r < 0 ? -1 : 1;
		return a->n < b->n ? -1 : a->n > b->n;
	}
	if (an && b->k == V_STR) {
		int64_t v;
		if (parse_int(b->s, b->n, &v) == 0) {
			struct val t = { .k = V_INT, .i = v };
			return compare(a, &t);
		}
		return 2;
	}
	if (a->k == V_STR && bn) {
		int r = compare(b, a);
		return r == 2 ? 2 : -r;
	}
	return 2;
}

static int
cmp_true(int op, int r)
{
	switch (op) {
	case OP_EQ: return r == 0;
	case OP_NE: return r != 0;
	case OP_LT: return r < 0;
	case OP_GT: return r > 0;
	case OP_LE: return r <= 0;
	case OP_ALLEQ: return r == 0;
	case OP_ANYNE: return r != 0;
	default: return r >= 0;
	}
}

static const char *
kind_desc(int k)
{
	switch (k) {
	case V_BOOL: return "a boolean";
	case V_INT: return "an integer";
	case V_REAL: return "a number";
	case V_STR: return "text";
	case V_BYTES: return "bytes";
	case V_LIST: return "a list";
	default: return "nothing";
	}
}

static int ev(struct ctx *c, const struct node *n, const struct scope *sc, struct val *out);

/* Evaluates n as a member of an any/all comparison: a field's occurrences are
 * its members; anything else is one member. */
static int
members(const struct val *v, const struct val **items, size_t *n)
{
	if (v->k == V_LIST && v->multi) {
		*items = v->items;
		*n = v->nitems;
	} else if (v->k == V_NONE) {
		*items = NULL;
		*n = 0;
	} else {
		*items = v;
		*n = 1;
	}
	return 0;
}

/* A value as a list: a computed list as it is, a field's occurrences as the
 * list of them, a single value as a list of one. */
static struct val
as_list(const struct val *v)
{
	if (v->k == V_LIST)
		return *v;
	const struct val *it;
	size_t n;
	members(v, &it, &n);
	return (struct val){ .k = V_LIST, .items = (struct val *)it, .nitems = n };
}

static int
ev_cmp(struct ctx *c, const struct node *n, const struct scope *sc, struct val *out)
{
	struct val a, b;
	if (ev(c, n->a, sc, &a) || ev(c, n->b, sc, &b))
		return -1;
	if (a.k == V_LIST && !a.multi && b.k == V_LIST && !b.multi) {
		/* two computed lists: equal when they hold equal values in the same order */
		if (n->op != OP_EQ && n->op != OP_NE)
			return fail(c, n, "lists compare with == and != only");
		int eq = a.nitems == b.nitems;
		if (step(c, a.nitems))
			return -1;
		for (size_t i = 0; eq && i < a.nitems; i++)
			eq = compare(&a.items[i], &b.items[i]) == 0;
		*out = (struct val){ .k = V_BOOL, .i = n->op == OP_EQ ? eq : !eq };
		return 0;
	}
	const struct val *ai, *bi;
	size_t an, bn;
	members(&a, &ai, &an);
	members(&b, &bi, &bn);
	if (step(c, an * bn))
		return -1;
	int any = 0, all_ne = 1, all_eq = 1;
	for (size_t i = 0; i < an; i++) {
		for (size_t j = 0; j < bn; j++) {
			int r = compare(&ai[i], &bi[j]);
			if (r == 2) {
				char t1[128], t2[128];
				return fail(c, n, "cannot compare %s (%s) with %s (%s)", src_of(c, n->a, t1, sizeof(t1)),
				    kind_desc(ai[i].k), src_of(c, n->b, t2, sizeof(t2)), kind_desc(bi[j].k));
			}
			if (r == 0)
				all_ne = 0;
			else
				all_eq = 0;
			if (n->op != OP_NE && cmp_true(n->op, r))
				any = 1;
		}
	}
	/* != is "no member equal", === "every member equal", as Wireshark's; the others "some member" */
	*out = (struct val){ .k = V_BOOL, .i = n->op == OP_NE ? (an && bn && all_ne) :
	    n->op == OP_ALLEQ ? (an && bn && all_eq) : any };
	return 0;
}

static const void *
find_bytes(const void *h, size_t hn, const void *nd, size_t nn)
{
	if (!nn)
		return h;
	return memmem(h, hn, nd, nn);
}

static int
ev_contains(struct ctx *c, const struct node *n, const struct scope *sc, struct val *out)
{
	struct val a, b;
	if (ev(c, n->a, sc, &a) || ev(c, n->b, sc, &b))
		return -1;
	struct val x = scalar(&b);
	*out = (struct val){ .k = V_BOOL, .i = 0 };
	if (x.k == V_NONE)
		return 0;
	if (a.k == V_LIST && !a.multi) {
		/* a computed list holds the value */
		if (step(c, a.nitems))
			return -1;
		for (size_t i = 0; i < a.nitems; i++)
			if (compare(&a.items[i], &x) == 0)
				out->i = 1;
		return 0;
	}
	const struct val *ai;
	size_t an;
	members(&a, &ai, &an);
	struct val xs;
	if (x.k != V_STR && x.k != V_BYTES) {
		if (to_str(c, &x, &xs))
			return -1;
	} else {
		xs = x;
	}
	for (size_t i = 0; i < an; i++) {
		struct val h;
		if (ai[i].k == V_STR || ai[i].k == V_BYTES) {
			h = ai[i];
			if (h.ftype == FT_PROTOCOL)
				h.n = (size_t)h.i;
		} else if (ai[i].k == V_LIST) {
			if (step(c, ai[i].nitems))
				return -1;
			for (size_t j = 0; j < ai[i].nitems; j++)
				if (compare(&ai[i].items[j], &x) == 0)
					out->i = 1;
			continue;
		} else {
			char t[128];
			return fail(c, n, "contains needs text, bytes or a list; %s is %s", src_of(c, n->a, t, sizeof(t)),
			    kind_desc(ai[i].k));
		}
		if (step(c, 1 + h.n / 64))
			return -1;
		if (find_bytes(h.s, h.n, xs.s, xs.n))
			out->i = 1;
	}
	return 0;
}

/* Called by PCRE2 before each item of a pattern it tries. */
static int
re_callout(pcre2_callout_block *cb, void *data)
{
	struct ctx *c = data;
	(void)cb;
	c->steps += RE_STEPS;
	return c->steps > TQ_EXPR_MAX_STEPS ? PCRE2_ERROR_CALLOUT : 0;
}

static int
regex_match(struct ctx *c, const struct node *n, const struct val *v, int *hit)
{
	struct val s;
	if (v->k == V_STR || v->k == V_BYTES)
		s = *v;
	else if (to_str(c, v, &s))
		return -1;
	if (s.k == V_BYTES && s.ftype == FT_PROTOCOL)
		s.n = (size_t)s.i;   /* all it was given */
	if (0)
		return -1;
	if (!c->md) {
		c->md = pcre2_match_data_create(1, NULL);
		c->mc = pcre2_match_context_create(NULL);
		if (!c->md || !c->mc)
			return nomem(c);
		/* a pattern that backtracks without end stops with an error */
		pcre2_set_match_limit(c->mc, 1000000);
		pcre2_set_depth_limit(c->mc, 10000);
		pcre2_set_callout(c->mc, re_callout, c);
	}
	if (step(c, 1 + s.n / 16))
		return -1;
	int rc = pcre2_match(n->re, (PCRE2_SPTR)(s.s ? s.s : ""), s.n, 0, 0, c->md, c->mc);
	if (rc >= 0) {
		*hit = 1;
		return 0;
	}
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	if (rc == PCRE2_ERROR_CALLOUT)
		return step(c, 0);          /* past the steps: the message says so */
	if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT) {
		c->hard = 1;
		return fail(c, n, "the regular expression takes too long on this text (simplify it)");
	}
	return fail(c, n, "the regular expression failed (PCRE2 error %d)", rc);
}

static int
ev_matches(struct ctx *c, const struct node *n, const struct scope *sc, struct val *out)
{
	struct val a;
	if (ev(c, n->a, sc, &a))
		return -1;
	const struct val *ai;
	size_t an;
	members(&a, &ai, &an);
	int hit = 0;
	for (size_t i = 0; i < an && !hit; i++)
		if (regex_match(c, n, &ai[i], &hit))
			return -1;
	*out = (struct val){ .k = V_BOOL, .i = hit };
	return 0;
}

static int
ev_in(struct ctx *c, const struct node *n, const struct scope *sc, struct val *out)
{
	struct val a;
	if (ev(c, n->a, sc, &a))
		return -1;
	const struct val *ai;
	size_t an;
	members(&a, &ai, &an);
	int hit = 0;
	for (uint32_t k = 0; k < n->nargs && !hit; k++) {
		const struct node *m = n->args[k];
		if (m->kind == N_RANGE) {
			struct val lo, hi;
			if (ev(c, m->a, sc, &lo) || ev(c, m->b, sc, &hi))
				return -1;
			lo = scalar(&lo);
			hi = scalar(&hi);
			for (size_t i = 0; i < an; i++) {
				int r1 = compare(&ai[i], &lo), r2 = compare(&ai[i], &hi);
				if (r1 == 2 || r2 == 2)
					return fail(c, m, "cannot compare %s with this range", kind_desc(ai[i].k));
				if (r1 >= 0 && r2 <= 0)
					hit = 1;
			}
		} else {
			struct val v;
			if (ev(c, m, sc, &v))
				return -1;
			struct val vl = as_list(&v);        /* a computed list: any of its items */
			const struct val *vi = vl.items;
			size_t vn = vl.nitems;
			if (step(c, an * vn))
				return -1;
			for (size_t i = 0; i < an; i++) {
				for (size_t j = 0; j < vn; j++) {
					int r = compare(&ai[i], &vi[j]);
					if (r == 2)
						return fail(c, m, "cannot compare %s with %s", kind_desc(ai[i].k), kind_desc(vi[j].k));
					if (r == 0)
						hit = 1;
				}
			}
		}
	}
	*out = (struct val){ .k = V_BOOL, .i = hit };
	return 0;
}

static int
ev_arith(struct ctx *c, const struct node *n, const struct scope *sc, struct val *out)
{
	struct val a0, b0;
	if (ev(c, n->a, sc, &a0) || ev(c, n->b, sc, &b0))
		return -1;
	struct val a = scalar(&a0), b = scalar(&b0);
	if (a.k == V_NONE || b.k == V_NONE) {
		*out = none(a.k == V_NONE ? a.s : b.s);
		return 0;
	}
	if (n->op == OP_ADD && (a.k == V_STR || b.k == V_STR)) {
		/* text joins text */
		struct val as, bs;
		if (to_str(c, &a, &as) || to_str(c, &b, &bs))
			return -1;
		if (as.n + bs.n > MAX_STR)
			return fail(c, n, "a computed string is longer than %u bytes", MAX_STR);
		if (step(c, 1 + (as.n + bs.n) / 64))
			return -1;
		char *s = ealloc(c, as.n + bs.n + 1);
		if (!s)
			return nomem(c);
		memcpy(s, as.s, as.n);
		memcpy(s + as.n, bs.s, bs.n);
		s[as.n + bs.n] = '\0';
		*out = (struct val){ .k = V_STR, .s = s, .n = as.n + bs.n };
		return from_merge(c, out, &a) || from_merge(c, out, &b) ? -1 : 0;
	}
	if (n->op == OP_BAND && a.k == V_BYTES && b.k == V_BYTES) {
		/* bytes and bytes, as long as the shorter (tcp[13] & 0x12) */
		size_t k = a.n < b.n ? a.n : b.n;
		char *d = ealloc(c, k + 1);
		if (!d)
			return nomem(c);
		for (size_t i = 0; i < k; i++)
			d[i] = (char)(a.s[i] & b.s[i]);
		*out = (struct val){ .k = V_BYTES, .ftype = FT_BYTES, .mask = 1, .s = d, .n = k };
		return from_merge(c, out, &a) || from_merge(c, out, &b) ? -1 : 0;
	}
	int an = a.k == V_INT || a.k == V_BOOL || a.k == V_REAL, bn = b.k == V_INT || b.k == V_BOOL || b.k == V_REAL;
	if (!an || !bn) {
		char t[128];
		const struct node *bad = an ? n->b : n->a;
		return fail(c, bad, "arithmetic needs numbers; %s is %s", src_of(c, bad, t, sizeof(t)),
		    kind_desc(an ? b.k : a.k));
	}
	struct val r = { .k = V_INT };
	if (n->op == OP_BAND) {
		if (a.k == V_REAL || b.k == V_REAL)
			return fail(c, n, "'&' needs whole numbers");
		r.i = a.i & b.i;
		*out = r;
		return from_merge(c, out, &a) || from_merge(c, out, &b) ? -1 : 0;
	}
	/* an integer division with a remainder gives a real (INT64_MIN % -1 traps) */
	if (a.k == V_REAL || b.k == V_REAL || (n->op == OP_DIV && b.i != 0 && b.i != -1 && a.i % b.i != 0)) {
		double x = a.k == V_REAL ? a.d : (double)a.i, y = b.k == V_REAL ? b.d : (double)b.i;
		r.k = V_REAL;
		switch (n->op) {
		case OP_ADD: r.d = x + y; break;
		case OP_SUB: r.d = x - y; break;
		case OP_MUL: r.d = x * y; break;
		case OP_DIV:
			if (y == 0)
				return fail(c, n, "division by zero");
			r.d = x / y;
			break;
		default:
			if (y == 0)
				return fail(c, n, "division by zero");
			r.d = fmod(x, y);
			break;
		}
		if (!isfinite(r.d) && isfinite(x) && isfinite(y))
			return fail(c, n, "the result is too large for a number");
	} else {
		int64_t x = a.i, y = b.i, z = 0;
		int ovf = 0;
		switch (n->op) {
		case OP_ADD: ovf = __builtin_add_overflow(x, y, &z); break;
		case OP_SUB: ovf = __builtin_sub_overflow(x, y, &z); break;
		case OP_MUL: ovf = __builtin_mul_overflow(x, y, &z); break;
		case OP_DIV:
		case OP_MOD:
			if (y == 0)
				return fail(c, n, "division by zero");
			if (x == INT64_MIN && y == -1) {
				ovf = 1;
				break;
			}
			z = n->op == OP_DIV ? x / y : x % y;
			break;
		}
		if (ovf)
			return fail(c, n, "the result does not fit in 64 bits");
		r.i = z;
	}
	*out = r;
	return from_merge(c, out, &a) || from_merge(c, out, &b) ? -1 : 0;
}

/* ---- plain functions */

static int
need_str(struct ctx *c, const struct node *arg, const struct val *v, struct val *out)
{
	struct val s = scalar(v);
	if (s.k == V_LIST) {
		char t[128];
		return fail(c, arg, "%s is a list; this takes text", src_of(c, arg, t, sizeof(t)));
	}
	if (s.k == V_NONE) {
		*out = s;
		return 0;
	}
	return to_str(c, &s, out);
}

static int
need_int(struct ctx *c, const struct node *arg, const struct val *v, int64_t *out)
{
	struct val s = scalar(v);
	if (s.k == V_INT || s.k == V_BOOL) {
		*out = s.i;
		return 0;
	}
	if (s.k == V_STR && parse_int(s.s, s.n, out) == 0)
		return 0;
	char t[128];
	return fail(c, arg, "%s must be an integer, not %s", src_of(c, arg, t, sizeof(t)), kind_desc(s.k));
}

static int
is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == '\f' || ch == '\v';
}

/* The pieces of a text: cut at sep, or at runs of white space when sep is NULL. */
struct cut {
	const char *p, *end, *sep;
	size_t seplen;
	int done;
};

static int
cut_next(struct cut *ct, const char **start, size_t *len)
{
	if (ct->done)
		return 0;
	if (!ct->sep) {
		const char *p = ct->p;
		while (p < ct->end && is_space(*p))
			p++;
		if (p == ct->end) {
			ct->done = 1;
			return 0;
		}
		const char *q = p;
		while (q < ct->end && !is_space(*q))
			q++;
		*start = p;
		*len = (size_t)(q - p);
		ct->p = q;
		return 1;
	}
	const char *q = memmem(ct->p, (size_t)(ct->end - ct->p), ct->sep, ct->seplen);
	if (!q) {
		q = ct->end;
		ct->done = 1;
	}
	*start = ct->p;
	*len = (size_t)(q - ct->p);
	ct->p = ct->done ? q : q + ct->seplen;
	return 1;
}

/* Piece k (1-based; negative: from the end) of s cut at sep, or at runs of
 * white space when sep is NULL; a NONE value saying why when there is none. */
static int
piece(struct ctx *c, const struct val *s, const char *sep, size_t seplen, int64_t k, struct val *out)
{
	if (step(c, 1 + s->n / 64))
		return -1;
	struct cut ct = { s->s, s->s + s->n, sep, seplen, 0 };
	const char *p;
	size_t len, n = 0;
	while (cut_next(&ct, &p, &len))
		n++;
	/* |k| without overflow, INT64_MIN included */
	uint64_t mag = k < 0 ? (uint64_t)(-(k + 1)) + 1 : (uint64_t)k;
	if (k == 0 || mag > n) {
		char *why = eprintf(c, "%s %" PRId64 " of a text with %zu %s", sep ? "part" : "word",
		    k, n, sep ? (n == 1 ? "part" : "parts") : (n == 1 ? "word" : "words"));
		*out = none(why);
		return 0;
	}
	size_t want = k > 0 ? (size_t)mag - 1 : n - (size_t)mag;
	struct cut c2 = { s->s, s->s + s->n, sep, seplen, 0 };
	for (size_t i = 0; cut_next(&c2, &p, &len); i++)
		if (i == want)
			break;
	*out = (struct val){ .k = V_STR, .s = p, .n = len, .from = s->from, .nfrom = s->nfrom };
	return 0;
}

/* under(G): the occurrence an aggregate is at lies inside an occurrence of G
 * (x509sat.printableString under x509af.issuer, not under the subject). */
static int
ev_under(struct ctx *c, const struct node *n, const struct scope *sc, struct val *out)
{
	const struct tq_findex *ix = c->ix;
	const struct tq_field *g = n->args[0]->f;
	*out = (struct val){ .k = V_BOOL, .i = 0 };
	if (!sc->frame || !sc->occ)
		return fail(c, n, "under() belongs in the condition of an aggregate, such as first(F where under(%s))",
		    g->abbrev);
	const struct fx_frame *F = &ix->frames[sc->frame - 1];
	if (step(c, F->nocc))
		return -1;
	uint32_t pre = ix->anc[sc->occ->self].pre;
	for (uint32_t k = 0; k < F->nocc; k++) {
		const struct fx_occ *o = &ix->occ[F->occ0 + k];
		if (o->f->id != g->id || o == sc->occ)
			continue;
		const struct fx_anc *a = &ix->anc[o->self];
		if (pre > a->pre && pre <= a->end) {
			out->i = 1;
			break;
		}
	}
	return 0;
}

static int list_push(struct ctx *c, struct val *l, size_t *cap, const struct val *v);

/* The range [*lo, *end) slice n takes of len items; 0 when it falls outside them. */
static int
slice_range(const struct node *n, int64_t len, int64_t *lo, int64_t *end)
{
	*lo = n->lit.i;
	if (*lo < 0)
		*lo += len;
	switch (n->op) {
	case 0: *end = *lo + 1; break;
	case 1: *end = *lo + (int64_t)n->lit.n; break;
	case 2: {
		int64_t hi = (int64_t)n->lit.d;
		if (hi < 0)
			hi += len;
		*end = hi + 1;
		break;
	}
	default: *end = len; break;
	}
	return *lo >= 0 && *end <= len && *lo < *end;
}

/* A slice of each occurrence: bytes, or nothing where the range falls outside it.
 * In answer keys also of a computed text (its bytes) or list ([i]: an item). */
static int
ev_slice(struct ctx *c, const struct node *n, const struct scope *sc, struct val *out)
{
	struct val a;
	if (ev(c, n->a, sc, &a))
		return -1;
	int64_t lo, end;
	if ((a.k == V_STR || a.k == V_BYTES) && n->a->kind != N_FIELD) {
		if (!slice_range(n, (int64_t)a.n, &lo, &end)) {
			*out = none(eprintf(c, "the text has %zu bytes: the slice falls outside it", a.n));
			return 0;
		}
		struct val v = a;
		v.s += lo;
		v.n = (size_t)(end - lo);
		*out = v;
		return 0;
	}
	if (a.k == V_LIST && !a.multi) {
		if (!slice_range(n, (int64_t)a.nitems, &lo, &end)) {
			*out = none(eprintf(c, "the list has %zu values: the slice falls outside it", a.nitems));
			return 0;
		}
		if (n->op == 0) {
			*out = a.items[lo];
			return 0;
		}
		struct val v = a;
		v.items += lo;
		v.nitems = (size_t)(end - lo);
		*out = v;
		return 0;
	}
	if (a.k != V_LIST && a.k != V_NONE && n->a->kind != N_FIELD) {
		char t[128];
		return fail(c, n->a, "only text, bytes and lists can be sliced; %s is %s", src_of(c, n->a, t, sizeof(t)),
		    kind_desc(a.k));
	}
	const struct val *it;
	size_t cnt;
	members(&a, &it, &cnt);
	struct val l = { .k = V_LIST, .multi = 1 };
	size_t cap = 0;
	for (size_t k = 0; k < cnt; k++) {
		if (it[k].k != V_BYTES && it[k].k != V_STR)
			continue;
		if (!slice_range(n, (int64_t)it[k].n, &lo, &end))
			continue;
		struct val v = { .k = V_BYTES, .ftype = FT_BYTES, .s = it[k].s + lo, .n = (size_t)(end - lo) };
		if (from_merge(c, &v, &it[k]) || list_push(c, &l, &cap, &v))
			return -1;
	}
	*out = l;
	return 0;
}

/* A display filter's function: on every occurrence of its arguments in the frame. */
static int
ev_filter_fn(struct ctx *c, const struct node *n, const struct scope *sc, struct val *out)
{
	struct val l = { .k = V_LIST, .multi = 1 }, best = { .k = V_NONE };
	size_t cap = 0;
	for (uint32_t i = 0; i < n->nargs; i++) {
		struct val a;
		if (ev(c, n->args[i], sc, &a))
			return -1;
		const struct val *it;
		size_t cnt;
		members(&a, &it, &cnt);
		if (n->fn == F_FCOUNT) {
			*out = (struct val){ .k = V_INT, .i = (int64_t)cnt };
			return 0;
		}
		if (step(c, cnt))
			return -1;
		for (size_t k = 0; k < cnt; k++) {
			struct val v = it[k];
			switch (n->fn) {
			case F_FLEN:
				if (v.k != V_STR && v.k != V_BYTES)
					return fail(c, n->args[i], "len() takes bytes or text");
				v = (struct val){ .k = V_INT, .i = (int64_t)it[k].n };
				break;
			case F_FSTRING:
				if (to_str(c, &it[k], &v))
					return -1;
				break;
			case F_FUPPER:
			case F_FLOWER: {
				if (v.k != V_STR)
					return fail(c, n->args[i], "%s() takes text", fns[n->fn].name);
				char *s = ealloc(c, v.n + 1);
				if (!s)
					return nomem(c);
				for (size_t j = 0; j < v.n; j++) {
					char ch = v.s[j];
					s[j] = n->fn == F_FUPPER ? (ch >= 'a' && ch <= 'z' ? (char)(ch - 32) : ch) :
					    (ch >= 'A' && ch <= 'Z' ? (char)(ch + 32) : ch);
				}
				s[v.n] = '\0';
				v.s = s;
				break;
			}
			case F_FABS:
				if (v.k == V_INT)
					v.i = v.i < 0 && v.i != INT64_MIN ? -v.i : v.i;
				else if (v.k == V_REAL)
					v.d = fabs(v.d);
				else
					return fail(c, n->args[i], "abs() takes numbers");
				break;
			default: {          /* max, min */
				if (v.k != V_INT && v.k != V_REAL)
					return fail(c, n->args[i], "%s() takes numbers", fns[n->fn].name);
				int r = best.k == V_NONE ? 0 : compare(&v, &best);
				if (best.k == V_NONE || (n->fn == F_FMAX ? r > 0 : r < 0))
					best = v;
				continue;
			}
			}
			if (list_push(c, &l, &cap, &v))
				return -1;
		}
	}
	if (n->fn == F_FMAX || n->fn == F_FMIN) {
		*out = best.k == V_NONE ? l : best;
		return 0;
	}
	*out = l;
	return 0;
}

/* Wireshark's name for a value (a field's value string or true/false), else its text. */
static int
label_of(struct ctx *c, const struct val *v, struct val *out)
{
	struct val s = scalar(v);
	if (s.k == V_NONE) {
		*out = s;
		return 0;
	}
	if (s.f && (s.k == V_INT || s.k == V_BOOL) &&
	    (s.f->skind != SK_NONE || s.f->type == FT_BOOLEAN)) {
		const char *name = s.f->skind != SK_NONE ? tq_val_str(s.f, (uint64_t)s.i) :
		    (s.i ? tq_tfs_true_false.t : tq_tfs_true_false.f);
		if (name) {
			*out = (struct val){ .k = V_STR, .s = name, .n = strlen(name), .from = s.from, .nfrom = s.nfrom };
			return 0;
		}
		char *why = eprintf(c, "%s has no name for the value %" PRId64, s.f->abbrev, s.i);
		*out = none(why);
		return 0;
	}
	return to_str(c, &s, out);
}

/*
 * Bytes as text: printable ASCII, valid UTF-8 and the white space \t \n \r
 * as they are (so that trim() and split() work on them), any other byte as
 * \xHH.  Text stays as it is; numbers and addresses give their text.
 */
static int
text_of(struct ctx *c, const struct val *v, struct val *out)
{
	struct val s = scalar(v);
	if (s.k == V_NONE || s.k == V_STR) {
		*out = s;
		return 0;
	}
	if (s.k != V_BYTES || s.ftype != FT_BYTES)
		return to_str(c, &s, out);
	if (s.n > MAX_STR / 4)
		return fail(c, NULL, "a computed string is longer than %u bytes", MAX_STR);
	if (step(c, 1 + s.n / 64))
		return -1;
	char *r = ealloc(c, s.n * 4 + 1);
	if (!r)
		return nomem(c);
	const uint8_t *p = (const uint8_t *)s.s;
	size_t o = 0;
	for (size_t i = 0; i < s.n;) {
		uint8_t b = p[i];
		size_t k = 0;        /* a valid UTF-8 sequence's length */
		if ((b >= 0x20 && b < 0x7f) || b == '\t' || b == '\n' || b == '\r') {
			k = 1;
		} else if (b >= 0xc2 && b <= 0xf4) {
			size_t need = b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4;
			if (i + need <= s.n) {
				k = need;
				for (size_t j = 1; j < need; j++)
					if ((p[i + j] & 0xc0) != 0x80)
						k = 0;
				/* no overlong forms, no surrogates, nothing past U+10FFFF */
				if (k && ((b == 0xe0 && p[i + 1] < 0xa0) || (b == 0xed && p[i + 1] >= 0xa0) ||
				    (b == 0xf0 && p[i + 1] < 0x90) || (b == 0xf4 && p[i + 1] >= 0x90)))
					k = 0;
			}
		}
		if (k) {
			memcpy(r + o, p + i, k);
			o += k;
			i += k;
		} else {
			static const char hex[] = "0123456789abcdef";
			r[o++] = '\\';
			r[o++] = 'x';
			r[o++] = hex[b >> 4];
			r[o++] = hex[b & 15];
			i++;
		}
	}
	r[o] = '\0';
	*out = (struct val){ .k = V_STR, .s = r, .n = o, .from = s.from, .nfrom = s.nfrom };
	return 0;
}

/* Whether list l holds a value equal to v. */
static int
holds(const struct val *l, const struct val *v)
{
	for (size_t i = 0; i < l->nitems; i++)
		if (compare(&l->items[i], v) == 0)
			return 1;
	return 0;
}

/*
 * intersect(a, b), union(a, b), difference(a, b): each value once, in the
 * order first met (a's, then b's for a union).  A single value counts as a
 * list of one; a field's occurrences as the list of them.
 */
static int
set_op(struct ctx *c, const struct node *n, const struct val *args, struct val *out)
{
	struct val in[2] = { as_list(&args[0]), as_list(&args[1]) };
	if (step(c, 1 + (in[0].nitems + in[1].nitems) * (in[0].nitems + in[1].nitems) / 64))
		return -1;
	struct val l = { .k = V_LIST };
	size_t cap = 0;
	for (int side = 0; side < (n->fn == F_UNION ? 2 : 1); side++) {
		for (size_t i = 0; i < in[side].nitems; i++) {
			const struct val *v = &in[side].items[i];
			int keep = n->fn == F_UNION ? 1 : n->fn == F_INTERSECT ? holds(&in[1], v) : !holds(&in[1], v);
			if (keep && !holds(&l, v) && list_push(c, &l, &cap, v))
				return -1;
		}
	}
	*out = l;
	return 0;
}

/*
 * index(list, v): where v first is in the list, counting from 0 as slices do;
 * index(text, t): the offset of the first t in the text.  No value when it is
 * not there.
 */
static int
ev_index(struct ctx *c, const struct val *a, struct val *out)
{
	struct val x = scalar(&a[1]);
	if (a[0].k == V_NONE || x.k == V_NONE) {
		*out = a[0].k == V_NONE ? a[0] : x;
		return 0;
	}
	if (a[0].k == V_STR || a[0].k == V_BYTES) {
		struct val t;
		if (x.k == V_STR || x.k == V_BYTES)
			t = x;
		else if (to_str(c, &x, &t))
			return -1;
		if (step(c, 1 + a[0].n / 64))
			return -1;
		const char *p = find_bytes(a[0].s, a[0].n, t.s, t.n);
		if (p)
			*out = (struct val){ .k = V_INT, .i = p - a[0].s };
		else
			*out = (struct val){ .k = V_NONE, .s = "the text does not hold what index() looks for" };
		return 0;
	}
	struct val l = as_list(&a[0]);
	if (step(c, 1 + l.nitems))
		return -1;
	for (size_t i = 0; i < l.nitems; i++) {
		if (compare(&l.items[i], &x) == 0) {
			*out = (struct val){ .k = V_INT, .i = (int64_t)i };
			return 0;
		}
	}
	*out = (struct val){ .k = V_NONE, .s = "the list does not hold what index() looks for" };
	return 0;
}

/* filter(list, cond): the items for which cond holds, 'it' naming each. */
static int
ev_filter(struct ctx *c, const struct node *n, const struct scope *sc, struct val *out)
{
	struct val a;
	if (ev(c, n->args[0], sc, &a))
		return -1;
	if (a.k == V_NONE) {
		*out = a;
		return 0;
	}
	struct val in = as_list(&a), l = { .k = V_LIST };
	size_t cap = 0;
	const struct val *saved = c->item;
	int rc = 0;
	for (size_t i = 0; i < in.nitems && !rc; i++) {
		struct val t;
		c->item = &in.items[i];
		rc = ev(c, n->args[1], sc, &t);
		if (!rc && truthy(&t))
			rc = list_push(c, &l, &cap, &in.items[i]);
	}
	c->item = saved;
	if (rc)
		return -1;
	*out = l;
	return 0;
}

static int
ev_call(struct ctx *c, const struct node *n, const struct scope *sc, struct val *out)
{
	if (n->fn == F_UNDER)
		return ev_under(c, n, sc, out);
	if (n->fn == F_FILTER)
		return ev_filter(c, n, sc, out);
	if (n->fn >= F_FCOUNT)
		return ev_filter_fn(c, n, sc, out);
	struct val a[3];
	for (uint32_t i = 0; i < n->nargs; i++)
		if (ev(c, n->args[i], sc, &a[i]))
			return -1;
	switch (n->fn) {
	case F_LOWER:
	case F_UPPER:
	case F_TRIM: {
		struct val s;
		if (need_str(c, n->args[0], &a[0], &s))
			return -1;
		if (s.k == V_NONE) {
			*out = s;
			return 0;
		}
		if (step(c, 1 + s.n / 64))
			return -1;
		if (n->fn == F_TRIM) {
			const char *p = s.s, *e = s.s + s.n;
			while (p < e && is_space(*p))
				p++;
			while (e > p && is_space(e[-1]))
				e--;
			s.s = p;
			s.n = (size_t)(e - p);
			*out = s;
			return 0;
		}
		char *d = ealloc(c, s.n + 1);
		if (!d)
			return nomem(c);
		for (size_t i = 0; i < s.n; i++) {
			char ch = s.s[i];
			if (n->fn == F_LOWER && ch >= 'A' && ch <= 'Z')
				ch = (char)(ch - 'A' + 'a');
			else if (n->fn == F_UPPER && ch >= 'a' && ch <= 'z')
				ch = (char)(ch - 'a' + 'A');
			d[i] = ch;
		}
		d[s.n] = '\0';
		s.s = d;
		*out = s;
		return 0;
	}
	case F_WORD: {
		struct val s;
		int64_t k;
		if (need_str(c, n->args[0], &a[0], &s) || need_int(c, n->args[1], &a[1], &k))
			return -1;
		if (s.k == V_NONE) {
			*out = s;
			return 0;
		}
		return piece(c, &s, NULL, 0, k, out);
	}
	case F_SPLIT: {
		struct val s, sep;
		if (need_str(c, n->args[0], &a[0], &s) || need_str(c, n->args[1], &a[1], &sep))
			return -1;
		if (s.k == V_NONE || sep.k == V_NONE) {
			*out = s.k == V_NONE ? s : sep;
			return 0;
		}
		if (!sep.n)
			return fail(c, n->args[1], "split() needs a separator that is not empty");
		if (n->nargs == 3) {
			int64_t k;
			if (need_int(c, n->args[2], &a[2], &k))
				return -1;
			return piece(c, &s, sep.s, sep.n, k, out);
		}
		/* the whole list */
		struct val l = { .k = V_LIST };
		size_t cap = 0;
		struct cut ct = { s.s, s.s + s.n, sep.s, sep.n, 0 };
		const char *p;
		size_t plen;
		if (step(c, 1 + s.n / 64))
			return -1;
		while (cut_next(&ct, &p, &plen)) {
			if (step(c, 1))
				return -1;
			if (l.nitems == cap) {
				if (cap >= MAX_LIST)
					return fail(c, n, "split() makes more than %d parts", MAX_LIST);
				size_t nc = cap ? cap * 2 : 8;
				struct val *ni = ealloc(c, nc * sizeof(*ni));
				if (!ni)
					return nomem(c);
				if (cap)
					memcpy(ni, l.items, cap * sizeof(*ni));
				l.items = ni;
				cap = nc;
			}
			l.items[l.nitems++] = (struct val){ .k = V_STR, .s = p, .n = plen };
		}
		*out = l;
		return from_merge(c, out, &s);
	}
	case F_LEN: {
		struct val s = scalar(&a[0]);
		if (a[0].k == V_LIST && !a[0].multi)
			s = a[0];
		if (s.k == V_LIST) {
			*out = (struct val){ .k = V_INT, .i = (int64_t)s.nitems };
		} else if (s.k == V_NONE) {
			*out = s;
			return 0;
		} else {
			struct val t;
			if (to_str(c, &s, &t))
				return -1;
			*out = (struct val){ .k = V_INT, .i = (int64_t)t.n };
		}
		return from_merge(c, out, &s);
	}
	case F_LABEL:
		if (a[0].k == V_LIST && !a[0].multi) {
			/* every item labelled */
			struct val l = { .k = V_LIST };
			size_t cap = 0;
			for (size_t i = 0; i < a[0].nitems; i++) {
				struct val v;
				if (label_of(c, &a[0].items[i], &v) || list_push(c, &l, &cap, &v))
					return -1;
			}
			*out = l;
			return 0;
		}
		return label_of(c, &a[0], out);
	case F_TEXT:
		if (a[0].k == V_LIST && !a[0].multi) {
			struct val l = { .k = V_LIST };
			size_t cap = 0;
			for (size_t i = 0; i < a[0].nitems; i++) {
				struct val v;
				if (text_of(c, &a[0].items[i], &v) || list_push(c, &l, &cap, &v))
					return -1;
			}
			*out = l;
			return 0;
		}
		return text_of(c, &a[0], out);
	case F_INDEX:
		return ev_index(c, a, out);
	case F_INTERSECT:
	case F_UNION:
	case F_DIFFERENCE:
		return set_op(c, n, a, out);
	case F_STR: {
		struct val s = a[0].k == V_LIST && !a[0].multi ? a[0] : scalar(&a[0]);
		if (s.k == V_NONE) {
			*out = s;
			return 0;
		}
		return to_str(c, &s, out);
	}
	case F_INT: {
		struct val s = scalar(&a[0]);
		if (s.k == V_NONE) {
			*out = s;
			return 0;
		}
		int64_t v;
		if (s.k == V_REAL) {
			if (!(s.d > -9.2e18 && s.d < 9.2e18))
				return fail(c, n, "the number does not fit in 64 bits");
			v = (int64_t)s.d;
		} else if (s.k == V_STR) {
			struct val t;
			if (to_str(c, &s, &t))
				return -1;
			/* leading and trailing white space is fine */
			const char *p = t.s, *e = t.s + t.n;
			while (p < e && is_space(*p))
				p++;
			while (e > p && is_space(e[-1]))
				e--;
			if (parse_int(p, (size_t)(e - p), &v) != 0) {
				char *why = eprintf(c, "\"%.*s\" is not an integer", (int)((e - p) > 60 ? 60 : e - p), p);
				*out = none(why);
				return 0;
			}
		} else if (s.k == V_INT || s.k == V_BOOL) {
			v = s.i;
		} else {
			char t[128];
			return fail(c, n->args[0], "int() cannot read %s (%s)", src_of(c, n->args[0], t, sizeof(t)), kind_desc(s.k));
		}
		*out = (struct val){ .k = V_INT, .i = v, .from = s.from, .nfrom = s.nfrom };
		return 0;
	}
	case F_JOIN: {
		struct val sep;
		if (need_str(c, n->args[1], &a[1], &sep))
			return -1;
		if (a[0].k != V_LIST) {
			char t[128];
			return fail(c, n->args[0], "join() takes a list; %s is %s", src_of(c, n->args[0], t, sizeof(t)),
			    kind_desc(a[0].k));
		}
		struct tq_sbuf b;
		tq_sbuf_init(&b, MAX_STR);
		for (size_t i = 0; i < a[0].nitems && !b.err; i++) {
			if (i && sep.k == V_STR)
				tq_sbuf_put(&b, sep.s, sep.n);
			val_str(&a[0].items[i], &b);
		}
		if (b.err) {
			tq_sbuf_free(&b);
			return b.err == TQ_ETOOBIG ? fail(c, n, "a computed string is longer than %u bytes", MAX_STR) : nomem(c);
		}
		if (step(c, 1 + a[0].nitems + b.len / 64)) {
			tq_sbuf_free(&b);
			return -1;
		}
		char *s = estrdup(c, b.s ? b.s : "", b.len);
		size_t len = b.len;
		tq_sbuf_free(&b);
		if (!s)
			return nomem(c);
		*out = (struct val){ .k = V_STR, .s = s, .n = len };
		return from_merge(c, out, &a[0]);
	}
	default:
		return fail(c, n, "internal error: function %d", n->fn);
	}
}

/* ---- aggregates */

static int
list_push(struct ctx *c, struct val *l, size_t *cap, const struct val *v)
{
	if (l->nitems == *cap) {
		if (*cap >= MAX_LIST)
			return fail(c, NULL, "a computed list has more than %d values", MAX_LIST);
		size_t nc = *cap ? *cap * 2 : 16;
		struct val *ni = ealloc(c, nc * sizeof(*ni));
		if (!ni)
			return nomem(c);
		if (*cap)
			memcpy(ni, l->items, *cap * sizeof(*ni));
		l->items = ni;
		*cap = nc;
	}
	l->items[l->nitems++] = *v;
	return 0;
}

/* distinct(): the values met so far, by hash; a value equals another of the
 * same kind that compare() finds equal (lists never do). */
struct vset {
	uint32_t *slot;              /* index + 1 in the list, 0 empty */
	size_t cap, n;
};

static uint64_t
val_hash(const struct val *v)
{
	uint64_t h = 1469598103934665603ull ^ v->k;
	const uint8_t *p;
	size_t n;
	double d;
	switch (v->k) {
	case V_INT:
	case V_BOOL:
		p = (const uint8_t *)&v->i;
		n = sizeof(v->i);
		break;
	case V_REAL:
		d = v->d == 0 ? 0 : isnan(v->d) ? NAN : v->d;     /* -0 is 0 */
		p = (const uint8_t *)&d;
		n = sizeof(d);
		break;
	default:
		p = (const uint8_t *)v->s;
		n = v->n;
		break;
	}
	h = tq_fnv1a64(h, p, n);
	return h ^ (h >> 29);
}

/* 1 when l already holds a value equal to v, 0 when not (and v's place is
 * taken for it: push v next), -1 out of memory. */
static int
vset_seen(struct vset *vs, const struct val *l, const struct val *v)
{
	if (v->k == V_LIST)
		return 0;
	if ((vs->n + 1) * 2 > vs->cap) {
		size_t nc = vs->cap ? vs->cap * 2 : 64;
		uint32_t *ns = calloc(nc, sizeof(*ns));
		if (!ns)
			return -1;
		for (size_t i = 0; i < vs->cap; i++) {
			if (!vs->slot[i])
				continue;
			size_t j = val_hash(&l->items[vs->slot[i] - 1]) & (nc - 1);
			while (ns[j])
				j = (j + 1) & (nc - 1);
			ns[j] = vs->slot[i];
		}
		free(vs->slot);
		vs->slot = ns;
		vs->cap = nc;
	}
	size_t j = val_hash(v) & (vs->cap - 1);
	while (vs->slot[j]) {
		const struct val *o = &l->items[vs->slot[j] - 1];
		if (o->k == v->k && compare(o, v) == 0)
			return 1;
		j = (j + 1) & (vs->cap - 1);
	}
	vs->slot[j] = (uint32_t)l->nitems + 1;
	vs->n++;
	return 0;
}

/* The condition of an aggregate at one occurrence: read in the scratch
 * arena, emptied afterwards, and with no origins kept (none are shown). */
static int
ev_cond(struct ctx *c, const struct node *n, const struct scope *sc, struct tq_arena *scratch, int *yes)
{
	struct tq_arena *saved = c->cur;
	int explain = c->explain;
	struct val cv;
	c->cur = scratch;
	c->explain = 0;
	int rc = ev(c, n, sc, &cv);
	c->cur = saved;
	c->explain = explain;
	if (rc == 0)
		*yes = truthy(&cv);
	scratch_reset(c, scratch);
	return rc;
}

static int
ev_agg_walk(struct ctx *c, const struct node *n, struct val *out, struct tq_arena *scratch, struct vset *vs)
{
	const struct tq_findex *ix = c->ix;
	int64_t want = 0;
	if (n->fn == F_NTH) {
		struct val k;
		struct scope top = { 0, NULL };
		if (ev(c, n->c, &top, &k) || need_int(c, n->c, &k, &want))
			return -1;
		if (want == 0)
			return fail(c, n->c, "nth() counts from 1 (or from -1, the last)");
		if (want < -(int64_t)MAX_LIST)
			return fail(c, n->c, "nth() from the end goes back %d values at most", MAX_LIST);
	}
	uint32_t walk = n->f ? n->f->id : 0;
	int64_t count = 0, matched = 0;
	struct val acc = { .k = V_NONE }, list = { .k = V_LIST };
	size_t cap = 0;
	struct val *ring = NULL;     /* nth(-k): the last k values */
	int64_t back = want < 0 ? -want : 0;
	if (back) {
		ring = ealloc(c, (size_t)back * sizeof(*ring));
		if (!ring)
			return nomem(c);
	}
	int sum_real = 0;
	double dsum = 0;
	int64_t isum = 0;
	int done = 0;
	const struct tq_field *frame_f = tq_field_lookup("frame");

	for (uint32_t fr = 1; fr <= ix->nframes && !done; fr++) {
		const struct fx_frame *F = &ix->frames[fr - 1];
		if (step(c, 1 + F->nocc))
			return -1;
		for (uint32_t k = 0; k < F->nocc && !done; k++) {
			const struct fx_occ *o = &ix->occ[F->occ0 + k];
			if (walk ? o->f->id != walk : o->f->id != frame_f->id)
				continue;
			struct scope sc = { fr, o };
			if (n->b) {
				int yes = 0;
				if (ev_cond(c, n->b, &sc, scratch, &yes))
					return -1;
				if (!yes)
					continue;
			}
			matched++;
			if (n->fn == F_COUNT) {
				count++;
				if (c->explain && count <= MAX_FROM) {
					struct from fm = { fr, n->f ? n->f : frame_f };
					if (from_add(c, &acc, &fm, 1))
						return -1;
				}
				continue;
			}
			struct val v;
			if (ev(c, n->a, &sc, &v))
				return -1;
			v = scalar(&v);
			if (v.k == V_NONE)
				continue;
			switch (n->fn) {
			case F_FIRST:
				acc = v;
				done = 1;
				break;
			case F_LAST:
				acc = v;
				break;
			case F_NTH:
				if (want > 0) {
					if (++count == want) {
						acc = v;
						done = 1;
					}
				} else {
					ring[count % back] = v;
					count++;
				}
				break;
			case F_LIST:
				if (list_push(c, &list, &cap, &v))
					return -1;
				break;
			case F_DISTINCT: {
				if (step(c, 1))
					return -1;
				int seen = vset_seen(vs, &list, &v);
				if (seen < 0)
					return nomem(c);
				if (!seen && list_push(c, &list, &cap, &v))
					return -1;
				break;
			}
			case F_MIN:
			case F_MAX: {
				if (acc.k == V_NONE) {
					acc = v;
					break;
				}
				int r = compare(&v, &acc);
				if (r == 2) {
					char t[128];
					return fail(c, n->a, "min()/max() cannot order %s values of %s", kind_desc(v.k),
					    src_of(c, n->a, t, sizeof(t)));
				}
				if ((n->fn == F_MIN && r < 0) || (n->fn == F_MAX && r > 0))
					acc = v;
				break;
			}
			case F_SUM:
				if (v.k == V_REAL) {
					sum_real = 1;
					dsum += v.d;
				} else if (v.k == V_INT || v.k == V_BOOL) {
					if (__builtin_add_overflow(isum, v.i, &isum))
						return fail(c, n, "the sum does not fit in 64 bits");
					dsum += (double)v.i;
				} else {
					char t[128];
					return fail(c, n->a, "sum() adds numbers; %s is %s", src_of(c, n->a, t, sizeof(t)), kind_desc(v.k));
				}
				if (c->explain && acc.nfrom < MAX_FROM && from_merge(c, &acc, &v))
					return -1;
				acc.k = V_INT;
				break;
			default:
				break;
			}
		}
	}

	char what[200], cond[200];
	src_of(c, n->a, what, sizeof(what));
	if (n->b)
		src_of(c, n->b, cond, sizeof(cond));
	switch (n->fn) {
	case F_COUNT:
		*out = (struct val){ .k = V_INT, .i = count, .from = acc.from, .nfrom = acc.nfrom };
		return 0;
	case F_LIST:
	case F_DISTINCT:
		for (size_t i = 0; i < list.nitems && c->explain; i++)
			if (from_merge(c, &list, &list.items[i]))
				return -1;
		*out = list;
		return 0;
	case F_SUM:
		if (sum_real && !isfinite(dsum))
			return fail(c, n, "the sum is too large for a number");
		if (sum_real)
			*out = (struct val){ .k = V_REAL, .d = dsum, .from = acc.from, .nfrom = acc.nfrom };
		else
			*out = (struct val){ .k = V_INT, .i = isum, .from = acc.from, .nfrom = acc.nfrom };
		return 0;
	case F_NTH:
		if (want < 0 && count >= back)
			acc = ring[(count - back) % back];
		if (acc.k == V_NONE)
			return fail(c, n, "there %s only %" PRId64 " %s%s%s, not %" PRId64, count == 1 ? "is" : "are", count,
			    what, n->b ? " where " : "", n->b ? cond : "", want > 0 ? want : -want);
		*out = acc;
		return 0;
	default:
		if (acc.k == V_NONE) {
			if (matched && n->b)
				return fail(c, n, "%s has no value in the frames where %s", what, cond);
			if (n->b)
				return fail(c, n, "no frame has %s where %s", what, cond);
			return fail(c, n, "no frame has %s", what);
		}
		*out = acc;
		return 0;
	}
}

static int
ev_agg(struct ctx *c, const struct node *n, struct val *out)
{
	struct tq_arena scratch;
	struct vset vs = { NULL, 0, 0 };
	tq_arena_init(&scratch, 0);
	int rc = ev_agg_walk(c, n, out, &scratch, &vs);
	scratch_free(c, &scratch);
	free(vs.slot);
	return rc;
}

static int
ev(struct ctx *c, const struct node *n, const struct scope *sc, struct val *out)
{
	if (step(c, 1))
		return -1;
	switch (n->kind) {
	case N_LIT:
	case N_RAW:
		*out = n->lit;
		return 0;
	case N_FIELD:
		return field_val(c, n, sc, out);
	case N_SLICE:
		return ev_slice(c, n, sc, out);
	case N_IF: {
		struct val cond;
		if (ev(c, n->a, sc, &cond))
			return -1;
		return ev(c, truthy(&cond) ? n->b : n->c, sc, out);
	}
	case N_NOT: {
		struct val a;
		if (ev(c, n->a, sc, &a))
			return -1;
		*out = (struct val){ .k = V_BOOL, .i = !truthy(&a) };
		return 0;
	}
	case N_AND:
	case N_OR: {
		struct val a;
		if (ev(c, n->a, sc, &a))
			return -1;
		int t = truthy(&a);
		if ((n->kind == N_AND && !t) || (n->kind == N_OR && t)) {
			*out = (struct val){ .k = V_BOOL, .i = t };
			return 0;
		}
		struct val b;
		if (ev(c, n->b, sc, &b))
			return -1;
		*out = (struct val){ .k = V_BOOL, .i = truthy(&b) };
		return 0;
	}
	case N_CMP:
		return ev_cmp(c, n, sc, out);
	case N_CONTAINS:
		return ev_contains(c, n, sc, out);
	case N_MATCHES:
		return ev_matches(c, n, sc, out);
	case N_IN:
		return ev_in(c, n, sc, out);
	case N_ARITH:
		return ev_arith(c, n, sc, out);
	case N_NEG: {
		struct val a0;
		if (ev(c, n->a, sc, &a0))
			return -1;
		struct val a = scalar(&a0);
		if (a.k == V_INT && a.i == INT64_MIN) {
			return fail(c, n, "the result does not fit in 64 bits");
		} else if (a.k == V_INT) {
			a.i = -a.i;
		} else if (a.k == V_REAL) {
			a.d = -a.d;
		} else if (a.k != V_NONE) {
			char t[128];
			return fail(c, n->a, "cannot negate %s (%s)", src_of(c, n->a, t, sizeof(t)), kind_desc(a.k));
		}
		a.f = NULL;
		*out = a;
		return 0;
	}
	case N_CALL:
		return ev_call(c, n, sc, out);
	case N_ITEM:
		*out = *c->item;
		return 0;
	case N_AGG: {
		/* an aggregate reads its own frames: once per evaluation, or once
		 * per item when its condition reads filter()'s item */
		struct memo *m = &c->memo[n->id];
		if (n->item_dep) {
			struct tq_arena *saved = c->cur;
			c->cur = &c->arena;
			int rc = ev_agg(c, n, out);
			c->cur = saved;
			return rc;
		}
		if (m->state == 1) {
			*out = m->v;
			return 0;
		}
		if (m->state == 2) {
			c->err = m->err;
			return -1;
		}
		/* made where it lasts: it is remembered, even when met in a condition */
		struct tq_arena *saved = c->cur;
		c->cur = &c->arena;
		int rc = ev_agg(c, n, out);
		c->cur = saved;
		if (rc) {
			if (c->hard)
				return -1;
			m->state = 2;
			m->err = c->err;
			return -1;
		}
		m->state = 1;
		m->v = *out;
		return 0;
	}
	case N_FALLBACK: {
		struct val a;
		if (ev(c, n->a, sc, &a) == 0 && scalar(&a).k != V_NONE && !(a.k == V_LIST && a.multi && !a.nitems)) {
			*out = a;
			return 0;
		}
		if (c->hard)
			return -1;
		return ev(c, n->b, sc, out);
	}
	default:
		return fail(c, n, "this cannot be evaluated here");
	}
}

/* ---- results */

/* Text as JSON wants it: valid UTF-8, other bytes as U+FFFD. */
static json_t *
json_text(const char *s, size_t n)
{
	size_t i = 0;
	int ok = 1;
	while (i < n) {
		unsigned char ch = (unsigned char)s[i];
		size_t k = ch < 0x80 ? 1 : (ch >> 5) == 6 ? 2 : (ch >> 4) == 14 ? 3 : (ch >> 3) == 30 ? 4 : 0;
		if (!k || i + k > n || !ch) {
			ok = 0;
			break;
		}
		for (size_t j = 1; j < k; j++)
			if (((unsigned char)s[i + j] >> 6) != 2)
				ok = 0;
		if (!ok)
			break;
		i += k;
	}
	if (ok)
		return json_stringn(s, n);
	struct tq_sbuf b;
	tq_sbuf_init(&b, 0);
	for (i = 0; i < n;) {
		unsigned char ch = (unsigned char)s[i];
		size_t k = ch < 0x80 ? 1 : (ch >> 5) == 6 ? 2 : (ch >> 4) == 14 ? 3 : (ch >> 3) == 30 ? 4 : 0;
		int good = k && i + k <= n && ch;
		for (size_t j = 1; good && j < k; j++)
			if (((unsigned char)s[i + j] >> 6) != 2)
				good = 0;
		if (good) {
			tq_sbuf_put(&b, s + i, k);
			i += k;
		} else {
			tq_sbuf_puts(&b, "\xef\xbf\xbd");
			i++;
		}
	}
	json_t *j = json_stringn(b.s ? b.s : "", b.len);
	tq_sbuf_free(&b);
	return j;
}

/* JSON has no infinities (a field of the trace may hold one). */
static int
all_finite(const struct val *v)
{
	if (v->k == V_REAL)
		return isfinite(v->d);
	for (size_t i = 0; v->k == V_LIST && i < v->nitems; i++)
		if (!all_finite(&v->items[i]))
			return 0;
	return 1;
}

static json_t *
to_json(const struct val *v)
{
	switch (v->k) {
	case V_BOOL: return json_boolean(v->i);
	case V_INT: return json_integer(v->i);
	case V_REAL: return json_real(v->d);
	case V_STR: return json_text(v->s, v->n);
	case V_BYTES: {
		struct tq_sbuf b;
		tq_sbuf_init(&b, 0);
		bytes_str(v, &b);
		json_t *j = json_stringn(b.s ? b.s : "", b.len);
		tq_sbuf_free(&b);
		return j;
	}
	case V_LIST: {
		json_t *a = json_array();
		for (size_t i = 0; a && i < v->nitems; i++)
			if (json_array_append_new(a, to_json(&v->items[i])) != 0) {
				json_decref(a);
				return NULL;
			}
		return a;
	}
	default: return json_null();
	}
}

/* Whether every field e reads is in the index (else err says which is not). */
static int
indexed(const struct tq_findex *ix, const struct tq_expr *e, struct tq_expr_error *err)
{
	if (!ix || !e) {
		set_err(err, -1, "nothing to evaluate");
		return 0;
	}
	for (size_t i = 0; i < e->nfields; i++) {
		if (e->fields[i]->id >= ix->idlimit || !ix->want[e->fields[i]->id]) {
			set_err(err, -1, "internal error: the index was built without %s", e->fields[i]->abbrev);
			return 0;
		}
	}
	return 1;
}

static int
ctx_init(struct ctx *c, const struct tq_findex *ix, const struct tq_expr *e, int explain, struct tq_expr_error *err)
{
	*c = (struct ctx){ .ix = ix, .e = e, .explain = explain };
	tq_arena_init(&c->arena, 0);
	c->cur = &c->arena;
	c->memo = calloc(e->nnodes ? e->nnodes : 1, sizeof(*c->memo));
	if (!c->memo) {
		set_err(err, -1, "out of memory");
		return -1;
	}
	return 0;
}

static void
ctx_free(struct ctx *c)
{
	if (c->md)
		pcre2_match_data_free(c->md);
	if (c->mc)
		pcre2_match_context_free(c->mc);
	free(c->memo);
	tq_arena_free(&c->arena);
}

int
tq_filter_select(const struct tq_findex *ix, const struct tq_expr *e, uint8_t *sel, struct tq_expr_error *err)
{
	if (!indexed(ix, e, err))
		return -1;
	struct ctx c;
	if (ctx_init(&c, ix, e, 0, err) != 0) {
		ctx_free(&c);
		return -1;
	}
	struct tq_arena scratch;
	tq_arena_init(&scratch, 0);
	int rc = 0;
	for (uint32_t fr = 1; fr <= ix->nframes && rc == 0; fr++) {
		struct scope sc = { fr, NULL };
		int yes = 0;
		rc = ev_cond(&c, e->root, &sc, &scratch, &yes);
		sel[fr - 1] = (uint8_t)(rc == 0 && yes);
	}
	if (rc != 0 && err)
		*err = c.err;
	tq_arena_free(&scratch);
	ctx_free(&c);
	return rc ? -1 : 0;
}

json_t *
tq_expr_eval(const struct tq_findex *ix, const struct tq_expr *e, json_t **from, struct tq_expr_error *err)
{
	if (from)
		*from = NULL;
	if (!indexed(ix, e, err))
		return NULL;
	struct ctx c;
	json_t *result = NULL;
	if (ctx_init(&c, ix, e, from != NULL, err) != 0)
		goto out;
	struct scope top = { 0, NULL };
	struct val v;
	if (ev(&c, e->root, &top, &v)) {
		if (err)
			*err = c.err;
		goto out;
	}
	if (v.k == V_LIST && v.multi)
		v = scalar(&v);
	if (v.k == V_NONE) {
		char t[200];
		if (v.s)
			set_err(err, (int)e->root->start, "%s has no value: %s", src_of(&c, e->root, t, sizeof(t)), v.s);
		else
			set_err(err, (int)e->root->start, "%s has no value on this trace", src_of(&c, e->root, t, sizeof(t)));
		goto out;
	}
	if (!all_finite(&v)) {
		char t[200];
		set_err(err, (int)e->root->start, "%s is not a finite number", src_of(&c, e->root, t, sizeof(t)));
		goto out;
	}
	result = to_json(&v);
	if (!result) {
		set_err(err, -1, "out of memory");
		goto out;
	}
	if (from) {
		json_t *a = json_array();
		for (size_t i = 0; a && i < v.nfrom; i++) {
			/* each (frame, field) once, in the order met */
			int dup = 0;
			for (size_t j = 0; j < i && !dup; j++)
				dup = v.from[j].frame == v.from[i].frame && v.from[j].f->id == v.from[i].f->id;
			if (!dup)
				json_array_append_new(a, json_pack("{s:I,s:s}", "frame", (json_int_t)v.from[i].frame,
				    "field", v.from[i].f->abbrev));
		}
		*from = a;
	}
out:
	ctx_free(&c);
	return result;
}
