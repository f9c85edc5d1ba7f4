/*
 * choices.c - a choice question's validity, as a course typed it, checked
 * against the trace (the import's report, doc/import.md).
 *
 * Choices are sentences, and only some of them can be checked: those that
 * come in contrasting pairs, the same sentence with another value ("the
 * identifier is `0xedc5`" / "... is `0x0120`", "TLS 1.0" / "TLS 1.2").  Each
 * value is looked up with key discovery (tq_suggest): the fields whose value
 * on the trace reads as it.  A group of such choices then agrees with the
 * trace (every value marked right is there, every value marked wrong is not,
 * or only in other fields), disagrees (a value marked right is nowhere while
 * one marked wrong is there, in the field the others name), or cannot be
 * decided (the trace holds both), and the report says which, with the
 * evidence.  The course's validity is never changed.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "import.h"

#define MAX_CHOICES 32
#define MAX_WORDS   64
#define SUGGESTIONS 6

struct choice {
	char text[512];              /* the Markdown's code marks taken out, trimmed */
	char *word[MAX_WORDS];       /* into words[], each NUL-terminated */
	char words[512];
	int nword;
	int valid;
	char value[256];             /* the value it names ("" when none) */
	int group;
	/* what the trace says of the value */
	int looked, held;
	char expr[256];              /* the first suggestion */
	char fields[SUGGESTIONS][96];
	int nfields;
};

static void
split(struct choice *c)
{
	memcpy(c->words, c->text, sizeof(c->words));
	c->nword = 0;
	for (char *p = strtok(c->words, " \t\n"); p && c->nword < MAX_WORDS; p = strtok(NULL, " \t\n"))
		c->word[c->nword++] = p;
}

/* A word naming a value: digits, dots, slashes, colons, dashes, or capitals ("NS"), not a plain word. */
static int
value_like(const char *w)
{
	int caps = 0, lower = 0;
	for (const char *p = w; *p; p++) {
		if (isdigit((unsigned char)*p) || strchr("./:-_@", *p))
			return 1;
		caps += isupper((unsigned char)*p) != 0;
		lower += islower((unsigned char)*p) != 0;
	}
	return caps >= 2 && !lower;
}

/* A word without the punctuation a sentence puts after it. */
static void
bare(const char *w, char *out, size_t len)
{
	size_t n = strlen(w);
	while (n && strchr(".,;:!?)\"'", w[n - 1]))
		n--;
	while (n && strchr("(\"'", *w))
		w++, n--;
	if (n >= len)
		n = len - 1;
	memcpy(out, w, n);
	out[n] = '\0';
}

/*
 * Whether a and b are one sentence with another value: the same words
 * around (at least three, or all but two of each) and, where they first
 * differ, two words of which one at least names a value; or two short
 * choices (three words at most) that both name values ("200", "404").
 * Each gets its value.
 */
static int
contrast(struct choice *a, struct choice *b)
{
	int pre = 0, suf = 0;
	while (pre < a->nword && pre < b->nword && !strcmp(a->word[pre], b->word[pre]))
		pre++;
	while (suf < a->nword - pre && suf < b->nword - pre &&
	    !strcmp(a->word[a->nword - 1 - suf], b->word[b->nword - 1 - suf]))
		suf++;
	int ra = a->nword - pre - suf, rb = b->nword - pre - suf;
	/* two short choices ("200", "404") need no words in common, but both must name values */
	int alone = pre + suf < 1;
	if (ra < 1 || rb < 1 || (pre + suf < 3 && (ra > 2 || rb > 2)) || (alone && (a->nword > 3 || b->nword > 3)))
		return 0;
	char va[256], vb[256];
	bare(a->word[pre], va, sizeof(va));
	bare(b->word[pre], vb, sizeof(vb));
	if (alone ? !value_like(va) || !value_like(vb) : !value_like(va) && !value_like(vb))
		return 0;
	if (!strcmp(va, vb))
		return 0;
	/* a short choice is its value whole ("TLS 1.2"), a sentence the word that differs */
	if (a->nword <= 3)
		bare(a->text, va, sizeof(va));
	if (b->nword <= 3)
		bare(b->text, vb, sizeof(vb));
	memcpy(a->value, va, sizeof(va));
	memcpy(b->value, vb, sizeof(vb));
	return 1;
}

/* The field an expression reads first: "tls.record.version" in "label(first(tls.record.version where ...))". */
static void
first_field(const char *e, char *out, size_t len)
{
	out[0] = '\0';
	for (const char *p = e; *p; p++) {
		if (!isalpha((unsigned char)*p) || (p > e && (isalnum((unsigned char)p[-1]) || p[-1] == '_' || p[-1] == '.')))
			continue;
		const char *q = p;
		int dots = 0;
		while (isalnum((unsigned char)*q) || *q == '_' || *q == '.' || *q == '-')
			dots += *q++ == '.';
		if (dots && (size_t)(q - p) < len) {
			memcpy(out, p, (size_t)(q - p));
			out[q - p] = '\0';
			return;
		}
		p = q - 1;
	}
}

static int
look_up(const struct tq_findex *ix, struct choice *c)
{
	char **s;
	size_t n;
	c->looked = 1;
	if (tq_suggest(ix, c->value, NULL, SUGGESTIONS, &s, &n) != 0)
		return -1;
	c->held = n > 0;
	if (n)
		snprintf(c->expr, sizeof(c->expr), "%s", s[0]);
	for (size_t k = 0; k < n; k++) {
		char f[96];
		first_field(s[k], f, sizeof(f));
		int seen = !f[0];
		for (int i = 0; i < c->nfields && !seen; i++)
			seen = !strcmp(c->fields[i], f);
		if (!seen && c->nfields < SUGGESTIONS)
			memcpy(c->fields[c->nfields++], f, sizeof(f));
		free(s[k]);
	}
	free(s);
	return 0;
}

/* Whether a and b name a field in common. */
static int
same_field(const struct choice *a, const struct choice *b)
{
	for (int i = 0; i < a->nfields; i++)
		for (int j = 0; j < b->nfields; j++)
			if (!strcmp(a->fields[i], b->fields[j]))
				return 1;
	return 0;
}

/* The choice's text, cut for the report. */
static void
put_choice(struct tq_sbuf *b, const struct choice *c, int num)
{
	tq_sbuf_printf(b, "choice %d (“%.80s%s”)", num, c->text, strlen(c->text) > 80 ? "…" : "");
}

/* One group's verdict in the report; 1 when it disagrees. */
static int
verdict(const char *id, struct choice *cs, int n, int g, struct tq_sbuf *rep)
{
	int held = 0, valid = 0, valid_missing = -1, wrong_held = -1, wrong_near = -1;
	for (int i = 0; i < n; i++) {
		if (cs[i].group != g)
			continue;
		held += cs[i].held;
		valid += cs[i].valid;
		if (cs[i].valid && !cs[i].held && valid_missing < 0)
			valid_missing = i;
	}
	if (!held)
		return 0;                /* no value of the group is in the trace: nothing to say */
	for (int i = 0; i < n; i++) {
		if (cs[i].group != g || cs[i].valid || !cs[i].held)
			continue;
		if (wrong_held < 0)
			wrong_held = i;
		for (int j = 0; j < n && wrong_near < 0; j++)
			if (cs[j].group == g && cs[j].valid && cs[j].held && same_field(&cs[i], &cs[j]))
				wrong_near = i;
	}
	if (valid_missing >= 0 && wrong_held >= 0) {
		tq_sbuf_printf(rep, "- **%s: does the course's validity agree with the trace?** It marks ", id);
		put_choice(rep, &cs[valid_missing], valid_missing + 1);
		tq_sbuf_printf(rep, " right, and no value of the trace reads as `%s`; it marks ", cs[valid_missing].value);
		put_choice(rep, &cs[wrong_held], wrong_held + 1);
		tq_sbuf_printf(rep, " wrong, and on this trace `%s` is `%s`: check them before the exercise is used\n",
		    cs[wrong_held].value, cs[wrong_held].expr);
		return 1;
	}
	if (!valid)
		return 0;                /* all marked wrong, one there: "which is true" may still be right */
	if (wrong_near >= 0) {
		tq_sbuf_printf(rep, "- %s: the trace holds both `%s` (marked wrong) and the value%s marked right, in `%s`: "
		    "their validity is the course's word\n", id, cs[wrong_near].value, valid > 1 ? "s" : "",
		    cs[wrong_near].fields[0]);
		return 0;
	}
	tq_sbuf_printf(rep, "- %s: choices", id);
	int k = 0;
	for (int i = 0; i < n; i++)
		if (cs[i].group == g)
			tq_sbuf_printf(rep, "%s %d", k++ ? "," : "", i + 1);
	tq_sbuf_printf(rep, " agree with the trace:");
	k = 0;
	for (int i = 0; i < n; i++) {
		if (cs[i].group != g)
			continue;
		if (cs[i].held)
			tq_sbuf_printf(rep, "%s `%s` (marked %s) is `%s`", k++ ? ";" : "", cs[i].value,
			    cs[i].valid ? "right" : "wrong, in another field", cs[i].expr);
		else
			tq_sbuf_printf(rep, "%s `%s` (marked wrong) is not there", k++ ? ";" : "", cs[i].value);
	}
	tq_sbuf_putc(rep, '\n');
	return 0;
}

int
tq_check_choices(const struct tq_findex *ix, const json_t *q, struct tq_sbuf *rep)
{
	const json_t *list = json_object_get(q, "choices");
	size_t n = json_array_size(list);
	if (n < 2)
		return 0;
	if (n > MAX_CHOICES)
		n = MAX_CHOICES;
	struct choice *cs = calloc(n, sizeof(*cs));
	if (!cs)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const json_t *c = json_array_get(list, i);
		const char *t = json_string_value(json_object_get(c, "text"));
		size_t o = 0;
		for (const char *p = t ? t : ""; *p && o + 1 < sizeof(cs[i].text); p++)
			if (*p != '`')
				cs[i].text[o++] = *p == '\n' ? ' ' : *p;
		while (o && isspace((unsigned char)cs[i].text[o - 1]))
			o--;
		cs[i].text[o] = '\0';
		cs[i].valid = json_is_true(json_object_get(c, "valid"));
		cs[i].group = -1;
		split(&cs[i]);
	}
	/* groups: choices joined by contrasting pairs */
	int groups = 0;
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++) {
			struct choice a = cs[i], b = cs[j];
			split(&a);
			split(&b);
			if (!contrast(&a, &b) || (cs[i].value[0] && strcmp(cs[i].value, a.value)) ||
			    (cs[j].value[0] && strcmp(cs[j].value, b.value)))
				continue;
			memcpy(cs[i].value, a.value, sizeof(a.value));
			memcpy(cs[j].value, b.value, sizeof(b.value));
			int gi = cs[i].group, gj = cs[j].group;
			if (gi < 0 && gj < 0)
				cs[i].group = cs[j].group = groups++;
			else if (gi < 0)
				cs[i].group = gj;
			else if (gj < 0)
				cs[j].group = gi;
			else if (gi != gj)
				for (size_t k = 0; k < n; k++)
					if (cs[k].group == gj)
						cs[k].group = gi;
		}
	const char *id = json_string_value(json_object_get(q, "id"));
	int bad = 0;
	for (int g = 0; g < groups && bad >= 0; g++) {
		int members = 0;
		for (size_t i = 0; i < n; i++)
			if (cs[i].group == g) {
				members++;
				if (look_up(ix, &cs[i]) != 0)
					bad = -1;
			}
		if (members && bad >= 0)
			bad += verdict(id ? id : "?", cs, (int)n, g, rep);
	}
	free(cs);
	return bad;
}
