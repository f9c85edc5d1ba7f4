/*
 * answers.c - an answer compared as its question says: the normalizers of text
 * answers, integers in any base, regular expressions run within a budget
 * (struct regex_run), numbers.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "exercise_int.h"

/* ------------------------------------------------------------------ normalizing */

int
gr_is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/* An integer in any base: 6, 0x06, 0X6, 0b110, 0o6, 06, -3. */
int
gr_any_base_int(const char *s, long long *out)
{
	while (gr_is_space((unsigned char)*s))
		s++;
	int neg = 0;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	int base = 10;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16, s += 2;
	else if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B'))
		base = 2, s += 2;
	else if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O'))
		base = 8, s += 2;
	if (!*s)
		return -1;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, base);
	while (gr_is_space((unsigned char)*end))
		end++;
	if (errno || *end || (s[0] == '-') || v > (unsigned long long)LLONG_MAX)
		return -1;
	*out = neg ? -(long long)v : (long long)v;
	return 0;
}

/* The text of an answer or a key, normalized as the question says. */
void
gr_normalize(const char *s, size_t n, unsigned norm, struct tq_sbuf *out)
{
	tq_sbuf_reset(out);
	if (norm & N_TRIM) {
		while (n && gr_is_space((unsigned char)*s))
			s++, n--;
		while (n && gr_is_space((unsigned char)s[n - 1]))
			n--;
	}
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if ((norm & N_SPACE) && gr_is_space((unsigned char)c)) {
			while (i + 1 < n && gr_is_space((unsigned char)s[i + 1]))
				i++;
			c = ' ';
		}
		if ((norm & N_CASE) && c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		tq_sbuf_putc(out, c);
	}
	if (out->err)
		return;
	if ((norm & N_DOT) && out->len > 1 && out->s[out->len - 1] == '.' && out->s[out->len - 2] != '.') {
		out->s[--out->len] = '\0';
	}
	if ((norm & N_IPV6) && out->len && out->len < 64 && strchr(out->s, ':')) {
		unsigned char a[16];
		char buf[64];
		if (inet_pton(AF_INET6, out->s, a) == 1 && inet_ntop(AF_INET6, a, buf, sizeof(buf))) {
			tq_sbuf_reset(out);
			tq_sbuf_puts(out, buf);
		}
	}
	if ((norm & N_INT) && out->len) {
		long long v;
		if (gr_any_base_int(out->s, &v) == 0) {
			tq_sbuf_reset(out);
			tq_sbuf_printf(out, "%lld", v);
		}
	}
}

/* A JSON scalar as text: strings as they are, numbers written out. */
int
gr_json_text(const json_t *j, struct tq_sbuf *out)
{
	tq_sbuf_reset(out);
	if (json_is_string(j))
		tq_sbuf_put(out, json_string_value(j), json_string_length(j));
	else if (json_is_integer(j))
		tq_sbuf_printf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(j));
	else if (json_is_real(j))
		tq_sbuf_printf(out, "%.15g", json_real_value(j));
	else if (json_is_boolean(j))
		tq_sbuf_puts(out, json_is_true(j) ? "true" : "false");
	else
		return -1;
	return out->err ? -1 : 0;
}

int
gr_same_text(const json_t *a, const json_t *b, unsigned norm)
{
	struct tq_sbuf x, y, nx, ny;
	tq_sbuf_init(&x, 1 << 20);
	tq_sbuf_init(&y, 1 << 20);
	tq_sbuf_init(&nx, 1 << 20);
	tq_sbuf_init(&ny, 1 << 20);
	int r = 0;
	if (gr_json_text(a, &x) == 0 && gr_json_text(b, &y) == 0) {
		gr_normalize(x.s ? x.s : "", x.len, norm, &nx);
		gr_normalize(y.s ? y.s : "", y.len, norm, &ny);
		r = !nx.err && !ny.err && nx.len == ny.len && (!nx.len || !memcmp(nx.s, ny.s, nx.len));
	}
	tq_sbuf_free(&x);
	tq_sbuf_free(&y);
	tq_sbuf_free(&nx);
	tq_sbuf_free(&ny);
	return r;
}

void
gr_regex_run_init(struct regex_run *rr)
{
	rr->md = pcre2_match_data_create(1, NULL);
	rr->mc = pcre2_match_context_create(NULL);
	rr->left = RE_BUDGET;
	if (rr->mc) {
		pcre2_set_depth_limit(rr->mc, RE_DEPTH_LIMIT);
		pcre2_set_heap_limit(rr->mc, RE_HEAP_LIMIT_KIB);
	}
}

void
gr_regex_run_free(struct regex_run *rr)
{
	pcre2_match_data_free(rr->md);
	pcre2_match_context_free(rr->mc);
}

/* RE_YES, RE_NO, or RE_TOO_COMPLEX when a limit stopped the match (or memory ran out). */
int
gr_regex_hit(struct regex_run *rr, const pcre2_code *re, const char *s, size_t n)
{
	if (!rr->md || !rr->mc)
		return RE_TOO_COMPLEX;
	for (uint32_t limit = RE_FIRST_LIMIT;; limit *= 10) {
		if (limit > RE_CALL_LIMIT)
			limit = RE_CALL_LIMIT;
		uint32_t lim = limit < rr->left ? limit : rr->left;
		if (!lim)
			return RE_TOO_COMPLEX;
		rr->left -= lim;
		pcre2_set_match_limit(rr->mc, lim);
		int rc = pcre2_match(re, (PCRE2_SPTR)s, n, 0, 0, rr->md, rr->mc);
		if (rc >= 0)
			return RE_YES;
		if (rc == PCRE2_ERROR_NOMATCH)
			return RE_NO;
		if (rc != PCRE2_ERROR_MATCHLIMIT || lim == RE_CALL_LIMIT || lim < limit)
			return RE_TOO_COMPLEX;    /* the depth or heap limit, the last try, or the budget */
	}
}

/* A number from an answer: a JSON number, or text holding one (any base for integers). */
int
gr_answer_number(const json_t *a, double *out)
{
	if (json_is_number(a)) {
		*out = json_number_value(a);
		return 0;
	}
	if (!json_is_string(a))
		return -1;
	long long v;
	if (gr_any_base_int(json_string_value(a), &v) == 0) {
		*out = (double)v;
		return 0;
	}
	char *end;
	const char *s = json_string_value(a);
	errno = 0;
	double d = strtod(s, &end);
	while (gr_is_space((unsigned char)*end))
		end++;
	if (end == s || *end || errno || !isfinite(d))
		return -1;
	*out = d;
	return 0;
}
