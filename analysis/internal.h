/* internal.h - what the analysis library's modules share: fields, nodes, packets, state. */
#ifndef TQ_INTERNAL_H
#define TQ_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <pthread.h>
#include <stdint.h>

#include "cursor.h"
#include "tq.h"

/* ------------------------------------------------------------------ arena */

/*
 * A bump allocator: blocks freed all at once.  Used for one frame's tree and
 * for a capture's pass-1 state.  tq_arena_alloc() returns zeroed memory or
 * NULL when out of memory (or past max, when max is not 0).
 */
struct tq_arena_blk;
struct tq_arena {
	struct tq_arena_blk *head;
	struct tq_arena_blk *spare;  /* a large block a reset kept for the next frame */
	size_t used, total, max;
};

void tq_arena_init(struct tq_arena *a, size_t max);
void *tq_arena_alloc(struct tq_arena *a, size_t n);
/* The same without zeroing, for memory the caller fills at once. */
void *tq_arena_alloc_raw(struct tq_arena *a, size_t n);
char *tq_arena_strdup(struct tq_arena *a, const char *s, size_t n);
char *tq_arena_vprintf(struct tq_arena *a, const char *fmt, va_list ap);
/* Bytes as Wireshark's ENC_UTF_8 strings are, up to a NUL: what is not
 * well-formed UTF-8 becomes U+FFFD, one for each maximal ill-formed part
 * (the Unicode Standard's and WHATWG's practice). */
char *tq_utf8_string(struct tq_arena *a, const uint8_t *p, size_t n);
/* Bytes as Wireshark's ENC_ASCII strings are: each byte past 0x7f becomes
 * U+FFFD, the rest is kept (a NUL ends the string as C reads it); *outlen,
 * when given, is the length written.  NULL when out of memory. */
char *tq_ascii_string(struct tq_arena *a, const uint8_t *p, size_t n, size_t *outlen);
char *tq_arena_printf(struct tq_arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Frees every block but the first, which is kept for reuse. */
void tq_arena_reset(struct tq_arena *a);
void tq_arena_free(struct tq_arena *a);

/* ------------------------------------------------------------------ fields */

/* Field types, as Wireshark's ftenum. */
enum tq_ftype {
	FT_NONE, FT_PROTOCOL, FT_BOOLEAN,
	FT_UINT8, FT_UINT16, FT_UINT24, FT_UINT32, FT_UINT40, FT_UINT48, FT_UINT56, FT_UINT64,
	FT_INT8, FT_INT16, FT_INT24, FT_INT32, FT_INT64,
	FT_FRAMENUM, FT_DOUBLE, FT_ABSTIME, FT_RELTIME,
	FT_ETHER, FT_IPV4, FT_IPV6, FT_BYTES, FT_STRING,
};

/* Display bases.  For FT_BOOLEAN, base is the bit width of the container. */
enum tq_base {
	BASE_NONE = 0, BASE_DEC, BASE_HEX, BASE_OCT, BASE_DEC_HEX, BASE_HEX_DEC,
};

struct tq_vals { uint32_t v; const char *s; };            /* ends with s == NULL */
struct tq_rvals { uint32_t lo, hi; const char *s; };      /* ends with s == NULL */
struct tq_tfs { const char *t, *f; };

enum { SK_NONE, SK_VALS, SK_RVALS, SK_TFS };

/* Flags of a field definition. */
#define FF_UNIT_BYTES   0x01    /* value shown with " bytes" appended */
#define FF_FRAMENUM_ACK 0x02

/* A field definition, like Wireshark's header_field_info: one per abbrev. */
struct tq_field {
	const char *abbrev;
	const char *name;
	uint8_t type;
	uint8_t base;
	uint8_t skind;
	uint8_t fflags;
	const void *strings;
	uint64_t mask;
	uint32_t id;                 /* set when registered; equal abbrevs share it */
	uint16_t name_len;           /* strlen(name), set when registered */
	uint16_t abbrev_len;         /* strlen(abbrev), set when registered */
};

#define TQ_SKIND(s) _Generic((s), \
	const struct tq_vals *: SK_VALS, struct tq_vals *: SK_VALS, \
	const struct tq_rvals *: SK_RVALS, struct tq_rvals *: SK_RVALS, \
	const struct tq_tfs *: SK_TFS, struct tq_tfs *: SK_TFS, \
	default: SK_NONE)

#define HF(ab, nm, ty, ba, st, mk) \
	{ .abbrev = (ab), .name = (nm), .type = (ty), .base = (ba), \
	  .skind = TQ_SKIND(st), .strings = (st), .mask = (mk) }

#define HFU(ab, nm, ty, ba, st, mk, ff) \
	{ .abbrev = (ab), .name = (nm), .type = (ty), .base = (ba), \
	  .skind = TQ_SKIND(st), .strings = (st), .mask = (mk), .fflags = (ff) }

void tq_fields_register(struct tq_field *const *fields, size_t n);
#define TQ_REGISTER(arr) tq_fields_register((arr), sizeof(arr) / sizeof((arr)[0]))

const char *tq_val_str(const struct tq_field *f, uint64_t v);   /* NULL if none */
const char *tq_vals_find(const struct tq_vals *vs, uint32_t v);  /* NULL if none */
const char *tq_rvals_find(const struct tq_rvals *vs, uint32_t v);

extern const struct tq_tfs tq_tfs_set_notset;
extern const struct tq_tfs tq_tfs_yes_no;
extern const struct tq_tfs tq_tfs_true_false;

/* Expert info: an abbrev of its own plus a severity and group. */
#define PI_COMMENT 0x00100000
#define PI_CHAT    0x00200000
#define PI_NOTE    0x00400000
#define PI_WARN    0x00600000
#define PI_ERROR   0x00800000

#define PI_CHECKSUM     0x01000000
#define PI_SEQUENCE     0x02000000
#define PI_RESPONSE_CODE 0x03000000
#define PI_REQUEST_CODE 0x04000000
#define PI_UNDECODED    0x05000000
#define PI_REASSEMBLE   0x06000000
#define PI_MALFORMED    0x07000000
#define PI_PROTOCOL     0x09000000
#define PI_DEPRECATED   0x0e000000

struct tq_expert {
	struct tq_field f;           /* FT_NONE, name is the summary */
	uint32_t severity, group;
};

#define EI(ab, summary, sev, grp) \
	{ .f = HF((ab), (summary), FT_NONE, BASE_NONE, NULL, 0), .severity = (sev), .group = (grp) }

/* ------------------------------------------------------------------ nodes */

#define NF_GENERATED 0x01
#define NF_HIDDEN    0x02
#define NF_LABEL     0x04    /* text is the whole label */
#define NF_VALTEXT   0x08    /* text replaces the value part of the label */
#define NF_EXPERT    0x10
#define NF_TRUNC     0x20    /* its bytes ran past what was captured */
#define NF_LOCAL     0x40    /* bytes value copied into the arena */

union tq_val {
	uint64_t u;
	int64_t i;
	double d;
	struct { int64_t s; int32_t ns; } t;
	struct { const uint8_t *p; uint32_t n; } b;
};

struct tq_node {
	const struct tq_field *f;    /* NULL: a text item with no abbrev */
	struct tq_node *child, *last, *next;
	const char *text;
	const char *suffix;          /* text appended to the label */
	union tq_val v;
	uint32_t pos, len;
	uint8_t ds;
	uint8_t flags;
};

/* A data source: the frame, or a buffer rebuilt by reassembly. */
struct tq_ds {
	const uint8_t *data;
	uint32_t len;
	const char *name;            /* "Frame (96 bytes)", "Reassembled IPv6 (1800 bytes)" */
};

#define TQ_MAX_DS 16

struct tq_tree {
	struct tq_arena arena;
	struct tq_node root;
	struct tq_capture *cap;
	uint32_t num;
	struct tq_ds ds[TQ_MAX_DS];
	unsigned nds;
	int no_hidden;               /* built for display: hidden items left out */
	int no_text;                 /* built for values (expressions): labels left unwritten */
};

/* A window on the bytes of one data source. */
struct tq_slice {
	const uint8_t *p;            /* the byte at pos */
	uint32_t len;                /* captured bytes available from p */
	uint32_t rlen;               /* reported length (>= len when the capture was cut) */
	uint32_t pos;                /* offset of p in its data source */
	uint8_t ds;
};

struct tq_slice tq_sub(const struct tq_slice *s, uint32_t off, uint32_t len);
struct tq_slice tq_sub_rest(const struct tq_slice *s, uint32_t off);

/* ------------------------------------------------------------------ addresses */

enum { AT_NONE, AT_ETHER, AT_IPV4, AT_IPV6, AT_NA };    /* AT_NA: shown as "N/A" */

struct tq_addr {
	uint8_t kind;
	uint8_t a[16];
};

void tq_addr_set(struct tq_addr *ad, int kind, const uint8_t *p);
int tq_addr_cmp(const struct tq_addr *x, const struct tq_addr *y);
/* Writes the address as Wireshark shows it (no name resolution). */
void tq_addr_str(const struct tq_addr *ad, char *buf, size_t len);
void tq_ipv6_str(const uint8_t *a, char *buf, size_t len);
void tq_ipv4_str(const uint8_t *a, char *buf, size_t len);
void tq_ether_str(const uint8_t *a, char *buf, size_t len);
/* "Vendor_xx:xx:xx", or the plain address when the vendor is unknown. */
void tq_ether_name(const uint8_t *a, char *buf, size_t len);
/* The long vendor name of the OUI, NULL if unknown. */
const char *tq_oui_name(const uint8_t *a);

/* ------------------------------------------------------------------ capture */

struct tq_tcp_frame;

/* Pass-1 record of one frame: nothing per field. */
struct tq_frame {
	uint64_t off;                /* offset of its bytes in cap->base */
	int64_t sec;
	uint32_t nsec;
	uint32_t caplen, len;
	uint32_t iface;              /* index in cap->ifaces (pcapng), UINT32_MAX if unknown */
	struct tq_tcp_frame *tcp;    /* TCP analysis, NULL if none */
	void *udp;                   /* UDP stream data (udp.c), NULL if none */
};

/* A pcapng interface; cap->ifaces holds those of every section, in file order. */
struct tq_iface {
	const char *name;
	const char *desc;
	int linktype;
	uint32_t section;            /* 1-based, as frame.section_number */
	uint32_t id;                 /* within its section, as frame.interface_id */
};

struct tq_pdata;
struct tq_conv_table;

struct tq_capture {
	uint8_t *base;               /* the whole file, mapped or copied */
	size_t size;
	int mapped;
	size_t dropped;              /* mapped pages below this were given back (tq_capture_release) */
	int linktype;
	int nsec_file;               /* timestamps have nanosecond resolution */
	int pcapng;
	struct tq_frame *frames;     /* never moves while pass 1 runs on a thread (capture.c) */
	uint32_t nframes, cap_frames;
	int frames_mapped;           /* frames is a reservation of cap_frames, not malloc's */
	int load_rc;                 /* 0, or TQ_ENOMEM when reading had to stop */
	struct tq_loader *load;      /* pass 1 and the scout on threads, while they run */
	struct tq_iface *ifaces;
	uint32_t nifaces;
	char *warning;
	struct tq_arena state;       /* pass-1 state lives here */
	struct tq_conv_table *convs; /* written by pass 1, read by pass 2 without a lock (conv.c) */
	struct tq_pdata *pdata;
	uint32_t tcp_streams, udp_streams;
	uint32_t frag_ids;
	struct tq_decode_as decode_as[TQ_MAX_DECODE_AS];
	unsigned ndecode_as;
};

/* ------------------------------------------------------------------ conversations */

enum { CONV_TCP = 1, CONV_UDP, CONV_ICMP, CONV_ICMPV6, CONV_IPFRAG, CONV_IP6FRAG };

struct tq_conv {
	struct tq_addr a, b;         /* a is the side that opened it */
	uint16_t pa, pb;
	uint8_t kind;
	uint32_t extra;              /* more key: the IP identification of a fragmented datagram */
	uint32_t index;              /* stream index within its kind */
	uint32_t first_frame;        /* 0, or the frame that started it on a reused key */
	void *data;                  /* protocol state */
	uint64_t hash;               /* of its key, for the table (conv.c) */
};

/*
 * A gzip or deflate body decompressed as Wireshark's tvb_uncompress does
 * (inflate.c): the output in the arena, or NULL when it fails.  *outlen is
 * its length; only its first `keep` bytes are kept (0: all, up to 64 MiB),
 * and *keptlen says how many.
 */
uint8_t *tq_uncompress(struct tq_arena *a, const uint8_t *p, uint32_t n, uint32_t keep, uint32_t *outlen,
    uint32_t *keptlen);

/* Pass 1 over frame num, the frames before it done (dissect.c); scratch is reset after it. */
void tq_pass1_frame(struct tq_capture *cap, uint32_t num, struct tq_arena *scratch);

/* Finds the conversation between (src,sport) and (dst,dport) of kind; creates it when create. */
struct tq_conv *tq_conv_find(struct tq_capture *cap, int kind, const struct tq_addr *src,
    const struct tq_addr *dst, uint16_t sport, uint16_t dport, uint32_t extra, int create);
/* The same, as frame num sees it: of several conversations on one key (TCP
 * ports reused), the one started last at or before num. */
struct tq_conv *tq_conv_find_at(struct tq_capture *cap, int kind, const struct tq_addr *src,
    const struct tq_addr *dst, uint16_t sport, uint16_t dport, uint32_t extra, int create, uint32_t num);
/* A new conversation on the key of an existing one, seen from frame num on
 * (Wireshark's conversation_new on a reused TCP port pair); src is its side a. */
struct tq_conv *tq_conv_new_from(struct tq_capture *cap, int kind, const struct tq_addr *src,
    const struct tq_addr *dst, uint16_t sport, uint16_t dport, uint32_t extra, uint32_t num);
/* Nonzero when c is the conversation of kind between (src,sport) and (dst,dport), either way. */
int tq_conv_is(const struct tq_conv *c, int kind, const struct tq_addr *src, const struct tq_addr *dst,
    uint16_t sport, uint16_t dport);
/* Nonzero when (src,sport) is the side that opened conv. */
int tq_conv_from_a(const struct tq_conv *c, const struct tq_addr *src, uint16_t sport);

/* Per-frame protocol data, as Wireshark's p_add_proto_data. */
void *tq_pdata_get(struct tq_capture *cap, uint32_t num, uint32_t key);
int tq_pdata_put(struct tq_capture *cap, uint32_t num, uint32_t key, void *data);

enum { PD_ICMP_ECHO = 1, PD_ICMPV6_ECHO, PD_IPFRAG, PD_IP6FRAG, PD_UDP, PD_SMTP };

/* ------------------------------------------------------------------ packets */

/* Everything one frame's dissection needs, as Wireshark's packet_info. */
struct tq_pkt {
	struct tq_capture *cap;
	struct tq_frame *fr;
	uint32_t num;
	int pass;                    /* 1: pass 1 builds state; 2: reads it */
	unsigned udp_seen;           /* UDP headers met so far in this frame */
	struct tq_tree *tree;        /* NULL when no tree is wanted */
	struct tq_arena *arena;
	int want_cols;

	const char *col_proto;
	struct tq_sbuf *info;
	size_t fence;
	struct tq_addr net_src, net_dst;  /* Source and Destination columns */
	struct tq_addr dl_src, dl_dst;

	/* the current layer's addresses, for conversations */
	struct tq_addr src, dst;
	uint16_t sport, dport;
	uint8_t ipproto;
	int in_error;                /* inside an ICMP error's invoking packet */
	int depth;
	uint8_t ttl;                 /* the current IP header's TTL or hop limit (ICMP's Info) */
	struct tq_node *parent;      /* where tq_root() adds protocols; NULL: the tree's root */

	size_t plen;
	struct tq_node *frame_node;

	/* TCP stream dissectors: what TCP tells them, and how they ask for more
	 * bytes (as Wireshark's pinfo->desegment_offset/len) */
	struct tq_tcpinfo *tcp;
	uint32_t deseg_offset, deseg_len;

	/* last: a new packet clears what comes before it only (pkt_init) */
	char protocols[1024];        /* frame.protocols (its label is cut at 239 bytes, not its value) */
};

#define TQ_DESEG_ONE_MORE 0x0fffffffu   /* "one more segment": the length is not known yet */

/* What TCP tells the protocol riding on a stream. */
struct tq_tcpinfo {
	struct tq_conv *conv;
	int dir;                     /* 0: from the conversation's side a */
	int from_client;             /* sent by the side that opened the connection */
	uint32_t seq, nxtseq;        /* relative sequence numbers of these bytes */
	int is_reassembled;          /* the bytes were rebuilt from several segments */
	int can_desegment;           /* the protocol may ask for more bytes: all of the
	                                segment was captured (pinfo->can_desegment) */
	void **app_state;            /* the stream protocol's own per-connection state */
	const char *inner;           /* for TLS: the protocol it carries ("smtp" after STARTTLS
	                                or on port 465), NULL if unknown */
	uint16_t server_port;
};

/* Stream protocols (analysis/proto/): each dissects what it can of s and
 * returns the bytes it used; to ask for more it sets pk->deseg_offset and
 * pk->deseg_len (bytes still missing, or TQ_DESEG_ONE_MORE). */
int tq_dissect_smtp(struct tq_pkt *pk, struct tq_slice *s);
int tq_dissect_tls(struct tq_pkt *pk, struct tq_slice *s);
/* Its TLS heuristic on TCP (is_sslv3_or_tls), tried when no port dissector
 * takes the stream: a Handshake or Application Data record header of SSL 3.0,
 * TLS 1.0-1.2 or GMTLS with a length of 1 to 18431.  When it matches, the
 * stream is TLS from this frame on, both ways. */
int tq_tls_heuristic(const uint8_t *p, uint32_t len);
/* Whether Wireshark 4.0 gives this TCP port to a dissector by number. */
int tq_tcp_port_claimed(uint16_t port);
void tq_register_smtp(void);
void tq_register_tls(void);
void tq_register_http(void);
void tq_register_ssh(void);
void tq_register_telnet(void);
void tq_register_dns(void);
void tq_register_http2(void);
void tq_register_websocket(void);
/* HTTP's HTTP2-Settings header, base64-decoded in s: the settings shown under parent (http2.c). */
void tq_http2_settings_ext(struct tq_pkt *pk, struct tq_node *parent, const struct tq_slice *s);
struct tq_dissector;
/* After the server's 220 reply to STARTTLS: frames after this one are TLS. */
void tq_tcp_starttls(struct tq_pkt *pk);
/* In pass 1: the stream's bytes go to d from this frame on (from_next_frame 0)
 * or from the next one (1), whatever the ports say: an HTTP upgrade, a
 * protocol found by its look.  The first switch of a stream holds. */
void tq_tcp_switch(struct tq_pkt *pk, const struct tq_dissector *d, int from_next_frame);
/* The state slot of d on this packet's TCP stream, for a dissector that hands
 * on to another within a segment (HTTP to HTTP/2 after "101 Switching
 * Protocols"); made in pass 1 only, NULL when there is none. */
void **tq_tcp_app_state(struct tq_pkt *pk, const struct tq_dissector *d);
/* tcp_dissect_pdus's generated "PDU Size" under the frame's TCP item, for the
 * PDU of len bytes at off of s that a protocol above found in the segment. */
void tq_tcp_pdu_size(struct tq_pkt *pk, const struct tq_slice *s, uint32_t off, uint32_t len);
/* After an HTTP upgrade Wireshark reaches the next protocol through HTTP on
 * every frame ("tcp:http:websocket"); TCP calls it directly once switched, so
 * it adds the "http" layer when HTTP has state on the connection (http.c). */
void tq_http_upgraded_layer(struct tq_pkt *pk);

#define TQ_MAX_DEPTH 12

/* ------------------------------------------------------------------ dissector tables (table.c) */

/*
 * A protocol other dissectors hand bytes to by table (its port, its
 * ethertype) or by name (decode as).  It returns the bytes it used, 0 when
 * they are not its own (the caller then tries the next candidate, as
 * Wireshark's "new-style" dissectors do).
 */
struct tq_dissector {
	const char *name;            /* as tshark's -d names it: "dns", "ssh", "tls" */
	int (*dissect)(struct tq_pkt *pk, struct tq_slice *s);
	/* for heuristic lists: whether these first bytes of a payload are its own */
	int (*heuristic)(const struct tq_pkt *pk, const uint8_t *p, uint32_t len);
	uint8_t id;                  /* set when registered, from 1: decode-as rules and stream state */
};

enum tq_table { TQ_TAB_ETHERTYPE, TQ_TAB_IP_PROTO, TQ_TAB_TCP_PORT, TQ_TAB_UDP_PORT, TQ_TAB_COUNT };

/* Registration, from tq_register_*() only (tq_init() runs them once). */
void tq_dissector_add(enum tq_table t, uint32_t key, struct tq_dissector *d);
void tq_dissector_add_range(enum tq_table t, uint32_t lo, uint32_t hi, struct tq_dissector *d);
void tq_heur_add(enum tq_table t, struct tq_dissector *d);
/* A dissector reachable by name only (decode as), on no table. */
void tq_dissector_register(struct tq_dissector *d);

/* The dissector for key: the capture's decode-as rules first, then the table; NULL if none. */
const struct tq_dissector *tq_dissector_find(const struct tq_capture *cap, enum tq_table t, uint32_t key);
/* The first heuristic dissector of table t that takes these bytes, NULL if none. */
const struct tq_dissector *tq_heur_find(enum tq_table t, const struct tq_pkt *pk, const uint8_t *p, uint32_t len);
const struct tq_dissector *tq_dissector_by_id(unsigned id);
const struct tq_dissector *tq_dissector_named(const char *name);

extern struct tq_dissector tq_data_dissector;

/*
 * The node to add protocols to: the tree's root, or the node set in
 * pk->parent (an ICMP item while the packet it carries is dissected, as
 * Wireshark passes icmp_tree down); NULL when no tree is built.
 */
static inline struct tq_node *
tq_root(struct tq_pkt *pk)
{
	if (!pk->tree)
		return NULL;
	return pk->parent ? pk->parent : &pk->tree->root;
}

/* Adds a field whose value is read from its bytes. */
struct tq_node *tq_add(struct tq_pkt *pk, struct tq_node *parent, const struct tq_field *f,
    const struct tq_slice *s, uint32_t off, uint32_t len);
/* Adds a field with an explicit integer value. */
struct tq_node *tq_add_u(struct tq_pkt *pk, struct tq_node *parent, const struct tq_field *f,
    const struct tq_slice *s, uint32_t off, uint32_t len, uint64_t v);
/* Adds a generated field (no bytes) at off. */
struct tq_node *tq_add_gen(struct tq_pkt *pk, struct tq_node *parent, const struct tq_field *f,
    const struct tq_slice *s, uint32_t off, uint64_t v);
struct tq_node *tq_add_time(struct tq_pkt *pk, struct tq_node *parent, const struct tq_field *f,
    const struct tq_slice *s, uint32_t off, uint32_t len, int64_t sec, int32_t nsec);
struct tq_node *tq_add_str(struct tq_pkt *pk, struct tq_node *parent, const struct tq_field *f,
    const struct tq_slice *s, uint32_t off, uint32_t len, const char *str);
/* Adds a protocol item under the root and records it in frame.protocols. */
struct tq_node *tq_add_proto(struct tq_pkt *pk, struct tq_node *parent, const struct tq_field *f,
    const struct tq_slice *s, uint32_t off, uint32_t len);
struct tq_node *tq_add_text(struct tq_pkt *pk, struct tq_node *parent, const struct tq_slice *s,
    uint32_t off, uint32_t len, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

void tq_set_label(struct tq_pkt *pk, struct tq_node *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void tq_set_valtext(struct tq_pkt *pk, struct tq_node *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void tq_append(struct tq_pkt *pk, struct tq_node *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void tq_set_len(struct tq_node *n, uint32_t len);
/* Depth first: the first node of field id under n, NULL if none. */
const struct tq_node *tq_node_find(const struct tq_node *n, uint32_t id);

static inline struct tq_node *
tq_gen(struct tq_node *n)
{
	if (n)
		n->flags |= NF_GENERATED;
	return n;
}

static inline struct tq_node *
tq_hide(struct tq_node *n)
{
	if (n)
		n->flags |= NF_HIDDEN;
	return n;
}

/* Nonzero when hidden items (filter aliases such as ip.addr) are wanted:
 * a tree only for display (text, the browser) goes without them. */
static inline int
tq_want_hidden(const struct tq_pkt *pk)
{
	return pk->tree && !pk->tree->no_hidden;
}

/* Nonzero when labels are wanted: a tree built for display, not for values
 * alone nor for the packet list (which builds none). */
static inline int
tq_want_text(const struct tq_pkt *pk)
{
	return pk->tree && !pk->tree->no_text;
}

/* A hidden item: expr is not even evaluated when hidden items are not wanted. */
#define TQ_HIDDEN(pk, expr) (tq_want_hidden(pk) ? tq_hide(expr) : (struct tq_node *)NULL)

/* Adds an expert item under n; fmt NULL uses the summary. */
struct tq_node *tq_expert(struct tq_pkt *pk, struct tq_node *n, const struct tq_expert *e,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* "[Malformed Packet: proto]" / truncated frame report, as Wireshark's exceptions. */
void tq_malformed(struct tq_pkt *pk, const char *proto);
/* The same with Wireshark's reason when it has one ("[Malformed Packet: why]"). */
void tq_malformed_why(struct tq_pkt *pk, const char *proto, const char *why);
/* "[Packet size limited during capture: proto truncated]": Wireshark's BoundsError,
 * a read past what was captured but not past what was on the wire. */
void tq_truncated(struct tq_pkt *pk, const char *proto);
/*
 * Whether the len bytes at off of s were captured: the one bounds check of
 * the dissectors that read at offsets.  If not, it reports what Wireshark's
 * exception would for proto (tq_truncated when the bytes were on the wire
 * but past the snap length, tq_malformed when even the reported length falls
 * short) and returns 0: the caller stops, as the exception stops Wireshark.
 */
int tq_have(struct tq_pkt *pk, const struct tq_slice *s, uint32_t off, uint32_t len, const char *proto);
/* A cursor over s from off, with its two lengths (captured and on the wire). */
static inline struct tq_cursor
tq_cursor_at(const struct tq_slice *s, uint32_t off)
{
	if (off > s->len)
		return tq_cursor_make2(s->p ? s->p + s->len : NULL, 0, off < s->rlen ? s->rlen - off : 0);
	return tq_cursor_make2(s->p + off, s->len - off, s->rlen > off ? s->rlen - off : 0);
}
/* Reports a cursor's failed read as tq_have does (nothing when it has not failed); returns c->err. */
int tq_cursor_report(struct tq_pkt *pk, const struct tq_cursor *c, const char *proto);

/* Adds a data source (a rebuilt buffer in the tree's arena); returns its index or -1. */
int tq_add_ds(struct tq_pkt *pk, const uint8_t *data, uint32_t len, const char *name);

/* Protocols in frame: appends ":name". */
void tq_layer(struct tq_pkt *pk, const char *name);

/* Columns.  All do nothing when no columns are wanted. */
void tq_col_proto(struct tq_pkt *pk, const char *proto);
void tq_col_info_clear(struct tq_pkt *pk);
void tq_col_info_set(struct tq_pkt *pk, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tq_col_info_append(struct tq_pkt *pk, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tq_col_info_prepend(struct tq_pkt *pk, const char *s);
/* Fast appends for the hot columns: a string, or a prefix and a number. */
void tq_col_info_puts(struct tq_pkt *pk, const char *s);
void tq_col_info_put_u(struct tq_pkt *pk, const char *prefix, uint64_t v);
void tq_col_info_fence(struct tq_pkt *pk);

/* Labels and PDML's show attribute. */
void tq_node_show(const struct tq_node *n, struct tq_sbuf *out);
/* "00" "01" ... "99": the two decimal digits of every number below 100. */
extern const char tq_digit_pairs[201];
const char *tq_node_ds_bytes(const struct tq_tree *t, const struct tq_node *n, uint32_t *len);
/* The pos PDML shows for n under parent (NULL at the top): tshark adds the
 * parent's start when a child starts before it, as a field of a reassembled
 * buffer under a header of the frame does. */
uint32_t tq_node_pdml_pos(const struct tq_node *parent, const struct tq_node *n);

/* Formatting helpers shared by dissectors. */
void tq_fmt_abstime(int64_t sec, int32_t nsec, char *buf, size_t len);
void tq_fmt_reltime(int64_t sec, int32_t nsec, char *buf, size_t len);
void tq_reltime_delta(int64_t s1, int32_t ns1, int64_t s0, int32_t ns0, int64_t *s, int32_t *ns);
void tq_hexstr(const uint8_t *p, size_t n, char sep, struct tq_sbuf *out);
/* vsnprintf, fast for the conversions labels use; falls back to the C library's. */
int tq_vformat(char *buf, size_t cap, const char *fmt, va_list ap);
/* Wireshark's format_text: what a label shows of string bytes (escapes, \uXXXX). */
void tq_format_text(struct tq_sbuf *out, const uint8_t *p, size_t n);
/* Writes Wireshark's bit picture of val under mask ("0101 .... = "). */
void tq_fmt_bits(char *buf, size_t len, uint64_t val, uint64_t mask, unsigned width);

/* ------------------------------------------------------------------ dispatch */

typedef int (*tq_dissector_fn)(struct tq_pkt *pk, struct tq_slice *s);

int tq_dissect_ethertype(struct tq_pkt *pk, uint16_t etype, struct tq_slice *s);
int tq_dissect_ipproto(struct tq_pkt *pk, uint8_t proto, struct tq_slice *s);
int tq_dissect_data(struct tq_pkt *pk, struct tq_slice *s);
/* Runs the frame dissector and everything below it for pk->num. */
void tq_dissect_frame(struct tq_pkt *pk);
void tq_init(void);

/* Dissectors (analysis/proto/). */
int tq_dissect_eth(struct tq_pkt *pk, struct tq_slice *s);
int tq_dissect_sll(struct tq_pkt *pk, struct tq_slice *s);
int tq_dissect_sll2(struct tq_pkt *pk, struct tq_slice *s);
int tq_dissect_null(struct tq_pkt *pk, struct tq_slice *s);
int tq_dissect_raw(struct tq_pkt *pk, struct tq_slice *s);
int tq_dissect_vlan(struct tq_pkt *pk, struct tq_slice *s);
int tq_dissect_arp(struct tq_pkt *pk, struct tq_slice *s);
int tq_dissect_ipv4(struct tq_pkt *pk, struct tq_slice *s);
int tq_dissect_ipv6(struct tq_pkt *pk, struct tq_slice *s);
int tq_dissect_tcp(struct tq_pkt *pk, struct tq_slice *s);
int tq_dissect_udp(struct tq_pkt *pk, struct tq_slice *s);
int tq_dissect_icmp(struct tq_pkt *pk, struct tq_slice *s);
int tq_dissect_icmpv6(struct tq_pkt *pk, struct tq_slice *s);

void tq_register_frame(void);
void tq_register_eth(void);
void tq_register_arp(void);
void tq_register_sll(void);
void tq_register_null(void);
void tq_register_ipv4(void);
void tq_register_ipv6(void);
void tq_register_tcp(void);
void tq_register_udp(void);
void tq_register_icmp(void);
void tq_register_icmpv6(void);
void tq_register_data(void);

/* Shared by ICMP and ICMPv6, defined in icmp.c. */

/* The Internet checksum (RFC 1071): add bytes to a running sum, then fold it. */
uint32_t tq_cksum_add(uint32_t sum, const uint8_t *p, size_t n);
uint16_t tq_cksum_fold(uint32_t sum);

struct tq_cksum_fields {
	const struct tq_field *ck, *status;
	const struct tq_expert *bad;
};
/*
 * Adds the checksum at off and its status, as proto_tree_add_checksum:
 * verified when verify (sum is then the sum over the whole message, 0xffff
 * folded when right), else unverified with " [why]" appended.
 */
void tq_icmp_checksum(struct tq_pkt *pk, struct tq_node *t, const struct tq_slice *s, uint32_t off,
    const struct tq_cksum_fields *cf, int verify, uint32_t sum, const char *why);

/* The multi-part extensions (RFC 4884, 4950) of an ICMP or ICMPv6 error from off on. */
void tq_icmp_extensions(struct tq_pkt *pk, struct tq_node *t, const struct tq_slice *s, uint32_t off);

/* One echo request and the reply that matched it (times are the request's). */
struct tq_icmp_echo {
	uint32_t req, resp;
	int64_t sec;
	int32_t nsec;
};
/*
 * Pass 1: records a request, or matches a reply to the latest request of the
 * same key between the same two addresses; stores the transaction as the
 * frame's pdata under pdkey.  The key is the checksum the reply carries and
 * the identifier and sequence number.  Pass 2 reads tq_pdata_get().
 */
void tq_icmp_echo_track(struct tq_pkt *pk, int convkind, uint32_t pdkey, int reply, uint32_t ck,
    uint32_t idseq);

extern const struct tq_vals tq_etype_vals[];
extern const struct tq_vals tq_ipproto_vals[];
extern struct tq_field tq_hf_data_proto;
extern struct tq_field tq_hf_text;

/* Shared by the IPv4 and IPv6 fragment reassembly. */
struct tq_fragment {
	uint32_t frame;
	uint32_t off;                /* fragment offset in the datagram */
	uint32_t len;
	uint32_t data_off;           /* where its payload starts in its frame */
	struct tq_fragment *next;
};

#endif
