/*
 * ssh.c - SSH (RFC 4250-4254, 4419, 5656) as Wireshark 4.0 shows it without
 * keys: the protocol version exchange, the binary packet layer of the key
 * exchange (KEXINIT with its name lists and HASSH, Diffie-Hellman, group
 * exchange and elliptic-curve Diffie-Hellman messages with the host key and
 * signature, NEWKEYS), then the encrypted packets; SSH version 1 framing.
 *
 * Pass 1 follows each connection as Wireshark's first pass does: the frames
 * that carry each side's version line and key exchange, the proposals, the
 * algorithms each side uses after its NEWKEYS and the sequence numbers of the
 * key exchange messages.  Pass 2 reads that final state, as tshark -2 does
 * (so a KEXINIT already shows the cipher chosen later, and every frame of a
 * version 2 connection says "SSHv2").
 *
 * Wireshark 4.0 tries to decrypt chacha20-poly1305, AES-GCM, AES-CBC and
 * AES-CTR with the keys of a key log; without one it runs them with zero
 * keys.  For all but AES-GCM the length it decrypts is almost surely over its
 * limit and it shows nothing but the "SSH Version 2" item: so do we.  With
 * AES-GCM (whose length is in the clear) it dissects the garbage it
 * decrypted: not done here, those packets show as other ciphers' do,
 * "Encrypted packet (len=N)" with the length, the bytes and the MAC.
 */
#include "config.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../internal.h"

/* ------------------------------------------------------------------ values */

static const struct tq_vals ssh2_msg_vals[] = {
	{ 1, "Disconnect" },
	{ 2, "Ignore" },
	{ 3, "Unimplemented" },
	{ 4, "Debug" },
	{ 5, "Service Request" },
	{ 6, "Service Accept" },
	{ 20, "Key Exchange Init" },
	{ 21, "New Keys" },
	{ 50, "User Authentication Request" },
	{ 51, "User Authentication Failure" },
	{ 52, "User Authentication Success" },
	{ 53, "User Authentication Banner" },
	{ 80, "Global Request" },
	{ 81, "Request Success" },
	{ 82, "Request Failure" },
	{ 90, "Channel Open" },
	{ 91, "Channel Open Confirmation" },
	{ 92, "Channel Open Failure" },
	{ 93, "Window Adjust" },
	{ 94, "Channel Data" },
	{ 95, "Channel Extended Data" },
	{ 96, "Channel EOF" },
	{ 97, "Channel Close" },
	{ 98, "Channel Request" },
	{ 99, "Channel Success" },
	{ 100, "Channel Failure" },
	{ 60, "Public Key algorithm accepted" },
	{ 0, NULL },
};

static const struct tq_vals ssh2_kex_dh_msg_vals[] = {
	{ 30, "Diffie-Hellman Key Exchange Init" },
	{ 31, "Diffie-Hellman Key Exchange Reply" },
	{ 0, NULL },
};

static const struct tq_vals ssh2_kex_dh_gex_msg_vals[] = {
	{ 30, "Diffie-Hellman Group Exchange Request (Old)" },
	{ 31, "Diffie-Hellman Group Exchange Group" },
	{ 32, "Diffie-Hellman Group Exchange Init" },
	{ 33, "Diffie-Hellman Group Exchange Reply" },
	{ 34, "Diffie-Hellman Group Exchange Request" },
	{ 0, NULL },
};

static const struct tq_vals ssh2_kex_ecdh_msg_vals[] = {
	{ 30, "Elliptic Curve Diffie-Hellman Key Exchange Init" },
	{ 31, "Elliptic Curve Diffie-Hellman Key Exchange Reply" },
	{ 0, NULL },
};

static const struct tq_vals ssh1_msg_vals[] = {
	{ 0, "No Message" },
	{ 1, "Disconnect" },
	{ 2, "Public Key" },
	{ 3, "Session Key" },
	{ 4, "User" },
	{ 0, NULL },
};

/* ------------------------------------------------------------------ fields */

#define U32(ab, nm) HF(ab, nm, FT_UINT32, BASE_DEC, NULL, 0)
#define BYTES(ab, nm) HF(ab, nm, FT_BYTES, BASE_NONE, NULL, 0)
#define STR(ab, nm) HF(ab, nm, FT_STRING, BASE_NONE, NULL, 0)

static struct tq_field hf_ssh = HF("ssh", "SSH Protocol", FT_PROTOCOL, BASE_NONE, NULL, 0);
static struct tq_field hf_protocol = STR("ssh.protocol", "Protocol");
static struct tq_field hf_packet_length = U32("ssh.packet_length", "Packet Length");
static struct tq_field hf_packet_length_encrypted = BYTES("ssh.packet_length_encrypted", "Packet Length (encrypted)");
static struct tq_field hf_padding_length = HF("ssh.padding_length", "Padding Length", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_payload = BYTES("ssh.payload", "Payload");
static struct tq_field hf_encrypted_packet = BYTES("ssh.encrypted_packet", "Encrypted Packet");
static struct tq_field hf_padding_string = BYTES("ssh.padding_string", "Padding String");
static struct tq_field hf_seq_num = U32("ssh.seq_num", "Sequence number");
static struct tq_field hf_mac = BYTES("ssh.mac", "MAC");
static struct tq_field hf_direction = HF("ssh.direction", "Direction", FT_BOOLEAN, BASE_NONE, NULL, 0);
static struct tq_field hf_ssh1_msg_code = HF("ssh.message_code", "Message Code", FT_UINT8, BASE_DEC, ssh1_msg_vals, 0);
static struct tq_field hf_msg_code = HF("ssh.message_code", "Message Code", FT_UINT8, BASE_DEC, ssh2_msg_vals, 0);
static struct tq_field hf_dh_msg_code = HF("ssh.message_code", "Message Code", FT_UINT8, BASE_DEC, ssh2_kex_dh_msg_vals, 0);
static struct tq_field hf_gex_msg_code = HF("ssh.message_code", "Message Code", FT_UINT8, BASE_DEC, ssh2_kex_dh_gex_msg_vals, 0);
static struct tq_field hf_ecdh_msg_code = HF("ssh.message_code", "Message Code", FT_UINT8, BASE_DEC, ssh2_kex_ecdh_msg_vals, 0);
static struct tq_field hf_cookie = BYTES("ssh.cookie", "Cookie");

/* the ten name lists of a KEXINIT, in their order: string, then length */
static struct tq_field hf_lists[10][2] = {
	{ STR("ssh.kex_algorithms", "kex_algorithms string"),
	  U32("ssh.kex_algorithms_length", "kex_algorithms length") },
	{ STR("ssh.server_host_key_algorithms", "server_host_key_algorithms string"),
	  U32("ssh.server_host_key_algorithms_length", "server_host_key_algorithms length") },
	{ STR("ssh.encryption_algorithms_client_to_server", "encryption_algorithms_client_to_server string"),
	  U32("ssh.encryption_algorithms_client_to_server_length", "encryption_algorithms_client_to_server length") },
	{ STR("ssh.encryption_algorithms_server_to_client", "encryption_algorithms_server_to_client string"),
	  U32("ssh.encryption_algorithms_server_to_client_length", "encryption_algorithms_server_to_client length") },
	{ STR("ssh.mac_algorithms_client_to_server", "mac_algorithms_client_to_server string"),
	  U32("ssh.mac_algorithms_client_to_server_length", "mac_algorithms_client_to_server length") },
	{ STR("ssh.mac_algorithms_server_to_client", "mac_algorithms_server_to_client string"),
	  U32("ssh.mac_algorithms_server_to_client_length", "mac_algorithms_server_to_client length") },
	{ STR("ssh.compression_algorithms_client_to_server", "compression_algorithms_client_to_server string"),
	  U32("ssh.compression_algorithms_client_to_server_length", "compression_algorithms_client_to_server length") },
	{ STR("ssh.compression_algorithms_server_to_client", "compression_algorithms_server_to_client string"),
	  U32("ssh.compression_algorithms_server_to_client_length", "compression_algorithms_server_to_client length") },
	{ STR("ssh.languages_client_to_server", "languages_client_to_server string"),
	  U32("ssh.languages_client_to_server_length", "languages_client_to_server length") },
	{ STR("ssh.languages_server_to_client", "languages_server_to_client string"),
	  U32("ssh.languages_server_to_client_length", "languages_server_to_client length") },
};
static struct tq_field hf_first_kex_follows = HF("ssh.first_kex_packet_follows", "First KEX Packet Follows", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_kex_reserved = BYTES("ssh.kex.reserved", "Reserved");
static struct tq_field hf_hassh_algo = STR("ssh.kex.hassh_algorithms", "hasshAlgorithms");
static struct tq_field hf_hassh = STR("ssh.kex.hassh", "hassh");
static struct tq_field hf_hasshserver_algo = STR("ssh.kex.hasshserver_algorithms", "hasshServerAlgorithms");
static struct tq_field hf_hasshserver = STR("ssh.kex.hasshserver", "hasshServer");

static struct tq_field hf_hostkey_length = U32("ssh.host_key.length", "Host key length");
static struct tq_field hf_hostkey_type_length = U32("ssh.host_key.type_length", "Host key type length");
static struct tq_field hf_hostkey_type = STR("ssh.host_key.type", "Host key type");
static struct tq_field hf_hostkey_data = BYTES("ssh.host_key.data", "Host key data");
static struct tq_field hf_hostkey_rsa_n = BYTES("ssh.host_key.rsa.n", "RSA modulus (N)");
static struct tq_field hf_hostkey_rsa_e = BYTES("ssh.host_key.rsa.e", "RSA public exponent (e)");
static struct tq_field hf_hostkey_dsa_p = BYTES("ssh.host_key.dsa.p", "DSA prime modulus (p)");
static struct tq_field hf_hostkey_dsa_q = BYTES("ssh.host_key.dsa.q", "DSA prime divisor (q)");
static struct tq_field hf_hostkey_dsa_g = BYTES("ssh.host_key.dsa.g", "DSA subgroup generator (g)");
static struct tq_field hf_hostkey_dsa_y = BYTES("ssh.host_key.dsa.y", "DSA public key (y)");
static struct tq_field hf_hostkey_ecdsa_id = STR("ssh.host_key.ecdsa.id", "ECDSA elliptic curve identifier");
static struct tq_field hf_hostkey_ecdsa_id_length = U32("ssh.host_key.ecdsa.id_length", "ECDSA elliptic curve identifier length");
static struct tq_field hf_hostkey_ecdsa_q = BYTES("ssh.host_key.ecdsa.q", "ECDSA public key (Q)");
static struct tq_field hf_hostkey_ecdsa_q_length = U32("ssh.host_key.ecdsa.q_length", "ECDSA public key length");
static struct tq_field hf_hostkey_eddsa_key = BYTES("ssh.host_key.eddsa.key", "EdDSA public key");
static struct tq_field hf_hostkey_eddsa_key_length = U32("ssh.host_key.eddsa.key_length", "EdDSA public key length");
static struct tq_field hf_hostsig_length = U32("ssh.host_sig.length", "Host signature length");
static struct tq_field hf_hostsig_type_length = U32("ssh.host_sig.type_length", "Host signature type length");
static struct tq_field hf_hostsig_type = STR("ssh.host_sig.type", "Host signature type");
static struct tq_field hf_hostsig_data = BYTES("ssh.host_sig.data", "Host signature data");
static struct tq_field hf_hostsig_rsa = BYTES("ssh.host_sig.rsa", "RSA signature");
static struct tq_field hf_hostsig_dsa = BYTES("ssh.host_sig.dsa", "DSA signature");
static struct tq_field hf_dh_e = BYTES("ssh.dh.e", "DH client e");
static struct tq_field hf_dh_f = BYTES("ssh.dh.f", "DH server f");
static struct tq_field hf_gex_min = U32("ssh.dh_gex.min", "DH GEX Min");
static struct tq_field hf_gex_nbits = U32("ssh.dh_gex.nbits", "DH GEX Number of Bits");
static struct tq_field hf_gex_max = U32("ssh.dh_gex.max", "DH GEX Max");
static struct tq_field hf_gex_p = BYTES("ssh.dh_gex.p", "DH GEX modulus (P)");
static struct tq_field hf_gex_g = BYTES("ssh.dh_gex.g", "DH GEX base (G)");
static struct tq_field hf_ecdh_q_c = BYTES("ssh.ecdh.q_c", "ECDH client's ephemeral public key (Q_C)");
static struct tq_field hf_ecdh_q_c_length = U32("ssh.ecdh.q_c_length", "ECDH client's ephemeral public key length");
static struct tq_field hf_ecdh_q_s = BYTES("ssh.ecdh.q_s", "ECDH server's ephemeral public key (Q_S)");
static struct tq_field hf_ecdh_q_s_length = U32("ssh.ecdh.q_s_length", "ECDH server's ephemeral public key length");
static struct tq_field hf_mpint_length = U32("ssh.mpint_length", "Multi Precision Integer Length");

static struct tq_expert ei_packet_length = EI("ssh.packet_length.error", "Overly large number", PI_WARN, PI_PROTOCOL);
static struct tq_expert ei_packet_decode = EI("ssh.packet_decode.error", "Packet decoded length not equal to packet length", PI_WARN, PI_PROTOCOL);
static struct tq_expert ei_invalid_keylen = EI("ssh.key_length.error", "Invalid key length", PI_ERROR, PI_PROTOCOL);

static struct tq_field *const fields[] = {
	&hf_ssh, &hf_protocol, &hf_packet_length, &hf_packet_length_encrypted, &hf_padding_length, &hf_payload,
	&hf_encrypted_packet, &hf_padding_string, &hf_seq_num, &hf_mac, &hf_direction, &hf_ssh1_msg_code,
	&hf_msg_code, &hf_dh_msg_code, &hf_gex_msg_code, &hf_ecdh_msg_code, &hf_cookie,
	&hf_lists[0][0], &hf_lists[0][1], &hf_lists[1][0], &hf_lists[1][1], &hf_lists[2][0], &hf_lists[2][1],
	&hf_lists[3][0], &hf_lists[3][1], &hf_lists[4][0], &hf_lists[4][1], &hf_lists[5][0], &hf_lists[5][1],
	&hf_lists[6][0], &hf_lists[6][1], &hf_lists[7][0], &hf_lists[7][1], &hf_lists[8][0], &hf_lists[8][1],
	&hf_lists[9][0], &hf_lists[9][1],
	&hf_first_kex_follows, &hf_kex_reserved, &hf_hassh_algo, &hf_hassh, &hf_hasshserver_algo, &hf_hasshserver,
	&hf_hostkey_length, &hf_hostkey_type_length, &hf_hostkey_type, &hf_hostkey_data, &hf_hostkey_rsa_n,
	&hf_hostkey_rsa_e, &hf_hostkey_dsa_p, &hf_hostkey_dsa_q, &hf_hostkey_dsa_g, &hf_hostkey_dsa_y,
	&hf_hostkey_ecdsa_id, &hf_hostkey_ecdsa_id_length, &hf_hostkey_ecdsa_q, &hf_hostkey_ecdsa_q_length,
	&hf_hostkey_eddsa_key, &hf_hostkey_eddsa_key_length, &hf_hostsig_length, &hf_hostsig_type_length,
	&hf_hostsig_type, &hf_hostsig_data, &hf_hostsig_rsa, &hf_hostsig_dsa, &hf_dh_e, &hf_dh_f, &hf_gex_min,
	&hf_gex_nbits, &hf_gex_max, &hf_gex_p, &hf_gex_g, &hf_ecdh_q_c, &hf_ecdh_q_c_length, &hf_ecdh_q_s,
	&hf_ecdh_q_s_length, &hf_mpint_length,
	&ei_packet_length.f, &ei_packet_decode.f, &ei_invalid_keylen.f,
};

static int dissect_ssh(struct tq_pkt *pk, struct tq_slice *s);

static struct tq_dissector ssh = { .name = "ssh", .dissect = dissect_ssh };

void
tq_register_ssh(void)
{
	TQ_REGISTER(fields);
	tq_dissector_add(TQ_TAB_TCP_PORT, 22, &ssh);
	tq_dissector_add(TQ_TAB_TCP_PORT, 29418, &ssh);    /* Gerrit Code Review */
}

/* ------------------------------------------------------------------ state */

enum { V_UNKNOWN, V_1, V_2 };
enum { KEX_DH, KEX_GEX, KEX_ECDH };
enum { CIPHER_NONE, CIPHER_CHACHA20, CIPHER_AES_GCM, CIPHER_AES_CBC };

/* One side's state; [0] of the proposals is client-to-server, [1] server-to-client. */
struct peer {
	uint32_t version_start, version_end;    /* frames of its version line */
	uint32_t key_start, key_end;            /* frames of its KEXINIT and NEWKEYS */
	uint32_t key_end_offset;                /* where in key_end's bytes the NEWKEYS code ended */
	const char *kex_proposal;
	const char *enc_prop[2], *mac_prop[2], *comp_prop[2];
	const char *enc, *mac, *comp;           /* what it uses after its NEWKEYS */
	int mac_length;
	int length_is_plaintext;
	int cipher;
	uint32_t seqnr;
	uint32_t seq_kex_init, seq_new_key;
	uint32_t seq_dh_ini, seq_dh_rep, seq_gex_req, seq_gex_grp, seq_gex_ini, seq_gex_rep;
	uint32_t seq_ecdh_ini, seq_ecdh_rep;
};

struct session {
	int version;
	const char *kex;                        /* the method both sides agreed on */
	int kex_kind;
	struct peer peer[2];                    /* the client's, the server's */
};

/* One dissection of one segment's bytes. */
struct ctx {
	struct tq_pkt *pk;
	struct tq_slice *s;
	struct session *ss;
	int resp;                               /* sent by the server */
	int stop;                               /* an exception ended it */
	int deseg;                              /* more bytes were asked for */
	int w;                                  /* pass 1: state may be written */
};

/* Whether len bytes at off are there; if not, stops as Wireshark's exception does. */
static int
need(struct ctx *x, uint32_t off, uint64_t len)
{
	if (x->stop)
		return 0;
	if (len > UINT32_MAX || !tq_have(x->pk, x->s, off, (uint32_t)len, "SSH")) {
		if (len > UINT32_MAX)
			tq_malformed(x->pk, "SSH");
		x->stop = 1;
		return 0;
	}
	return 1;
}

static uint32_t
get32(struct ctx *x, uint32_t off)
{
	if (!need(x, off, 4))
		return 0;
	return tq_peek_be32(x->s->p, x->s->len, off);
}

static uint8_t
get8(struct ctx *x, uint32_t off)
{
	if (!need(x, off, 1))
		return 0;
	return x->s->p[off];
}

/* Wireshark's length argument: -1 runs to the end of the captured bytes,
 * another negative one is an exception. */
static int
item_len(struct ctx *x, uint32_t off, uint32_t len, uint32_t *out)
{
	if ((int32_t)len == -1) {
		if (!need(x, off, 0))
			return 0;
		*out = x->s->len - off;
		return 1;
	}
	if ((int32_t)len < 0) {
		if (!x->stop)
			tq_malformed(x->pk, "SSH");
		x->stop = 1;
		return 0;
	}
	if (!need(x, off, len))
		return 0;
	*out = len;
	return 1;
}

/* An item read from its bytes (proto_tree_add_item). */
static struct tq_node *
add(struct ctx *x, struct tq_node *t, const struct tq_field *f, uint32_t off, uint32_t len)
{
	uint32_t n;
	if (!item_len(x, off, len, &n))
		return NULL;
	return tq_add(x->pk, t, f, x->s, off, n);
}

/*
 * An item with its value given (proto_tree_add_uint), or a subtree: Wireshark
 * checks its bytes only when it builds a tree, which tshark -2 does in its
 * second pass (its packet list shows the exceptions these throw) and not in
 * its first: so they are checked outside pass 1 whether we build a tree or not.
 */
static int
tree_need(struct ctx *x, uint32_t off, uint32_t len)
{
	if (x->stop)
		return 0;
	return x->pk->pass == 1 || need(x, off, len);
}

static struct tq_node *
add_u(struct ctx *x, struct tq_node *t, const struct tq_field *f, uint32_t off, uint32_t len, uint64_t v)
{
	if (!tree_need(x, off, len) || !t)
		return NULL;
	return tq_add_u(x->pk, t, f, x->s, off, len, v);
}

static struct tq_node *
add_subtree(struct ctx *x, struct tq_node *t, uint32_t off, uint32_t len, const char *title)
{
	uint32_t n;
	if (x->pk->pass == 1 || x->stop)
		return NULL;
	if (!item_len(x, off, len, &n) || !t)
		return NULL;
	return tq_add_text(x->pk, t, x->s, off, n, "%s", title);
}

/* Info: ", " between the parts, as col_append_sep_str. */
static void
info_part(struct ctx *x, const char *str)
{
	struct tq_pkt *pk = x->pk;
	if (!pk->want_cols)
		return;
	if (pk->info->len)
		tq_col_info_puts(pk, ", ");
	tq_col_info_puts(pk, str);
}

static void
info_val(struct ctx *x, const struct tq_vals *vs, uint32_t v)
{
	const char *s = tq_vals_find(vs, v);
	char buf[32];
	if (!s) {
		snprintf(buf, sizeof(buf), "Unknown (%u)", v);
		s = buf;
	}
	info_part(x, s);
}

static void
ask_more(struct ctx *x, uint32_t off, uint32_t len)
{
	x->pk->deseg_offset = off;
	x->pk->deseg_len = len;
	x->deseg = 1;
}

static int
can_desegment(const struct ctx *x)
{
	return x->pk->tcp && x->pk->tcp->can_desegment;
}

/* A copy of len bytes at off as a C string, in the capture's state (pass 1)
 * or the frame's arena. */
static char *
copy_str(struct ctx *x, uint32_t off, uint32_t len)
{
	struct tq_arena *a = x->w ? &x->pk->cap->state : x->pk->arena;
	uint32_t have = off <= x->s->len ? x->s->len - off : 0;
	if (len > have)
		len = have;
	return tq_arena_strdup(a, (const char *)x->s->p + off, len);
}

/* ------------------------------------------------------------------ algorithms */

/* The first name of the client's list that the server's has (g_strsplit on ","). */
static const char *
choose_algo(struct tq_arena *a, const char *client, const char *server)
{
	if (!client || !server || !*client || !*server)
		return NULL;
	for (const char *c = client;;) {
		const char *ce = strchr(c, ',');
		size_t cl = ce ? (size_t)(ce - c) : strlen(c);
		for (const char *sv = server;;) {
			const char *se = strchr(sv, ',');
			size_t sl = se ? (size_t)(se - sv) : strlen(sv);
			if (sl == cl && !memcmp(c, sv, cl))
				return tq_arena_strdup(a, c, cl);
			if (!se)
				break;
			sv = se + 1;
		}
		if (!ce)
			break;
		c = ce + 1;
	}
	return NULL;
}

static int
kex_kind(const char *kex)
{
	if (!strcmp(kex, "diffie-hellman-group-exchange-sha1") || !strcmp(kex, "diffie-hellman-group-exchange-sha256"))
		return KEX_GEX;
	if (!strncmp(kex, "ecdh-sha2-", 10) || !strcmp(kex, "curve25519-sha256@libssh.org") ||
	    !strcmp(kex, "curve25519-sha256") || !strcmp(kex, "curve448-sha512"))
		return KEX_ECDH;
	return KEX_DH;
}

/* The MAC length of a MAC name, as ssh_set_mac_length. */
static void
set_mac_length(struct peer *p)
{
	if (!p->mac)
		return;
	char name[128];
	snprintf(name, sizeof(name), "%s", p->mac);
	char *strip = strstr(name, "-etm@openssh.com");
	if (strip) {
		p->length_is_plaintext = 1;
		*strip = '\0';
	} else if ((strip = strstr(name, "@openssh.com")) != NULL) {
		*strip = '\0';
	}
	const char *dash = strrchr(name, '-');
	unsigned long size = 0;
	int ok = 0;
	if (dash && dash[1] >= '0' && dash[1] <= '9') {
		char *end;
		size = strtoul(dash + 1, &end, 10);
		ok = *end == '\0' && size > 0 && size <= UINT32_MAX && size % 8 == 0;
	}
	if (ok)
		p->mac_length = (int)(size / 8);
	else if (!strcmp(name, "hmac-sha1") || !strcmp(name, "hmac-ripemd160"))
		p->mac_length = 20;
	else if (!strcmp(name, "hmac-md5"))
		p->mac_length = 16;
	else if (!strcmp(name, "none"))
		p->mac_length = 0;
}

/* What a side's NEWKEYS sets up: its cipher, MAC and compression. */
static void
newkeys(struct ctx *x, struct peer *p)
{
	struct session *ss = x->ss;
	struct tq_arena *a = &x->pk->cap->state;
	int d = x->resp;
	p->enc = choose_algo(a, ss->peer[0].enc_prop[d], ss->peer[1].enc_prop[d]);
	if (p->enc && (!strcmp(p->enc, "aes128-gcm@openssh.com") || !strcmp(p->enc, "aes256-gcm@openssh.com"))) {
		p->mac = "<implicit>";
		p->mac_length = 16;
		p->length_is_plaintext = 1;
	} else if (p->enc && !strcmp(p->enc, "chacha20-poly1305@openssh.com")) {
		p->mac = "<implicit>";
		p->mac_length = 16;
	} else {
		p->mac = choose_algo(a, ss->peer[0].mac_prop[d], ss->peer[1].mac_prop[d]);
		set_mac_length(p);
	}
	p->comp = choose_algo(a, ss->peer[0].comp_prop[d], ss->peer[1].comp_prop[d]);
	/* the ciphers Wireshark would decrypt (with zero keys, having none) */
	if (p->enc) {
		if (!strcmp(p->enc, "chacha20-poly1305@openssh.com"))
			p->cipher = CIPHER_CHACHA20;
		else if (!strcmp(p->enc, "aes128-gcm@openssh.com") || !strcmp(p->enc, "aes128-gcm") ||
		    !strcmp(p->enc, "aes256-gcm@openssh.com") || !strcmp(p->enc, "aes256-gcm"))
			p->cipher = CIPHER_AES_GCM;
		else if (!strcmp(p->enc, "aes128-cbc") || !strcmp(p->enc, "aes192-cbc") || !strcmp(p->enc, "aes256-cbc") ||
		    !strcmp(p->enc, "aes128-ctr") || !strcmp(p->enc, "aes192-ctr") || !strcmp(p->enc, "aes256-ctr"))
			p->cipher = CIPHER_AES_CBC;     /* tshark 4.0.17 decrypts AES-CTR too */
	}
	/* only hmac-sha2-256 stays named: the decryption setup forgets the others */
	if (p->mac && strcmp(p->mac, "hmac-sha2-256") != 0)
		p->mac = NULL;
}

/* ------------------------------------------------------------------ key exchange pieces */

/* A length and the bytes it counts (ssh_tree_add_mpint, ssh_tree_add_string);
 * returns 4 + the length. */
static uint32_t
add_counted(struct ctx *x, struct tq_node *t, uint32_t off, const struct tq_field *len_f, const struct tq_field *f)
{
	uint32_t len = get32(x, off);
	if (x->stop)
		return 0;
	add_u(x, t, len_f, off, 4, len);
	add(x, t, f, off + 4, len);
	return 4 + len;
}

static uint32_t
add_mpint(struct ctx *x, struct tq_node *t, uint32_t off, const struct tq_field *f)
{
	return add_counted(x, t, off, &hf_mpint_length, f);
}

/* A string's bytes as Wireshark reads them for a label (ENC_ASCII). */
static char *
ascii(struct ctx *x, uint32_t off, uint32_t len)
{
	if (!need(x, off, len))
		return NULL;
	char *r = tq_arena_alloc_raw(x->pk->arena, (size_t)len + 1);
	if (!r)
		return NULL;
	memcpy(r, x->s->p + off, len);
	r[len] = '\0';
	return r;
}

static uint32_t
add_hostkey(struct ctx *x, struct tq_node *t, uint32_t off)
{
	uint32_t key_len = get32(x, off);
	uint32_t type_len = get32(x, off + 4);
	char *type = ascii(x, off + 8, type_len);
	if (x->stop || !type)
		return 0;
	char *title = x->pk->tree ? tq_arena_printf(x->pk->arena, "KEX host key (type: %s)", type) : NULL;
	struct tq_node *kt = add_subtree(x, t, off, key_len + 4, title ? title : "");
	add_u(x, kt, &hf_hostkey_length, off, 4, key_len);
	add_u(x, kt, &hf_hostkey_type_length, off + 4, 4, type_len);
	if (need(x, off + 8, type_len) && kt)
		tq_add_str(x->pk, kt, &hf_hostkey_type, x->s, off + 8, type_len, type);
	uint32_t o = off + 8 + type_len;
	if (!strcmp(type, "ssh-rsa")) {
		o += add_mpint(x, kt, o, &hf_hostkey_rsa_e);
		add_mpint(x, kt, o, &hf_hostkey_rsa_n);
	} else if (!strcmp(type, "ssh-dss")) {
		o += add_mpint(x, kt, o, &hf_hostkey_dsa_p);
		o += add_mpint(x, kt, o, &hf_hostkey_dsa_q);
		o += add_mpint(x, kt, o, &hf_hostkey_dsa_g);
		add_mpint(x, kt, o, &hf_hostkey_dsa_y);
	} else if (!strncmp(type, "ecdsa-sha2-", 11)) {
		o += add_counted(x, kt, o, &hf_hostkey_ecdsa_id_length, &hf_hostkey_ecdsa_id);
		add_counted(x, kt, o, &hf_hostkey_ecdsa_q_length, &hf_hostkey_ecdsa_q);
	} else if (!strncmp(type, "ssh-ed", 6)) {
		add_counted(x, kt, o, &hf_hostkey_eddsa_key_length, &hf_hostkey_eddsa_key);
	} else {
		add(x, kt, &hf_hostkey_data, o, key_len - (type_len + 4));
	}
	return 4 + key_len;
}

static uint32_t
add_hostsig(struct ctx *x, struct tq_node *t, uint32_t off)
{
	uint32_t sig_len = get32(x, off);
	uint32_t type_len = get32(x, off + 4);
	char *type = ascii(x, off + 8, type_len);
	if (x->stop || !type)
		return 0;
	char *title = x->pk->tree ? tq_arena_printf(x->pk->arena, "KEX host signature (type: %s)", type) : NULL;
	struct tq_node *st = add_subtree(x, t, off, sig_len + 4, title ? title : "");
	struct tq_node *ti = add_u(x, st, &hf_hostsig_length, off, 4, sig_len);
	add_u(x, st, &hf_hostsig_type_length, off + 4, 4, type_len);
	if (need(x, off + 8, type_len) && st)
		tq_add_str(x->pk, st, &hf_hostsig_type, x->s, off + 8, type_len, type);
	uint32_t o = off + 8 + type_len;
	if (!strcmp(type, "ssh-rsa"))
		o += add_mpint(x, st, o, &hf_hostsig_rsa);
	else if (!strcmp(type, "ssh-dss"))
		o += add_mpint(x, st, o, &hf_hostsig_dsa);
	else if (strncmp(type, "ecdsa-sha2-", 11) != 0 && strncmp(type, "ssh-ed", 6) != 0)
		add(x, st, &hf_hostsig_data, o, sig_len - (type_len + 4));
	if (x->stop)
		return 0;
	if ((int32_t)(o - off) != (int32_t)(4 + sig_len) && ti)
		tq_expert(x->pk, ti, &ei_packet_decode, "Decoded %d bytes, but packet legnth is %d bytes",
		    (int32_t)(o - off), (int32_t)sig_len);
	return 4 + sig_len;
}

/* ssh_read_e / ssh_read_f: the key is kept when 1 to 512 bytes long, else an expert item. */
static void
read_key(struct ctx *x, struct tq_node *t, uint32_t off)
{
	uint32_t len = get32(x, off);
	if (x->stop)
		return;
	if (len == 0 || len > 512) {
		if (tree_need(x, off, 2) && t) {
			struct tq_node *e = tq_add(x->pk, t, &ei_invalid_keylen.f, x->s, off, 2);
			tq_set_label(x->pk, e, "Invalid key length: %u", len);
			tq_expert(x->pk, e, &ei_invalid_keylen, "Invalid key length: %u", len);
		}
		return;
	}
	need(x, off + 4, len);
}

static uint32_t
kex_dh(struct ctx *x, struct tq_node *t, uint32_t off, uint8_t code, uint32_t *seq)
{
	struct peer *c = &x->ss->peer[0], *sv = &x->ss->peer[1];
	*seq = 0;
	add(x, t, &hf_dh_msg_code, off, 1);
	off += 1;
	info_val(x, ssh2_kex_dh_msg_vals, code);
	switch (code) {
	case 30:
		read_key(x, t, off);
		off += add_mpint(x, t, off, &hf_dh_e);
		if (x->w && !x->stop && c->seq_dh_ini == 0)
			c->seq_dh_ini = ++c->seqnr;
		*seq = c->seq_dh_ini;
		break;
	case 31:
		off += add_hostkey(x, t, off);
		read_key(x, t, off);
		off += add_mpint(x, t, off, &hf_dh_f);
		off += add_hostsig(x, t, off);
		if (x->w && !x->stop && sv->seq_dh_rep == 0)
			sv->seq_dh_rep = ++sv->seqnr;
		*seq = sv->seq_dh_rep;
		break;
	}
	return off;
}

static uint32_t
kex_gex(struct ctx *x, struct tq_node *t, uint32_t off, uint8_t code, uint32_t *seq)
{
	struct peer *c = &x->ss->peer[0], *sv = &x->ss->peer[1];
	*seq = 0;
	add(x, t, &hf_gex_msg_code, off, 1);
	off += 1;
	info_val(x, ssh2_kex_dh_gex_msg_vals, code);
	switch (code) {
	case 30:
		add(x, t, &hf_gex_nbits, off, 4);
		off += 4;
		break;
	case 31:
		off += add_mpint(x, t, off, &hf_gex_p);
		off += add_mpint(x, t, off, &hf_gex_g);
		if (x->w && !x->stop && sv->seq_gex_grp == 0)
			sv->seq_gex_grp = ++sv->seqnr;
		*seq = sv->seq_gex_grp;
		break;
	case 32:
		off += add_mpint(x, t, off, &hf_dh_e);
		if (x->w && !x->stop && c->seq_gex_ini == 0)
			c->seq_gex_ini = ++c->seqnr;
		*seq = c->seq_gex_ini;
		break;
	case 33:
		off += add_hostkey(x, t, off);
		off += add_mpint(x, t, off, &hf_dh_f);
		off += add_hostsig(x, t, off);
		if (x->w && !x->stop && sv->seq_gex_rep == 0)
			sv->seq_gex_rep = ++sv->seqnr;
		*seq = sv->seq_gex_rep;
		break;
	case 34:
		add(x, t, &hf_gex_min, off, 4);
		add(x, t, &hf_gex_nbits, off + 4, 4);
		add(x, t, &hf_gex_max, off + 8, 4);
		off += 12;
		if (x->w && !x->stop && c->seq_gex_req == 0)
			c->seq_gex_req = ++c->seqnr;
		*seq = c->seq_gex_req;
		break;
	}
	return off;
}

static uint32_t
kex_ecdh(struct ctx *x, struct tq_node *t, uint32_t off, uint8_t code, uint32_t *seq)
{
	struct peer *c = &x->ss->peer[0], *sv = &x->ss->peer[1];
	add(x, t, &hf_ecdh_msg_code, off, 1);
	off += 1;
	info_val(x, ssh2_kex_ecdh_msg_vals, code);
	switch (code) {
	case 30:
		read_key(x, t, off);
		if (x->w && !x->stop && c->seq_ecdh_ini == 0)
			c->seq_ecdh_ini = c->seqnr++;
		*seq = c->seq_ecdh_ini;
		off += add_counted(x, t, off, &hf_ecdh_q_c_length, &hf_ecdh_q_c);
		break;
	case 31:
		off += add_hostkey(x, t, off);
		read_key(x, t, off);
		if (x->w && !x->stop && sv->seq_ecdh_rep == 0)
			sv->seq_ecdh_rep = sv->seqnr++;
		*seq = sv->seq_ecdh_rep;
		off += add_counted(x, t, off, &hf_ecdh_q_s_length, &hf_ecdh_q_s);
		off += add_hostsig(x, t, off);
		break;
	}
	return off;
}

static void
md5_hex(const char *str, size_t n, char out[33])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	out[0] = '\0';
	if (!EVP_Digest(str, n, md, &mdlen, EVP_md5(), NULL) || mdlen != 16)
		return;
	for (unsigned i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static uint32_t
key_init(struct ctx *x, struct tq_node *t, uint32_t off)
{
	struct tq_pkt *pk = x->pk;
	struct peer *p = &x->ss->peer[x->resp];
	uint32_t start = off;
	struct tq_node *at = add_subtree(x, t, off, (uint32_t)-1, "Algorithms");
	add(x, at, &hf_cookie, off, 16);
	off += 16;
	const char *lists[10] = { 0 };
	for (int i = 0; i < 10 && !x->stop; i++) {
		uint32_t len = get32(x, off);
		add_u(x, at, &hf_lists[i][1], off, 4, len);
		off += 4;
		add(x, at, &hf_lists[i][0], off, len);
		if (x->stop)
			break;
		/* kept for the algorithms and HASSH: kex, encryption, MAC and compression lists */
		if (i == 0 || (i >= 2 && i <= 7))
			lists[i] = copy_str(x, off, len);
		off += len;
	}
	add(x, at, &hf_first_kex_follows, off, 1);
	off += 1;
	add(x, at, &hf_kex_reserved, off, 4);
	off += 4;
	if (x->stop)
		return off;
	if (x->w) {
		p->kex_proposal = lists[0];
		p->enc_prop[0] = lists[2];
		p->enc_prop[1] = lists[3];
		p->mac_prop[0] = lists[4];
		p->mac_prop[1] = lists[5];
		p->comp_prop[0] = lists[6];
		p->comp_prop[1] = lists[7];
	}
	if (pk->tree) {
		int d = x->resp;
		/* g_strdup_printf's "%s" of a missing list */
#define NS(v) ((v) ? (v) : "(null)")
		char *algo = tq_arena_printf(pk->arena, "%s;%s;%s;%s", NS(lists[0]), NS(lists[2 + d]), NS(lists[4 + d]),
		    NS(lists[6 + d]));
#undef NS
		if (algo) {
			char hash[33];
			md5_hex(algo, strlen(algo), hash);
			tq_gen(tq_add_str(pk, at, d ? &hf_hasshserver_algo : &hf_hassh_algo, x->s, off, 0, algo));
			tq_gen(tq_add_str(pk, at, d ? &hf_hasshserver : &hf_hassh, x->s, off, 0, hash));
		}
	}
	struct session *ss = x->ss;
	if (x->w && ss->peer[0].kex_proposal && ss->peer[1].kex_proposal && !ss->kex) {
		ss->kex = choose_algo(&pk->cap->state, ss->peer[0].kex_proposal, ss->peer[1].kex_proposal);
		if (ss->kex)
			ss->kex_kind = kex_kind(ss->kex);
	}
	tq_set_len(at, off - start);
	return off;
}

/* ------------------------------------------------------------------ packets */

/* One binary packet of the key exchange (ssh_dissect_key_exchange). */
static uint32_t
key_exchange(struct ctx *x, struct tq_node *t, uint32_t off)
{
	struct tq_pkt *pk = x->pk;
	struct session *ss = x->ss;
	struct peer *p = &ss->peer[x->resp];
	uint32_t last = off;
	uint32_t remain = x->s->len - off;
	uint32_t seq = 0;

	if (can_desegment(x) && remain < 4) {
		ask_more(x, off, TQ_DESEG_ONE_MORE);
		return off;
	}
	uint32_t plen = get32(x, off);
	if (x->stop)
		return off;
	if (can_desegment(x) && (uint32_t)(plen + 4) > remain) {
		ask_more(x, off, plen + 4 - remain);
		return off;
	}
	struct tq_node *ti = add_u(x, t, &hf_packet_length, off, 4, plen);
	if (plen >= 0xffff) {
		if (ti)
			tq_expert(pk, ti, &ei_packet_length, "Overly large number %d", (int32_t)plen);
		plen = remain - 4;
	}
	off += 4;
	uint8_t padding = get8(x, off);
	add_u(x, t, &hf_padding_length, off, 1, padding);
	off += 1;
	if (x->stop)
		return off;

	const char *title = pk->tree && ss->kex ? tq_arena_printf(pk->arena, "Key Exchange (method:%s)", ss->kex) : NULL;
	struct tq_node *kt = add_subtree(x, t, off, plen - 1, title ? title : "Key Exchange");
	uint8_t code = get8(x, off);
	if (x->stop)
		return off;
	if (code >= 30 && code < 40) {
		if (ss->kex_kind == KEX_GEX)
			off = kex_gex(x, kt, off, code, &seq);
		else if (ss->kex_kind == KEX_ECDH)
			off = kex_ecdh(x, kt, off, code, &seq);
		else
			off = kex_dh(x, kt, off, code, &seq);
	} else {
		add(x, kt, &hf_msg_code, off, 1);
		off += 1;
		info_val(x, ssh2_msg_vals, code);
		if (code == 20) {
			off = key_init(x, kt, off);
			if (x->w && !x->stop && (p->key_start == 0 || p->key_start == pk->num)) {
				p->key_start = pk->num;
				if (p->seq_kex_init == 0)
					p->seq_kex_init = p->seqnr++;
			}
			seq = p->seq_kex_init;
		} else if (code == 21) {
			if (x->w && p->key_end == 0) {
				p->key_end = pk->num;
				p->key_end_offset = off;
				if (p->seq_new_key == 0)
					p->seq_new_key = p->seqnr++;
				newkeys(x, p);
			}
			seq = p->seq_new_key;
		}
	}
	if (x->stop)
		return off;
	uint32_t len = plen + 4 - padding - (off - last);
	if (len > 0)
		add(x, kt, &hf_payload, off, len);
	off += len;
	add(x, t, &hf_padding_string, off, padding);
	off += padding;
	if (tree_need(x, off, 0) && t)
		tq_add_u(pk, t, &hf_seq_num, x->s, off, 0, seq);
	return off;
}

/* ssh_dissect_encrypted_packet: all that is left is one packet. */
static uint32_t
encrypted(struct ctx *x, struct tq_node *t, const struct peer *p, uint32_t off)
{
	struct tq_pkt *pk = x->pk;
	int32_t len = (int32_t)(x->s->rlen - off);
	char buf[64];
	snprintf(buf, sizeof(buf), "Encrypted packet (len=%d)", len);
	info_part(x, buf);
	if (pk->pass != 1) {
		int32_t elen = len;
		if (len > 4 && p->length_is_plaintext) {
			uint32_t plen = get32(x, off);
			add_u(x, t, &hf_packet_length, off, 4, plen);
			elen -= 4;
		} else if (len > 4) {
			add(x, t, &hf_packet_length_encrypted, off, 4);
			elen -= 4;
		}
		if (p->mac_length > 0)
			elen -= p->mac_length;
		add(x, t, &hf_encrypted_packet, off + 4, (uint32_t)elen);
		if (p->mac_length > 0)
			add(x, t, &hf_mac, off + 4 + (uint32_t)elen, (uint32_t)p->mac_length);
	}
	(void)pk;
	return off + (uint32_t)len;
}

/* ssh_try_dissect_encrypted_packet without keys. */
static uint32_t
try_encrypted(struct ctx *x, struct tq_node *t, const struct peer *p, uint32_t off)
{
	/* chacha20-poly1305, AES-CBC and AES-CTR with zero keys: a length past
	 * 32768 (all but surely), the rest taken, nothing shown */
	if (p->cipher == CIPHER_CHACHA20) {
		need(x, off, 4);
		return x->s->len;
	}
	if (p->cipher == CIPHER_AES_CBC) {
		need(x, off, x->s->rlen - off);
		return x->s->len;
	}
	return encrypted(x, t, p, off);
}

static uint32_t
version_line(struct ctx *x, struct tq_node *t, uint32_t off, int *version)
{
	const uint8_t *b = x->s->p + off;
	uint32_t remain = x->s->len - off;
	if (!x->resp) {
		if (remain >= 6 && !strncasecmp((const char *)b, "SSH-2.", 6))
			*version = V_2;
		else if (remain >= 9 && !strncasecmp((const char *)b, "SSH-1.99-", 9))
			*version = V_2;
		else if (remain >= 6 && !strncasecmp((const char *)b, "SSH-1.", 6))
			*version = V_1;
	}
	const uint8_t *nl = memchr(b, '\n', remain);
	if (!nl && can_desegment(x)) {
		/* Wireshark asks for "-1 - remain" bytes: a PDU that ends before
		 * it starts, so the next segments are not added to it */
		ask_more(x, off, UINT32_MAX - remain);
		return off;
	}
	uint32_t linelen, protolen;
	if (!nl) {
		linelen = protolen = remain;
	} else {
		linelen = (uint32_t)(nl - b) + 1;
		protolen = linelen > 1 && b[linelen - 2] == '\r' ? linelen - 2 : linelen - 1;
	}
	if (x->pk->want_cols) {
		struct tq_sbuf sb;
		tq_sbuf_init(&sb, 0);
		tq_sbuf_puts(&sb, "Protocol (");
		tq_format_text(&sb, b, protolen);
		tq_sbuf_putc(&sb, ')');
		info_part(x, tq_sbuf_str(&sb));
		tq_sbuf_free(&sb);
	}
	add(x, t, &hf_protocol, off, protolen);
	return off + linelen;
}

static uint32_t
ssh2(struct ctx *x, struct tq_node *t, uint32_t off)
{
	struct tq_pkt *pk = x->pk;
	struct peer *p = &x->ss->peer[x->resp];
	const char *title = "SSH Version 2";
	if (pk->tree && (p->enc || p->mac || p->comp)) {
		title = tq_arena_printf(pk->arena, "SSH Version 2 (%s%s%s%s%s%s%s%s)",
		    p->enc ? "encryption:" : "", p->enc ? p->enc : "", p->enc && (p->mac || p->comp) ? " " : "",
		    p->mac ? "mac:" : "", p->mac ? p->mac : "", p->mac && p->comp ? " " : "",
		    p->comp ? "compression:" : "", p->comp ? p->comp : "");
		if (!title)
			title = "SSH Version 2";
	}
	while (off < x->s->len && !x->stop) {
		uint32_t last = off;
		struct tq_node *st = pk->tree ? tq_add_text(pk, t, x->s, off, x->s->len - off, "%s", title) : NULL;
		int kex = p->key_start == 0 ||
		    (p->key_start <= pk->num && (p->key_end == 0 || pk->num < p->key_end ||
		    (pk->num == p->key_end && off < p->key_end_offset)));
		if (kex) {
			off = key_exchange(x, st, off);
			if (x->deseg)
				break;
		} else {
			off = try_encrypted(x, st, p, off);
		}
		if (x->stop)
			break;
		tq_set_len(st, off - last);
		if (off <= last)
			break;
	}
	return off;
}

static uint32_t
ssh1(struct ctx *x, struct tq_node *t, uint32_t off)
{
	struct tq_pkt *pk = x->pk;
	struct peer *p = &x->ss->peer[x->resp];
	struct tq_node *st = pk->tree ? tq_add_text(pk, t, x->s, off, x->s->len - off, "SSH Version 1") : NULL;
	uint32_t remain = x->s->len - off;
	if (!need(x, off, 1))
		return off;
	if (can_desegment(x) && remain < 4) {
		ask_more(x, off, TQ_DESEG_ONE_MORE);
		return off;
	}
	uint32_t plen = get32(x, off);
	if (x->stop)
		return off;
	uint32_t padding = 8 - plen % 8;
	if (can_desegment(x) && (uint32_t)(plen + 4 + padding) > remain) {
		ask_more(x, off, plen + padding - remain);
		return off;
	}
	if (plen >= 0xffff) {
		struct tq_node *n = add_u(x, st, &hf_packet_length, off, 4, plen);
		tq_set_label(pk, n, "Overly large length %x", plen);
		plen = remain - 4 - padding;
	} else if (plen > 0) {
		add_u(x, st, &hf_packet_length, off, 4, plen);
	}
	off += 4;
	add_u(x, st, &hf_padding_length, off, padding, padding);
	off += padding;
	uint32_t len;
	if (p->key_start == 0 || (p->key_start >= pk->num && pk->num <= p->key_end)) {
		uint8_t code = get8(x, off);
		add(x, st, &hf_ssh1_msg_code, off, 1);
		if (x->stop)
			return off;
		info_val(x, ssh1_msg_vals, code);
		off += 1;
		len = plen - 1;
		if (x->w) {
			if (p->key_start == 0)
				p->key_start = pk->num;
			p->key_end = pk->num;
		}
	} else {
		len = plen;
		char buf[64];
		snprintf(buf, sizeof(buf), "Encrypted packet (len=%d)", (int32_t)len);
		info_part(x, buf);
	}
	if (pk->pass != 1)
		add(x, st, &hf_payload, off, len);
	return off + len;
}

/* ------------------------------------------------------------------ entry */

/* The port the stream was given to SSH by (pinfo->match_uint). */
static uint16_t
match_port(const struct tq_pkt *pk)
{
	uint16_t sp = pk->tcp ? pk->tcp->server_port : 0;
	if (sp && tq_dissector_find(pk->cap, TQ_TAB_TCP_PORT, sp) == &ssh)
		return sp;
	uint16_t lo = pk->sport < pk->dport ? pk->sport : pk->dport, hi = pk->sport < pk->dport ? pk->dport : pk->sport;
	if (tq_dissector_find(pk->cap, TQ_TAB_TCP_PORT, lo) == &ssh)
		return lo;
	if (tq_dissector_find(pk->cap, TQ_TAB_TCP_PORT, hi) == &ssh)
		return hi;
	return sp ? sp : lo;
}

static int
dissect_ssh(struct tq_pkt *pk, struct tq_slice *s)
{
	struct session *ss = NULL;
	if (pk->tcp && pk->tcp->app_state) {
		ss = *pk->tcp->app_state;
		if (!ss && pk->pass == 1) {
			ss = tq_arena_alloc(&pk->cap->state, sizeof(*ss));
			*pk->tcp->app_state = ss;
		}
	}
	int w = pk->pass == 1 && ss;
	if (!ss) {
		/* no stream state (none was made in pass 1): a fresh one for this frame */
		ss = tq_arena_alloc(pk->arena, sizeof(*ss));
		if (!ss)
			return (int)s->len;
	}
	struct ctx x = { .pk = pk, .s = s, .ss = ss, .resp = pk->dport != match_port(pk), .w = w };
	struct peer *p = &ss->peer[x.resp];
	int version = ss->version;

	tq_col_proto(pk, version == V_UNKNOWN ? "SSH" : version == V_1 ? "SSHv1" : "SSHv2");
	struct tq_node *t = tq_add_proto(pk, tq_root(pk), &hf_ssh, s, 0, s->len);
	tq_col_info_clear(pk);

	uint32_t off = 0;
	while (off < s->rlen && !x.stop) {
		int after_start = p->version_start == 0 || pk->num >= p->version_start;
		int before_end = p->version_end == 0 || pk->num <= p->version_end;
		uint32_t last = off;
		if (after_start && before_end && off <= s->len && s->len - off >= 4 &&
		    !strncasecmp((const char *)s->p + off, "SSH-", 4)) {
			if (w && p->version_start == 0)
				p->version_start = pk->num;
			off = version_line(&x, t, off, &version);
			if (!x.deseg && w) {
				p->version_end = pk->num;
				ss->version = version;
			}
		} else if (version == V_1) {
			off = ssh1(&x, t, off);
		} else if (version == V_2) {
			off = ssh2(&x, t, off);
		} else {
			off = try_encrypted(&x, t, p, off);
		}
		if (x.deseg || x.stop)
			break;
		if (off <= last)
			break;
	}
	if (x.deseg || x.stop)
		return (int)s->len;
	tq_col_info_prepend(pk, x.resp ? "Server: " : "Client: ");
	if (t) {
		struct tq_node *d = tq_gen(tq_add_u(pk, t, &hf_direction, s, 0, 0, (uint64_t)x.resp));
		tq_set_valtext(pk, d, "%s", x.resp ? "server-to-client" : "client-to-server");
	}
	return (int)s->len;
}
