/*
 * body.c - a request's body, taken as libmicrohttpd hands it over: JSON
 * into memory up to its cap, an upload streamed into a temporary file
 * under --tmp (a form through libmicrohttpd's parser: its file part to the
 * file, its text parts to memory), each byte charged to the in-flight
 * budget (opts.max_inflight) and given back when the request ends.
 */
#include "config.h"

#include <ctype.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "server.h"

#define SMALL_BODY 4096              /* a login's, a reset code's */
#define BODY_GRACE_S 60              /* a body's deadline: this, plus its length at BODY_MIN_RATE */
#define BODY_MIN_RATE (32 * 1024)    /* bytes a second */

/* ------------------------------------------------------------------ bodies */

/* Takes n bytes of the in-flight budget; 0, or -1 when it has not that many left. */
static int
budget_take(struct app *a, struct req *q, size_t n)
{
	size_t cur = __atomic_load_n(&a->inflight, __ATOMIC_RELAXED);
	do {
		if (n > a->o.max_inflight || cur > a->o.max_inflight - n)
			return -1;
	} while (!__atomic_compare_exchange_n(&a->inflight, &cur, cur + n, 1, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED));
	q->reserved += n;
	return 0;
}

static void
budget_give(struct app *a, struct req *q)
{
	if (q->reserved)
		__atomic_sub_fetch(&a->inflight, q->reserved, __ATOMIC_ACQ_REL);
	q->reserved = 0;
}

int
req_is_multipart(struct MHD_Connection *c)
{
	const char *ct = header(c, "Content-Type");
	return ct && !strncasecmp(ct, "multipart/form-data", 19);
}

static int
is_json(struct MHD_Connection *c)
{
	const char *ct = header(c, "Content-Type");
	size_t n = ct ? strcspn(ct, "; ") : 0;
	return ct && n == 16 && !strncasecmp(ct, "application/json", 16);
}

void
req_fail(struct req *q, unsigned status, const char *msg)
{
	if (!q->fail) {
		q->fail = status;
		snprintf(q->failmsg, sizeof(q->failmsg), "%s", msg);
	}
	free(q->body);
	q->body = NULL;
	q->len = q->cap = 0;
}

static int
write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* A temporary file that disappears when closed (O_TMPFILE, else made and unlinked at once). */
static int
temp_file(const struct app *a)
{
	const char *dir = a->o.tmpdir;
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
		return fd;
	char path[4200];
	snprintf(path, sizeof(path), "%s/tracequiz-upload-XXXXXX", dir);
	fd = mkostemp(path, O_CLOEXEC);
	if (fd >= 0)
		unlink(path);
	return fd;
}

static int
append(struct req *q, const char *data, size_t n)
{
	if (q->len + n + 1 > q->cap) {
		size_t nc = q->cap ? q->cap : 4096;
		while (nc < q->len + n + 1)
			nc *= 2;
		char *nb = realloc(q->body, nc);
		if (!nb)
			return -1;
		q->body = nb;
		q->cap = nc;
	}
	memcpy(q->body + q->len, data, n);
	q->len += n;
	q->body[q->len] = '\0';
	return 0;
}

/* A form's pieces: text parts into memory (at most max_body in all), the one file part into the file. */
static enum MHD_Result
on_part(void *cls, enum MHD_ValueKind kind, const char *key, const char *filename, const char *content_type,
    const char *transfer_encoding, const char *data, uint64_t off, size_t size)
{
	(void)kind, (void)content_type, (void)transfer_encoding;
	struct req *q = cls;
	struct part *p;
	/* a part comes in pieces: off 0 opens it, later pieces extend the last one */
	if (off == 0 || !q->nparts || strcmp(q->parts[q->nparts - 1].name, key ? key : "")) {
		if (q->nparts == MAX_PARTS) {
			req_fail(q, 400, "the form has too many parts");
			return MHD_NO;
		}
		p = &q->parts[q->nparts++];
		snprintf(p->name, sizeof(p->name), "%s", key ? key : "");
		snprintf(p->filename, sizeof(p->filename), "%s", filename ? filename : "");
		/* the capture is the form's one file: it goes where a raw upload goes */
		if (!strcmp(p->name, "file") || !strcmp(p->name, "capture")) {
			for (size_t i = 0; i + 1 < q->nparts; i++)
				if (q->parts[i].in_file) {
					req_fail(q, 400, "the form has two captures");
					return MHD_NO;
				}
			p->in_file = 1;
		}
	} else {
		p = &q->parts[q->nparts - 1];
	}
	if (!size)
		return MHD_YES;
	if (p->in_file) {
		if (write_all(q->fd, data, size) != 0) {
			req_fail(q, 503, "the upload could not be written to the server's disk; try again later");
			return MHD_NO;
		}
		p->len += size;
		return MHD_YES;
	}
	size_t text = 0;
	for (size_t i = 0; i < q->nparts; i++)
		text += q->parts[i].in_file ? 0 : q->parts[i].len;
	if (text + size > q->max) {
		req_fail(q, 413, "the form's text parts are too large");
		return MHD_NO;
	}
	if (p->len + size + 1 > p->cap) {
		size_t nc = p->cap ? p->cap : 256;
		while (nc < p->len + size + 1)
			nc *= 2;
		char *nd = realloc(p->data, nc);
		if (!nd)
			return MHD_NO;
		p->data = nd;
		p->cap = nc;
	}
	memcpy(p->data + p->len, data, size);
	p->len += size;
	p->data[p->len] = '\0';
	return MHD_YES;
}

struct part *
req_part(struct req *q, const char *name)
{
	for (size_t i = 0; i < q->nparts; i++)
		if (!strcmp(q->parts[i].name, name))
			return &q->parts[i];
	return NULL;
}

const char *
req_part_text(struct req *q, const char *name)
{
	struct part *p = req_part(q, name);
	if (!p || p->in_file)
		return NULL;
	if (!p->data)
		return "";
	return strlen(p->data) == p->len && p->len <= 256 ? p->data : NULL;
}

/* Sets up where the body goes; 0, or -1 with r set (the reply is sent at once). */
int
body_begin(struct app *a, struct MHD_Connection *c, struct req *q, struct reply *r)
{
	const struct route *rt = q->route;
	const char *cl = header(c, "Content-Length"), *te = header(c, "Transfer-Encoding");
	unsigned long long announced = cl ? strtoull(cl, NULL, 10) : 0;
	int has_body = announced > 0 || (te && strcasecmp(te, "identity"));
	if (!has_body)
		return 0;
	if (rt->body == BODY_NONE) {
		reply_error(r, 413, "this request takes no body");
		return -1;
	}
	q->max = rt->flags & R_SMALL ? SMALL_BODY : a->o.max_body;
	if (rt->body == BODY_UPLOAD && req_is_multipart(c)) {
		q->max = a->o.max_body;          /* of text parts; the file part may reach max_upload */
		if (!(q->pp = MHD_create_post_processor(c, 64 * 1024, on_part, q))) {
			reply_error(r, 400, "the multipart/form-data body has no boundary");
			return -1;
		}
	} else if (rt->body == BODY_UPLOAD && (rt->flags & R_RAW)) {
		/* a capture as the raw body, whatever type it says it is */
	} else if (rt->body == BODY_FORM) {
		const char *ct = header(c, "Content-Type");
		if (!ct || strncasecmp(ct, "application/x-www-form-urlencoded", 33)) {
			reply_error(r, 415, "send the form as application/x-www-form-urlencoded");
			return -1;
		}
	} else if (rt->body == BODY_UPLOAD && !is_json(c)) {
		reply_error(r, 415, "send the exercise as JSON (Content-Type: application/json) or as a multipart/form-data form");
		return -1;
	} else if (!is_json(c)) {
		reply_error(r, 415, "send the body as JSON, with Content-Type: application/json");
		return -1;
	}
	int to_file = rt->body == BODY_UPLOAD && (q->pp || (rt->flags & R_RAW));
	q->limit = to_file ? a->o.max_upload + (q->pp ? a->o.max_body : 0) : q->max;
	if (announced > q->limit) {
		reply_error(r, 413, "the body is larger than %zu bytes", q->limit);
		return -1;
	}
	if (to_file) {
		if ((q->fd = temp_file(a)) < 0) {
			reply_error(r, 503, "the server cannot store an upload now (%s); try again later", strerror(errno));
			r->retry_after = 30;
			return -1;
		}
	}
	if (announced && budget_take(a, q, (size_t)announced) != 0) {
		reply_error(r, 503, "the server is receiving too much at once; try again in a few seconds");
		r->retry_after = 5;
		return -1;
	}
	/* the body's deadline grows with its length */
	uint64_t allow = (uint64_t)BODY_GRACE_S + (announced ? announced : q->limit) / BODY_MIN_RATE;
	set_deadline(a, q->conn, allow * 1000000000ull, 0);
	return 0;
}

/* Takes n bytes of the body. */
void
body_take(struct app *a, struct req *q, const char *data, size_t n)
{
	if (q->fail)
		return;
	if (q->received + n > q->limit) {
		char msg[80];
		snprintf(msg, sizeof(msg), "the body is larger than %zu bytes", q->limit);
		req_fail(q, 413, msg);
		return;
	}
	/* a body of unknown length (chunked) takes its budget as it comes */
	if (q->received + n > q->reserved && budget_take(a, q, q->received + n - q->reserved) != 0) {
		req_fail(q, 503, "the server is receiving too much at once; try again in a few seconds");
		return;
	}
	q->received += n;
	if (q->pp) {
		if (MHD_post_process(q->pp, data, n) != MHD_YES)
			req_fail(q, 400, "the multipart/form-data body is malformed");
	} else if (q->fd >= 0) {
		if (write_all(q->fd, data, n) != 0)
			req_fail(q, 503, "the upload could not be written to the server's disk; try again later");
	} else if (append(q, data, n) != 0) {
		req_fail(q, 503, "out of memory; try again later");
	}
}

/* The body is all in: the form's parser ends, the file is mapped. */
int
body_end(struct req *q)
{
	if (q->pp) {
		if (MHD_destroy_post_processor(q->pp) != MHD_YES)
			req_fail(q, 400, "the multipart/form-data body is malformed");
		q->pp = NULL;
	}
	if (q->fail || q->fd < 0)
		return 0;
	struct stat sb;
	if (fstat(q->fd, &sb) != 0)
		return -1;
	if (sb.st_size > 0) {
		void *m = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, q->fd, 0);
		if (m == MAP_FAILED)
			return -1;
		q->file = m;
		q->flen = (size_t)sb.st_size;
	}
	return 0;
}

void
req_free(struct app *a, struct req *q)
{
	if (q->pp)
		MHD_destroy_post_processor(q->pp);
	for (size_t i = 0; i < q->nparts; i++)
		free(q->parts[i].data);
	if (q->file)
		munmap((void *)q->file, q->flen);
	if (q->fd >= 0)
		close(q->fd);
	free(q->body);
	budget_give(a, q);
	if (q->heavy_counted)
		heavy_give(a, q->user.id);
	free(q->job);
	free(q);
}
