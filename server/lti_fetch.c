/*
 * lti_fetch.c - what the tool fetches from a platform (its key set), with
 * libcurl: http and https only, no redirects followed to elsewhere than
 * http(s), a size cap and a deadline, certificates checked.
 */
#include "config.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lti.h"

struct body {
	char *s;
	size_t len, max;
	int over;
};

static size_t
take(char *p, size_t size, size_t n, void *arg)
{
	struct body *b = arg;
	size_t k = size * n;
	if (b->len + k > b->max) {
		b->over = 1;
		return 0;                /* stops the transfer */
	}
	char *t = realloc(b->s, b->len + k + 1);
	if (!t)
		return 0;
	memcpy(t + b->len, p, k);
	b->s = t;
	b->len += k;
	b->s[b->len] = '\0';
	return k;
}

char *
tq_http_get(const char *url, size_t max, long seconds, size_t *len, char *err, size_t errlen)
{
	struct body b = { .max = max };
	CURL *c = curl_easy_init();
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	char cerr[CURL_ERROR_SIZE] = "";
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 3L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, seconds);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, take);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "tracequiz/" PACKAGE_VERSION);
	CURLcode rc = curl_easy_perform(c);
	long status = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	if (rc != CURLE_OK || status != 200) {
		if (b.over)
			snprintf(err, errlen, "%s: more than %zu bytes", url, max);
		else if (rc != CURLE_OK)
			snprintf(err, errlen, "%s: %s", url, *cerr ? cerr : curl_easy_strerror(rc));
		else
			snprintf(err, errlen, "%s: HTTP status %ld", url, status);
		free(b.s);
		return NULL;
	}
	if (!b.s && !(b.s = calloc(1, 1))) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	*len = b.len;
	return b.s;
}
