/*
 * expr.c - the answer-key language: parsing, checking, evaluating.  This file
 * holds the entry points; expr_lex.c, expr_parse.c, expr_check.c and
 * expr_eval.c the passes, expr_int.h what they share.
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

#include "expr_int.h"

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
		expr_set_err(err, -1, "no expression");
		return TQ_EINVAL;
	}
	size_t len = strlen(src);
	if (len > TQ_EXPR_MAX_LEN) {
		expr_set_err(err, TQ_EXPR_MAX_LEN, "the expression is too long (%zu bytes; %d at most)", len, TQ_EXPR_MAX_LEN);
		return TQ_ETOOBIG;
	}
	tq_init();
	struct tq_expr *e = calloc(1, sizeof(*e));
	if (!e) {
		expr_set_err(err, -1, "out of memory");
		return TQ_ENOMEM;
	}
	tq_arena_init(&e->arena, 0);
	e->src = strdup(src);
	e->nodes = calloc(TQ_EXPR_MAX_NODES, sizeof(*e->nodes));
	if (!e->src || !e->nodes) {
		tq_expr_free(e);
		expr_set_err(err, -1, "out of memory");
		return TQ_ENOMEM;
	}
	struct parser ps = { .lx = { .src = e->src, .len = len, .arena = &e->arena }, .e = e, .err = err, .filter = filter };
	expr_lex_next(&ps.lx);
	if (ps.lx.t == T_END) {
		tq_expr_free(e);
		expr_set_err(err, 0, "the expression is empty");
		return TQ_EINVAL;
	}
	e->root = expr_parse_node(&ps);
	if (e->root && !ps.failed && ps.lx.t != T_END) {
		if (ps.lx.t == T_BAD)
			expr_syntax(&ps, ps.lx.tstart, "%s", ps.lx.bad);
		else
			expr_syntax(&ps, ps.lx.tstart, "unexpected '%.*s' after a complete expression (missing 'and' or 'or'?)",
			    (int)(ps.lx.tend - ps.lx.tstart > 40 ? 40 : ps.lx.tend - ps.lx.tstart), ps.lx.src + ps.lx.tstart);
	}
	if (e->root && !ps.failed && expr_check_node(&ps, e->root) < 0 && !ps.failed)
		expr_syntax(&ps, 0, "out of memory");
	if (!e->root || ps.failed) {
		if (!ps.failed)
			expr_set_err(err, 0, "the expression could not be read");
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
