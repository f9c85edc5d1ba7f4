/*
 * der.c - BER/DER TLVs (ITU-T X.690 8.1), object identifiers (8.19) and the
 * two ASN.1 times, read with every length bounded by what is left.
 *
 * The OID names are those Wireshark 4.0 registers for the OIDs seen in
 * certificates and OCSP responses; an OID without a name is shown as its
 * nearest named ancestor plus the remaining arcs, as Wireshark's
 * oid_resolved_from_string() does.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "der.h"

int
tq_der_get(const uint8_t *p, uint32_t avail, uint32_t off, uint32_t bound, struct tq_der *t)
{
	if (bound > avail)
		bound = avail;
	if (off >= bound)
		return -1;
	uint32_t o = off;
	uint8_t id = p[o++];
	t->cls = (uint8_t)(id >> 6);
	t->cons = (uint8_t)((id >> 5) & 1);
	t->tag = id & 0x1f;
	t->start = off;
	if (t->tag == 0x1f) {
		/* high tag number form: base-128 digits, at most 4 of them */
		uint32_t tag = 0;
		int n = 0;
		for (;;) {
			if (o >= bound || n == 4)
				return -1;
			uint8_t b = p[o++];
			tag = tag << 7 | (b & 0x7f);
			n++;
			if (!(b & 0x80))
				break;
		}
		t->tag = tag;
	}
	if (o >= bound)
		return -1;
	uint8_t lb = p[o++];
	uint32_t len;
	if (lb < 0x80) {
		len = lb;
	} else {
		unsigned n = lb & 0x7f;
		if (n == 0 || n > 4 || bound - o < n)
			return -1;        /* indefinite or too long a length */
		len = 0;
		for (unsigned i = 0; i < n; i++)
			len = len << 8 | p[o++];
	}
	if (len > bound - o)
		return -1;
	t->off = o;
	t->len = len;
	t->end = o + len;
	return 0;
}

int
tq_oid_str(const uint8_t *p, uint32_t n, char *buf, size_t len)
{
	size_t k = 0;
	int first = 1;
	uint64_t v = 0;
	unsigned digits = 0;

	if (len)
		buf[0] = '\0';
	if (n == 0 || len == 0)
		return -1;
	for (uint32_t i = 0; i < n; i++) {
		if (digits == 9 && v > (UINT64_MAX >> 7))
			return -1;
		v = v << 7 | (p[i] & 0x7f);
		digits++;
		if (p[i] & 0x80)
			continue;
		int w;
		if (first) {
			/* the first octets hold two arcs: 40 * X + Y, X at most 2 */
			uint64_t x = v < 40 ? 0 : v < 80 ? 1 : 2;
			w = snprintf(buf + k, len - k, "%llu.%llu", (unsigned long long)x,
			    (unsigned long long)(v - 40 * x));
			first = 0;
		} else {
			w = snprintf(buf + k, len - k, ".%llu", (unsigned long long)v);
		}
		if (w < 0 || (size_t)w >= len - k)
			return -1;
		k += (size_t)w;
		v = 0;
		digits = 0;
	}
	return digits ? -1 : 0;     /* a last arc with its continuation bit set is cut */
}

/* Named OIDs (a short table: searched linearly). */
struct oid_name { const char *oid, *name; };

static const struct oid_name oid_names[] = {
	{ "0", "itu-t" },
	{ "0.9.2342.19200300.100.1.1", "id-userid" },
	{ "0.9.2342.19200300.100.1.25", "dc" },
	{ "1", "iso" },
	{ "1.2.840.10040.4.1", "id-dsa" },
	{ "1.2.840.10040.4.3", "id-dsa-with-sha1" },
	{ "1.2.840.10045.2.1", "id-ecPublicKey" },
	{ "1.2.840.10045.3.1.1", "secp192r1" },
	{ "1.2.840.10045.3.1.7", "secp256r1" },
	{ "1.2.840.10045.4.1", "ecdsa-with-SHA1" },
	{ "1.2.840.10045.4.3.1", "ecdsa-with-SHA224" },
	{ "1.2.840.10045.4.3.2", "ecdsa-with-SHA256" },
	{ "1.2.840.10045.4.3.3", "ecdsa-with-SHA384" },
	{ "1.2.840.10045.4.3.4", "ecdsa-with-SHA512" },
	{ "1.2.840.113549.1.1.1", "rsaEncryption" },
	{ "1.2.840.113549.1.1.10", "id-RSASSA-PSS" },
	{ "1.2.840.113549.1.1.11", "sha256WithRSAEncryption" },
	{ "1.2.840.113549.1.1.12", "sha384WithRSAEncryption" },
	{ "1.2.840.113549.1.1.13", "sha512WithRSAEncryption" },
	{ "1.2.840.113549.1.1.14", "sha224WithRSAEncryption" },
	{ "1.2.840.113549.1.1.2", "md2WithRSAEncryption" },
	{ "1.2.840.113549.1.1.4", "md5WithRSAEncryption" },
	{ "1.2.840.113549.1.1.5", "sha1WithRSAEncryption" },
	{ "1.2.840.113549.1.1.7", "id-RSAES-OAEP" },
	{ "1.2.840.113549.1.1.8", "id-mgf1" },
	{ "1.2.840.113549.1.9.1", "pkcs-9-at-emailAddress" },
	{ "1.2.840.113549.1.9.2", "pkcs-9-at-unstructuredName" },
	{ "1.3.101.110", "id-X25519" },
	{ "1.3.101.111", "id-X448" },
	{ "1.3.101.112", "id-Ed25519" },
	{ "1.3.101.113", "id-Ed448" },
	{ "1.3.132.0.34", "secp384r1" },
	{ "1.3.132.0.35", "secp521r1" },
	{ "1.3.14.3.2.26", "SHA-1" },
	{ "1.3.6.1.4.1.11129.2.4.2", "SignedCertificateTimestampList" },
	{ "1.3.6.1.4.1.11129.2.4.3", "PrecertificatePoison" },
	{ "1.3.6.1.5.5.7.1.1", "id-pe-authorityInfoAccess" },
	{ "1.3.6.1.5.5.7.1.11", "id-pe-subjectInfoAccess" },
	{ "1.3.6.1.5.5.7.1.24", "id-pe-tlsfeature" },
	{ "1.3.6.1.5.5.7.1.3", "id-pe-qcStatements" },
	{ "1.3.6.1.5.5.7.2.1", "id-qt-cps" },
	{ "1.3.6.1.5.5.7.2.2", "id-qt-unotice" },
	{ "1.3.6.1.5.5.7.3.1", "id-kp-serverAuth" },
	{ "1.3.6.1.5.5.7.3.2", "id-kp-clientAuth" },
	{ "1.3.6.1.5.5.7.3.3", "id-kp-codeSigning" },
	{ "1.3.6.1.5.5.7.3.4", "id-kp-emailProtection" },
	{ "1.3.6.1.5.5.7.3.8", "id-kp-timeStamping" },
	{ "1.3.6.1.5.5.7.3.9", "OCSPSigning" },
	{ "1.3.6.1.5.5.7.48.1", "id-ad-ocsp" },
	{ "1.3.6.1.5.5.7.48.1.1", "id-pkix-ocsp-basic" },
	{ "1.3.6.1.5.5.7.48.1.2", "id-pkix-ocsp-nonce" },
	{ "1.3.6.1.5.5.7.48.1.3", "id-pkix-ocsp-crl" },
	{ "1.3.6.1.5.5.7.48.1.4", "id-pkix-ocsp-response" },
	{ "1.3.6.1.5.5.7.48.1.5", "id-pkix-ocsp-nocheck" },
	{ "1.3.6.1.5.5.7.48.1.6", "id-pkix-ocsp-archive-cutoff" },
	{ "1.3.6.1.5.5.7.48.1.7", "id-pkix-ocsp-service-locator" },
	{ "1.3.6.1.5.5.7.48.2", "id-ad-caIssuers" },
	{ "1.3.6.1.5.5.7.48.3", "id-ad-timeStamping" },
	{ "1.3.6.1.5.5.7.48.5", "id-ad-caRepository" },
	{ "2", "joint-iso-itu-t" },
	{ "1.3.6.1.4.1.311.20.2.3", "id-ms-user-principal-name" },
	{ "2.16.840.1", "US company arc" },
	{ "2.16.840.1.113730.1.1", "ns_cert_exts.cert_type" },
	{ "2.16.840.1.113730.1.13", "ns_cert_exts.comment" },
	{ "2.16.840.1.101.3.4.2.1", "sha256" },
	{ "2.16.840.1.101.3.4.2.2", "sha384" },
	{ "2.16.840.1.101.3.4.2.3", "sha512" },
	{ "2.16.840.1.101.3.4.2.4", "sha224" },
	{ "2.5.29.14", "id-ce-subjectKeyIdentifier" },
	{ "2.5.29.15", "id-ce-keyUsage" },
	{ "2.5.29.16", "id-ce-privateKeyUsagePeriod" },
	{ "2.5.29.17", "id-ce-subjectAltName" },
	{ "2.5.29.18", "id-ce-issuerAltName" },
	{ "2.5.29.19", "id-ce-basicConstraints" },
	{ "2.5.29.20", "id-ce-cRLNumber" },
	{ "2.5.29.21", "id-ce-reasonCode" },
	{ "2.5.29.23", "id-ce-holdInstructionCode" },
	{ "2.5.29.24", "id-ce-invalidityDate" },
	{ "2.5.29.27", "id-ce-deltaCRLIndicator" },
	{ "2.5.29.28", "id-ce-issuingDistributionPoint" },
	{ "2.5.29.29", "id-ce-certificateIssuer" },
	{ "2.5.29.30", "id-ce-nameConstraints" },
	{ "2.5.29.31", "id-ce-cRLDistributionPoints" },
	{ "2.5.29.32", "id-ce-certificatePolicies" },
	{ "2.5.29.32.0", "anyPolicy" },
	{ "2.5.29.33", "id-ce-policyMappings" },
	{ "2.5.29.35", "id-ce-authorityKeyIdentifier" },
	{ "2.5.29.36", "id-ce-policyConstraints" },
	{ "2.5.29.37", "id-ce-extKeyUsage" },
	{ "2.5.29.37.0", "anyExtendedKeyUsage" },
	{ "2.5.29.46", "id-ce-freshestCRL" },
	{ "2.5.29.54", "id-ce-inhibitAnyPolicy" },
	{ "2.5.4.0", "id-at-objectClass" },
	{ "2.5.4.10", "id-at-organizationName" },
	{ "2.5.4.11", "id-at-organizationalUnitName" },
	{ "2.5.4.12", "id-at-title" },
	{ "2.5.4.13", "id-at-description" },
	{ "2.5.4.15", "id-at-businessCategory" },
	{ "2.5.4.16", "id-at-postalAddress" },
	{ "2.5.4.17", "id-at-postalCode" },
	{ "2.5.4.18", "id-at-postOfficeBox" },
	{ "2.5.4.3", "id-at-commonName" },
	{ "2.5.4.4", "id-at-surname" },
	{ "2.5.4.41", "id-at-name" },
	{ "2.5.4.42", "id-at-givenName" },
	{ "2.5.4.43", "id-at-initials" },
	{ "2.5.4.44", "id-at-generationQualifier" },
	{ "2.5.4.45", "id-at-uniqueIdentifier" },
	{ "2.5.4.46", "id-at-dnQualifier" },
	{ "2.5.4.5", "id-at-serialNumber" },
	{ "2.5.4.6", "id-at-countryName" },
	{ "2.5.4.65", "id-at-pseudonym" },
	{ "2.5.4.7", "id-at-localityName" },
	{ "2.5.4.8", "id-at-stateOrProvinceName" },
	{ "2.5.4.9", "id-at-streetAddress" },
	{ "2.5.4.97", "id-at-organizationIdentifier" },
};

const char *
tq_oid_name(const char *dotted)
{
	for (size_t i = 0; i < sizeof(oid_names) / sizeof(oid_names[0]); i++)
		if (strcmp(oid_names[i].oid, dotted) == 0)
			return oid_names[i].name;
	return NULL;
}

const char *
tq_oid_resolve(const char *dotted, char *buf, size_t len)
{
	char prefix[256];
	size_t n = strlen(dotted);

	if (n >= sizeof(prefix) || len == 0)
		return NULL;
	memcpy(prefix, dotted, n + 1);
	/* shorten arc by arc until a prefix has a name */
	for (;;) {
		const char *name = tq_oid_name(prefix);
		if (name) {
			size_t pl = strlen(prefix);
			int w = snprintf(buf, len, "%s%s", name, dotted + pl);
			return w < 0 ? NULL : buf;
		}
		char *dot = strrchr(prefix, '.');
		if (!dot)
			return NULL;
		*dot = '\0';
	}
}

/* ------------------------------------------------------------------ times */

static int
digits(const uint8_t *p, unsigned n, int *out)
{
	int v = 0;
	for (unsigned i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	*out = v;
	return 0;
}

int
tq_der_utctime(const uint8_t *p, uint32_t n, struct tq_der_time *tm)
{
	memset(tm, 0, sizeof(*tm));
	if (n < 10)
		return -1;
	int yy;
	if (digits(p, 2, &yy) || digits(p + 2, 2, &tm->mon) || digits(p + 4, 2, &tm->day) ||
	    digits(p + 6, 2, &tm->hour) || digits(p + 8, 2, &tm->min))
		return -1;
	tm->year = yy < 50 ? 2000 + yy : 1900 + yy;
	uint32_t o = 10;
	if (n >= 12 && p[10] >= '0' && p[10] <= '9') {
		if (digits(p + 10, 2, &tm->sec))
			return -1;
		tm->has_sec = 1;
		o = 12;
	}
	tm->utc = o < n && p[o] == 'Z';
	return 0;
}

int
tq_der_gentime(const uint8_t *p, uint32_t n, struct tq_der_time *tm)
{
	memset(tm, 0, sizeof(*tm));
	if (n < 14)
		return -1;
	if (digits(p, 4, &tm->year) || digits(p + 4, 2, &tm->mon) || digits(p + 6, 2, &tm->day) ||
	    digits(p + 8, 2, &tm->hour) || digits(p + 10, 2, &tm->min) || digits(p + 12, 2, &tm->sec))
		return -1;
	tm->has_sec = 1;
	uint32_t o = 14;
	if (o < n && (p[o] == '.' || p[o] == ',')) {
		int32_t frac = 0, scale = 100000000;
		for (o++; o < n && p[o] >= '0' && p[o] <= '9'; o++) {
			frac += (p[o] - '0') * scale;
			scale /= 10;
		}
		tm->nsec = frac;
	}
	tm->utc = o < n && p[o] == 'Z';
	return 0;
}

int64_t
tq_der_epoch(const struct tq_der_time *tm)
{
	/* days from civil (H. Hinnant's algorithm) */
	int64_t y = tm->year - (tm->mon <= 2);
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t m = tm->mon;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + tm->day - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	int64_t days = era * 146097 + doe - 719468;
	return days * 86400 + tm->hour * 3600 + tm->min * 60 + tm->sec;
}
