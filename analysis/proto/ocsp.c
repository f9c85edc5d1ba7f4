/*
 * ocsp.c - OCSP responses (RFC 6960) as stapled in a TLS Certificate Status
 * message (RFC 6066 8), shown as Wireshark 4.0's ocsp dissector does: the
 * status, the basic response with its responder, single responses and
 * extensions, the signature and the certificates that come with it.
 * Every TLV is bounded by the one that holds it (der.c).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "der.h"
#include "tls.h"

static const struct tq_vals status_vals[] = {
	{ 0, "successful" }, { 1, "malformedRequest" }, { 2, "internalError" }, { 3, "tryLater" },
	{ 5, "sigRequired" }, { 6, "unauthorized" }, { 0, NULL },
};
static const struct tq_vals responder_vals[] = { { 1, "byName" }, { 2, "byKey" }, { 0, NULL } };
static const struct tq_vals cert_status_vals[] = { { 0, "good" }, { 1, "revoked" }, { 2, "unknown" }, { 0, NULL } };
static const struct tq_vals version_vals[] = { { 0, "v1" }, { 0, NULL } };
static const struct tq_vals reason_vals[] = {
	{ 0, "unspecified" }, { 1, "keyCompromise" }, { 2, "cACompromise" }, { 3, "affiliationChanged" },
	{ 4, "superseded" }, { 5, "cessationOfOperation" }, { 6, "certificateHold" }, { 8, "removeFromCRL" },
	{ 9, "privilegeWithdrawn" }, { 10, "aaCompromise" }, { 0, NULL },
};

static struct tq_field hf_ocsp = HF("ocsp", "Online Certificate Status Protocol", FT_PROTOCOL, BASE_NONE, NULL, 0);
static struct tq_field hf_status = HF("ocsp.responseStatus", "responseStatus", FT_UINT32, BASE_DEC, status_vals, 0);
static struct tq_field hf_bytes = HF("ocsp.responseBytes_element", "responseBytes", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_type_id = HF("ocsp.responseType.id", "ResponseType Id", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_basic = HF("ocsp.BasicOCSPResponse_element", "BasicOCSPResponse", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_tbs = HF("ocsp.tbsResponseData_element", "tbsResponseData", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_version = HF("ocsp.version", "version", FT_INT32, BASE_DEC, version_vals, 0);
static struct tq_field hf_responder = HF("ocsp.responderID", "responderID", FT_UINT32, BASE_DEC, responder_vals, 0);
static struct tq_field hf_by_name = HF("ocsp.byName", "byName", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_by_key = HF("ocsp.byKey", "byKey", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_produced = HF("ocsp.producedAt", "producedAt", FT_ABSTIME, BASE_NONE, NULL, 0);
static struct tq_field hf_responses = HF("ocsp.responses", "responses", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_single = HF("ocsp.SingleResponse_element", "SingleResponse", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_cert_id = HF("ocsp.certID_element", "certID", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_hash_alg = HF("ocsp.hashAlgorithm_element", "hashAlgorithm", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_name_hash = HF("ocsp.issuerNameHash", "issuerNameHash", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_key_hash = HF("ocsp.issuerKeyHash", "issuerKeyHash", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_serial = HF("ocsp.serialNumber", "serialNumber", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_cert_status = HF("ocsp.certStatus", "certStatus", FT_UINT32, BASE_DEC, cert_status_vals, 0);
static struct tq_field hf_good = HF("ocsp.good_element", "good", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_revoked = HF("ocsp.revoked_element", "revoked", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_unknown = HF("ocsp.unknown_element", "unknown", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_revocation_time = HF("ocsp.revocationTime", "revocationTime", FT_ABSTIME, BASE_NONE, NULL, 0);
static struct tq_field hf_revocation_reason = HF("ocsp.revocationReason", "revocationReason", FT_UINT32, BASE_DEC, reason_vals, 0);
static struct tq_field hf_this_update = HF("ocsp.thisUpdate", "thisUpdate", FT_ABSTIME, BASE_NONE, NULL, 0);
static struct tq_field hf_next_update = HF("ocsp.nextUpdate", "nextUpdate", FT_ABSTIME, BASE_NONE, NULL, 0);
static struct tq_field hf_single_exts = HF("ocsp.singleExtensions", "singleExtensions", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_resp_exts = HF("ocsp.responseExtensions", "responseExtensions", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_ext = HF("pkix1explicit.Extension_element", "Extension", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_ext_id = HF("pkix1explicit.id", "Id", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_ext_critical = HF("pkix1explicit.critical", "critical", FT_BOOLEAN, BASE_NONE, NULL, 0);
static struct tq_field hf_nonce = HF("ocsp.ReOcspNonce", "ReOcspNonce", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_sig_alg = HF("ocsp.signatureAlgorithm_element", "signatureAlgorithm", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_padding = HF("ber.bitstring.padding", "Padding", FT_UINT8, BASE_DEC, NULL, 0);
static struct tq_field hf_signature = HF("ocsp.signature", "signature", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_certs = HF("ocsp.certs", "certs", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_certificate = HF("ocsp.Certificate_element", "Certificate", FT_NONE, BASE_NONE, NULL, 0);

static struct tq_field *const fields[] = {
	&hf_ocsp, &hf_status, &hf_bytes, &hf_type_id, &hf_basic, &hf_tbs, &hf_version, &hf_responder,
	&hf_by_name, &hf_by_key, &hf_produced, &hf_responses, &hf_single, &hf_cert_id, &hf_hash_alg,
	&hf_name_hash, &hf_key_hash, &hf_serial, &hf_cert_status, &hf_good, &hf_revoked, &hf_unknown,
	&hf_revocation_time, &hf_revocation_reason, &hf_this_update, &hf_next_update, &hf_single_exts,
	&hf_resp_exts, &hf_ext, &hf_ext_id, &hf_ext_critical, &hf_nonce, &hf_sig_alg, &hf_padding,
	&hf_signature, &hf_certs, &hf_certificate,
};

void
tq_register_ocsp(void)
{
	TQ_REGISTER(fields);
}

/* x509.c's walkers for what OCSP embeds */
int tq_x509_name(struct tq_pkt *pk, struct tq_node *parent, const struct tq_field *f, const struct tq_slice *s,
    uint32_t off, uint32_t end);
int tq_x509_algorithm(struct tq_pkt *pk, struct tq_node *parent, const struct tq_field *f, const struct tq_slice *s,
    uint32_t off, uint32_t end);
struct tq_node *tq_x509_certificate_element(struct tq_pkt *pk, struct tq_node *parent, const struct tq_field *hf,
    const struct tq_slice *s, uint32_t off, uint32_t end);

struct ow {
	struct tq_pkt *pk;
	const struct tq_slice *s;
};

static int
get(const struct ow *w, uint32_t off, uint32_t end, struct tq_der *t)
{
	return tq_der_get(w->s->p, w->s->len, off, end, t);
}

static uint32_t
count_items(const struct ow *w, uint32_t off, uint32_t end)
{
	struct tq_der t;
	uint32_t n = 0;
	while (off < end && get(w, off, end, &t) == 0) {
		n++;
		off = t.end;
	}
	return n;
}

static struct tq_node *
seqof(struct ow *w, struct tq_node *parent, const struct tq_field *f, const struct tq_der *t)
{
	uint32_t n = count_items(w, t->off, t->end);
	struct tq_node *node = tq_add_u(w->pk, parent, f, w->s, t->off, t->len, n);
	tq_set_valtext(w->pk, node, "%u item%s", n, n == 1 ? "" : "s");
	return node;
}

static struct tq_node *
seq(struct ow *w, struct tq_node *parent, const struct tq_field *f, const struct tq_der *t)
{
	return tq_add(w->pk, parent, f, w->s, t->start, t->end - t->start);
}

static void
oid(struct ow *w, struct tq_node *parent, const struct tq_field *f, const struct tq_der *t, char *dotted, size_t dlen)
{
	char buf[256], rbuf[320];
	if (tq_oid_str(w->s->p + t->off, t->len, buf, sizeof(buf)) != 0 && !buf[0])
		buf[0] = '\0';
	struct tq_node *n = tq_add_str(w->pk, parent, f, w->s, t->off, t->len, buf);
	const char *name = tq_oid_resolve(buf, rbuf, sizeof(rbuf));
	if (name)
		tq_append(w->pk, n, " (%s)", name);
	if (dotted)
		snprintf(dotted, dlen, "%s", buf);
}

static void
gentime(struct ow *w, struct tq_node *parent, const struct tq_field *f, const struct tq_der *t)
{
	struct tq_der_time tm;
	if (tq_der_is(t, DER_GENERALIZEDTIME) && tq_der_gentime(w->s->p + t->off, t->len, &tm) == 0)
		tq_add_time(w->pk, parent, f, w->s, t->off, t->len, tq_der_epoch(&tm), tm.nsec);
}

static void
serial(struct ow *w, struct tq_node *parent, const struct tq_der *t)
{
	static const char hx[] = "0123456789abcdef";
	char buf[128];
	size_t k = 0;
	uint32_t n = t->len > 36 ? 36 : t->len;
	for (uint32_t i = 0; i < n; i++) {
		buf[k++] = hx[w->s->p[t->off + i] >> 4];
		buf[k++] = hx[w->s->p[t->off + i] & 15];
	}
	buf[k] = '\0';
	struct tq_node *s = tq_add(w->pk, parent, &hf_serial, w->s, t->off, t->len);
	tq_set_valtext(w->pk, s, "0x%s%s", buf, t->len > 36 ? "\xe2\x80\xa6" : "");
}

/* Extensions ::= SEQUENCE OF Extension (pkix1explicit), with the OCSP nonce decoded. */
static void
extensions(struct ow *w, struct tq_node *parent, const struct tq_field *f, const struct tq_der *t)
{
	struct tq_node *l = seqof(w, parent, f, t);
	struct tq_der e;
	for (uint32_t off = t->off; off < t->end && get(w, off, t->end, &e) == 0; off = e.end) {
		struct tq_node *en = seq(w, l, &hf_ext, &e);
		struct tq_der id, v;
		char eid[256];
		if (get(w, e.off, e.end, &id) != 0 || !tq_der_is(&id, DER_OID))
			continue;
		oid(w, en, &hf_ext_id, &id, eid, sizeof(eid));
		for (uint32_t o = id.end; o < e.end && get(w, o, e.end, &v) == 0; o = v.end) {
			if (tq_der_is(&v, DER_BOOLEAN)) {
				tq_add_u(w->pk, en, &hf_ext_critical, w->s, v.off, v.len, v.len && w->s->p[v.off] ? 1 : 0);
			} else if (tq_der_is(&v, DER_OCTET_STRING)) {
				struct tq_der in;
				if (!strcmp(eid, "1.3.6.1.5.5.7.48.1.2")) {
					tq_layer(w->pk, "ocsp");
					if (get(w, v.off, v.end, &in) == 0 && tq_der_is(&in, DER_OCTET_STRING))
						tq_add(w->pk, en, &hf_nonce, w->s, in.off, in.len);
				}
				break;
			}
		}
	}
}

static void
single_response(struct ow *w, struct tq_node *parent, const struct tq_der *t)
{
	struct tq_node *sr = seq(w, parent, &hf_single, t);
	struct tq_der f;
	int field = 0;
	for (uint32_t off = t->off; off < t->end && get(w, off, t->end, &f) == 0; off = f.end) {
		if (field == 0) {
			field = 1;
			if (!tq_der_is(&f, DER_SEQUENCE))
				continue;
			struct tq_node *c = seq(w, sr, &hf_cert_id, &f);
			struct tq_der a, h1, h2, sn;
			if (get(w, f.off, f.end, &a) != 0)
				continue;
			tq_x509_algorithm(w->pk, c, &hf_hash_alg, w->s, a.start, f.end);
			if (get(w, a.end, f.end, &h1) != 0)
				continue;
			tq_add(w->pk, c, &hf_name_hash, w->s, h1.off, h1.len);
			if (get(w, h1.end, f.end, &h2) != 0)
				continue;
			tq_add(w->pk, c, &hf_key_hash, w->s, h2.off, h2.len);
			if (get(w, h2.end, f.end, &sn) == 0 && tq_der_is(&sn, DER_INTEGER))
				serial(w, c, &sn);
		} else if (field == 1) {
			field = 2;
			if (f.cls != DER_CONTEXT || f.tag > 2)
				continue;
			struct tq_node *cs = tq_add_u(w->pk, sr, &hf_cert_status, w->s, f.off, f.len, f.tag);
			if (f.tag == 0) {
				tq_add(w->pk, cs, &hf_good, w->s, f.off, f.len);
			} else if (f.tag == 2) {
				tq_add(w->pk, cs, &hf_unknown, w->s, f.off, f.len);
			} else {
				struct tq_node *r = tq_add(w->pk, cs, &hf_revoked, w->s, f.off, f.len);
				struct tq_der rt, rr;
				if (get(w, f.off, f.end, &rt) == 0) {
					gentime(w, r, &hf_revocation_time, &rt);
					if (get(w, rt.end, f.end, &rr) == 0 && rr.cls == DER_CONTEXT && rr.tag == 0) {
						struct tq_der e;
						if (get(w, rr.off, rr.end, &e) == 0 && tq_der_is(&e, DER_ENUMERATED) && e.len >= 1)
							tq_add_u(w->pk, r, &hf_revocation_reason, w->s, e.off, e.len,
							    w->s->p[e.off + e.len - 1]);
					}
				}
			}
		} else if (field == 2) {
			field = 3;
			gentime(w, sr, &hf_this_update, &f);
		} else if (f.cls == DER_CONTEXT && f.tag == 0) {
			struct tq_der in;
			if (get(w, f.off, f.end, &in) == 0)
				gentime(w, sr, &hf_next_update, &in);
		} else if (f.cls == DER_CONTEXT && f.tag == 1) {
			struct tq_der in;
			if (get(w, f.off, f.end, &in) == 0 && tq_der_is(&in, DER_SEQUENCE))
				extensions(w, sr, &hf_single_exts, &in);
		}
	}
}

static void
tbs_response_data(struct ow *w, struct tq_node *parent, const struct tq_der *t)
{
	struct tq_node *tbs = seq(w, parent, &hf_tbs, t);
	struct tq_der f;
	int have_responder = 0, have_time = 0;
	for (uint32_t off = t->off; off < t->end && get(w, off, t->end, &f) == 0; off = f.end) {
		struct tq_der in;
		if (!have_responder && f.cls == DER_CONTEXT && f.tag == 0) {
			if (get(w, f.off, f.end, &in) == 0 && tq_der_is(&in, DER_INTEGER) && in.len >= 1)
				tq_add_u(w->pk, tbs, &hf_version, w->s, in.off, in.len, w->s->p[in.off + in.len - 1]);
		} else if (!have_responder && f.cls == DER_CONTEXT && (f.tag == 1 || f.tag == 2)) {
			have_responder = 1;
			struct tq_node *r = tq_add_u(w->pk, tbs, &hf_responder, w->s, f.off, f.len, f.tag);
			if (f.tag == 1)
				tq_x509_name(w->pk, r, &hf_by_name, w->s, f.off, f.end);
			else if (get(w, f.off, f.end, &in) == 0 && tq_der_is(&in, DER_OCTET_STRING))
				tq_add(w->pk, r, &hf_by_key, w->s, in.off, in.len);
		} else if (!have_time && tq_der_is(&f, DER_GENERALIZEDTIME)) {
			have_time = 1;
			gentime(w, tbs, &hf_produced, &f);
		} else if (tq_der_is(&f, DER_SEQUENCE)) {
			struct tq_node *l = seqof(w, tbs, &hf_responses, &f);
			struct tq_der sr;
			for (uint32_t o = f.off; o < f.end && get(w, o, f.end, &sr) == 0; o = sr.end)
				if (tq_der_is(&sr, DER_SEQUENCE))
					single_response(w, l, &sr);
		} else if (f.cls == DER_CONTEXT && f.tag == 1) {
			if (get(w, f.off, f.end, &in) == 0 && tq_der_is(&in, DER_SEQUENCE))
				extensions(w, tbs, &hf_resp_exts, &in);
		}
	}
}

static void
basic_response(struct ow *w, struct tq_node *parent, const struct tq_der *t)
{
	struct tq_node *b = seq(w, parent, &hf_basic, t);
	struct tq_der tbs, alg, sig, certs;
	if (get(w, t->off, t->end, &tbs) != 0 || !tq_der_is(&tbs, DER_SEQUENCE))
		return;
	tbs_response_data(w, b, &tbs);
	if (get(w, tbs.end, t->end, &alg) != 0)
		return;
	tq_x509_algorithm(w->pk, b, &hf_sig_alg, w->s, alg.start, t->end);
	if (get(w, alg.end, t->end, &sig) != 0 || !tq_der_is(&sig, DER_BIT_STRING))
		return;
	if (sig.len > 0) {
		tq_add(w->pk, b, &hf_padding, w->s, sig.off, 1);
		tq_add(w->pk, b, &hf_signature, w->s, sig.off + 1, sig.len - 1);
	}
	if (sig.end >= t->end || get(w, sig.end, t->end, &certs) != 0 || certs.cls != DER_CONTEXT || certs.tag != 0)
		return;
	struct tq_der l;
	if (get(w, certs.off, certs.end, &l) != 0 || !tq_der_is(&l, DER_SEQUENCE))
		return;
	struct tq_node *cl = seqof(w, b, &hf_certs, &l);
	struct tq_der c;
	for (uint32_t off = l.off; off < l.end && get(w, off, l.end, &c) == 0; off = c.end)
		tq_x509_certificate_element(w->pk, cl, &hf_certificate, w->s, c.start, c.end);
}

void
tq_ocsp_response(struct tq_pkt *pk, struct tq_node *parent, const struct tq_slice *s, uint32_t off, uint32_t len)
{
	if (!pk->tree || !parent)
		return;
	struct ow w = { pk, s };
	uint32_t end = off + len;
	if (end > s->len || end < off)
		end = s->len;
	struct tq_node *o = tq_add(pk, parent, &hf_ocsp, s, off, len);
	tq_set_label(pk, o, "OCSP Response");
	struct tq_der r, st, rb, rbs, type, resp;
	if (tq_der_get(s->p, s->len, off, end, &r) != 0 || !tq_der_is(&r, DER_SEQUENCE))
		return;
	if (get(&w, r.off, r.end, &st) != 0 || !tq_der_is(&st, DER_ENUMERATED) || st.len < 1)
		return;
	tq_add_u(pk, o, &hf_status, s, st.off, st.len, s->p[st.off + st.len - 1]);
	if (get(&w, st.end, r.end, &rb) != 0 || rb.cls != DER_CONTEXT || rb.tag != 0)
		return;
	if (get(&w, rb.off, rb.end, &rbs) != 0 || !tq_der_is(&rbs, DER_SEQUENCE))
		return;
	struct tq_node *b = seq(&w, o, &hf_bytes, &rbs);
	char type_oid[256];
	if (get(&w, rbs.off, rbs.end, &type) != 0 || !tq_der_is(&type, DER_OID))
		return;
	oid(&w, b, &hf_type_id, &type, type_oid, sizeof(type_oid));
	if (get(&w, type.end, rbs.end, &resp) != 0 || !tq_der_is(&resp, DER_OCTET_STRING))
		return;
	if (!strcmp(type_oid, "1.3.6.1.5.5.7.48.1.1")) {
		struct tq_der basic;
		tq_layer(pk, "ocsp");
		if (get(&w, resp.off, resp.end, &basic) == 0 && tq_der_is(&basic, DER_SEQUENCE))
			basic_response(&w, b, &basic);
	}
}
