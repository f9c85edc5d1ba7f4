/*
 * exercise_want.c - the checks an exercise document's parts go through: a
 * value of the expected type, a mapping with known keys only, a known field,
 * an expression or a regular expression that compiles; each error names
 * the place in the document.
 */
#include "config.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "exercise_int.h"

const char *
ck_jtype(const json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_OBJECT: return "a mapping";
	case JSON_ARRAY: return "a list";
	case JSON_STRING: return "text";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number";
	case JSON_TRUE: case JSON_FALSE: return "true or false";
	default: return "nothing (null)";
	}
}

/* Every key of o is in allowed; else an error naming the stray one. */
int
ck_only_keys(struct checker *ck, const char *path, const json_t *o, const char *const *allowed)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)o, k, v) {
		int ok = 0;
		for (const char *const *a = allowed; *a && !ok; a++)
			ok = !strcmp(*a, k);
		if (!ok) {
			char list[400] = "";
			for (const char *const *a = allowed; *a; a++) {
				if (*list)
					strncat(list, ", ", sizeof(list) - strlen(list) - 1);
				strncat(list, *a, sizeof(list) - strlen(list) - 1);
			}
			return ex_errf(ck->err, ck->errlen, "%s: unknown key '%.60s' (the keys here are %s)", path, k, list);
		}
	}
	return 0;
}

int
ck_want_string(struct checker *ck, const char *path, const json_t *v, int required, int nonempty)
{
	if (!v) {
		if (required)
			return ex_errf(ck->err, ck->errlen, "%s is missing", path);
		return 0;
	}
	if (!json_is_string(v))
		return ex_errf(ck->err, ck->errlen, "%s: expected text, found %s", path, ck_jtype(v));
	if (nonempty && !json_string_length(v))
		return ex_errf(ck->err, ck->errlen, "%s is empty", path);
	if (json_string_length(v) > TQ_EX_MAX_TEXT)
		return ex_errf(ck->err, ck->errlen, "%s is too long (%zu bytes; %u at most)", path, json_string_length(v),
		    TQ_EX_MAX_TEXT);
	if (strlen(json_string_value(v)) != json_string_length(v))
		return ex_errf(ck->err, ck->errlen, "%s holds a NUL character", path);
	return 0;
}

int
ck_want_list_of_strings(struct checker *ck, const char *path, json_t *v, size_t max)
{
	if (!v)
		return 0;
	if (!json_is_array(v))
		return ex_errf(ck->err, ck->errlen, "%s: expected a list, found %s", path, ck_jtype(v));
	if (json_array_size(v) > max)
		return ex_errf(ck->err, ck->errlen, "%s has more than %zu items", path, max);
	size_t i;
	json_t *it;
	json_array_foreach(v, i, it) {
		char sub[300];
		snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
		if (ck_want_string(ck, sub, it, 1, 1))
			return -1;
	}
	return 0;
}

int
ck_known_field(struct checker *ck, const char *path, const char *abbrev)
{
	if (tq_field_lookup(abbrev))
		return 0;
	const char *near = tq_field_suggest(abbrev);
	if (near)
		return ex_errf(ck->err, ck->errlen, "%s: unknown field '%.80s' (did you mean '%s'?)", path, abbrev, near);
	return ex_errf(ck->err, ck->errlen, "%s: unknown field '%.80s'", path, abbrev);
}

/* A list given as one string is made a list of one ("redact: tcp.flags"). */
void
ck_listify(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	if (v && json_is_string(v)) {
		json_t *a = json_array();
		json_array_append(a, v);
		json_object_set_new(o, key, a);
	}
}

int
ck_want_number(struct checker *ck, const char *path, const json_t *v, double min)
{
	if (!v)
		return 0;
	if (!json_is_number(v))
		return ex_errf(ck->err, ck->errlen, "%s: expected a number, found %s", path, ck_jtype(v));
	double d = json_number_value(v);
	if (!isfinite(d) || d < min || d > 1e9)
		return ex_errf(ck->err, ck->errlen, "%s: %g is out of range (%g to 1e9)", path, d, min);
	return 0;
}

int
ck_compile_expr(struct checker *ck, const char *path, const char *src, struct tq_expr **out)
{
	struct tq_expr_error ee;
	if (tq_expr_parse(src, out, &ee) == 0)
		return 0;
	if (ee.pos >= 0)
		return ex_errf(ck->err, ck->errlen, "%s: %s (at character %d of \"%.200s\")", path, ee.msg, ee.pos + 1, src);
	return ex_errf(ck->err, ck->errlen, "%s: %s", path, ee.msg);
}

int
ck_compile_regex(struct checker *ck, const char *path, const char *re, pcre2_code **out)
{
	int ec;
	PCRE2_SIZE eo;
	*out = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED, PCRE2_NEVER_BACKSLASH_C, &ec, &eo, NULL);
	if (*out)
		return 0;
	PCRE2_UCHAR msg[160];
	pcre2_get_error_message(ec, msg, sizeof(msg));
	return ex_errf(ck->err, ck->errlen, "%s: bad regular expression at character %zu: %s", path, (size_t)eo + 1,
	    (const char *)msg);
}

const char *const ex_kind_names[] = { [Q_TEXT] = "text", [Q_NUMBER] = "number", [Q_CHOICE] = "choice",
	[Q_FIELD] = "field", [Q_ORDER] = "order" };
