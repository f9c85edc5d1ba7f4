/*
 * expr_lex.c - the expression language's lexer: the text made tokens
 * (numbers as Wireshark writes them, strings, words, the unquoted literals
 * of addresses and bytes), each with its place for the error messages.
 */
#include "config.h"

#include "expr_int.h"

void
expr_set_err(struct tq_expr_error *err, int pos, const char *fmt, ...)
{
	if (!err)
		return;
	err->pos = pos;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}


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
int
expr_parse_int(const char *s, size_t n, int64_t *out)
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

void
expr_lex_next(struct lexer *lx)
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
		int r = expr_parse_int(s + p, n, &lx->i);
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
