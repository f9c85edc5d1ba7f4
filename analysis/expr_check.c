/*
 * expr_check.c - the second pass over a parsed expression: every field
 * exists (else the closest name is suggested), a literal compared with a
 * field is converted to that field's type once, functions get the
 * arguments they take.
 */
#include "config.h"

#include "expr_int.h"

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
		expr_syntax(ps, lit->start, "%s has no value to compare (%s); test whether it is there with '%s' alone",
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
		if (expr_parse_int(s, n, &v) == 0) {
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
		expr_syntax(ps, lit->start, "%s is %s; %s is neither a number nor the name of one of its values",
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
			expr_syntax(ps, lit->start, "%s is text: put %s in quotes", f->abbrev, text);
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
	expr_syntax(ps, lit->start, "%s is %s; %s is not one", f->abbrev, ftype_desc(t), text);
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
		expr_syntax(ps, lit->b->start, "a subnet's prefix length is 0 to %d bits", max);
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
		expr_syntax(ps, x->start, "out of memory");
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

int
expr_check_node(struct parser *ps, struct node *n)
{
	if (!n || ps->failed)
		return -1;
	if (expr_check_node(ps, n->a) < 0 && n->a)
		return -1;
	if (n->b && expr_check_node(ps, n->b) < 0)
		return -1;
	if (n->c && expr_check_node(ps, n->c) < 0)
		return -1;
	for (uint32_t i = 0; i < n->nargs; i++)
		if (expr_check_node(ps, n->args[i]) < 0)
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
			expr_syntax(ps, n->args[0]->start, "string conversion for field \"%s\" is not supported",
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
			expr_syntax(ps, n->start, "out of memory");
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
			expr_syntax(ps, n->c->start, "nth()'s position must not depend on the frame");
			return -1;
		}
		n->frame_dep = 0;      /* its own frames: none from outside */
		return 0;
	case N_SLICE:
		if (n->a->kind != N_FIELD && !ps->filter)
			break;          /* a computed text or list: sliced when evaluated */
		if (n->a->kind != N_FIELD || !is_sliceable_ft(n->a->f->type)) {
			expr_syntax(ps, n->start, n->a->kind == N_FIELD ? "%s (%s) cannot be sliced here: slices take bytes, text and addresses" :
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
			expr_syntax(ps, n->args[0]->start, "under() takes a field, such as under(x509af.issuer)");
			return -1;
		}
		if (n->fn == F_FCOUNT && n->args[0]->kind != N_FIELD) {
			expr_syntax(ps, n->args[0]->start, "count() takes a field, such as count(tcp.option_kind)");
			return -1;
		}
		break;
	case N_MATCHES: {
		if (n->b->kind != N_LIT || n->b->lit.k != V_STR) {
			expr_syntax(ps, n->b->start, "matches takes a regular expression in quotes");
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
			expr_syntax(ps, n->b->start + 1 + (uint32_t)(eo < n->b->lit.n ? eo : n->b->lit.n),
			    "bad regular expression: %s", (const char *)msg);
			return -1;
		}
		if (n->a->kind == N_FIELD && n->a->f->type == FT_NONE) {
			expr_syntax(ps, n->a->start, "%s has no value to match (%s)", n->a->f->abbrev, ftype_desc(n->a->f->type));
			return -1;
		}
		if (ps->filter && n->a->kind == N_FIELD && !is_sliceable_ft(n->a->f->type)) {
			expr_syntax(ps, n->a->start, "%s (%s) cannot take part in a 'matches' comparison", n->a->f->abbrev,
			    ftype_desc(n->a->f->type));
			return -1;
		}
		if (ps->filter && n->a->kind == N_FIELD && (n->a->f->type == FT_ETHER || n->a->f->type == FT_IPV4 ||
		    n->a->f->type == FT_IPV6)) {
			expr_syntax(ps, n->a->start, "%s (%s) cannot take part in a 'matches' comparison", n->a->f->abbrev,
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
