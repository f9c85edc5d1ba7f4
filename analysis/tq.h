/* tq.h - the public interface of libtqanalysis: captures, frame trees, writers. */
#ifndef TQ_H
#define TQ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* One error enum for the whole library; 0 is success. */
enum tq_err {
	TQ_OK = 0,
	TQ_ENOMEM = -1,     /* out of memory */
	TQ_ENOTCAP = -2,    /* not a pcap or pcapng file */
	TQ_ELINK = -3,      /* a link-layer type the library does not dissect */
	TQ_ETRUNCHDR = -4,  /* the file ends inside its header */
	TQ_EIO = -5,        /* the file could not be read */
	TQ_EBADREC = -6,    /* a record the library refuses (caplen past snaplen or 256 KiB) */
	TQ_ERANGE = -7,     /* frame number out of range */
	TQ_EINVAL = -8,     /* bad argument */
	TQ_ETOOBIG = -9,    /* past a configured limit */
	TQ_ETIMEOUT = -10,  /* past a deadline (struct tq_limits) */
};

/* Largest captured length accepted for one frame, as libpcap's MAXIMUM_SNAPLEN. */
#define TQ_MAX_CAPLEN (256u * 1024u)

/*
 * A budget for one piece of heavy work (a field index over a whole trace, an
 * exercise's keys), so that a big trace or a costly expression gets an error
 * instead of a worker's time or the server's memory.  A zero member is no
 * limit, and a function given a NULL pointer has no limits at all.  The
 * caller owns the struct; a function only reads it while it runs.  A function
 * that passes a limit stops, frees everything it made, and fails with
 * TQ_ETIMEOUT (the deadline) or TQ_ETOOBIG (the memory), and a message that
 * says which limit and where the work stopped; any other error means
 * something else went wrong.
 */
struct tq_limits {
	uint64_t deadline_ns;   /* tq_monotonic_ns() time by which the work must end */
	size_t max_bytes;       /* memory the result may hold, not counting the capture */
};

/* CLOCK_MONOTONIC now, in nanoseconds: add a budget to it for deadline_ns. */
uint64_t tq_monotonic_ns(void);
/* A budget as the limit messages say it (5 s, 2.5 s, 300 ms, 40 µs), in buf; returns buf. */
const char *tq_fmt_duration(uint64_t ns, char *buf, size_t len);

struct tq_capture;
struct tq_tree;
struct tq_node;
struct tq_field;

/* FNV-1a (64 bits) of the n bytes at p, going on from h: TQ_FNV64_BASIS to
 * start.  Hashes for tables and ETags, not for anything an attacker must
 * not guess. */
#define TQ_FNV64_BASIS 0xcbf29ce484222325ULL
static inline uint64_t
tq_fnv1a64(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

/* Growable output buffer with a hard cap (0: no cap).  Owned by the caller. */
struct tq_sbuf {
	char *s;
	size_t len, cap, max;
	int err;            /* sticky: TQ_ENOMEM or TQ_ETOOBIG once a write failed */
};

void tq_sbuf_init(struct tq_sbuf *b, size_t max);
void tq_sbuf_free(struct tq_sbuf *b);
void tq_sbuf_reset(struct tq_sbuf *b);
/* Makes room for n more bytes and a NUL; 0 (and err set) when it cannot. */
int tq_sbuf_grow(struct tq_sbuf *b, size_t n);

static inline void
tq_sbuf_put(struct tq_sbuf *b, const char *s, size_t n)
{
	if ((b->err || b->len + n + 1 > b->cap) && !tq_sbuf_grow(b, n))
		return;
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static inline void
tq_sbuf_putc(struct tq_sbuf *b, char c)
{
	if ((b->err || b->len + 2 > b->cap) && !tq_sbuf_grow(b, 1))
		return;
	b->s[b->len++] = c;
	b->s[b->len] = '\0';
}

static inline void
tq_sbuf_puts(struct tq_sbuf *b, const char *s)
{
	tq_sbuf_put(b, s, strlen(s));
}

void tq_sbuf_printf(struct tq_sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Fast paths for the writers: numbers without printf, and room to write into. */
void tq_sbuf_put_u64(struct tq_sbuf *b, uint64_t v);
void tq_sbuf_put_i64(struct tq_sbuf *b, int64_t v);
/* Lowercase hex, at least width digits, "0x" first when prefix. */
void tq_sbuf_put_hex(struct tq_sbuf *b, uint64_t v, unsigned width, int prefix);
/* Room for n more bytes (NULL on failure); tq_sbuf_commit(b, k) keeps k of them. */
char *tq_sbuf_reserve(struct tq_sbuf *b, size_t n);
void tq_sbuf_commit(struct tq_sbuf *b, size_t n);
/* Returns a NUL-terminated view of the contents, valid until the next write. */
const char *tq_sbuf_str(struct tq_sbuf *b);

/*
 * The whole file at path, NUL-terminated after its *len bytes; malloc'd,
 * free() it.  NULL with errno set when it cannot be read, and EFBIG when it
 * holds more than max bytes (read with a cap, so a file that grows while
 * read is refused too).
 */
char *tq_read_file(const char *path, size_t max, size_t *len);

/*
 * Open a capture (pcap, pcap-nsec or pcapng) and run pass 1 over it.
 * On success *out owns the capture; free it with tq_capture_free().
 * On failure *out is NULL and err (if not NULL) holds a message a person can
 * act on.  A damaged record after good ones is not a failure: the frames
 * before it are kept and tq_capture_warning() says what was wrong.
 * tq_capture_open_mem() copies buf; the caller keeps ownership of it.
 */
int tq_capture_open_file(const char *path, struct tq_capture **out, char *err, size_t errlen);
int tq_capture_open_mem(const void *buf, size_t len, struct tq_capture **out, char *err, size_t errlen);
/*
 * The same, returning once the file's header is read: on a pcap file of
 * 8 MiB or more, reading and pass 1 go on in threads of their own.
 * tq_capture_wait_read() waits until the frames are counted (only then are
 * tq_capture_count() and tq_capture_warning() final) and fails as
 * tq_capture_open_file() would.  tq_capture_wait_frames() waits until frames
 * up to num can be dissected (pass 2), often long before pass 1 ends: a
 * frame only waits for the last frame that shares state with it.
 * tq_capture_loading() says whether pass 1 still runs;
 * tq_capture_wait_loaded() waits for its end, and tq_capture_free() does so
 * itself.  While it runs, only one thread may call tq_capture_release().
 */
int tq_capture_open_file_async(const char *path, struct tq_capture **out, char *err, size_t errlen);

/*
 * "Decode as", tshark's -d: bytes on a port (or an IP protocol, an
 * ethertype) go to the named protocol instead of the one Wireshark would
 * pick.  A rule reads "tcp.port==2222,ssh", "udp.port==5300-5310,dns",
 * "ip.proto==99,udp" or "ethertype==0x88b5,ipv4"; tq_decode_as_parse()
 * returns TQ_EINVAL with a message naming what was wrong.  Rules go to the
 * capture when it is opened, since pass 1 follows them.
 */
struct tq_decode_as {
	uint8_t table;               /* TQ_TAB_* (internal) */
	uint8_t proto;               /* the protocol's id (internal) */
	uint16_t lo, hi;             /* the keys it covers */
};
#define TQ_MAX_DECODE_AS 16
int tq_decode_as_parse(const char *rule, struct tq_decode_as *out, char *err, size_t errlen);

struct tq_open_opts {
	const struct tq_decode_as *decode_as;
	unsigned ndecode_as;         /* at most TQ_MAX_DECODE_AS */
	int async;                   /* as tq_capture_open_file_async() (files only) */
};
/* tq_capture_open_file/_async/_mem with options; opts may be NULL. */
int tq_capture_open_file_opts(const char *path, const struct tq_open_opts *opts, struct tq_capture **out, char *err, size_t errlen);
int tq_capture_open_mem_opts(const void *buf, size_t len, const struct tq_open_opts *opts, struct tq_capture **out, char *err, size_t errlen);
int tq_capture_wait_read(struct tq_capture *cap, char *err, size_t errlen);
void tq_capture_wait_frames(struct tq_capture *cap, uint32_t num);
int tq_capture_loading(struct tq_capture *cap);
void tq_capture_wait_loaded(struct tq_capture *cap);
void tq_capture_free(struct tq_capture *cap);

uint32_t tq_capture_count(const struct tq_capture *cap);
/* NULL when the whole file was read; else a message owned by the capture. */
const char *tq_capture_warning(const struct tq_capture *cap);
/* Link-layer type (DLT_/LINKTYPE_ value) of the capture. */
int tq_capture_linktype(const struct tq_capture *cap);
/*
 * Bytes of memory the open capture holds (the file's bytes when copied, the
 * frame table, pass-1 state), an estimate for caches.  A file opened with
 * tq_capture_open_file() is mapped, not copied, and its bytes count all the
 * same, so that the figure does not depend on how the capture was opened.
 * Cheap (no walk); 0 for NULL.  While pass 1 still runs on a thread
 * (tq_capture_loading()), its state is left out: ask again once it is loaded.
 */
size_t tq_capture_memory(const struct tq_capture *cap);
/* A hint for readers going front to back: frames before num will not be
 * needed soon, so the memory they use may be given back. */
void tq_capture_release(struct tq_capture *cap, uint32_t num);
/* A hint for a reader about to go through frames from..to: their pages are
 * mapped at once, which costs less than a page fault each. */
void tq_capture_prefetch(struct tq_capture *cap, uint32_t from, uint32_t to);
/* Bytes of frame num (1-based), borrowed from the capture; NULL if out of range. */
const uint8_t *tq_capture_frame_bytes(const struct tq_capture *cap, uint32_t num, uint32_t *caplen);

/*
 * Pass 2: the full tree of frame num (1-based).  The tree borrows from cap
 * and must be freed with tq_tree_free() before the capture is.
 * Returns NULL with *err set on failure (TQ_ERANGE, TQ_ENOMEM).
 */
struct tq_tree *tq_dissect(struct tq_capture *cap, uint32_t num, int *err);
/* The same with flags: TQ_DISSECT_DISPLAY leaves out the hidden items (filter
 * aliases such as ip.addr or tcp.port) that only PDML and expressions use. */
#define TQ_DISSECT_DISPLAY 0x1
/* TQ_DISSECT_VALUES leaves the labels unwritten: the tree is for reading field
 * values (the expression language), not for showing. */
#define TQ_DISSECT_VALUES 0x2
struct tq_tree *tq_dissect_ex(struct tq_capture *cap, uint32_t num, int flags, int *err);
void tq_tree_free(struct tq_tree *t);

/* The packet-list columns of frame num as tshark's default columns print them. */
struct tq_columns {
	uint32_t num;
	const char *time;       /* seconds since the first frame, as tshark -2 shows */
	const char *src, *dst;  /* network (or link) addresses */
	const char *proto;
	uint32_t len;
	const char *info;
	int addr_kind;          /* for the arrow between Source and Destination */
	/* the strings' lengths */
	uint32_t time_len, src_len, dst_len, proto_len, info_len;
};

/*
 * Fill cols for frame num.  Strings point into scratch, an sbuf the caller
 * owns and reuses (it is reset here); they stay valid until its next use.
 */
int tq_columns_get(struct tq_capture *cap, uint32_t num, struct tq_columns *cols, struct tq_sbuf *scratch);
/* One packet-list line, as `tshark -2 -r FILE` prints it, newline included. */
void tq_columns_line(const struct tq_columns *cols, struct tq_sbuf *out);

/* Writers.  Each appends to out. */
void tq_write_text(struct tq_tree *t, struct tq_sbuf *out);                 /* tshark -V */
void tq_write_pdml_header(struct tq_capture *cap, const char *name, struct tq_sbuf *out);
void tq_write_pdml_packet(struct tq_tree *t, struct tq_sbuf *out);
void tq_write_pdml_footer(struct tq_sbuf *out);
void tq_write_json(struct tq_tree *t, struct tq_sbuf *out);                 /* documented in doc/json.md */

/*
 * The frame JSON with a view applied as it is written.  For each item shown,
 * in order, view->item (when set) sees the item, its label and its value (as
 * the JSON would say them, valid until it returns) and may leave the item out
 * (drop, and everything under it), write another label (new_label, borrowed
 * until the item is written), leave out its value or its children, or mark it
 * "hidden".  The bytes of the ranges in view->masked are written "??".  view
 * NULL writes the frame as it is.  Returns 0 or a tq_err (out->err).
 */
struct tq_json_item {
	const struct tq_node *node;
	int depth;                   /* 0: a top-level item (a protocol) */
	unsigned ds;                 /* its bytes: [pos, pos+len) of data source ds */
	uint32_t pos, len;
	const char *label, *value;   /* value NULL when the item has none */
	/* set by the view */
	const char *new_label;
	unsigned drop : 1, no_value : 1, no_kids : 1, hidden : 1;
};
struct tq_json_span {
	unsigned ds;
	uint32_t pos, len;
};
struct tq_json_view {
	unsigned long frame;                        /* the number to write, 0: the frame's own */
	void (*item)(void *arg, struct tq_json_item *it);
	void *arg;
	const struct tq_json_span *masked;
	size_t nmasked;
};
int tq_write_json_view(struct tq_tree *t, const struct tq_json_view *view, struct tq_sbuf *out);
/* s[0, n) as a JSON string, quotes included: ASCII out, other characters as
 * \u escapes, a byte that is not UTF-8 as U+FFFD. */
void tq_json_string(struct tq_sbuf *out, const char *s, size_t n);
/* The length of the UTF-8 sequence at s (n bytes left, n > 0) and its code point in *cp; 0 when it is
 * not valid UTF-8 (RFC 3629: no overlong form, no surrogate, nothing past U+10FFFF, not cut short). */
size_t tq_utf8_next(const unsigned char *s, size_t n, uint32_t *cp);

/* Tree walking, for the expression language and the server. */
struct tq_node *tq_tree_root(struct tq_tree *t);
struct tq_node *tq_node_child(const struct tq_node *n);
struct tq_node *tq_node_next(const struct tq_node *n);
const struct tq_field *tq_node_field(const struct tq_node *n);
/* A node's label as the tree shows it ("Sequence Number: 1    (relative sequence number)"),
 * appended to out (a tree built with TQ_DISSECT_VALUES has no words for its text items). */
void tq_node_label(const struct tq_node *n, struct tq_sbuf *out);
/* Where a node's bytes are: [*pos, *pos + *len) of data source *ds (0: the frame). */
void tq_node_span(const struct tq_node *n, unsigned *ds, uint32_t *pos, uint32_t *len);
const char *tq_field_abbrev(const struct tq_field *f);
const struct tq_field *tq_field_lookup(const char *abbrev);
/* The registered abbrev closest to a mistyped one, NULL when none is close. */
const char *tq_field_suggest(const char *abbrev);
const char *tq_field_name(const struct tq_field *f);
/* A field's number, below tq_field_id_limit(): for tables indexed by field. */
uint32_t tq_field_id(const struct tq_field *f);
uint32_t tq_field_id_limit(void);
/* Not a protocol or a text item: it has a value to show and compare. */
int tq_field_has_value(const struct tq_field *f);
/* A node's value as PDML's show attribute writes it (0x0303, 2001:db8::1, 6). */
void tq_node_value_show(const struct tq_node *n, struct tq_sbuf *out);
int tq_node_is_hidden(const struct tq_node *n);
int tq_node_is_generated(const struct tq_node *n);
/* The show value of the first field abbrev in frame num: 1 when found, 0 when
 * the frame has none, a negative tq_err on failure. */
int tq_frame_field_show(struct tq_capture *cap, uint32_t num, const char *abbrev, struct tq_sbuf *out);

/* Optional: the manuf file used to name Ethernet vendors (Wireshark's format).
 * Default: $TQ_MANUF, else /usr/share/wireshark/manuf when present. */
void tq_set_manuf_path(const char *path);

const char *tq_strerror(int err);

/* ------------------------------------------------------------------ expressions
 *
 * The answer-key language (doc/expressions.md): Wireshark's display-filter
 * comparisons plus values computed over the frames of a trace, such as
 * first(tls.handshake.version where tls.handshake.type == 2).
 */
struct tq_expr;
struct tq_findex;

/* What was wrong and where: pos is a byte offset in the expression's source,
 * -1 when the error has no place (a limit reached while evaluating). */
struct tq_expr_error {
	int pos;
	char msg[384];
};

/* Limits: a hostile expression gets an error, never the server's time or memory. */
#define TQ_EXPR_MAX_LEN   4096        /* bytes of source */
#define TQ_EXPR_MAX_DEPTH 64          /* nesting */
#define TQ_EXPR_MAX_NODES 1024        /* syntax-tree nodes */
#define TQ_EXPR_MAX_STEPS 200000000u  /* evaluation steps (about a second) */

/* Parses src.  On failure *out is NULL and err says what and where. */
int tq_expr_parse(const char *src, struct tq_expr **out, struct tq_expr_error *err);
void tq_expr_free(struct tq_expr *e);
const char *tq_expr_source(const struct tq_expr *e);

/*
 * Reads, in one pass over the capture, every field the n expressions use:
 * each frame is dissected once for all of them.  The index borrows cap; free
 * it with tq_findex_free() before the capture.  lim (NULL: none) bounds the
 * pass: the deadline is looked at every 32 frames, from the first, and no
 * array of the index grows past max_bytes in all (the frames table and the
 * wanted-field table count too).  On failure *out is NULL, err holds a
 * message a person can act on, and the result is TQ_ETIMEOUT or TQ_ETOOBIG
 * for a limit of lim (TQ_ETOOBIG also past the index's own 2^31 values),
 * TQ_ENOMEM, or the error of a frame that could not be dissected.
 */
int tq_findex_build(struct tq_capture *cap, struct tq_expr *const *exprs, size_t n,
    const struct tq_limits *lim, struct tq_findex **out, char *err, size_t errlen);
/* As n with exprs NULL: every field is indexed (any expression can then be evaluated). */
#define TQ_FINDEX_ALL ((size_t)-1)
void tq_findex_free(struct tq_findex *ix);

/*
 * Key discovery (suggest.c): expressions whose value on the indexed capture
 * (an index of every field, TQ_FINDEX_ALL) is answer, as a grader compares
 * them (text: case, space around and a name's final dot aside; a number by
 * its value).  At most max, the simplest and most specific first (counts
 * first when prompt, which may be NULL, asks "how many"), each one evaluated
 * on the index before it is given.  *out (free each and it) and its count;
 * -1 when out of memory.
 */
int tq_suggest(const struct tq_findex *ix, const char *answer, const char *prompt, size_t max, char ***out,
    size_t *n);

/*
 * The value of e on the indexed capture, as JSON (a string, a number, true or
 * false, or an array), NULL with err set when it has none.  When from is not
 * NULL it receives the frames and fields the value came from:
 * [{"frame": 4, "field": "smtp.rsp.parameter"}, ...].  e must have been among
 * the expressions the index was built for.  Thread-safe: e and ix are only read.
 */
struct json_t;
struct json_t *tq_expr_eval(const struct tq_findex *ix, const struct tq_expr *e, struct json_t **from,
    struct tq_expr_error *err);

/* A field an expression reads, and how (tq_expr_uses). */
struct tq_field_use {
	const char *abbrev;
	int value;                   /* 1: its value is read; 0: only whether it is there */
	int raw;                     /* a protocol, a label or bytes: its bytes hold other fields' */
	int text;                    /* text, which may quote other fields */
	int pos;                     /* where, in the source */
};
typedef void (*tq_field_use_fn)(void *arg, const struct tq_field_use *u);
/* Calls fn for each field e names, in source order (a field named twice, twice). */
void tq_expr_uses(const struct tq_expr *e, tq_field_use_fn fn, void *arg);

/* Calls fn for each registered field, once per abbrev: its abbrev, its name
 * and the kind of value it holds ("an unsigned integer", "text"). */
typedef void (*tq_field_each_fn)(void *arg, const char *abbrev, const char *name, const char *kind);
void tq_fields_each(tq_field_each_fn fn, void *arg);

/* Parses a display filter: Wireshark 4.0's language alone (no aggregates, no
 * true/false, commas between set members; count(), len(), string(), upper(),
 * lower(), abs(), max(), min() on the occurrences in each frame). */
int tq_filter_parse(const char *src, struct tq_expr **out, struct tq_expr_error *err);

/*
 * A display filter (Wireshark's -Y): e read as a condition on each frame of
 * the indexed capture, as in count(frame where e).  sel[i] becomes 1 when
 * frame i + 1 matches, else 0 (sel has room for every frame of the index).
 * 0, or -1 with err set (a limit, or a regular expression that failed).
 */
int tq_filter_select(const struct tq_findex *ix, const struct tq_expr *e, uint8_t *sel, struct tq_expr_error *err);

/*
 * Follow Stream (follow.c): the payload of TCP or UDP stream N (tcp.stream,
 * udp.stream), both directions in the order it was sent, as Wireshark's
 * follow gives it (TCP put in sequence order; bytes acknowledged but not
 * captured said "[N bytes missing in capture file]"); or HTTP/2 stream sub
 * of TCP stream N (TQ_FOLLOW_HTTP2): each of its HTTP/2 frames, the header
 * blocks decompressed.  lim as for tq_findex_build (max_bytes also bounds
 * the payload kept).  A stream with no frame gives no record and no nodes.
 */
enum { TQ_FOLLOW_TCP, TQ_FOLLOW_UDP, TQ_FOLLOW_HTTP2 };
enum { TQ_FOLLOW_ASCII, TQ_FOLLOW_HEX, TQ_FOLLOW_RAW };
struct tq_follow;
struct tq_follow_record {
	uint32_t frame;              /* where its bytes were sent */
	uint8_t node;                /* 0: the stream's first sender (the client), 1: the other end */
	uint32_t len;
	const uint8_t *data;
};
int tq_follow_build(struct tq_capture *cap, int proto, uint32_t stream, uint32_t sub, const struct tq_limits *lim,
    struct tq_follow **out, char *err, size_t errlen);
void tq_follow_free(struct tq_follow *fw);
size_t tq_follow_records(const struct tq_follow *fw, const struct tq_follow_record **out);
/* Every frame of the stream, in order (those with no payload too). */
size_t tq_follow_frames(const struct tq_follow *fw, const uint32_t **out);
/* Node 0 or 1's address as tshark writes it (192.0.2.1, [2001:db8::1]; "" when none) and port. */
const char *tq_follow_node(const struct tq_follow *fw, int node, uint32_t *port);
/* The display filter of the stream, as tshark writes it: "tcp.stream eq 0 and http2.streamid eq 13". */
void tq_follow_filter(const struct tq_follow *fw, char *buf, size_t len);
/* What `tshark -qz follow,PROTO,FORMAT,N[,SUB]` prints: format TQ_FOLLOW_ASCII, _HEX or _RAW. */
void tq_follow_write(const struct tq_follow *fw, int format, struct tq_sbuf *out);

#endif
