/*
 * lti_fetch.c - what the tool asks of a platform (its key set, an access
 * token, a score posted), with libcurl: http and https only, redirects of a
 * GET followed within http(s), a size cap and a deadline, certificates
 * checked.
 */
#include "config.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../analysis/tq.h"
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

/*
 * One request: GET (body NULL) or POST of body with the headers given
 * ("Name: value", NULL-terminated).  The answer's body (malloc'd,
 * NUL-terminated, at most max bytes) with *status, or NULL with err set
 * when there was no answer.
 */
char *
tq_http(const char *url, const char *const *headers, const char *body, size_t bodylen, size_t max, long seconds,
    long *status, size_t *len, char *err, size_t errlen)
{
	struct body b = { .max = max };
	CURL *c = curl_easy_init();
	struct curl_slist *hl = NULL;
	for (size_t i = 0; headers && headers[i]; i++) {
		struct curl_slist *t = curl_slist_append(hl, headers[i]);
		if (!t) {
			curl_slist_free_all(hl);
			hl = NULL;
			break;
		}
		hl = t;
	}
	if (!c || (headers && headers[0] && !hl)) {
		curl_easy_cleanup(c);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	char cerr[CURL_ERROR_SIZE] = "";
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, body ? 0L : 1L);   /* a POST is not sent on elsewhere */
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 3L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, seconds);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, take);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "tracequiz/" PACKAGE_VERSION);
	if (hl)
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)bodylen);
	}
	CURLcode rc = curl_easy_perform(c);
	*status = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	curl_easy_cleanup(c);
	curl_slist_free_all(hl);
	if (rc != CURLE_OK) {
		if (b.over)
			snprintf(err, errlen, "%.300s: more than %zu bytes", url, max);
		else
			snprintf(err, errlen, "%.300s: %s", url, *cerr ? cerr : curl_easy_strerror(rc));
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

void
tq_url_encode(struct tq_sbuf *b, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("-._~", *p))
			tq_sbuf_putc(b, (char)*p);
		else
			tq_sbuf_printf(b, "%%%02X", *p);
	}
}

int
tq_lti_url_ok(const char *u)
{
	if (!u || (strncmp(u, "https://", 8) && strncmp(u, "http://", 7)) || strlen(u) >= 1000)
		return 0;
	for (const char *p = u; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == '"' || *p == '<' || *p == '>')
			return 0;
	return 1;
}

char *
tq_http_get(const char *url, size_t max, long seconds, size_t *len, char *err, size_t errlen)
{
	long status;
	char *body = tq_http(url, NULL, NULL, 0, max, seconds, &status, len, err, errlen);
	if (body && status != 200) {
		snprintf(err, errlen, "%.300s: HTTP status %ld", url, status);
		free(body);
		return NULL;
	}
	return body;
}
