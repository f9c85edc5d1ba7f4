/*
 * expr_parse.c - the expression language's parser: recursive descent over
 * the lexer's tokens into the syntax tree, bounded in length, depth and
 * node count.
 */
#include "config.h"

#include "expr_int.h"

static struct node *
new_node(struct parser *ps, int kind, size_t start, size_t end)
{
	struct tq_expr *e = ps->e;
	if (e->nnodes >= TQ_EXPR_MAX_NODES) {
		/* the place: where the parser got to, not the start of a long operand */
		if (!ps->failed)
			expr_set_err(ps->err, (int)(ps->lx.tstart > start ? ps->lx.tstart : start),
			    "the expression is too long (more than %d parts)", TQ_EXPR_MAX_NODES);
		ps->failed = 1;
		return NULL;
	}
	struct node *n = tq_arena_alloc(&e->arena, sizeof(*n));
	if (!n) {
		if (!ps->failed)
			expr_set_err(ps->err, (int)start, "out of memory");
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

void
expr_syntax(struct parser *ps, size_t pos, const char *fmt, ...)
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
		expr_syntax(ps, ps->lx.tstart, "%s", ps->lx.bad);
		return -1;
	}
	if (ps->lx.t != t) {
		if (ps->lx.t == T_END)
			expr_syntax(ps, ps->lx.tstart, "expected %s, found the end of the expression", what);
		else
			expr_syntax(ps, ps->lx.tstart, "expected %s, found '%.*s'", what,
			    (int)(ps->lx.tend - ps->lx.tstart > 40 ? 40 : ps->lx.tend - ps->lx.tstart),
			    ps->lx.src + ps->lx.tstart);
		return -1;
	}
	expr_lex_next(&ps->lx);
	return 0;
}

static struct node *parse_or(struct parser *ps);

static int
enter(struct parser *ps)
{
	if (++ps->depth > TQ_EXPR_MAX_DEPTH) {
		expr_syntax(ps, ps->lx.tstart, "the expression nests too deeply (more than %d levels)", TQ_EXPR_MAX_DEPTH);
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
		expr_syntax(ps, start, "the name is too long to be a field");
		return NULL;
	}
	memcpy(name, ps->lx.src + start, n);
	name[n] = '\0';
	const struct tq_field *f = tq_field_lookup(name);
	if (!f) {
		const char *near = tq_field_suggest(name);
		if (near)
			expr_syntax(ps, start, "unknown field '%s' (did you mean '%s'?)", name, near);
		else
			expr_syntax(ps, start, "unknown field '%s' (text goes in quotes: \"%s\")", name, name);
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
	expr_lex_next(&ps->lx);      /* the '(' */
	struct node *n = new_node(ps, fns[fn].agg ? N_AGG : N_CALL, start, start);
	if (!n)
		return NULL;
	n->fn = (uint8_t)fn;
	if (fns[fn].agg) {
		/* AGG(value [where cond]), nth(k, value [where cond]) */
		if (fn == F_NTH) {
			n->c = expr_parse_node(ps);
			if (!n->c || expect(ps, T_COMMA, "',' after nth's position"))
				return NULL;
		}
		n->a = expr_parse_node(ps);
		if (!n->a)
			return NULL;
		if (ps->lx.t == T_WHERE) {
			expr_lex_next(&ps->lx);
			n->b = expr_parse_node(ps);
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
				struct node *a = expr_parse_node(ps);
				ps->items -= cond;
				if (!a)
					return NULL;
				if (na == 4) {
					expr_syntax(ps, a->start, "%s() takes at most %d arguments", fns[fn].name, fns[fn].max);
					return NULL;
				}
				args[na++] = a;
				if (ps->lx.t != T_COMMA)
					break;
				expr_lex_next(&ps->lx);
			}
		}
		if ((int)na < fns[fn].min || (int)na > fns[fn].max) {
			if (fns[fn].min == fns[fn].max)
				expr_syntax(ps, start, "%s() takes %d argument%s, not %u", fns[fn].name, fns[fn].min,
				    fns[fn].min == 1 ? "" : "s", na);
			else
				expr_syntax(ps, start, "%s() takes %d to %d arguments, not %u", fns[fn].name, fns[fn].min,
				    fns[fn].max, na);
			return NULL;
		}
		n->args = tq_arena_alloc(&ps->e->arena, sizeof(*n->args) * (na ? na : 1));
		if (!n->args) {
			expr_syntax(ps, start, "out of memory");
			return NULL;
		}
		memcpy(n->args, args, sizeof(*args) * na);
		n->nargs = na;
	}
	n->end = (uint32_t)ps->lx.tend;
	if (ps->lx.t == T_END) {
		expr_syntax(ps, start, "%s( has no closing ')'", fns[fn].name);
		return NULL;
	}
	if (expect(ps, T_RP, fns[fn].agg ? "')' (or 'where' and a condition)" : "')' or ','"))
		return NULL;
	return n;
}

static int
slice_int(const char *s, size_t n, int64_t *v)
{
	return n == 0 || n > 10 || expr_parse_int(s, n, v) != 0 || *v > INT32_MAX || *v < -(int64_t)INT32_MAX;
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
		expr_syntax(ps, open, "this '[' has no closing ']'");
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
		expr_syntax(ps, open, "a slice is [i:n], [i-j], [i] or [i:], with whole numbers: '%.*s' is not",
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
	expr_lex_next(lx);
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
		expr_lex_next(lx);
		return n;
	case T_REAL:
		n = new_node(ps, N_LIT, start, end);
		if (n) {
			n->lit.k = V_REAL;
			n->lit.d = lx->d;
		}
		expr_lex_next(lx);
		return n;
	case T_STR:
		n = new_node(ps, N_LIT, start, end);
		if (n) {
			n->lit.k = V_STR;
			n->lit.s = lx->s;
			n->lit.n = lx->slen;
		}
		expr_lex_next(lx);
		return n;
	case T_TRUE:
	case T_FALSE:
		if (ps->filter) {
			expr_syntax(ps, start, "\"%s\" is not a display-filter value: write 1 or 0", lx->t == T_TRUE ? "true" : "false");
			return NULL;
		}
		n = new_node(ps, N_LIT, start, end);
		if (n) {
			n->lit.k = V_BOOL;
			n->lit.i = lx->t == T_TRUE;
		}
		expr_lex_next(lx);
		return n;
	case T_RAW:
		n = new_node(ps, N_RAW, start, end);
		if (n) {
			n->lit.k = V_STR;
			n->lit.s = tq_arena_strdup(&ps->e->arena, lx->src + start, end - start);
			n->lit.n = end - start;
		}
		expr_lex_next(lx);
		return n;
	case T_WORD: {
		expr_lex_next(lx);
		if (lx->t == T_LP) {
			int fn = find_fn(ps->lx.src + start, end - start, ps->filter);
			if (fn < 0) {
				expr_syntax(ps, start, ps->filter ? "function '%.*s' does not exist (display filters have count, len, string, upper, lower, abs, max and min)" :
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
				expr_syntax(ps, start, "'it' is the item of filter(list, condition), and only there");
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
			expr_syntax(ps, start, "'if' was unexpected in this context: display filters have no if/then/else");
			return NULL;
		}
		if (enter(ps))
			return NULL;
		expr_lex_next(lx);
		struct node *cond = expr_parse_node(ps), *yes = NULL, *no = NULL;
		if (cond && !expect(ps, T_THEN, "'then' after if's condition"))
			yes = expr_parse_node(ps);
		if (yes && !expect(ps, T_ELSE, "'else' (an if has both branches)"))
			no = expr_parse_node(ps);
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
		expr_lex_next(lx);
		n = expr_parse_node(ps);
		if (!n || expect(ps, T_RB, "'}'"))
			return NULL;
		return n;
	case T_LP:
		expr_lex_next(lx);
		n = expr_parse_node(ps);
		if (n && lx->t == T_END) {
			expr_syntax(ps, start, "this '(' has no closing ')'");
			return NULL;
		}
		if (!n || expect(ps, T_RP, "')'"))
			return NULL;
		if (lx->t == T_LBR && !ps->filter)
			n = parse_slice(ps, n);
		return n;
	case T_BAD:
		expr_syntax(ps, start, "%s", lx->bad);
		return NULL;
	case T_END:
		expr_syntax(ps, start, "the expression ends too early");
		return NULL;
	default:
		expr_syntax(ps, start, "expected a field, a value or '(', found '%.*s'",
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
		expr_lex_next(&ps->lx);
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
		expr_lex_next(&ps->lx);
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
		expr_lex_next(&ps->lx);
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
		expr_lex_next(&ps->lx);
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
			expr_syntax(ps, start, "out of memory");
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
			expr_lex_next(&ps->lx);
			struct node *hi = parse_band(ps);
			it = binary(ps, N_RANGE, 0, it, hi);
			if (!it)
				return NULL;
		}
		if (n == sizeof(items) / sizeof(items[0])) {
			expr_syntax(ps, it->start, "a set holds at most %zu members", sizeof(items) / sizeof(items[0]));
			return NULL;
		}
		items[n++] = it;
		if (ps->lx.t == T_COMMA)
			expr_lex_next(&ps->lx);
		else if (ps->filter && ps->lx.t != T_RB) {
			expr_syntax(ps, ps->lx.tstart, "'%.*s' was unexpected in this context: members of a set are separated by commas",
			    (int)(ps->lx.tend - ps->lx.tstart > 40 ? 40 : ps->lx.tend - ps->lx.tstart), ps->lx.src + ps->lx.tstart);
			return NULL;
		}
	}
	size_t end = ps->lx.tend;
	expr_lex_next(&ps->lx);
	if (!n) {
		expr_syntax(ps, start, "the set is empty");
		return NULL;
	}
	struct node *in = new_node(ps, N_IN, lhs->start, end);
	if (!in)
		return NULL;
	in->a = lhs;
	in->args = tq_arena_alloc(&ps->e->arena, sizeof(*in->args) * n);
	if (!in->args) {
		expr_syntax(ps, start, "out of memory");
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
		expr_lex_next(&ps->lx);
		return binary(ps, N_CONTAINS, 0, a, parse_band(ps));
	case T_MATCHES:
		expr_lex_next(&ps->lx);
		return binary(ps, N_MATCHES, 0, a, parse_band(ps));
	case T_IN:
		expr_lex_next(&ps->lx);
		return parse_set(ps, a);
	default:
		return a;
	}
	expr_lex_next(&ps->lx);
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
		expr_lex_next(&ps->lx);
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
		expr_lex_next(&ps->lx);
		a = binary(ps, N_AND, 0, a, parse_not(ps));
	}
	return a;
}

static struct node *
parse_or(struct parser *ps)
{
	struct node *a = parse_and(ps);
	while (a && ps->lx.t == T_OR) {
		expr_lex_next(&ps->lx);
		a = binary(ps, N_OR, 0, a, parse_and(ps));
	}
	return a;
}

/* expr := or [ '??' expr ] */
struct node *
expr_parse_node(struct parser *ps)
{
	if (enter(ps))
		return NULL;
	struct node *a = parse_or(ps);
	if (a && ps->lx.t == T_FALLBACK && ps->filter) {
		expr_syntax(ps, ps->lx.tstart, "'?\?' was unexpected in this context: display filters have no fallback");
		a = NULL;
	} else if (a && ps->lx.t == T_FALLBACK) {
		expr_lex_next(&ps->lx);
		a = binary(ps, N_FALLBACK, 0, a, expr_parse_node(ps));
	}
	ps->depth--;
	return a;
}
