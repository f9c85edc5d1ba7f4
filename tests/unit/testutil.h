/* testutil.h - helpers shared by the unit tests: test data paths and whole-file reads. */
#ifndef TQ_TESTUTIL_H
#define TQ_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Directory of the test captures: $TQ_DATA (set by make check), else tests/data. */
static inline const char *
tq_test_data_dir(void)
{
	const char *d = getenv("TQ_DATA");
	return d && *d ? d : "tests/data";
}

/* Reads a whole file; the caller frees the result.  NULL if unreadable. */
static inline char *
tq_test_slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap + 1);
	while (buf) {
		size_t r = fread(buf + n, 1, cap - n, fp);
		n += r;
		if (n < cap)
			break;
		char *nb = realloc(buf, cap * 2 + 1);
		if (!nb) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = nb;
		cap *= 2;
	}
	fclose(fp);
	if (buf) {
		buf[n] = '\0';
		if (len)
			*len = n;
	}
	return buf;
}

#endif
