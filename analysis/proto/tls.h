/* tls.h - what the TLS dissector shares with its certificate and OCSP walkers. */
#ifndef TQ_TLS_H
#define TQ_TLS_H

#include "../internal.h"

/* Cipher suite names by value (tls_ciphers.c), as Wireshark 4.0's ssl_31_ciphersuite. */
extern const struct tq_vals tq_tls_cipher_vals[];
const char *tq_tls_cipher_name(uint16_t suite);

/* Value names of the TLS fields (tls_vals.c): Wireshark 4.0's, from `tshark -G values`. */
extern const struct tq_vals tq_tls_content_type_vals[];
extern const struct tq_vals tq_tls_version_vals[];
extern const struct tq_vals tq_tls_hs_type_vals[];
extern const struct tq_vals tq_tls_comp_vals[];
extern const struct tq_vals tq_tls_group_vals[];
extern const struct tq_vals tq_tls_ecpf_vals[];
extern const struct tq_vals tq_tls_hash_vals[];
extern const struct tq_vals tq_tls_sig_vals[];
extern const struct tq_vals tq_tls_sni_type_vals[];
extern const struct tq_vals tq_tls_psk_mode_vals[];
extern const struct tq_vals tq_tls_alert_level_vals[];
extern const struct tq_vals tq_tls_alert_desc_vals[];
extern const struct tq_vals tq_tls_cert_type_vals[];
extern const struct tq_vals tq_tls_curve_type_vals[];
extern const struct tq_vals tq_tls_status_type_vals[];
extern const struct tq_vals tq_tls_hb_mode_vals[];
extern const struct tq_vals tq_tls_compress_alg_vals[];
extern const struct tq_vals tq_tls_key_update_vals[];
extern const struct tq_vals tq_tls_version_short_vals[];

/* TLS extension type names (tls_vals.c; also the TLS Feature certificate extension's). */
extern const struct tq_vals tq_tls_ext_type_vals[];

/* TLS 1.3 SignatureScheme and TLS 1.2 hash/signature names (tls_vals.c). */
extern const struct tq_vals tq_tls_sigalg_vals[];

/*
 * Adds the x509af tree of the DER Certificate at [off, off + len) of s under
 * parent, as Wireshark's dissect_x509af_Certificate with hf as the
 * certificate's own field; returns the node of that field (NULL without a
 * tree).  Every length is bounded by len.
 */
struct tq_node *tq_x509_certificate(struct tq_pkt *pk, struct tq_node *parent, const struct tq_field *hf,
    const struct tq_slice *s, uint32_t off, uint32_t len);

/*
 * Adds an x509if DistinguishedName (an RDNSequence) at [off, off + len) as
 * hf, a text field labelled "Distinguished Name: (dn)" (the Certificate
 * Request's list).
 */
void tq_x509_dname(struct tq_pkt *pk, struct tq_node *parent, const struct tq_field *hf,
    const struct tq_slice *s, uint32_t off, uint32_t len);

/* Adds the OCSPResponse at [off, off + len) under parent (the "OCSP Response" item). */
void tq_ocsp_response(struct tq_pkt *pk, struct tq_node *parent, const struct tq_slice *s,
    uint32_t off, uint32_t len);

/* Adds a SignedCertificateTimestampList (RFC 6962) at [off, end) of s (tls.c). */
void tq_tls_sct_list(struct tq_pkt *pk, struct tq_node *t, const struct tq_slice *s, uint32_t off,
    uint32_t end);

void tq_register_x509(void);
void tq_register_ocsp(void);

/* Labels are cut at this many bytes, as Wireshark's ITEM_LABEL_LENGTH - 1. */
#define TQ_LABEL_MAX 239

#endif
