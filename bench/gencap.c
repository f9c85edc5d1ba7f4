/*
 * gencap.c - writes the benchmark capture: a deterministic, realistic Ethernet
 * capture of a busy LAN segment, as a switch mirror port would see it.
 *
 *   usage: gencap OUT.pcap [MIN_FRAMES]     (default 250000 frames)
 *
 * The traffic (fixed seed, so every run writes the same bytes):
 *   - TCP over IPv4 (about 2/3 of the streams) and IPv6 (1/3), several hundred
 *     streams, interleaved in time.  Each opens with a Linux-style three-way
 *     handshake (MSS, SACK permitted, timestamps, window scale), moves data and
 *     closes with FIN/ACK, FIN/ACK, ACK (a few end with a RST instead).  Data
 *     uses small writes; PSH marks the last segment of a write; the receiver
 *     sends a delayed ACK every second segment and at the end of a burst.
 *     Sequence, acknowledgement and timestamp (TSval/TSecr) numbers are those a
 *     real stack would send, so tshark's TCP analysis finds nothing to flag.
 *     Three kinds of stream: request/response (a web-API-like client), interactive
 *     (ssh-like keystrokes and echoes) and bulk downloads of MSS-sized segments.
 *   - UDP over IPv4 and IPv6: request/response flows and one-way 20 ms media-like
 *     streams.
 *   - ping: ICMP and ICMPv6 echo request/reply sessions, 200 ms apart, with the
 *     56 bytes of data Linux ping sends (a struct timeval, then 0x10..0x37).
 * Application payloads are pseudo-random bytes (as encrypted traffic looks) on
 * ports no tshark dissector claims (TCP 7700/7701/7702, UDP 7710/7720), each
 * starting with the bytes 5a 51 00 00 so that no heuristic dissector takes them either:
 * tshark and tracequiz both stop at TCP/UDP/ICMP + data, and the timings compare
 * the same work.
 * IPv4, TCP, UDP, ICMP and ICMPv6 checksums are correct.
 *
 * Build: cc -O2 -o gencap gencap.c -lpcap
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ random */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t
rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

/* uniform in [lo, hi] */
static uint32_t
between(uint32_t lo, uint32_t hi)
{
	return lo + (uint32_t)(rnd() % ((uint64_t)hi - lo + 1));
}

/* ------------------------------------------------------------------ frames */

struct frame {
	uint64_t t;         /* microseconds since the start of the capture */
	uint32_t order;     /* creation order: ties keep it */
	uint32_t len;
	size_t off;         /* in pool */
};

static struct frame *frames;
static size_t nframes, capframes;
static uint8_t *pool;
static size_t poollen, poolcap;

static uint8_t *
new_frame(uint64_t t, uint32_t len)
{
	if (nframes == capframes) {
		capframes = capframes ? capframes * 2 : 65536;
		frames = realloc(frames, capframes * sizeof(*frames));
		if (!frames) {
			perror("gencap");
			exit(1);
		}
	}
	if (poollen + len > poolcap) {
		poolcap = poolcap ? poolcap * 2 : (size_t)64 << 20;
		pool = realloc(pool, poolcap);
		if (!pool) {
			perror("gencap");
			exit(1);
		}
	}
	struct frame *f = &frames[nframes];
	f->t = t;
	f->order = (uint32_t)nframes;
	f->len = len;
	f->off = poollen;
	nframes++;
	poollen += len;
	memset(pool + f->off, 0, len);
	return pool + f->off;
}

static int
frame_cmp(const void *a, const void *b)
{
	const struct frame *x = a, *y = b;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* ------------------------------------------------------------------ hosts */

struct host {
	uint8_t mac[6];
	uint8_t ip4[4];
	uint8_t ip6[16];
	uint16_t ipid;
};

/* OUIs of common NIC vendors, so the Ethernet columns show vendor names */
static const uint8_t ouis[][3] = {
	{ 0x00, 0x1b, 0x21 }, { 0x3c, 0x22, 0xfb }, { 0x00, 0x50, 0x56 }, { 0xf4, 0x8e, 0x38 },
	{ 0x00, 0x16, 0x3e }, { 0xa4, 0xbb, 0x6d }, { 0x52, 0x54, 0x00 }, { 0xb8, 0x27, 0xeb },
};

#define NCLIENTS 120
#define NSERVERS 12

static struct host clients[NCLIENTS], servers[NSERVERS];

static void
make_host(struct host *h, int server, int i)
{
	const uint8_t *o = ouis[rnd() % (sizeof(ouis) / sizeof(ouis[0]))];
	h->mac[0] = o[0];
	h->mac[1] = o[1];
	h->mac[2] = o[2];
	h->mac[3] = (uint8_t)rnd();
	h->mac[4] = (uint8_t)rnd();
	h->mac[5] = (uint8_t)rnd();
	/* 10.20.0.0/16 for clients, 10.10.0.0/24 for servers */
	h->ip4[0] = 10;
	h->ip4[1] = server ? 10 : 20;
	h->ip4[2] = server ? 0 : (uint8_t)(i / 200);
	h->ip4[3] = (uint8_t)(server ? 10 + i : 10 + i % 200);
	/* 2001:db8:20::/64 for clients, 2001:db8:10::/64 for servers */
	static const uint8_t pfx[6] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00 };
	memcpy(h->ip6, pfx, 6);
	h->ip6[5] = server ? 0x10 : 0x20;
	if (server) {
		h->ip6[15] = (uint8_t)(0x10 + i);
	} else {
		/* SLAAC-style interface identifier from the MAC (EUI-64) */
		h->ip6[8] = h->mac[0] ^ 0x02;
		h->ip6[9] = h->mac[1];
		h->ip6[10] = h->mac[2];
		h->ip6[11] = 0xff;
		h->ip6[12] = 0xfe;
		h->ip6[13] = h->mac[3];
		h->ip6[14] = h->mac[4];
		h->ip6[15] = h->mac[5];
	}
	h->ipid = (uint16_t)rnd();
}

/* ------------------------------------------------------------------ checksums */

static uint32_t
sum16(const uint8_t *p, size_t n, uint32_t acc)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		acc += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		acc += (uint32_t)(p[n - 1] << 8);
	return acc;
}

static uint16_t
fold(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)~acc;
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* ------------------------------------------------------------------ IP packets */

struct flow {
	int v6;
	struct host *a, *b;     /* a is the client */
	uint32_t flow6[2];      /* IPv6 flow label per direction */
};

/*
 * Builds Ethernet + IP headers for an L4 payload of l4len bytes sent by side
 * dir (0: a->b, 1: b->a); returns a pointer to the L4 header.  The L4 checksum
 * is filled by finish_l4().
 */
static uint8_t *
ip_frame(struct flow *fl, int dir, uint64_t t, uint8_t proto, uint32_t l4len, uint8_t **frame_out)
{
	struct host *s = dir ? fl->b : fl->a, *d = dir ? fl->a : fl->b;
	uint32_t iplen = (fl->v6 ? 40 : 20) + l4len;
	uint8_t *f = new_frame(t, 14 + iplen);
	memcpy(f, d->mac, 6);
	memcpy(f + 6, s->mac, 6);
	put16(f + 12, fl->v6 ? 0x86dd : 0x0800);
	uint8_t *ip = f + 14;
	if (!fl->v6) {
		ip[0] = 0x45;
		put16(ip + 2, (uint16_t)iplen);
		put16(ip + 4, s->ipid++);
		put16(ip + 6, proto == 1 ? 0 : 0x4000);     /* DF, except ping */
		ip[8] = 64;
		ip[9] = proto;
		memcpy(ip + 12, s->ip4, 4);
		memcpy(ip + 16, d->ip4, 4);
		put16(ip + 10, fold(sum16(ip, 20, 0)));
	} else {
		uint32_t fl6 = fl->flow6[dir];
		put32(ip, 0x60000000u | fl6);
		put16(ip + 4, (uint16_t)l4len);
		ip[6] = proto;
		ip[7] = 64;
		memcpy(ip + 8, s->ip6, 16);
		memcpy(ip + 24, d->ip6, 16);
	}
	*frame_out = f;
	return ip + (fl->v6 ? 40 : 20);
}

/* Fills the L4 checksum at csoff with the pseudo-header (none for ICMPv4). */
static void
finish_l4(struct flow *fl, uint8_t *f, uint8_t proto, uint32_t l4len, uint32_t csoff)
{
	uint8_t *ip = f + 14, *l4 = ip + (fl->v6 ? 40 : 20);
	uint32_t acc = 0;
	if (proto != 1) {
		if (fl->v6)
			acc = sum16(ip + 8, 32, 0);
		else
			acc = sum16(ip + 12, 8, 0);
		acc += proto + l4len;
	}
	acc = sum16(l4, l4len, acc);
	uint16_t c = fold(acc);
	if (proto == 17 && c == 0)
		c = 0xffff;
	put16(l4 + csoff, c);
}

static void
fill_random(uint8_t *p, uint32_t n)
{
	uint32_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t r = rnd();
		memcpy(p + i, &r, 8);
	}
	if (i < n) {
		uint64_t r = rnd();
		memcpy(p + i, &r, n - i);
	}
	/* a fixed 4-byte start ("ZQ" 0 0) keeps tshark's heuristic dissectors
	 * (RTCP, Thrift, CLTP, MP2T...) from claiming the odd random payload */
	static const uint8_t magic[4] = { 0x5a, 0x51, 0x00, 0x00 };
	memcpy(p, magic, n < 4 ? n : 4);
}

/* ------------------------------------------------------------------ TCP */

#define F_FIN 0x01
#define F_SYN 0x02
#define F_RST 0x04
#define F_PSH 0x08
#define F_ACK 0x10

struct tcpside {
	uint16_t port;
	uint32_t seq;           /* next sequence number to send */
	uint32_t tsbase;        /* TSval clock offset, in ms */
	uint32_t last_tsval;
	uint16_t win;           /* advertised window after the handshake (scaled by 2^7) */
	uint16_t mss;
};

struct tcpconn {
	struct flow fl;
	struct tcpside s[2];
	uint64_t t;             /* time of the last segment sent */
};

static uint32_t
tsval(struct tcpconn *c, int dir, uint64_t t)
{
	return c->s[dir].tsbase + (uint32_t)(t / 1000);
}

static void
tcp_send(struct tcpconn *c, int dir, uint64_t t, uint8_t flags, uint32_t plen)
{
	struct tcpside *me = &c->s[dir], *peer = &c->s[!dir];
	uint32_t optlen = (flags & F_SYN) ? 20 : (flags & F_RST) ? 0 : 12;
	uint32_t l4len = 20 + optlen + plen;
	uint8_t *f;
	uint8_t *th = ip_frame(&c->fl, dir, t, 6, l4len, &f);
	put16(th, me->port);
	put16(th + 2, peer->port);
	put32(th + 4, me->seq);
	put32(th + 8, (flags & F_ACK) ? peer->seq : 0);
	th[12] = (uint8_t)(((20 + optlen) / 4) << 4);
	th[13] = flags;
	put16(th + 14, (flags & F_SYN) ? (dir ? 65160 : 64240) : (flags & F_RST) ? 0 : me->win);
	uint8_t *o = th + 20;
	uint32_t tv = tsval(c, dir, t), te = (flags & F_ACK) ? peer->last_tsval : 0;
	if (flags & F_SYN) {
		/* Linux: MSS, SACK_PERM, TS, NOP, WS */
		o[0] = 2; o[1] = 4; put16(o + 2, me->mss);
		o[4] = 4; o[5] = 2;
		o[6] = 8; o[7] = 10; put32(o + 8, tv); put32(o + 12, te);
		o[16] = 1;
		o[17] = 3; o[18] = 3; o[19] = 7;
	} else if (optlen) {
		o[0] = 1; o[1] = 1;
		o[2] = 8; o[3] = 10; put32(o + 4, tv); put32(o + 8, te);
	}
	me->last_tsval = tv;
	fill_random(th + 20 + optlen, plen);
	finish_l4(&c->fl, f, 6, l4len, 16);
	me->seq += plen + ((flags & (F_SYN | F_FIN)) ? 1 : 0);
	c->t = t;
}

static uint64_t
jitter(uint64_t base)
{
	return base + rnd() % (base / 4 + 1);
}

/*
 * Sends a write of n bytes from dir as segments of at most mss bytes (PSH on
 * the last); the peer acks every second segment and the last.  The segments
 * leave back to back (ser_us apart); ACKs come rtt/2 later as seen here.
 */
static void
tcp_write(struct tcpconn *c, int dir, uint32_t n, uint64_t ser_us, uint64_t rtt)
{
	uint32_t mss = c->s[dir].mss, unacked = 0;
	uint64_t t = c->t;
	while (n) {
		uint32_t seg = n > mss ? mss : n;
		n -= seg;
		t += ser_us;
		tcp_send(c, dir, t, F_ACK | (n ? 0 : F_PSH), seg);
		if (++unacked == 2 || n == 0) {
			uint64_t ta = t + (n ? jitter(rtt / 2) : jitter(rtt / 2) + (unacked == 1 ? 40000 : 0));
			/* the next data segment must not come before this ACK is due */
			tcp_send(c, !dir, ta, F_ACK, 0);
			if (n)
				t = ta;
			else
				c->t = ta;
			unacked = 0;
		}
	}
}

static uint64_t
tcp_open(struct tcpconn *c, uint64_t t0, uint64_t rtt)
{
	c->t = t0;
	tcp_send(c, 0, t0, F_SYN, 0);
	tcp_send(c, 1, t0 + jitter(rtt / 2), F_SYN | F_ACK, 0);
	tcp_send(c, 0, c->t + jitter(rtt / 2), F_ACK, 0);
	return c->t;
}

static void
tcp_close(struct tcpconn *c, uint64_t rtt)
{
	int closer = rnd() % 4 == 0;    /* mostly the client closes */
	if (rnd() % 40 == 0) {
		/* an abortive close: RST, ACK with nothing more */
		tcp_send(c, closer, c->t + jitter(5000), F_RST | F_ACK, 0);
		return;
	}
	tcp_send(c, closer, c->t + jitter(2000), F_FIN | F_ACK, 0);
	tcp_send(c, !closer, c->t + jitter(rtt / 2), F_FIN | F_ACK, 0);
	tcp_send(c, closer, c->t + jitter(rtt / 2), F_ACK, 0);
}

static uint16_t next_client_port = 50000;

static void
tcp_init(struct tcpconn *c, int v6, uint16_t sport)
{
	memset(c, 0, sizeof(*c));
	c->fl.v6 = v6;
	c->fl.a = &clients[rnd() % NCLIENTS];
	c->fl.b = &servers[rnd() % NSERVERS];
	c->fl.flow6[0] = (uint32_t)rnd() & 0xfffff;
	c->fl.flow6[1] = (uint32_t)rnd() & 0xfffff;
	for (int d = 0; d < 2; d++) {
		c->s[d].seq = (uint32_t)rnd();
		c->s[d].tsbase = (uint32_t)rnd();
		c->s[d].win = (uint16_t)between(500, 512);
		c->s[d].mss = v6 ? 1440 : 1460;
	}
	c->s[0].port = next_client_port++;
	c->s[1].port = sport;
}

/* After the handshake, MSS less the 12 bytes of the timestamp option. */
static void
tcp_established(struct tcpconn *c)
{
	c->s[0].mss -= 12;
	c->s[1].mss -= 12;
}

/* request/response: an API client, a few to a few dozen calls on one connection */
static void
tcp_reqresp(uint64_t t0, int v6)
{
	struct tcpconn c;
	tcp_init(&c, v6, 7700);
	uint64_t rtt = between(300, 30000);
	tcp_open(&c, t0, rtt);
	tcp_established(&c);
	int calls = (int)between(2, 30);
	for (int i = 0; i < calls; i++) {
		c.t += i ? between(1000, 400000) : between(50, 500);     /* think time */
		uint32_t q = between(60, 700);
		tcp_send(&c, 0, c.t, F_ACK | F_PSH, q);
		/* the server answers after some work; its first segment acks the request */
		c.t += jitter(rtt / 2) + between(200, 20000);
		uint32_t r = rnd() % 3 ? between(100, 1400) : between(1500, 20000);
		/* small writes: a header, then the body in pieces */
		while (r) {
			uint32_t w = r > 4096 ? between(512, 4096) : r;
			r -= w;
			tcp_write(&c, 1, w, between(10, 120), rtt);
		}
	}
	tcp_close(&c, rtt);
}

/* interactive: ssh-like keystrokes echoed back, the client acks the echoes */
static void
tcp_interactive(uint64_t t0, int v6)
{
	struct tcpconn c;
	tcp_init(&c, v6, 7701);
	uint64_t rtt = between(500, 40000);
	tcp_open(&c, t0, rtt);
	tcp_established(&c);
	/* key exchange and login: a few larger messages each way */
	for (int i = 0; i < 4; i++) {
		tcp_write(&c, 0, between(40, 1500), 20, rtt);
		tcp_write(&c, 1, between(40, 1500), 20, rtt);
	}
	int keys = (int)between(100, 900);
	for (int i = 0; i < keys; i++) {
		c.t += between(30000, 300000);
		tcp_send(&c, 0, c.t, F_ACK | F_PSH, 36);
		tcp_send(&c, 1, c.t + jitter(rtt / 2), F_ACK | F_PSH, rnd() % 8 ? 36 : between(52, 1200));
		if (rnd() % 3)      /* the echo is acked; else the next keystroke acks it */
			tcp_send(&c, 0, c.t + jitter(40000), F_ACK, 0);
	}
	tcp_close(&c, rtt);
}

/* bulk: a download of MSS-sized segments after a short request */
static void
tcp_bulk(uint64_t t0, int v6)
{
	struct tcpconn c;
	tcp_init(&c, v6, 7702);
	uint64_t rtt = between(300, 20000);
	tcp_open(&c, t0, rtt);
	tcp_established(&c);
	c.t += between(50, 500);
	tcp_send(&c, 0, c.t, F_ACK | F_PSH, between(80, 300));
	c.t += jitter(rtt / 2) + between(100, 2000);
	uint32_t n = between(100, 1500) * c.s[1].mss + between(1, 1400);
	while (n) {
		uint32_t w = n > 65536 ? 65536 : n;      /* the server writes 64 KiB at a time */
		n -= w;
		tcp_write(&c, 1, w, between(12, 120), rtt);
	}
	tcp_close(&c, rtt);
}

/* ------------------------------------------------------------------ UDP */

static uint16_t next_udp_port = 51000;

static void
udp_send(struct flow *fl, int dir, uint64_t t, uint16_t sport, uint16_t dport, uint32_t plen)
{
	uint32_t l4len = 8 + plen;
	uint8_t *f;
	uint8_t *uh = ip_frame(fl, dir, t, 17, l4len, &f);
	put16(uh, sport);
	put16(uh + 2, dport);
	put16(uh + 4, (uint16_t)l4len);
	fill_random(uh + 8, plen);
	finish_l4(fl, f, 17, l4len, 6);
}

static void
udp_flow_init(struct flow *fl, int v6)
{
	memset(fl, 0, sizeof(*fl));
	fl->v6 = v6;
	fl->a = &clients[rnd() % NCLIENTS];
	fl->b = &servers[rnd() % NSERVERS];
	fl->flow6[0] = (uint32_t)rnd() & 0xfffff;
	fl->flow6[1] = (uint32_t)rnd() & 0xfffff;
}

static void
udp_reqresp(uint64_t t, int v6)
{
	struct flow fl;
	udp_flow_init(&fl, v6);
	uint16_t cp = next_udp_port++;
	int n = (int)between(20, 300);
	uint64_t rtt = between(200, 20000);
	for (int i = 0; i < n; i++) {
		udp_send(&fl, 0, t, cp, 7710, between(30, 200));
		udp_send(&fl, 1, t + jitter(rtt), 7710, cp, between(60, 1200));
		t += between(5000, 400000);
	}
}

static void
udp_media(uint64_t t, int v6)
{
	struct flow fl;
	udp_flow_init(&fl, v6);
	uint16_t cp = next_udp_port++;
	int n = (int)between(500, 3000);
	for (int i = 0; i < n; i++) {
		udp_send(&fl, 0, t + rnd() % 2000, cp, 7720, 172);
		t += 20000;
	}
}

/* ------------------------------------------------------------------ ping */

static void
ping_session(uint64_t t, int v6, uint64_t epoch)
{
	struct flow fl;
	memset(&fl, 0, sizeof(fl));
	fl.v6 = v6;
	fl.a = &clients[rnd() % NCLIENTS];
	fl.b = &servers[rnd() % NSERVERS];
	fl.flow6[0] = (uint32_t)rnd() & 0xfffff;
	fl.flow6[1] = (uint32_t)rnd() & 0xfffff;
	uint16_t id = (uint16_t)rnd();
	int n = (int)between(50, 600);
	uint64_t rtt = between(100, 30000);
	uint8_t proto = v6 ? 58 : 1;
	for (int i = 1; i <= n; i++) {
		for (int dir = 0; dir < 2; dir++) {
			uint8_t *f;
			uint64_t tt = dir ? t + jitter(rtt) : t;
			uint8_t *ih = ip_frame(&fl, dir, tt, proto, 64, &f);
			ih[0] = v6 ? (dir ? 129 : 128) : (dir ? 0 : 8);
			put16(ih + 4, id);
			put16(ih + 6, (uint16_t)i);
			/* struct timeval of the request, little-endian 64-bit fields */
			uint64_t sec = epoch + t / 1000000, usec = t % 1000000;
			for (int k = 0; k < 8; k++) {
				ih[8 + k] = (uint8_t)(sec >> (8 * k));
				ih[16 + k] = (uint8_t)(usec >> (8 * k));
			}
			for (int k = 0; k < 40; k++)
				ih[24 + k] = (uint8_t)(0x10 + k);
			finish_l4(&fl, f, proto, 64, 2);
		}
		t += 200000;
	}
}

/* ------------------------------------------------------------------ main */

int
main(int argc, char **argv)
{
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: gencap OUT.pcap [MIN_FRAMES]\n");
		return 2;
	}
	size_t want = argc > 2 ? strtoul(argv[2], NULL, 10) : 250000;
	const uint64_t epoch = 1700000000;          /* 2023-11-14 22:13:20 UTC */
	const uint64_t span = 180 * 1000000ull;     /* streams start in the first 3 minutes */

	for (int i = 0; i < NCLIENTS; i++)
		make_host(&clients[i], 0, i);
	for (int i = 0; i < NSERVERS; i++)
		make_host(&servers[i], 1, i);

	/* about 10% UDP and 6% ping, the rest TCP */
	size_t udp_quota = want / 10, ping_quota = want * 6 / 100;
	while (nframes < udp_quota) {
		uint64_t t0 = rnd() % span;
		if (rnd() % 4)
			udp_reqresp(t0, rnd() % 3 == 0);
		else
			udp_media(t0, rnd() % 3 == 0);
	}
	while (nframes < udp_quota + ping_quota)
		ping_session(rnd() % span, rnd() % 3 == 0, epoch);
	unsigned streams = 0;
	while (nframes < want || streams < 300) {
		uint64_t t0 = rnd() % span;
		int v6 = rnd() % 3 == 0;
		unsigned k = (unsigned)(rnd() % 100);
		if (k < 75)
			tcp_reqresp(t0, v6);
		else if (k < 95)
			tcp_interactive(t0, v6);
		else
			tcp_bulk(t0, v6);
		streams++;
	}

	qsort(frames, nframes, sizeof(*frames), frame_cmp);

	pcap_t *pd = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 262144, PCAP_TSTAMP_PRECISION_MICRO);
	if (!pd) {
		fprintf(stderr, "gencap: pcap_open_dead failed\n");
		return 1;
	}
	pcap_dumper_t *dp = pcap_dump_open(pd, argv[1]);
	if (!dp) {
		fprintf(stderr, "gencap: %s\n", pcap_geterr(pd));
		return 1;
	}
	for (size_t i = 0; i < nframes; i++) {
		struct pcap_pkthdr h;
		uint64_t t = frames[i].t;
		h.ts.tv_sec = (time_t)(epoch + t / 1000000);
		h.ts.tv_usec = (suseconds_t)(t % 1000000);
		h.caplen = h.len = frames[i].len;
		pcap_dump((u_char *)dp, &h, pool + frames[i].off);
	}
	if (pcap_dump_flush(dp) != 0) {
		fprintf(stderr, "gencap: cannot write %s\n", argv[1]);
		return 1;
	}
	pcap_dump_close(dp);
	pcap_close(pd);
	fprintf(stderr, "gencap: %s: %zu frames, %u TCP streams, %zu bytes of frames\n",
	    argv[1], nframes, streams, poollen);
	free(frames);
	free(pool);
	return 0;
}
