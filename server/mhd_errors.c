/*
 * mhd_errors.c - libmicrohttpd's own error replies, as JSON.
 *
 * A request libmicrohttpd cannot parse (no Host header, a malformed request
 * line or Content-Length, headers past the connection's memory, a bad chunk)
 * never reaches the server's handler: the library answers it itself, with a
 * small HTML page compiled into it, which no option changes (0.9.75).  It
 * makes that reply with MHD_create_response_from_buffer(), which it calls
 * through its procedure linkage table; this program defines the same
 * function, so the dynamic linker binds the library's call here (ELF
 * interposition), and an HTML error page becomes {"error": "TITLE: TEXT"}
 * with its JSON Content-Type.  Every other buffer passes through unchanged
 * to the library's own function.  tests/integration/test_security.py checks
 * that these replies are JSON: were a future libmicrohttpd to stop calling
 * through the table, that test would say so.
 */
#include "config.h"

#include <dlfcn.h>
#include <jansson.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

typedef struct MHD_Response *create_fn(size_t size, void *buffer, enum MHD_ResponseMemoryMode mode);

/* The text of s[0..n) with its tags left out and its entities read, into out. */
static size_t
strip_html(const char *s, size_t n, char *out, size_t len)
{
	size_t o = 0;
	for (size_t i = 0; i < n && o + 1 < len; i++) {
		if (s[i] == '<') {
			const char *gt = memchr(s + i, '>', n - i);
			if (!gt)
				break;
			i = (size_t)(gt - s);
		} else if (s[i] == '&' && n - i >= 6 && !memcmp(s + i, "&quot;", 6)) {
			out[o++] = '"';
			i += 5;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	return o;
}

/* "TITLE: TEXT" of libmicrohttpd's page "<html><head><title>TITLE</title></head><body>TEXT</body></html>". */
static int
page_message(const char *page, size_t n, char *out, size_t len)
{
	static const char head[] = "<html><head><title>";
	if (n < sizeof(head) - 1 || memcmp(page, head, sizeof(head) - 1))
		return -1;
	const char *t = page + sizeof(head) - 1, *end = page + n;
	const char *te = memmem(t, (size_t)(end - t), "</title>", 8);
	const char *b = te ? memmem(te, (size_t)(end - te), "<body>", 6) : NULL;
	const char *be = b ? memmem(b, (size_t)(end - b), "</body>", 7) : NULL;
	if (!be)
		return -1;
	size_t o = strip_html(t, (size_t)(te - t), out, len);
	if (o + 3 < len) {
		out[o++] = ':';
		out[o++] = ' ';
		strip_html(b + 6, (size_t)(be - b - 6), out + o, len - o);
	}
	return 0;
}

struct MHD_Response *
MHD_create_response_from_buffer(size_t size, void *buffer, enum MHD_ResponseMemoryMode mode)
{
	static create_fn *real;
	if (!real)
		real = (create_fn *)dlsym(RTLD_NEXT, "MHD_create_response_from_buffer");
	if (!real)
		return NULL;
	char msg[400];
	/* the library's pages are static: its own, never one of ours (ours are JSON) */
	if (mode == MHD_RESPMEM_PERSISTENT && buffer && page_message(buffer, size, msg, sizeof(msg)) == 0) {
		json_t *j = json_pack("{s:s}", "error", msg);
		char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
		json_decref(j);
		if (s) {
			size_t n = strlen(s);
			struct MHD_Response *resp = real(n, s, MHD_RESPMEM_MUST_COPY);
			free(s);
			if (resp)
				MHD_add_response_header(resp, "Content-Type", "application/json");
			return resp;
		}
	}
	return real(size, buffer, mode);
}
