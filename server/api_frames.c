/*
 * api_frames.c - an exercise's trace as its viewer may see it: the packet
 * list in pages (with a display filter), one frame's tree and bytes, and
 * Follow Stream, with HTTP caching; view.c masks what a student must not
 * see, api.c deals an order question's frames to other places.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "server.h"

#define FOLLOW_MAX_BYTES (64u << 20)    /* of a stream's payload shown */


/* "ETag" for what a user sees of an exercise's trace: the exercise, its
 * version (its document and capture: a save may change what is hidden), the
 * viewer's kind and what is asked. */
static int
etag_check(struct MHD_Connection *c, struct reply *r, const struct loaded *l, int staff, const char *what)
{
	/* the exercise's id names it: the slug may be long */
	snprintf(r->etag, sizeof(r->etag), "\"x%lld-%s-%c-%.30s\"", (long long)l->id, l->version, staff ? 'i' : 's', what);
	return reply_not_modified(c, r);
}

static struct fsel *
filter_frames(struct app *a, struct req *q, struct loaded *l, int staff, int dealing, const char *src, int check,
    struct reply *r)
{
	struct tq_expr *e = NULL;
	struct tq_expr_error ee;
	if (tq_filter_parse(src, &e, &ee) != 0) {
		reply_json(r, 400, json_pack("{s:s,s:i}", "error", ee.msg, "position", ee.pos));
		return NULL;
	}
	char why[300];
	if (!staff && tq_view_filter_refused(l->ex, dealing, e, why, sizeof(why))) {
		reply_json(r, 403, json_pack("{s:s}", "error", why));
		tq_expr_free(e);
		return NULL;
	}
	if (check) {
		/* the filter bar asks as one types: valid, and allowed; nothing is read */
		reply_json(r, 200, json_pack("{s:b}", "valid", 1));
		tq_expr_free(e);
		return NULL;
	}
	struct fsel *fs = fsel_find(a, l->ce, tq_expr_source(e));
	if (fs || !q->on_pool) {
		q->defer = !fs;
		tq_expr_free(e);
		return fs;
	}
	if (heavy_hold(a, q, r) != 0) {
		tq_expr_free(e);
		return NULL;
	}
	uint32_t n = tq_capture_count(l->cap);
	struct tq_findex *ix = NULL;
	struct tq_limits lim = job_limits(a);
	char err[600];
	int rc = tq_findex_build(l->cap, &e, 1, &lim, &ix, err, sizeof(err));
	if (rc != 0) {
		reply_error(r, rc == TQ_ETIMEOUT || rc == TQ_ETOOBIG ? 422 : 503, "%s", err);
		tq_expr_free(e);
		return NULL;
	}
	fs = calloc(1, sizeof(*fs));
	if (fs) {
		fs->refs = 1;
		fs->n = n;
		fs->src = strdup(tq_expr_source(e));
		fs->sel = malloc(n ? n : 1);
	}
	if (!fs || !fs->src || !fs->sel) {
		reply_error(r, 503, "out of memory; try again later");
		fsel_release(fs);
		fs = NULL;
	} else if (tq_filter_select(ix, e, fs->sel, &ee) != 0) {
		reply_json(r, 422, json_pack("{s:s,s:i}", "error", ee.msg, "position", ee.pos));
		fsel_release(fs);
		fs = NULL;
	} else {
		for (uint32_t i = 0; i < n; i++)
			fs->matched += fs->sel[i];
		fsel_keep(a, l->ce, fs);
	}
	tq_findex_free(ix);
	tq_expr_free(e);
	return fs;
}

/*
 * GET .../frames?from=P&count=K[&filter=F][&at=N]: the packet list, K lines
 * from the P-th line shown.  With a display filter the lines shown are the
 * frames it selects ("displayed" of "total", as Wireshark's status bar);
 * "at" is then the place of frame N among them (0: not shown).  With check,
 * the filter is only read: {"valid": true}, or the error it would give.
 */
void
frames_page(struct app *a, struct MHD_Connection *c, struct req *q, struct loaded *l, int64_t viewer, struct reply *r)
{
	int staff = viewer == 0;
	const char *sf = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "from");
	const char *sc = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "count");
	const char *sa = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "at");
	const char *filter = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "filter");
	int check = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "check") != NULL;
	char *end;
	unsigned long from = 1, count = 100, at = 0;
	if (sf) {
		errno = 0;
		from = strtoul(sf, &end, 10);
		if (errno || *end || !from) {
			reply_error(r, 400, "from: a frame number from 1");
			return;
		}
	}
	if (sc) {
		errno = 0;
		count = strtoul(sc, &end, 10);
		if (errno || *end || !count || count > 1000) {
			reply_error(r, 400, "count: 1 to 1000 frames");
			return;
		}
	}
	if (sa) {
		errno = 0;
		at = strtoul(sa, &end, 10);
		if (errno || *end) {
			reply_error(r, 400, "at: a frame number");
			return;
		}
	}
	while (filter && (*filter == ' ' || *filter == '\t'))
		filter++;
	if (filter && !*filter)
		filter = NULL;           /* an empty filter bar shows every frame */
	if (check && !filter) {
		reply_json(r, 200, json_pack("{s:b}", "valid", 1));
		return;
	}
	struct shuffle sh;
	shuffle_for(l, viewer, &sh);
	struct fsel *fs = NULL;
	if (filter && !(fs = filter_frames(a, q, l, staff, sh.n > 0, filter, check, r)))
		return;                  /* refused, failed, or deferred to the heavy pool */
	char what[96];
	snprintf(what, sizeof(what), "list-%lu-%lu-%lu-%llx-u%lld", from, count, at,
	    filter ? (unsigned long long)tq_fnv1a64(TQ_FNV64_BASIS, filter, strlen(filter)) : 0ULL, sh.n ? (long long)viewer : 0LL);
	if (etag_check(c, r, l, staff, what)) {
		fsel_release(fs);
		return;
	}
	uint32_t total = tq_capture_count(l->cap), displayed = fs ? fs->matched : total;
	json_t *list = json_array();
	struct tq_sbuf scratch;
	tq_sbuf_init(&scratch, 0);
	/* a student's rows say again what the frames' trees mask: the same values masked word by word */
	struct tq_view *v = !staff && l->ex ? tq_view_new(l->ex) : NULL;
	int failed = !staff && l->ex && !v;
	/* place p (what the student sees as frame p) is the k-th line shown */
	unsigned long k = 0, at_k = 0;
	for (uint32_t p = 1; !failed && p <= total; p++) {
		int dealt;
		uint32_t real = shuffled(&sh, p, &dealt);
		if (fs) {
			if (real > fs->n || !fs->sel[real - 1])
				continue;
			k++;
			if (p == at)
				at_k = k;
			if (k < from)
				continue;
			if (k >= from + count) {
				if (at && !at_k && at > p)
					continue;        /* still looking for frame at */
				if (!at || at_k || at < p)
					break;
				continue;
			}
		} else {
			k = p;
			if (p == at)
				at_k = k;
			if (p < from) {
				p = (uint32_t)(from - 1);   /* straight to the page */
				continue;
			}
			if (k >= from + count)
				break;
		}
		struct tq_columns col;
		if (tq_columns_get(l->cap, real, &col, &scratch) != 0)
			break;
		char *src = NULL, *dst = NULL, *proto = NULL, *info = NULL;
		int whole = 0;
		if (v) {
			int rc = tq_view_frame(v, real, p, dealt);
			if (!rc)
				rc = tq_view_gather(v, l->cap);
			/* a row the view cannot mask word by word says nothing: a failure included */
			whole = (rc != 0 && tq_view_masks_anything(v)) || (tq_view_hides(v) && !tq_view_row_maskable(v));
			if (rc == 0) {
				src = tq_view_mask_row(v, col.src);
				dst = tq_view_mask_row(v, col.dst);
				proto = tq_view_mask_row(v, col.proto);
				info = tq_view_mask_row(v, col.info);
			}
		}
		json_array_append_new(list, json_pack("{s:I,s:s,s:s,s:s,s:s,s:I,s:s}", "no", (json_int_t)p, "time",
		    dealt ? "??" : col.time, "src", src ? src : col.src, "dst", dst ? dst : col.dst,
		    "proto", proto ? proto : col.proto, "len", (json_int_t)col.len, "info", whole ? "??" : info ? info : col.info));
		free(src);
		free(dst);
		free(proto);
		free(info);
	}
	if (!fs && at && at <= total)
		at_k = at;
	tq_view_free(v);
	tq_sbuf_free(&scratch);
	if (failed) {
		json_decref(list);
		fsel_release(fs);
		reply_error(r, 503, "out of memory");
		return;
	}
	json_t *res = json_pack("{s:I,s:I,s:o}", "total", (json_int_t)total, "displayed", (json_int_t)displayed, "frames", list);
	if (filter)
		json_object_set_new(res, "filter", json_string(filter));
	if (at)
		json_object_set_new(res, "at", json_integer((json_int_t)at_k));
	fsel_release(fs);
	reply_json(r, 200, res);
}

/*
 * Whether a student may follow a stream of frames fr[0..n-1]: not when one of
 * them hides a field or is dealt to another place, nor when the exercise
 * redacts a field or leaves out an item above the transport (the stream's
 * bytes would say it).  1 with a sentence in why when not.
 */
static int
follow_refused(const struct loaded *l, const struct shuffle *sh, const uint32_t *fr, size_t n, char *why, size_t len)
{
	const json_t *doc = tq_exercise_doc(l->ex);
	json_t *view = json_object_get(doc, "view");
	if (json_array_size(json_object_get(view, "redact"))) {
		snprintf(why, len, "this exercise redacts fields: its streams cannot be followed");
		return 1;
	}
	size_t i;
	json_t *x;
	json_array_foreach(json_object_get(view, "exclude"), i, x) {
		const char *f = json_string_value(x);
		static const char *const below[] = { "frame", "eth", "sll", "null", "ip", "ipv6", "tcp", "udp", NULL };
		int low = 0;
		for (int k = 0; f && below[k] && !low; k++) {
			size_t m = strlen(below[k]);
			low = !strncmp(f, below[k], m) && (f[m] == '.' || !f[m]) && strcmp(f, "tcp.payload") &&
			    strcmp(f, "udp.payload");
		}
		if (f && !low) {
			snprintf(why, len, "this exercise leaves %s out of the trace: its streams cannot be followed", f);
			return 1;
		}
	}
	for (size_t k = 0; k < n; k++) {
		char key[16];
		snprintf(key, sizeof(key), "%u", fr[k]);
		json_t *q;
		json_array_foreach(json_object_get(doc, "questions"), i, q)
			if (json_array_size(json_object_get(json_object_get(q, "hide"), key))) {
				snprintf(why, len, "frame %u of this stream hides a field: the stream cannot be followed", fr[k]);
				return 1;
			}
		for (uint32_t j = 0; j < sh->n; j++)
			if (sh->frame[j] == fr[k] || sh->place[j] == fr[k]) {
				snprintf(why, len, "this stream has frames to put in order: it cannot be followed");
				return 1;
			}
	}
	return 0;
}

/*
 * GET .../follow?stream=N[&proto=tcp|udp|http2][&sub=S]: Follow Stream, what
 * the two ends of the conversation (HTTP/2: stream S of TCP stream N) sent
 * each other in order: {proto, stream, [sub,] filter,
 * nodes: [{addr, port}, {addr, port}], records: [{node, frame, data (hex)}],
 * frames: [...]}.  Heavy work (the whole trace is read): on the heavy pool.
 */
void
follow_stream(struct app *a, struct MHD_Connection *c, struct req *q, struct loaded *l, int64_t viewer, struct reply *r)
{
	const char *ss = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "stream");
	const char *sp = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "proto");
	const char *su = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "sub");
	int proto = TQ_FOLLOW_TCP;
	if (sp && !strcmp(sp, "udp"))
		proto = TQ_FOLLOW_UDP;
	else if (sp && !strcmp(sp, "http2"))
		proto = TQ_FOLLOW_HTTP2;
	else if (sp && strcmp(sp, "tcp")) {
		reply_error(r, 400, "proto: tcp, udp or http2");
		return;
	}
	char *end;
	errno = 0;
	unsigned long stream = ss ? strtoul(ss, &end, 10) : 0;
	if (!ss || !*ss || errno || *end || stream > UINT32_MAX) {
		reply_error(r, 400, "stream: the stream's number (tcp.stream or udp.stream), from 0");
		return;
	}
	unsigned long sub = 0;
	if (proto == TQ_FOLLOW_HTTP2) {
		errno = 0;
		sub = su ? strtoul(su, &end, 10) : 0;
		if (!su || !*su || errno || *end || sub > 0x7fffffff) {
			reply_error(r, 400, "sub: the HTTP/2 stream id (http2.streamid)");
			return;
		}
	}
	if (!q->on_pool) {
		q->defer = 1;
		return;
	}
	if (heavy_hold(a, q, r) != 0)
		return;
	struct tq_limits lim = job_limits(a);
	if (!lim.max_bytes || lim.max_bytes > FOLLOW_MAX_BYTES)
		lim.max_bytes = FOLLOW_MAX_BYTES;
	struct tq_follow *fw;
	char err[512];
	int rc = tq_follow_build(l->cap, proto, (uint32_t)stream, (uint32_t)sub, &lim, &fw, err, sizeof(err));
	if (rc != 0) {
		reply_error(r, rc == TQ_ETIMEOUT || rc == TQ_ETOOBIG ? 422 : 503, "%s", err);
		return;
	}
	const uint32_t *fr;
	size_t nfr = tq_follow_frames(fw, &fr);
	char why[200];
	if (viewer && l->ex) {
		struct shuffle sh;
		shuffle_for(l, viewer, &sh);
		if (follow_refused(l, &sh, fr, nfr, why, sizeof(why))) {
			reply_error(r, 403, "%s", why);
			tq_follow_free(fw);
			return;
		}
	}
	static const char *const pnames[] = { "tcp", "udp", "http2" };
	const char *pname = pnames[proto];
	json_t *nodes = json_array(), *recs = json_array(), *frames = json_array();
	for (int k = 0; k < 2; k++) {
		uint32_t port;
		const char *addr = tq_follow_node(fw, k, &port);
		if (*addr)
			json_array_append_new(nodes, json_pack("{s:s,s:I}", "addr", addr, "port", (json_int_t)port));
	}
	const struct tq_follow_record *rec;
	size_t nrec = tq_follow_records(fw, &rec);
	struct tq_sbuf hex;
	tq_sbuf_init(&hex, 0);
	for (size_t i = 0; i < nrec; i++) {
		tq_sbuf_reset(&hex);
		for (uint32_t k = 0; k < rec[i].len; k++)
			tq_sbuf_printf(&hex, "%02x", rec[i].data[k]);
		json_array_append_new(recs, json_pack("{s:i,s:I,s:s#}", "node", rec[i].node, "frame", (json_int_t)rec[i].frame,
		    "data", hex.s ? hex.s : "", hex.len));
	}
	tq_sbuf_free(&hex);
	for (size_t i = 0; i < nfr; i++)
		json_array_append_new(frames, json_integer(fr[i]));
	char filter[96];
	tq_follow_filter(fw, filter, sizeof(filter));
	json_t *body = json_pack("{s:s,s:I,s:s,s:o,s:o,s:o}", "proto", pname, "stream", (json_int_t)stream,
	    "filter", filter, "nodes", nodes, "records", recs, "frames", frames);
	if (body && proto == TQ_FOLLOW_HTTP2)
		json_object_set_new(body, "sub", json_integer((json_int_t)sub));
	reply_json(r, 200, body);
	tq_follow_free(fw);
}

void
frame_tree(struct MHD_Connection *c, struct loaded *l, int64_t viewer, const char *num_s, struct reply *r)
{
	int staff = viewer == 0;
	char *end;
	errno = 0;
	unsigned long num = strtoul(num_s, &end, 10);
	if (errno || *end || !num || num > tq_capture_count(l->cap)) {
		reply_error(r, 404, "there is no frame %.20s in this trace (%u frames)", num_s, tq_capture_count(l->cap));
		return;
	}
	struct shuffle sh;
	shuffle_for(l, viewer, &sh);
	int dealt;
	uint32_t real = shuffled(&sh, (uint32_t)num, &dealt);
	char what[64];
	snprintf(what, sizeof(what), sh.n ? "frame-%lu-u%lld" : "frame-%lu", num, (long long)viewer);
	if (etag_check(c, r, l, staff, what))
		return;
	int err;
	struct tq_tree *t = tq_dissect_ex(l->cap, real, TQ_DISSECT_DISPLAY, &err);
	if (!t) {
		reply_error(r, 500, "frame %lu: %s", num, tq_strerror(err));
		return;
	}
	struct tq_sbuf out;
	tq_sbuf_init(&out, 64u << 20);
	int rc;
	if (staff || !l->ex) {
		rc = tq_write_json_view(t, NULL, &out);
	} else {
		/* a student's: the view applied as the frame is written */
		struct tq_view *v = tq_view_new(l->ex);
		rc = !v ? TQ_ENOMEM : tq_view_frame(v, real, (uint32_t)num, dealt);
		if (!rc)
			rc = tq_view_write_json(v, t, &out);
		tq_view_free(v);
	}
	tq_tree_free(t);
	tq_sbuf_putc(&out, '\n');
	if (rc || out.err) {
		tq_sbuf_free(&out);
		reply_error(r, rc == TQ_ENOMEM ? 503 : 500, "frame %lu could not be written: %s", num, tq_strerror(rc ? rc : out.err));
		return;
	}
	r->status = 200;
	r->ctype = "application/json";
	r->rawlen = out.len;
	r->raw = out.s;
}
