/*
 * reply.c - what the server answers: JSON replies and errors (always JSON,
 * with a message), a request's JSON body parsed, ETags, and the reply sent:
 * JSON, the library's own JSON, or a file.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "server.h"

void
utf8_clean(char *s)
{
	unsigned char *p = (unsigned char *)s;
	size_t left = strlen(s);
	while (left) {
		uint32_t cp;
		size_t n = tq_utf8_next(p, left, &cp);
		if (!n) {
			*p = '?';
			n = 1;
		}
		p += n;
		left -= n;
	}
}

int
utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	while (n) {
		uint32_t cp;
		size_t k = *p ? tq_utf8_next(p, n, &cp) : 0;
		if (!k)
			return 0;
		p += k;
		n -= k;
	}
	return 1;
}

void
reply_json(struct reply *r, unsigned status, json_t *j)
{
	r->status = status;
	json_decref(r->json);
	r->json = j;
}

void
reply_error(struct reply *r, unsigned status, const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	utf8_clean(msg);             /* a message may quote what a client sent */
	reply_json(r, status, json_pack("{s:s}", "error", msg));
}

const char *
header(struct MHD_Connection *c, const char *name)
{
	return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

int
reply_not_modified(struct MHD_Connection *c, struct reply *r)
{
	const char *inm = header(c, "If-None-Match");
	if (!inm || strcmp(inm, r->etag))
		return 0;
	r->status = 304;
	r->not_modified = 1;
	return 1;
}

json_t *
parse_body(const struct req *q, struct reply *r)
{
	if (!q->len) {
		reply_error(r, 400, "the request needs a JSON body");
		return NULL;
	}
	json_error_t je;
	json_t *j = json_loadb(q->body, q->len, JSON_REJECT_DUPLICATES, &je);
	if (!j) {
		reply_error(r, 400, "the body is not valid JSON: %s (line %d, column %d)", je.text, je.line, je.column);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		reply_error(r, 400, "the body must be a JSON object");
		return NULL;
	}
	return j;
}

enum MHD_Result
send_reply(struct MHD_Connection *c, struct reply *r)
{
	struct MHD_Response *resp;
	if (r->not_modified) {
		resp = MHD_create_response_from_buffer(0, (char *)"", MHD_RESPMEM_PERSISTENT);
		r->status = 304;
		r->sent = 0;
	} else if (r->fd >= 0) {
		resp = MHD_create_response_from_fd(r->fdlen, r->fd);
		r->sent = r->fdlen;
		r->fd = -1;
	} else if (r->raw) {
		resp = MHD_create_response_from_buffer(r->rawlen, r->raw, MHD_RESPMEM_MUST_FREE);
		r->sent = r->rawlen;
		r->raw = NULL;
	} else {
		if (!r->json || !r->status)
			reply_error(r, 500, "the server made no reply: this is a bug, please report it");
		char *s = json_dumps(r->json, JSON_COMPACT);
		size_t n = s ? strlen(s) : 0;
		if (s && n < SIZE_MAX - 2) {
			char *t = realloc(s, n + 2);
			if (t) {
				s = t;
				s[n++] = '\n';
				s[n] = '\0';
			}
		}
		static const char oom[] = "{\"error\":\"out of memory\"}\n";
		resp = s ? MHD_create_response_from_buffer(n, s, MHD_RESPMEM_MUST_FREE) :
		    MHD_create_response_from_buffer(sizeof(oom) - 1, (char *)oom, MHD_RESPMEM_PERSISTENT);
		r->ctype = "application/json";
		r->sent = s ? n : sizeof(oom) - 1;
	}
	json_decref(r->json);
	r->json = NULL;
	if (!resp) {
		free(r->location);
		r->location = NULL;
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", r->ctype ? r->ctype : "application/json");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	char csp[2200];
	snprintf(csp, sizeof(csp), "default-src 'self'; frame-ancestors %s", r->frame_ancestors[0] ? r->frame_ancestors :
	    "'none'");
	MHD_add_response_header(resp, "Content-Security-Policy", csp);
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	if (r->status == 405 && r->allow[0])
		MHD_add_response_header(resp, "Allow", r->allow);
	if (r->retry_after) {
		char ra[16];
		snprintf(ra, sizeof(ra), "%u", r->retry_after);
		MHD_add_response_header(resp, "Retry-After", ra);
	}
	if (r->cookie[0])
		MHD_add_response_header(resp, "Set-Cookie", r->cookie);
	if (r->location)
		MHD_add_response_header(resp, "Location", r->location);
	free(r->location);
	r->location = NULL;
	if (r->disposition[0])
		MHD_add_response_header(resp, "Content-Disposition", r->disposition);
	if (r->etag[0]) {
		/* a stored capture never changes: its views may be kept, but asked again */
		MHD_add_response_header(resp, "ETag", r->etag);
		MHD_add_response_header(resp, "Cache-Control", "private, no-cache");
	} else {
		MHD_add_response_header(resp, "Cache-Control", "no-store");
	}
	enum MHD_Result ret = MHD_queue_response(c, r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}
