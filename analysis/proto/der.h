/* der.h - a bounded reader for BER/DER encodings (ITU-T X.690), and object identifiers. */
#ifndef TQ_DER_H
#define TQ_DER_H

#include <stddef.h>
#include <stdint.h>

/* Tag classes, as in the two top bits of an identifier octet. */
enum { DER_UNIVERSAL = 0, DER_APPLICATION = 1, DER_CONTEXT = 2, DER_PRIVATE = 3 };

/* Universal tags the certificate walkers use. */
enum {
	DER_BOOLEAN = 1, DER_INTEGER = 2, DER_BIT_STRING = 3, DER_OCTET_STRING = 4, DER_NULL = 5,
	DER_OID = 6, DER_ENUMERATED = 10, DER_UTF8STRING = 12, DER_SEQUENCE = 16, DER_SET = 17,
	DER_NUMERICSTRING = 18, DER_PRINTABLESTRING = 19, DER_TELETEXSTRING = 20, DER_IA5STRING = 22, DER_UTCTIME = 23,
	DER_GENERALIZEDTIME = 24, DER_VISIBLESTRING = 26, DER_UNIVERSALSTRING = 28, DER_BMPSTRING = 30,
};

/*
 * One TLV.  Offsets are relative to the buffer given to tq_der_get(); the
 * contents [off, end) always lie inside the bound the caller passed, so a
 * length field can never send a reader past it.
 */
struct tq_der {
	uint8_t cls;                 /* DER_UNIVERSAL ... DER_PRIVATE */
	uint8_t cons;                /* constructed */
	uint32_t tag;
	uint32_t start;              /* the identifier octet */
	uint32_t off;                /* the first content octet */
	uint32_t len;                /* content length */
	uint32_t end;                /* off + len */
};

/*
 * Reads the TLV at off, which must end at or before bound (bound <= avail).
 * Returns 0, or -1 when the identifier or length is cut, uses a form we do
 * not take (indefinite length, a tag or length over 32 bits) or the stated
 * length runs past bound.  p is read only below avail.
 */
int tq_der_get(const uint8_t *p, uint32_t avail, uint32_t off, uint32_t bound, struct tq_der *t);

/* Nonzero when t is the universal, primitive or constructed, tag `tag`. */
static inline int
tq_der_is(const struct tq_der *t, uint32_t tag)
{
	return t->cls == DER_UNIVERSAL && t->tag == tag;
}

/*
 * Writes the dotted form of the OID in p[0..n) into buf ("2.5.4.3");
 * returns 0, or -1 when the encoding is empty, truncated or has an arc of
 * more than 64 bits (buf then holds what could be read).
 */
int tq_oid_str(const uint8_t *p, uint32_t n, char *buf, size_t len);

/*
 * Wireshark's name of a dotted OID ("id-at-commonName"), or, when the OID
 * itself has none, the name of its nearest named ancestor followed by the
 * remaining arcs ("iso.3.6.1.4.1.44947.1.1.1").  Writes into buf; returns
 * buf, or NULL when not even the first arc is named.
 */
const char *tq_oid_resolve(const char *dotted, char *buf, size_t len);

/* The name of exactly this OID, NULL if it has none. */
const char *tq_oid_name(const char *dotted);

/*
 * Reads a two-digit-year UTCTime or a GeneralizedTime "YYYYMMDDHHMMSS[.f]Z"
 * into broken-down fields; returns 0 or -1 when it does not have that form.
 */
struct tq_der_time {
	int year, mon, day, hour, min, sec;
	int32_t nsec;
	int has_sec;
	int utc;                     /* ends with Z */
};
int tq_der_utctime(const uint8_t *p, uint32_t n, struct tq_der_time *tm);
int tq_der_gentime(const uint8_t *p, uint32_t n, struct tq_der_time *tm);
/* Seconds since the epoch of a UTC broken-down time. */
int64_t tq_der_epoch(const struct tq_der_time *tm);

#endif
