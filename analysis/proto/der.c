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
#include <stdlib.h>
#include <string.h>

#include "../cursor.h"
#include "der.h"

int
tq_der_get(const uint8_t *p, uint32_t avail, uint32_t off, uint32_t bound, struct tq_der *t)
{
	if (bound > avail)
		bound = avail;
	if (off >= bound)
		return -1;
	/* the identifier and length octets are read through a cursor that ends at bound */
	struct tq_cursor c = tq_cursor_make(p + off, bound - off);
	uint8_t id = tq_get_u8(&c);
	t->cls = (uint8_t)(id >> 6);
	t->cons = (uint8_t)((id >> 5) & 1);
	t->tag = id & 0x1f;
	t->start = off;
	if (t->tag == 0x1f) {
		/* high tag number form: base-128 digits, at most 4 of them */
		uint32_t tag = 0;
		int n = 0;
		for (;;) {
			if (n == 4)
				return -1;
			uint8_t b = tq_get_u8(&c);
			if (c.err)
				return -1;
			tag = tag << 7 | (b & 0x7f);
			n++;
			if (!(b & 0x80))
				break;
		}
		t->tag = tag;
	}
	uint8_t lb = tq_get_u8(&c);
	if (c.err)
		return -1;
	uint32_t len;
	if (lb < 0x80) {
		len = lb;
	} else {
		unsigned n = lb & 0x7f;
		if (n == 0 || n > 4)
			return -1;        /* indefinite or too long a length */
		len = 0;
		for (unsigned i = 0; i < n; i++)
			len = len << 8 | tq_get_u8(&c);
		if (c.err)
			return -1;
	}
	if (!tq_need(&c, len))
		return -1;        /* the contents run past bound */
	t->off = (uint32_t)(c.p - p);
	t->len = len;
	t->end = t->off + len;
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

/*
 * The OIDs tshark 4.0 names, as its OID display shows them (learned by
 * showing each OID OpenSSL knows, and every prefix of it, as a certificate
 * policy to tshark, then the children of the named ones).  An OID without
 * an entry is shown through its nearest named ancestor.  Sorted by strcmp
 * for bsearch.
 */
struct oid_name { const char *oid, *name; };

static const struct oid_name oid_names[] = {
	{ "0", "itu-t" },
	{ "0.9.2342.19200300.100.1.1", "id-userid" },
	{ "0.9.2342.19200300.100.1.25", "dc" },
	{ "0.9.2342.19200300.100.1.60", "jpegPhoto" },
	{ "0.9.2342.19200300.100.4.13", "domain" },
	{ "1", "iso" },
	{ "1.2.840", "ISO assigned OIDs, USA" },
	{ "1.2.840.10040.4.1", "id-dsa" },
	{ "1.2.840.10040.4.3", "id-dsa-with-sha1" },
	{ "1.2.840.10045.1.1", "prime-field" },
	{ "1.2.840.10045.2.1", "id-ecPublicKey" },
	{ "1.2.840.10045.2.13", "id-ecMQV" },
	{ "1.2.840.10045.3.1.1", "secp192r1" },
	{ "1.2.840.10045.3.1.7", "secp256r1" },
	{ "1.2.840.10045.4.1", "ecdsa-with-SHA1" },
	{ "1.2.840.10045.4.3.1", "ecdsa-with-SHA224" },
	{ "1.2.840.10045.4.3.2", "ecdsa-with-SHA256" },
	{ "1.2.840.10045.4.3.3", "ecdsa-with-SHA384" },
	{ "1.2.840.10045.4.3.4", "ecdsa-with-SHA512" },
	{ "1.2.840.10046.2.1", "dhpublicnumber" },
	{ "1.2.840.113533.7.65.0", "id-ce-entrustVersionInfo" },
	{ "1.2.840.113533.7.66.13", "PasswordBasedMac" },
	{ "1.2.840.113549.1.1.1", "rsaEncryption" },
	{ "1.2.840.113549.1.1.10", "id-RSASSA-PSS" },
	{ "1.2.840.113549.1.1.11", "sha256WithRSAEncryption" },
	{ "1.2.840.113549.1.1.12", "sha384WithRSAEncryption" },
	{ "1.2.840.113549.1.1.13", "sha512WithRSAEncryption" },
	{ "1.2.840.113549.1.1.14", "sha224WithRSAEncryption" },
	{ "1.2.840.113549.1.1.2", "md2WithRSAEncryption" },
	{ "1.2.840.113549.1.1.3", "md4WithRSAEncryption" },
	{ "1.2.840.113549.1.1.4", "md5WithRSAEncryption" },
	{ "1.2.840.113549.1.1.5", "sha1WithRSAEncryption" },
	{ "1.2.840.113549.1.1.6", "rsaOAEPEncryptionSET" },
	{ "1.2.840.113549.1.1.8", "id-mgf1" },
	{ "1.2.840.113549.1.12.1.1", "pbeWithSHAAnd128BitRC4" },
	{ "1.2.840.113549.1.12.1.2", "pbeWithSHAAnd40BitRC4" },
	{ "1.2.840.113549.1.12.1.3", "pbeWithSHAAnd3-KeyTripleDES-CBC" },
	{ "1.2.840.113549.1.12.1.4", "pbeWithSHAAnd2-KeyTripleDES-CBC" },
	{ "1.2.840.113549.1.12.1.5", "pbeWithSHAAnd128BitRC2-CBC" },
	{ "1.2.840.113549.1.12.1.6", "pbeWithSHAAnd40BitRC2-CBC" },
	{ "1.2.840.113549.1.12.10.1.1", "keyBag" },
	{ "1.2.840.113549.1.12.10.1.2", "pkcs8ShroudedKeyBag" },
	{ "1.2.840.113549.1.12.10.1.3", "certBag" },
	{ "1.2.840.113549.1.12.10.1.4", "secretBag" },
	{ "1.2.840.113549.1.12.10.1.5", "crlBag" },
	{ "1.2.840.113549.1.12.10.1.6", "safeContentsBag" },
	{ "1.2.840.113549.1.5.1", "pbeWithMD2AndDES-CBC" },
	{ "1.2.840.113549.1.5.10", "pbeWithSHA1AndDES-CBC" },
	{ "1.2.840.113549.1.5.11", "pbeWithSHA1AndRC2-CBC" },
	{ "1.2.840.113549.1.5.12", "id-PBKDF2" },
	{ "1.2.840.113549.1.5.13", "id-PBES2" },
	{ "1.2.840.113549.1.5.14", "id-PBMAC1" },
	{ "1.2.840.113549.1.5.3", "pbeWithMD5AndDES-CBC" },
	{ "1.2.840.113549.1.5.4", "pbeWithMD2AndRC2-CBC" },
	{ "1.2.840.113549.1.5.6", "pbeWithMD5AndRC2-CBC" },
	{ "1.2.840.113549.1.7.1", "id-data" },
	{ "1.2.840.113549.1.7.2", "id-signedData" },
	{ "1.2.840.113549.1.7.3", "id-envelopedData" },
	{ "1.2.840.113549.1.7.5", "id-digestedData" },
	{ "1.2.840.113549.1.7.6", "id-encryptedData" },
	{ "1.2.840.113549.1.9.1", "pkcs-9-at-emailAddress" },
	{ "1.2.840.113549.1.9.13", "pkcs-9-at-signingDescription" },
	{ "1.2.840.113549.1.9.14", "pkcs-9-at-extensionRequest" },
	{ "1.2.840.113549.1.9.15", "id-smime-capabilities" },
	{ "1.2.840.113549.1.9.16.1.1", "id-ct-receipt" },
	{ "1.2.840.113549.1.9.16.1.16", "id-ct-firmwarePackage" },
	{ "1.2.840.113549.1.9.16.1.17", "id-ct-firmwareLoadReceipt" },
	{ "1.2.840.113549.1.9.16.1.18", "id-ct-firmwareLoadError" },
	{ "1.2.840.113549.1.9.16.1.2", "id-ct-authenticatedData" },
	{ "1.2.840.113549.1.9.16.1.21", "id-ct-encKeyWithID" },
	{ "1.2.840.113549.1.9.16.1.4", "id-ct-TSTInfo" },
	{ "1.2.840.113549.1.9.16.1.6", "id-ct-contentInfo" },
	{ "1.2.840.113549.1.9.16.2.1", "id-aa-receiptRequest" },
	{ "1.2.840.113549.1.9.16.2.10", "id-aa-contentReference" },
	{ "1.2.840.113549.1.9.16.2.11", "id-encryption-key-preference" },
	{ "1.2.840.113549.1.9.16.2.12", "id-aa-signingCertificate" },
	{ "1.2.840.113549.1.9.16.2.14", "id-aa-timeStampToken" },
	{ "1.2.840.113549.1.9.16.2.2", "id-aa-securityLabel" },
	{ "1.2.840.113549.1.9.16.2.3", "id-aa-mlExpandHistory" },
	{ "1.2.840.113549.1.9.16.2.35", "id-aa-firmwarePackageID" },
	{ "1.2.840.113549.1.9.16.2.36", "id-aa-targetHardwareIDs" },
	{ "1.2.840.113549.1.9.16.2.37", "id-aa-decryptKeyID" },
	{ "1.2.840.113549.1.9.16.2.38", "id-aa-implCryptoAlgs" },
	{ "1.2.840.113549.1.9.16.2.39", "id-aa-wrappedFirmwareKey" },
	{ "1.2.840.113549.1.9.16.2.4", "id-aa-contentHint" },
	{ "1.2.840.113549.1.9.16.2.40", "id-aa-communityIdentifiers" },
	{ "1.2.840.113549.1.9.16.2.41", "id-aa-fwPkgMessageDigest" },
	{ "1.2.840.113549.1.9.16.2.42", "id-aa-firmwarePackageInfo" },
	{ "1.2.840.113549.1.9.16.2.43", "id-aa-implCompressAlgs" },
	{ "1.2.840.113549.1.9.16.2.47", "id-aa-signingCertificateV2" },
	{ "1.2.840.113549.1.9.16.2.5", "id-aa-msgSigDigest" },
	{ "1.2.840.113549.1.9.16.2.7", "id-aa-contentIdentifier" },
	{ "1.2.840.113549.1.9.16.2.9", "id-aa-equivalentLabels" },
	{ "1.2.840.113549.1.9.16.3.6", "id-alg-CMS3DESwrap" },
	{ "1.2.840.113549.1.9.16.3.7", "id-alg-CMSRC2-wrap" },
	{ "1.2.840.113549.1.9.20", "pkcs-9-at-friendlyName" },
	{ "1.2.840.113549.1.9.21", "pkcs-9-at-localKeyId" },
	{ "1.2.840.113549.1.9.22.1", "x509Certificate" },
	{ "1.2.840.113549.1.9.25.2", "pkcs-9-at-encryptedPrivateKeyInfo" },
	{ "1.2.840.113549.1.9.25.3", "pkcs-9-at-randomNonce" },
	{ "1.2.840.113549.1.9.25.4", "pkcs-9-at-sequenceNumber" },
	{ "1.2.840.113549.1.9.3", "id-contentType" },
	{ "1.2.840.113549.1.9.4", "id-messageDigest" },
	{ "1.2.840.113549.1.9.5", "id-signingTime" },
	{ "1.2.840.113549.1.9.6", "id-counterSignature" },
	{ "1.2.840.113549.1.9.7", "pkcs-9-at-challengePassword" },
	{ "1.2.840.113549.1.9.8", "pkcs-9-at-unstructuredAddress" },
	{ "1.2.840.113549.1.9.9", "pkcs-9-at-extendedCertificateAttributes" },
	{ "1.2.840.113549.2.2", "md2" },
	{ "1.2.840.113549.2.4", "md4" },
	{ "1.2.840.113549.2.5", "md5" },
	{ "1.2.840.113549.3.2", "rc2-cbc" },
	{ "1.2.840.113549.3.4", "id-alg-rc4" },
	{ "1.2.840.113549.3.7", "des-ede3-cbc" },
	{ "1.3.132.0.1", "sect163k1" },
	{ "1.3.132.0.15", "sect163r2" },
	{ "1.3.132.0.16", "sect283k1" },
	{ "1.3.132.0.17", "sect283r1" },
	{ "1.3.132.0.26", "sect233k1" },
	{ "1.3.132.0.27", "sect233r1" },
	{ "1.3.132.0.33", "secp224r1" },
	{ "1.3.132.0.34", "secp384r1" },
	{ "1.3.132.0.35", "secp521r1" },
	{ "1.3.132.0.36", "sect409k1" },
	{ "1.3.132.0.37", "sect409r1" },
	{ "1.3.132.0.38", "sect571k1" },
	{ "1.3.132.0.39", "sect571r1" },
	{ "1.3.132.1.11.0", "dhSinglePass-stdDH-sha224kdf-scheme" },
	{ "1.3.132.1.11.1", "dhSinglePass-stdDH-sha256kdf-scheme" },
	{ "1.3.132.1.11.2", "dhSinglePass-stdDH-sha384kdf-scheme" },
	{ "1.3.132.1.11.3", "dhSinglePass-stdDH-sha512kdf-scheme" },
	{ "1.3.132.1.12", "id-ecDH" },
	{ "1.3.132.1.14.0", "dhSinglePass-cofactorDH-sha224kdf-scheme" },
	{ "1.3.132.1.14.1", "dhSinglePass-cofactorDH-sha256kdf-scheme" },
	{ "1.3.132.1.14.2", "dhSinglePass-cofactorDH-sha384kdf-scheme" },
	{ "1.3.132.1.14.3", "dhSinglePass-cofactorDH-sha512kdf-scheme" },
	{ "1.3.133.16.840.63.0.16", "mqvSinglePass-sha1kdf-scheme" },
	{ "1.3.133.16.840.63.0.2", "dhSinglePass-stdDH-sha1kdf-scheme" },
	{ "1.3.133.16.840.63.0.3", "dhSinglePass-cofactorDH-sha1kdf-scheme" },
	{ "1.3.14.3.2.11", "rsaSignature" },
	{ "1.3.14.3.2.14", "mdc2WithRSASignature" },
	{ "1.3.14.3.2.15", "shaWithRSASignature" },
	{ "1.3.14.3.2.16", "dhWithCommonModulus" },
	{ "1.3.14.3.2.17", "desEDE" },
	{ "1.3.14.3.2.18", "sha" },
	{ "1.3.14.3.2.19", "mdc-2" },
	{ "1.3.14.3.2.2", "md4WithRSA" },
	{ "1.3.14.3.2.20", "dsaCommon" },
	{ "1.3.14.3.2.21", "dsaCommonWithSHA" },
	{ "1.3.14.3.2.22", "rsaKeyTransport" },
	{ "1.3.14.3.2.23", "keyed-hash-seal" },
	{ "1.3.14.3.2.24", "md2WithRSASignature" },
	{ "1.3.14.3.2.25", "md5WithRSASignature" },
	{ "1.3.14.3.2.26", "SHA-1" },
	{ "1.3.14.3.2.27", "dsaWithSHA1" },
	{ "1.3.14.3.2.28", "dsaWithCommonSHA1" },
	{ "1.3.14.3.2.29", "sha-1WithRSAEncryption" },
	{ "1.3.14.3.2.3", "md5WithRSA" },
	{ "1.3.14.3.2.4", "md4WithRSAEncryption" },
	{ "1.3.14.3.2.6", "desECB" },
	{ "1.3.14.3.2.7", "id-alg-des-cbc" },
	{ "1.3.6.1.1.16.4", "entryUUID" },
	{ "1.3.6.1.1.8", "cancelRequestOID" },
	{ "1.3.6.1.4.1.11129.2.4.2", "SignedCertificateTimestampList" },
	{ "1.3.6.1.4.1.11129.2.4.5", "SignedCertificateTimestampList" },
	{ "1.3.6.1.4.1.311.10.12.1", "id-ms-any-application-policy" },
	{ "1.3.6.1.4.1.311.10.3.1", "id-ms-kp-ctl-usage-signing" },
	{ "1.3.6.1.4.1.311.10.3.10", "id-ms-kp-qualified-subordination" },
	{ "1.3.6.1.4.1.311.10.3.11", "id-ms-kp-key-recovery" },
	{ "1.3.6.1.4.1.311.10.3.12", "id-ms-kp-document-signing" },
	{ "1.3.6.1.4.1.311.10.3.13", "id-ms-kp-lifetime-signing" },
	{ "1.3.6.1.4.1.311.10.3.2", "id-ms-kp-time-stamp-signing" },
	{ "1.3.6.1.4.1.311.10.3.4", "id-ms-kp-efs" },
	{ "1.3.6.1.4.1.311.10.3.4.1", "id-ms-efs-recovery" },
	{ "1.3.6.1.4.1.311.10.3.5", "id-ms-whql-crypto" },
	{ "1.3.6.1.4.1.311.10.3.6", "id-ms-nt5-crypto" },
	{ "1.3.6.1.4.1.311.10.3.7", "id-ms-oem-whql-crypto" },
	{ "1.3.6.1.4.1.311.10.3.8", "id-ms-embedded-nt-crypto" },
	{ "1.3.6.1.4.1.311.10.3.9", "id-ms-root-list-signer" },
	{ "1.3.6.1.4.1.311.10.5.1", "id-ms-drm" },
	{ "1.3.6.1.4.1.311.10.6.1", "id-ms-licenses" },
	{ "1.3.6.1.4.1.311.10.6.2", "id-ms-license-server" },
	{ "1.3.6.1.4.1.311.16.4", "ms-oe-encryption-key-preference" },
	{ "1.3.6.1.4.1.311.17.1", "id-ms-local-machine-keyset" },
	{ "1.3.6.1.4.1.311.2.2.10", "NTLMSSP - Microsoft NTLM Security Support Provider" },
	{ "1.3.6.1.4.1.311.2.2.30", "NEGOEX - SPNEGO Extended Negotiation Security Mechanism" },
	{ "1.3.6.1.4.1.311.20.1", "id-ms-auto-enroll-ctl-usage" },
	{ "1.3.6.1.4.1.311.20.2", "id-ms-certificate-template-name" },
	{ "1.3.6.1.4.1.311.20.2.1", "id-ms-enrollment-agent" },
	{ "1.3.6.1.4.1.311.20.2.2", "id-ms-kp-smartcard-logon" },
	{ "1.3.6.1.4.1.311.20.2.3", "id-ms-user-principal-name" },
	{ "1.3.6.1.4.1.311.21.1", "id-ms-ca-version" },
	{ "1.3.6.1.4.1.311.21.10", "id-ms-application-certificate-policies" },
	{ "1.3.6.1.4.1.311.21.19", "id-ms-ds-email-replication" },
	{ "1.3.6.1.4.1.311.21.2", "id-ms-previous-cert-hash" },
	{ "1.3.6.1.4.1.311.21.3", "id-ms-virtual-base" },
	{ "1.3.6.1.4.1.311.21.4", "id-ms-next-publish" },
	{ "1.3.6.1.4.1.311.21.5", "id-ms-kp-ca-exchange" },
	{ "1.3.6.1.4.1.311.21.6", "id-ms-kp-key-recovery-agent" },
	{ "1.3.6.1.4.1.311.21.7", "id-ms-certificate-template" },
	{ "1.3.6.1.4.1.311.60.2.1.1", "jurisdictionOfIncorporationLocalityName" },
	{ "1.3.6.1.4.1.311.60.2.1.2", "jurisdictionOfIncorporationStateOrProvinceName" },
	{ "1.3.6.1.4.1.311.60.2.1.3", "jurisdictionOfIncorporationCountryName" },
	{ "1.3.6.1.5.2.2", "id-pkinit-san" },
	{ "1.3.6.1.5.2.3.1", "id-pkauthdata" },
	{ "1.3.6.1.5.2.3.2", "id-pkdhkeydata" },
	{ "1.3.6.1.5.5.2", "SPNEGO - Simple Protected Negotiation" },
	{ "1.3.6.1.5.5.7", "id-pkix" },
	{ "1.3.6.1.5.5.7.1.1", "id-pe-authorityInfoAccess" },
	{ "1.3.6.1.5.5.7.1.10", "id-pe-ac-proxying" },
	{ "1.3.6.1.5.5.7.1.12", "id-pe-logotype" },
	{ "1.3.6.1.5.5.7.1.13", "id-pe-wlanSSID" },
	{ "1.3.6.1.5.5.7.1.14", "id-pe-proxyCertInfo" },
	{ "1.3.6.1.5.5.7.1.2", "id-pe-biometricInfo" },
	{ "1.3.6.1.5.5.7.1.24", "id-pe-tlsfeature" },
	{ "1.3.6.1.5.5.7.1.25", "id-pe-mud-url" },
	{ "1.3.6.1.5.5.7.1.3", "id-pe-qcStatements" },
	{ "1.3.6.1.5.5.7.1.6", "id-pe-aaControls" },
	{ "1.3.6.1.5.5.7.1.7", "id-pe-ipAddrBlocks" },
	{ "1.3.6.1.5.5.7.1.8", "id-pe-autonomousSysIds" },
	{ "1.3.6.1.5.5.7.10.1", "id-aca-authenticationInfo" },
	{ "1.3.6.1.5.5.7.10.2", "id-aca-accessIdentity" },
	{ "1.3.6.1.5.5.7.10.3", "id-aca-chargingIdentity" },
	{ "1.3.6.1.5.5.7.10.4", "id-aca-group" },
	{ "1.3.6.1.5.5.7.10.6", "id-aca-wlanSSID" },
	{ "1.3.6.1.5.5.7.11.1", "id-qcs-pkixQCSyntax-v1" },
	{ "1.3.6.1.5.5.7.11.2", "id-qcs-pkixQCSyntax-v2" },
	{ "1.3.6.1.5.5.7.2.1", "id-qt-cps" },
	{ "1.3.6.1.5.5.7.2.2", "id-qt-unotice" },
	{ "1.3.6.1.5.5.7.20.1", "id-pe-logo-loyalty" },
	{ "1.3.6.1.5.5.7.20.2", "id-pe-logo-background" },
	{ "1.3.6.1.5.5.7.21.0", "id-ppl-anyLanguage" },
	{ "1.3.6.1.5.5.7.21.1", "id-ppl-inheritAll" },
	{ "1.3.6.1.5.5.7.21.2", "id-ppl-independent" },
	{ "1.3.6.1.5.5.7.3.1", "id-kp-serverAuth" },
	{ "1.3.6.1.5.5.7.3.13", "id-kp-eapOverPPP" },
	{ "1.3.6.1.5.5.7.3.14", "id-kp-eapOverLAN" },
	{ "1.3.6.1.5.5.7.3.2", "id-kp-clientAuth" },
	{ "1.3.6.1.5.5.7.3.3", "id-kp-codeSigning" },
	{ "1.3.6.1.5.5.7.3.35", "id-kp-bundleSecurity" },
	{ "1.3.6.1.5.5.7.3.4", "id-kp-emailProtection" },
	{ "1.3.6.1.5.5.7.3.5", "id-kp-ip-kp-ipsecEndSystem" },
	{ "1.3.6.1.5.5.7.3.6", "id-kp-ipsecTunnel" },
	{ "1.3.6.1.5.5.7.3.7", "id-kp-ipsecUser" },
	{ "1.3.6.1.5.5.7.3.8", "id-kp-timeStamping" },
	{ "1.3.6.1.5.5.7.3.9", "OCSPSigning" },
	{ "1.3.6.1.5.5.7.4.1", "id-it-caProtEncCert" },
	{ "1.3.6.1.5.5.7.4.10", "id-it-keyPairParamReq" },
	{ "1.3.6.1.5.5.7.4.11", "id-it-keyPairParamRep" },
	{ "1.3.6.1.5.5.7.4.12", "id-it-revPassphrase" },
	{ "1.3.6.1.5.5.7.4.13", "id-it-implicitConfirm" },
	{ "1.3.6.1.5.5.7.4.14", "id-it-confirmWaitTime" },
	{ "1.3.6.1.5.5.7.4.15", "id-it-origPKIMessage" },
	{ "1.3.6.1.5.5.7.4.16", "id-it-suppLangTags" },
	{ "1.3.6.1.5.5.7.4.2", "id-it-signKeyPairTypes" },
	{ "1.3.6.1.5.5.7.4.3", "id-it-encKeyPairTypes" },
	{ "1.3.6.1.5.5.7.4.4", "id-it-preferredSymmAlg" },
	{ "1.3.6.1.5.5.7.4.5", "id-it-caKeyUpdateInfo" },
	{ "1.3.6.1.5.5.7.4.6", "id-it-currentCRL" },
	{ "1.3.6.1.5.5.7.4.7", "id-it-unsupportedOIDs" },
	{ "1.3.6.1.5.5.7.48.1", "id-ad-ocsp" },
	{ "1.3.6.1.5.5.7.48.1.1", "id-pkix-ocsp-basic" },
	{ "1.3.6.1.5.5.7.48.1.2", "id-pkix-ocsp-nonce" },
	{ "1.3.6.1.5.5.7.48.1.3", "id-pkix-ocsp-crl" },
	{ "1.3.6.1.5.5.7.48.1.4", "id-pkix-ocsp-response" },
	{ "1.3.6.1.5.5.7.48.1.5", "id-pkix-ocsp-nocheck" },
	{ "1.3.6.1.5.5.7.48.1.6", "id-pkix-ocsp-archive-cutoff" },
	{ "1.3.6.1.5.5.7.48.1.7", "id-pkix-ocsp-service-locator" },
	{ "1.3.6.1.5.5.7.48.2", "id-ad-caIssuers" },
	{ "1.3.6.1.5.5.7.5", "id-pkip" },
	{ "1.3.6.1.5.5.7.5.1", "id-regCtrl" },
	{ "1.3.6.1.5.5.7.5.1.1", "id-regCtrl-regToken" },
	{ "1.3.6.1.5.5.7.5.1.2", "id-regCtrl-authenticator" },
	{ "1.3.6.1.5.5.7.5.1.3", "id-regCtrl-pkiPublicationInfo" },
	{ "1.3.6.1.5.5.7.5.1.4", "id-regCtrl-pkiArchiveOptions" },
	{ "1.3.6.1.5.5.7.5.1.5", "id-regCtrl-oldCertID" },
	{ "1.3.6.1.5.5.7.5.1.6", "id-regCtrl-protocolEncrKey" },
	{ "1.3.6.1.5.5.7.5.2", "id-regInfo" },
	{ "1.3.6.1.5.5.7.5.2.1", "id-regInfo-utf8Pairs" },
	{ "1.3.6.1.5.5.7.5.2.2", "id-regInfo-certReq" },
	{ "1.3.6.1.5.5.7.8.11", "id-on-bundleEID" },
	{ "1.3.6.1.5.5.7.8.4", "id-on-hardwareModuleName" },
	{ "1.3.6.1.5.5.7.8.5", "id-on-xmppAddr" },
	{ "1.3.6.1.5.5.7.8.7", "id-on-dnsSRV" },
	{ "1.3.6.1.5.5.7.9.1", "pkcs-9-at-dateOfBirth" },
	{ "1.3.6.1.5.5.7.9.2", "pkcs-9-at-placeOfBirth" },
	{ "1.3.6.1.5.5.7.9.3", "pkcs-9-at-gender" },
	{ "1.3.6.1.5.5.7.9.4", "pkcs-9-at-countryOfCitizenship" },
	{ "1.3.6.1.5.5.7.9.5", "pkcs-9-at-countryOfResidence" },
	{ "1.3.6.1.5.5.8.1.1", "HMAC MD5" },
	{ "1.3.6.1.5.5.8.1.2", "HMAC SHA-1" },
	{ "1.3.6.1.5.5.8.1.3", "HMAC TIGER" },
	{ "1.3.6.1.5.5.8.1.4", "HMAC RIPEMD-160" },
	{ "2", "joint-iso-itu-t" },
	{ "2.1", "asn1" },
	{ "2.1.1", "basic-encoding" },
	{ "2.16.840.1", "US company arc" },
	{ "2.16.840.1.101.2.2.1.3", "id-at-alternateRecipient" },
	{ "2.16.840.1.101.2.2.1.4", "id-at-associatedOrganization" },
	{ "2.16.840.1.101.2.2.1.45", "id-at-releaseAuthorityName" },
	{ "2.16.840.1.101.2.2.1.46", "id-at-actionAddressees" },
	{ "2.16.840.1.101.2.2.1.47", "id-at-additionalAddressees" },
	{ "2.16.840.1.101.2.2.1.48", "id-at-additionalSecondPartyAddressees" },
	{ "2.16.840.1.101.2.2.1.49", "id-at-aliasPointer" },
	{ "2.16.840.1.101.2.2.1.50", "id-at-allowableOriginators" },
	{ "2.16.840.1.101.2.2.1.51", "id-at-cognizantAuthority" },
	{ "2.16.840.1.101.2.2.1.52", "id-at-community" },
	{ "2.16.840.1.101.2.2.1.53", "id-at-accountingCode" },
	{ "2.16.840.1.101.2.2.1.54", "id-at-dualRoute" },
	{ "2.16.840.1.101.2.2.1.55", "id-at-effectiveDate" },
	{ "2.16.840.1.101.2.2.1.56", "id-at-entryClassification" },
	{ "2.16.840.1.101.2.2.1.57", "id-at-expirationDate" },
	{ "2.16.840.1.101.2.2.1.58", "id-at-hostOrgACP127" },
	{ "2.16.840.1.101.2.2.1.59", "id-at-infoAddressees" },
	{ "2.16.840.1.101.2.2.1.6", "id-at-associatedPLA" },
	{ "2.16.840.1.101.2.2.1.60", "id-at-lastRecapDate" },
	{ "2.16.840.1.101.2.2.1.61", "id-at-listPointer" },
	{ "2.16.840.1.101.2.2.1.62", "id-at-lmf" },
	{ "2.16.840.1.101.2.2.1.63", "id-at-longTitle" },
	{ "2.16.840.1.101.3.4.1", "aes" },
	{ "2.16.840.1.101.3.4.1.1", "id-aes128-ECB" },
	{ "2.16.840.1.101.3.4.1.2", "id-aes128-CBC" },
	{ "2.16.840.1.101.3.4.1.21", "id-aes192-ECB" },
	{ "2.16.840.1.101.3.4.1.22", "id-aes192-CBC" },
	{ "2.16.840.1.101.3.4.1.23", "id-aes192-OFB" },
	{ "2.16.840.1.101.3.4.1.24", "id-aes192-CFB" },
	{ "2.16.840.1.101.3.4.1.25", "id-aes192-wrap" },
	{ "2.16.840.1.101.3.4.1.26", "id-aes192-GCM" },
	{ "2.16.840.1.101.3.4.1.27", "id-aes192-CCM" },
	{ "2.16.840.1.101.3.4.1.28", "id-aes192-wrap-pad" },
	{ "2.16.840.1.101.3.4.1.3", "id-aes128-OFB" },
	{ "2.16.840.1.101.3.4.1.4", "id-aes128-CFB" },
	{ "2.16.840.1.101.3.4.1.41", "id-aes256-ECB" },
	{ "2.16.840.1.101.3.4.1.42", "id-aes256-CBC" },
	{ "2.16.840.1.101.3.4.1.43", "id-aes256-OFB" },
	{ "2.16.840.1.101.3.4.1.44", "id-aes256-CFB" },
	{ "2.16.840.1.101.3.4.1.45", "id-aes256-wrap" },
	{ "2.16.840.1.101.3.4.1.46", "id-aes256-GCM" },
	{ "2.16.840.1.101.3.4.1.47", "id-aes256-CCM" },
	{ "2.16.840.1.101.3.4.1.48", "id-aes256-wrap-pad" },
	{ "2.16.840.1.101.3.4.1.5", "id-aes128-wrap" },
	{ "2.16.840.1.101.3.4.1.6", "id-aes128-GCM" },
	{ "2.16.840.1.101.3.4.1.7", "id-aes128-CCM" },
	{ "2.16.840.1.101.3.4.1.8", "id-aes128-wrap-pad" },
	{ "2.16.840.1.101.3.4.2", "hashAlgs" },
	{ "2.16.840.1.101.3.4.2.1", "sha256" },
	{ "2.16.840.1.101.3.4.2.10", "id-sha3-512" },
	{ "2.16.840.1.101.3.4.2.11", "id-shake128" },
	{ "2.16.840.1.101.3.4.2.12", "id-shake256" },
	{ "2.16.840.1.101.3.4.2.13", "id-hmacWithSHA3-224" },
	{ "2.16.840.1.101.3.4.2.14", "id-hmacWithSHA3-256" },
	{ "2.16.840.1.101.3.4.2.15", "id-hmacWithSHA3-384" },
	{ "2.16.840.1.101.3.4.2.16", "id-hmacWithSHA3-512" },
	{ "2.16.840.1.101.3.4.2.17", "id-shake128-len" },
	{ "2.16.840.1.101.3.4.2.18", "id-shake256-len" },
	{ "2.16.840.1.101.3.4.2.2", "sha384" },
	{ "2.16.840.1.101.3.4.2.3", "sha512" },
	{ "2.16.840.1.101.3.4.2.4", "sha224" },
	{ "2.16.840.1.101.3.4.2.5", "id-sha512-224" },
	{ "2.16.840.1.101.3.4.2.6", "id-sha512-256" },
	{ "2.16.840.1.101.3.4.2.7", "id-sha3-224" },
	{ "2.16.840.1.101.3.4.2.8", "id-sha3-256" },
	{ "2.16.840.1.101.3.4.2.9", "id-sha3-384" },
	{ "2.16.840.1.101.3.4.3", "sigAlgs" },
	{ "2.16.840.1.101.3.4.3.1", "id-dsa-with-sha224" },
	{ "2.16.840.1.101.3.4.3.10", "id-ecdsa-with-sha3-256" },
	{ "2.16.840.1.101.3.4.3.11", "id-ecdsa-with-sha3-384" },
	{ "2.16.840.1.101.3.4.3.12", "id-ecdsa-with-sha3-512" },
	{ "2.16.840.1.101.3.4.3.13", "id-rsassa-pkcs1-v1_5-with-sha3-224" },
	{ "2.16.840.1.101.3.4.3.14", "id-rsassa-pkcs1-v1_5-with-sha3-256" },
	{ "2.16.840.1.101.3.4.3.15", "id-rsassa-pkcs1-v1_5-with-sha3-384" },
	{ "2.16.840.1.101.3.4.3.16", "id-rsassa-pkcs1-v1_5-with-sha3-512" },
	{ "2.16.840.1.101.3.4.3.2", "id-dsa-with-sha256" },
	{ "2.16.840.1.101.3.4.3.3", "id-dsa-with-sha384" },
	{ "2.16.840.1.101.3.4.3.4", "id-dsa-with-sha512" },
	{ "2.16.840.1.101.3.4.3.5", "id-dsa-with-sha3-224" },
	{ "2.16.840.1.101.3.4.3.6", "id-dsa-with-sha3-256" },
	{ "2.16.840.1.101.3.4.3.7", "id-dsa-with-sha3-384" },
	{ "2.16.840.1.101.3.4.3.8", "id-dsa-with-sha3-512" },
	{ "2.16.840.1.101.3.4.3.9", "id-ecdsa-with-sha3-224" },
	{ "2.16.840.1.113730.1.1", "ns_cert_exts.cert_type" },
	{ "2.16.840.1.113730.1.12", "ns_cert_exts.ssl-server-name" },
	{ "2.16.840.1.113730.1.13", "ns_cert_exts.comment" },
	{ "2.16.840.1.113730.1.2", "ns_cert_exts.base_url" },
	{ "2.16.840.1.113730.1.3", "ns_cert_exts.revocation-url" },
	{ "2.16.840.1.113730.1.4", "ns_cert_exts.ca-revocation-url" },
	{ "2.16.840.1.113730.1.7", "ns_cert_exts.cert-renewal-url" },
	{ "2.16.840.1.113730.1.8", "ns_cert_exts.ca-policy-url" },
	{ "2.5.1.5.55", "id-at-clearance" },
	{ "2.5.12.0", "id-doa-dseType" },
	{ "2.5.12.1", "id-doa-myAccessPoint" },
	{ "2.5.12.2", "id-doa-superiorKnowledge" },
	{ "2.5.12.3", "id-doa-specificKnowledge" },
	{ "2.5.12.4", "id-doa-nonSpecificKnowledge" },
	{ "2.5.12.5", "id-doa-supplierKnowledge" },
	{ "2.5.12.6", "id-doa-consumerKnowledge" },
	{ "2.5.12.7", "id-doa-secondaryShadows" },
	{ "2.5.12.8", "id-doa-ditBridgeKnowledge" },
	{ "2.5.13.11", "id-mr-caseIgnoreListMatch" },
	{ "2.5.13.16", "id-mr-bitStringMatch" },
	{ "2.5.13.26", "id-mr-uTCTimeOrderingMatch" },
	{ "2.5.13.35", "id-mr-certificateMatch" },
	{ "2.5.13.36", "id-mr-certificatePairExactMatch" },
	{ "2.5.13.37", "id-mr-certificatePairMatch" },
	{ "2.5.13.38", "id-mr-certificateListExactMatch" },
	{ "2.5.13.39", "id-mr-certificateListMatch" },
	{ "2.5.13.62", "id-mr-pkiPathMatch" },
	{ "2.5.13.8", "id-mr-numericStringMatch" },
	{ "2.5.18.1", "id-oa-createTimeStamp" },
	{ "2.5.18.10", "id-oa-subschemaSubentry" },
	{ "2.5.18.11", "id-oa-accessControlSubentry" },
	{ "2.5.18.12", "id-oa-collectiveAttributeSubentry" },
	{ "2.5.18.13", "id-oa-contextDefaultSubentry" },
	{ "2.5.18.17", "id-oa-hierarchyLevel" },
	{ "2.5.18.18", "iid-oa-hierarchyBelow" },
	{ "2.5.18.2", "id-oa-modifyTimeStamp" },
	{ "2.5.18.3", "id-oa-creatorsName" },
	{ "2.5.18.4", "id-oa-modifiersName" },
	{ "2.5.18.5", "id-oa-administrativeRole" },
	{ "2.5.18.6", "id-oa-subtreeSpecification" },
	{ "2.5.18.7", "id-oa-collectiveExclusions" },
	{ "2.5.18.8", "id-oa-subschemaTimeStamp" },
	{ "2.5.18.9", "id-oa-hasSubordinates" },
	{ "2.5.24.1", "id-aca-accessControlScheme" },
	{ "2.5.24.4", "id-aca-prescriptiveACI" },
	{ "2.5.24.5", "id-aca-entryACI" },
	{ "2.5.24.6", "id-aca-subentryACI" },
	{ "2.5.29.14", "id-ce-subjectKeyIdentifier" },
	{ "2.5.29.15", "id-ce-keyUsage" },
	{ "2.5.29.16", "id-ce-privateKeyUsagePeriod" },
	{ "2.5.29.17", "id-ce-subjectAltName" },
	{ "2.5.29.18", "id-ce-issuerAltName" },
	{ "2.5.29.19", "id-ce-basicConstraints" },
	{ "2.5.29.20", "id-ce-cRLNumber" },
	{ "2.5.29.21", "id-ce-reasonCode" },
	{ "2.5.29.23", "id-ce-instructionCode" },
	{ "2.5.29.24", "id-ce-invalidityDate" },
	{ "2.5.29.27", "id-ce-deltaCRLIndicator" },
	{ "2.5.29.28", "id-ce-issuingDistributionPoint" },
	{ "2.5.29.29", "id-ce-certificateIssuer" },
	{ "2.5.29.3", "id-ce-certificatePolicies" },
	{ "2.5.29.30", "id-ce-nameConstraints" },
	{ "2.5.29.31", "id-ce-cRLDistributionPoints" },
	{ "2.5.29.32", "id-ce-certificatePolicies" },
	{ "2.5.29.32.0", "anyPolicy" },
	{ "2.5.29.33", "id-ce-policyMappings" },
	{ "2.5.29.35", "id-ce-authorityKeyIdentifier" },
	{ "2.5.29.36", "id-ce-policyConstraints" },
	{ "2.5.29.37", "id-ce-extKeyUsage" },
	{ "2.5.29.40", "id-ce-cRLStreamIdentifier" },
	{ "2.5.29.44", "id-ce-cRLScope" },
	{ "2.5.29.45", "id-ce-statusReferrals" },
	{ "2.5.29.46", "id-ce-freshestCRL" },
	{ "2.5.29.47", "id-ce-orderedList" },
	{ "2.5.29.51", "id-ce-baseUpdateTime" },
	{ "2.5.29.53", "id-ce-deltaInfo" },
	{ "2.5.29.54", "id-ce-inhibitAnyPolicy" },
	{ "2.5.29.55", "id-ce-targetInformation" },
	{ "2.5.29.58", "id-ce-toBeRevoked" },
	{ "2.5.29.59", "id-ce-RevokedGroups" },
	{ "2.5.29.60", "id-ce-expiredCertsOnCRL" },
	{ "2.5.29.61", "id-ce-aAissuingDistributionPoint" },
	{ "2.5.29.9", "id-ce-subjectDirectoryAttributes" },
	{ "2.5.33.0", "dap-ip" },
	{ "2.5.4.0", "id-at-objectClass" },
	{ "2.5.4.1", "id-at-aliasedEntryName" },
	{ "2.5.4.10", "id-at-organizationName" },
	{ "2.5.4.10.1", "id-at-collectiveOrganizationName" },
	{ "2.5.4.11", "id-at-organizationalUnitName" },
	{ "2.5.4.11.1", "id-at-collectiveOrganizationalUnitName" },
	{ "2.5.4.12", "id-at-title" },
	{ "2.5.4.13", "id-at-description" },
	{ "2.5.4.14", "id-at-searchGuide" },
	{ "2.5.4.15", "id-at-businessCategory" },
	{ "2.5.4.16", "id-at-postalAddress" },
	{ "2.5.4.17", "id-at-postalCode" },
	{ "2.5.4.17.1", "id-at-collectivePostalCode" },
	{ "2.5.4.18", "id-at-postOfficeBox" },
	{ "2.5.4.18.1", "id-at-collectivePostOfficeBox" },
	{ "2.5.4.19", "id-at-physicalDeliveryOfficeName" },
	{ "2.5.4.19.1", "id-at-collectivePhysicalDeliveryOfficeName" },
	{ "2.5.4.2", "id-at-knowledgeInformation" },
	{ "2.5.4.20", "id-at-telephoneNumber" },
	{ "2.5.4.20.1", "id-at-collectiveTelephoneNumber" },
	{ "2.5.4.21", "id-at-telexNumber" },
	{ "2.5.4.21.1", "id-at-collectiveTelexNumber" },
	{ "2.5.4.23", "id-at-facsimileTelephoneNumber" },
	{ "2.5.4.23.1", "id-at-collectiveFacsimileTelephoneNumber" },
	{ "2.5.4.24", "id-at-x121Address" },
	{ "2.5.4.25", "id-at-internationalISDNNumber" },
	{ "2.5.4.25.1", "id-at-collectiveInternationalISDNNumber" },
	{ "2.5.4.26", "id-at-registeredAddress" },
	{ "2.5.4.27", "id-at-destinationIndicator" },
	{ "2.5.4.28", "id-at-preferredDeliveryMethod" },
	{ "2.5.4.29", "id-at-presentationAddress" },
	{ "2.5.4.3", "id-at-commonName" },
	{ "2.5.4.30", "id-at-supportedApplicationContext" },
	{ "2.5.4.31", "id-at-member" },
	{ "2.5.4.32", "id-at-owner" },
	{ "2.5.4.33", "id-at-roleOccupant" },
	{ "2.5.4.34", "id-at-seeAlso" },
	{ "2.5.4.35", "id-at-userPassword" },
	{ "2.5.4.36", "id-at-userCertificate" },
	{ "2.5.4.37", "id-at-cAcertificate" },
	{ "2.5.4.38", "id-at-authorityRevocationList" },
	{ "2.5.4.39", "id-at-certificateRevocationList" },
	{ "2.5.4.4", "id-at-surname" },
	{ "2.5.4.40", "id-at-crossCertificatePair" },
	{ "2.5.4.41", "id-at-name" },
	{ "2.5.4.42", "id-at-givenName" },
	{ "2.5.4.43", "id-at-initials" },
	{ "2.5.4.44", "id-at-generationQualifier" },
	{ "2.5.4.45", "id-at-uniqueIdedntifier" },
	{ "2.5.4.46", "id-at-dnQualifier" },
	{ "2.5.4.47", "id-at-enhancedSearchGuide" },
	{ "2.5.4.48", "id-at-protocolInformation" },
	{ "2.5.4.49", "id-at-distinguishedName" },
	{ "2.5.4.5", "id-at-serialNumber" },
	{ "2.5.4.50", "id-at-uniqueMember" },
	{ "2.5.4.51", "id-at-houseIdentifier" },
	{ "2.5.4.52", "id-at-supportedAlgorithms" },
	{ "2.5.4.53", "id-at-deltaRevocationList" },
	{ "2.5.4.54", "id-at-dmdName" },
	{ "2.5.4.55", "id-at-clearance" },
	{ "2.5.4.56", "id-at-defaultDirQop" },
	{ "2.5.4.58", "id-at-attributeCertificate" },
	{ "2.5.4.59", "id-at-attributeCertificateRevocationList" },
	{ "2.5.4.6", "id-at-countryName" },
	{ "2.5.4.65", "id-at-pseudonym" },
	{ "2.5.4.7", "id-at-localityName" },
	{ "2.5.4.7.1", "id-at-collectiveLocalityName" },
	{ "2.5.4.72", "id-at-role" },
	{ "2.5.4.8", "id-at-stateOrProvinceName" },
	{ "2.5.4.8.1", "id-at-collectiveStateOrProvinceName" },
	{ "2.5.4.9", "id-at-streetAddress" },
	{ "2.5.4.9.1", "id-at-collectiveStreetAddress" },
	{ "2.5.6.0", "top" },
	{ "2.5.6.1", "alias" },
	{ "2.5.6.10", "residentialPerson" },
	{ "2.5.6.11", "applicationProcess" },
	{ "2.5.6.12", "applicationEntity" },
	{ "2.5.6.13", "dSA" },
	{ "2.5.6.14", "device" },
	{ "2.5.6.15", "strongAuthenticationUser" },
	{ "2.5.6.16", "certificationAuthority" },
	{ "2.5.6.16.2", "certificationAuthorityV2" },
	{ "2.5.6.17", "groupOfUniqueNames" },
	{ "2.5.6.18", "userSecurityInformation" },
	{ "2.5.6.19", "cRLDistributionPoint" },
	{ "2.5.6.2", "country" },
	{ "2.5.6.20", "dmd" },
	{ "2.5.6.21", "pkiUser" },
	{ "2.5.6.22", "pkiCA" },
	{ "2.5.6.28", "parent" },
	{ "2.5.6.29", "child" },
	{ "2.5.6.3", "locality" },
	{ "2.5.6.4", "organization" },
	{ "2.5.6.5", "organizationalUnit" },
	{ "2.5.6.6", "person" },
	{ "2.5.6.7", "organizationalPerson" },
	{ "2.5.6.8", "organizationalRole" },
	{ "2.5.6.9", "groupOfNames" },
	{ "2.5.9.1", "id-as-directory-access" },
	{ "2.5.9.2", "id-as-directory-system" },
	{ "2.5.9.3", "id-as-directory-shadow" },
	{ "2.5.9.4", "id-as-directory-operational-binding-management" },
	{ "2.5.9.5", "id-as-directory-reliable-shadow" },
	{ "2.5.9.6", "id-as-directory-reliable-binding" },
};

static int
oid_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct oid_name *)elem)->oid);
}

const char *
tq_oid_name(const char *dotted)
{
	const struct oid_name *o = bsearch(dotted, oid_names, sizeof(oid_names) / sizeof(oid_names[0]),
	    sizeof(oid_names[0]), oid_cmp);
	return o ? o->name : NULL;
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
