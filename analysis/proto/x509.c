/*
 * x509.c - X.509 certificates (RFC 5280, ITU-T X.509) as Wireshark 4.0's
 * x509af/x509if/x509sat/x509ce/pkix1implicit/pkix1explicit/pkcs-1 dissectors
 * show them: the TBS certificate, names as RDN sequences, validity, the
 * subject public key (the RSA modulus and exponent), the extensions most
 * certificates carry, and the signature.
 *
 * Every TLV is read with tq_der_get(), bounded by the enclosing one; a
 * structure that does not parse ends the walk of its parent, the rest of
 * the certificate is left undissected.  Wireshark's BER conventions for
 * item extents are kept: a SEQUENCE or an untagged CHOICE covers its whole
 * TLV, a SEQUENCE OF, a SET OF, an implicitly tagged alternative and every
 * primitive only its contents.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "der.h"
#include "tls.h"

/* ------------------------------------------------------------------ values */

static const struct tq_vals version_vals[] = { { 0, "v1" }, { 1, "v2" }, { 2, "v3" }, { 0, NULL } };
static const struct tq_vals name_vals[] = { { 0, "rdnSequence" }, { 0, NULL } };
static const struct tq_vals time_vals[] = { { 0, "utcTime" }, { 1, "generalizedTime" }, { 0, NULL } };
static const struct tq_vals dirstring_vals[] = {
	{ 0, "teletexString" }, { 1, "printableString" }, { 2, "universalString" }, { 3, "bmpString" },
	{ 4, "uTF8String" }, { 0, NULL },
};
static const struct tq_vals generalname_vals[] = {
	{ 0, "otherName" }, { 1, "rfc822Name" }, { 2, "dNSName" }, { 3, "x400Address" }, { 4, "directoryName" },
	{ 5, "ediPartyName" }, { 6, "uniformResourceIdentifier" }, { 7, "iPAddress" }, { 8, "registeredID" },
	{ 0, NULL },
};
static const struct tq_vals dpname_vals[] = { { 0, "fullName" }, { 1, "nameRelativeToCRLIssuer" }, { 0, NULL } };
static const struct tq_vals display_text_vals[] = {
	{ 0, "ia5String" }, { 1, "visibleString" }, { 2, "bmpString" }, { 3, "utf8String" }, { 0, NULL },
};
static const struct tq_vals ecparams_vals[] = {
	{ 0, "specifiedCurve" }, { 1, "namedCurve" }, { 2, "implicitCurve" }, { 0, NULL },
};

/* ------------------------------------------------------------------ fields */

static struct tq_field hf_signed_cert = HF("x509af.signedCertificate_element", "signedCertificate", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_version = HF("x509af.version", "version", FT_INT32, BASE_DEC, version_vals, 0);
static struct tq_field hf_serial = HF("x509af.serialNumber", "serialNumber", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_signature = HF("x509af.signature_element", "signature", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_alg_id = HF("x509af.algorithm.id", "Algorithm Id", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_issuer = HF("x509af.issuer", "issuer", FT_UINT32, BASE_DEC, name_vals, 0);
static struct tq_field hf_validity = HF("x509af.validity_element", "validity", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_not_before = HF("x509af.notBefore", "notBefore", FT_UINT32, BASE_DEC, time_vals, 0);
static struct tq_field hf_not_after = HF("x509af.notAfter", "notAfter", FT_UINT32, BASE_DEC, time_vals, 0);
static struct tq_field hf_utctime = HF("x509af.utcTime", "utcTime", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_gentime = HF("x509af.generalizedTime", "generalizedTime", FT_ABSTIME, BASE_NONE, NULL, 0);
static struct tq_field hf_subject = HF("x509af.subject", "subject", FT_UINT32, BASE_DEC, name_vals, 0);
static struct tq_field hf_af_rdnseq = HF("x509af.rdnSequence", "rdnSequence", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_spki = HF("x509af.subjectPublicKeyInfo_element", "subjectPublicKeyInfo", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_algorithm = HF("x509af.algorithm_element", "algorithm", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_spk = HF("x509af.subjectPublicKey", "subjectPublicKey", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_extensions = HF("x509af.extensions", "extensions", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_extension = HF("x509af.Extension_element", "Extension", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_ext_id = HF("x509af.extension.id", "Extension Id", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_critical = HF("x509af.critical", "critical", FT_BOOLEAN, BASE_NONE, NULL, 0);
static struct tq_field hf_alg_ident = HF("x509af.algorithmIdentifier_element", "algorithmIdentifier", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_encrypted = HF("x509af.encrypted", "encrypted", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_padding = HF("ber.bitstring.padding", "Padding", FT_UINT8, BASE_DEC, NULL, 0);

static struct tq_field hf_if_rdnseq = HF("x509if.rdnSequence", "rdnSequence", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_rdnseq_item = HF("x509if.RDNSequence_item", "RDNSequence item", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_rdn_item = HF("x509if.RelativeDistinguishedName_item_element", "RelativeDistinguishedName item", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_if_oid = HF("x509if.oid", "Object Id", FT_STRING, BASE_NONE, NULL, 0);

static struct tq_field hf_dirstring = HF("x509sat.DirectoryString", "DirectoryString", FT_UINT32, BASE_DEC, dirstring_vals, 0);
static struct tq_field hf_teletex = HF("x509sat.teletexString", "teletexString", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_printable = HF("x509sat.printableString", "printableString", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_universal = HF("x509sat.universalString", "universalString", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_bmp = HF("x509sat.bmpString", "bmpString", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_utf8 = HF("x509sat.uTF8String", "uTF8String", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_country = HF("x509sat.CountryName", "CountryName", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_ia5 = HF("x509sat.IA5String", "IA5String", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_sat_printable = HF("x509sat.PrintableString", "PrintableString", FT_STRING, BASE_NONE, NULL, 0);

static struct tq_field hf_aki = HF("x509ce.AuthorityKeyIdentifier_element", "AuthorityKeyIdentifier", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_key_id = HF("x509ce.keyIdentifier", "keyIdentifier", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_aki_issuer = HF("x509ce.authorityCertIssuer", "authorityCertIssuer", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_aki_serial = HF("x509ce.authorityCertSerialNumber", "authorityCertSerialNumber", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_ski = HF("x509ce.SubjectKeyIdentifier", "SubjectKeyIdentifier", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_key_usage = HF("x509ce.KeyUsage", "KeyUsage", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_ku_ds = HF("x509ce.KeyUsage.digitalSignature", "digitalSignature", FT_BOOLEAN, 8, NULL, 0x80);
static struct tq_field hf_ku_cc = HF("x509ce.KeyUsage.contentCommitment", "contentCommitment", FT_BOOLEAN, 8, NULL, 0x40);
static struct tq_field hf_ku_ke = HF("x509ce.KeyUsage.keyEncipherment", "keyEncipherment", FT_BOOLEAN, 8, NULL, 0x20);
static struct tq_field hf_ku_de = HF("x509ce.KeyUsage.dataEncipherment", "dataEncipherment", FT_BOOLEAN, 8, NULL, 0x10);
static struct tq_field hf_ku_ka = HF("x509ce.KeyUsage.keyAgreement", "keyAgreement", FT_BOOLEAN, 8, NULL, 0x08);
static struct tq_field hf_ku_kcs = HF("x509ce.KeyUsage.keyCertSign", "keyCertSign", FT_BOOLEAN, 8, NULL, 0x04);
static struct tq_field hf_ku_crl = HF("x509ce.KeyUsage.cRLSign", "cRLSign", FT_BOOLEAN, 8, NULL, 0x02);
static struct tq_field hf_ku_eo = HF("x509ce.KeyUsage.encipherOnly", "encipherOnly", FT_BOOLEAN, 8, NULL, 0x01);
static struct tq_field hf_ku_do = HF("x509ce.KeyUsage.decipherOnly", "decipherOnly", FT_BOOLEAN, 8, NULL, 0x80);
static struct tq_field hf_kp_ids = HF("x509ce.KeyPurposeIDs", "KeyPurposeIDs", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_kp_id = HF("x509ce.KeyPurposeId", "KeyPurposeId", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_policies = HF("x509ce.CertificatePoliciesSyntax", "CertificatePoliciesSyntax", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_policy_info = HF("x509ce.PolicyInformation_element", "PolicyInformation", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_policy_id = HF("x509ce.policyIdentifier", "policyIdentifier", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_policy_quals = HF("x509ce.policyQualifiers", "policyQualifiers", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_policy_qual = HF("x509ce.PolicyQualifierInfo_element", "PolicyQualifierInfo", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_ce_id = HF("x509ce.id", "Id", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_general_names = HF("x509ce.GeneralNames", "GeneralNames", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_general_name = HF("x509ce.GeneralName", "GeneralName", FT_UINT32, BASE_DEC, generalname_vals, 0);
static struct tq_field hf_rfc822 = HF("x509ce.rfc822Name", "rfc822Name", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_dns = HF("x509ce.dNSName", "dNSName", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_uri = HF("x509ce.uniformResourceIdentifier", "uniformResourceIdentifier", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_ip4 = HF("x509ce.IPAddress.ipv4", "iPAddress", FT_IPV4, BASE_NONE, NULL, 0);
static struct tq_field hf_ip6 = HF("x509ce.IPAddress.ipv6", "iPAddress", FT_IPV6, BASE_NONE, NULL, 0);
static struct tq_field hf_ip = HF("x509ce.iPAddress", "iPAddress", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_dirname = HF("x509ce.directoryName", "directoryName", FT_UINT32, BASE_DEC, name_vals, 0);
static struct tq_field hf_registered = HF("x509ce.registeredID", "registeredID", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_other_name = HF("x509ce.otherName_element", "otherName", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_type_id = HF("x509ce.type_id", "type-id", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_bc = HF("x509ce.BasicConstraintsSyntax_element", "BasicConstraintsSyntax", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_ca = HF("x509ce.cA", "cA", FT_BOOLEAN, BASE_NONE, NULL, 0);
static struct tq_field hf_path_len = HF("x509ce.pathLenConstraint", "pathLenConstraint", FT_UINT64, BASE_DEC, NULL, 0);
static struct tq_field hf_crldp = HF("x509ce.CRLDistPointsSyntax", "CRLDistPointsSyntax", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_dp = HF("x509ce.DistributionPoint_element", "DistributionPoint", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_dp_name = HF("x509ce.distributionPoint", "distributionPoint", FT_UINT32, BASE_DEC, dpname_vals, 0);
static struct tq_field hf_full_name = HF("x509ce.fullName", "fullName", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_reasons = HF("x509ce.reasons", "reasons", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_crl_issuer = HF("x509ce.cRLIssuer", "cRLIssuer", FT_UINT32, BASE_DEC, NULL, 0);

static struct tq_field hf_aia = HF("pkix1implicit.AuthorityInfoAccessSyntax", "AuthorityInfoAccessSyntax", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_access_desc = HF("pkix1implicit.AccessDescription_element", "AccessDescription", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_access_method = HF("pkix1implicit.accessMethod", "accessMethod", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_access_location = HF("pkix1implicit.accessLocation", "accessLocation", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_user_notice = HF("pkix1implicit.UserNotice_element", "UserNotice", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_explicit_text = HF("pkix1implicit.explicitText", "explicitText", FT_UINT32, BASE_DEC, display_text_vals, 0);
static struct tq_field hf_et_utf8 = HF("pkix1implicit.utf8String", "utf8String", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_et_ia5 = HF("pkix1implicit.ia5String", "ia5String", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_et_visible = HF("pkix1implicit.visibleString", "visibleString", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_notice_ref = HF("pkix1implicit.noticeRef_element", "noticeRef", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_organization = HF("pkix1implicit.organization", "organization", FT_UINT32, BASE_DEC, display_text_vals, 0);
static struct tq_field hf_notice_numbers = HF("pkix1implicit.noticeNumbers", "noticeNumbers", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_notice_number = HF("pkix1implicit.noticeNumbers_item", "noticeNumbers item", FT_INT32, BASE_DEC, NULL, 0);
static struct tq_field hf_et_bmp = HF("pkix1implicit.bmpString", "bmpString", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_features = HF("pkix1explicit.Features", "Features", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_feature = HF("pkix1explicit.Features_item", "Features item", FT_UINT16, BASE_DEC, tq_tls_ext_type_vals, 0);
static struct tq_field hf_userid = HF("x509af.Userid", "Userid", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_sat_utf8 = HF("x509sat.UTF8String", "UTF8String", FT_STRING, BASE_NONE, NULL, 0);
static const struct tq_vals crl_reason_vals[] = {
	{ 0, "unspecified" }, { 1, "keyCompromise" }, { 2, "cACompromise" }, { 3, "affiliationChanged" },
	{ 4, "superseded" }, { 5, "cessationOfOperation" }, { 6, "certificateHold" }, { 8, "removeFromCRL" },
	{ 9, "privilegeWithdrawn" }, { 10, "aaCompromise" }, { 0, NULL },
};
static struct tq_field hf_pkup = HF("x509ce.PrivateKeyUsagePeriod_element", "PrivateKeyUsagePeriod", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_pkup_before = HF("x509ce.notBefore", "notBefore", FT_ABSTIME, BASE_NONE, NULL, 0);
static struct tq_field hf_pkup_after = HF("x509ce.notAfter", "notAfter", FT_ABSTIME, BASE_NONE, NULL, 0);
static struct tq_field hf_crl_number = HF("x509ce.CRLNumber", "CRLNumber", FT_UINT64, BASE_DEC, NULL, 0);
static struct tq_field hf_base_crl_number = HF("x509ce.BaseCRLNumber", "BaseCRLNumber", FT_UINT64, BASE_DEC, NULL, 0);
static struct tq_field hf_crl_reason = HF("x509ce.CRLReason", "CRLReason", FT_UINT32, BASE_DEC, crl_reason_vals, 0);
static struct tq_field hf_hold_instruction = HF("x509ce.HoldInstruction", "HoldInstruction", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_invalidity_date = HF("x509ce.id_ce_invalidityDate", "invalidityDate", FT_ABSTIME, BASE_NONE, NULL, 0);
static struct tq_field hf_idp = HF("x509ce.IssuingDistPointSyntax_element", "IssuingDistPointSyntax", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_idp_user = HF("x509ce.onlyContainsUserPublicKeyCerts", "onlyContainsUserPublicKeyCerts", FT_BOOLEAN, BASE_NONE, NULL, 0);
static struct tq_field hf_idp_ca = HF("x509ce.onlyContainsCACerts", "onlyContainsCACerts", FT_BOOLEAN, BASE_NONE, NULL, 0);
static struct tq_field hf_idp_indirect = HF("x509ce.indirectCRL", "indirectCRL", FT_BOOLEAN, BASE_NONE, NULL, 0);
static struct tq_field hf_idp_attr = HF("x509ce.onlyContainsAttributeCerts", "onlyContainsAttributeCerts", FT_BOOLEAN, BASE_NONE, NULL, 0);
static struct tq_field hf_attributes = HF("x509ce.AttributesSyntax", "AttributesSyntax", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_attribute = HF("x509ce.Attribute_element", "Attribute", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_if_values = HF("x509if.values", "values", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_qc_statements = HF("pkixqualified.QCStatements", "QCStatements", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_qc_statement = HF("pkixqualified.QCStatement_element", "QCStatement", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_qc_statement_id = HF("pkixqualified.statementId", "statementId", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_qc_semantics = HF("pkixqualified.SemanticsInformation_element", "SemanticsInformation", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_qc_semantics_id = HF("pkixqualified.semanticsIdentifier", "semanticsIdentifier", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_qc_name_ras = HF("pkixqualified.nameRegistrationAuthorities", "nameRegistrationAuthorities", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_qc_general_name = HF("pkixqualified.GeneralName", "GeneralName", FT_UINT32, BASE_DEC, generalname_vals, 0);
static struct tq_field hf_ocsp_null = HF("ocsp.NULL_element", "NULL", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_ns_base_url = HF("ns_cert_exts.BaseUrl", "BaseUrl", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_ns_revocation_url = HF("ns_cert_exts.RevocationUrl", "RevocationUrl", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_ns_ca_revocation_url = HF("ns_cert_exts.CaRevocationUrl", "CaRevocationUrl", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_ns_renewal_url = HF("ns_cert_exts.CertRenewalUrl", "CertRenewalUrl", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_ns_ca_policy_url = HF("ns_cert_exts.CaPolicyUrl", "CaPolicyUrl", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_ns_ssl_server_name = HF("ns_cert_exts.SslServerName", "SslServerName", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_ns_cert_type = HF("ns_cert_exts.CertType", "CertType", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_ns_ssl_client = HF("ns.cert.exts.CertType.ssl.client", "ssl-client", FT_BOOLEAN, 8, NULL, 0x80);
static struct tq_field hf_ns_ssl_server = HF("ns.cert.exts.CertType.ssl.server", "ssl-server", FT_BOOLEAN, 8, NULL, 0x40);
static struct tq_field hf_ns_smime = HF("ns.cert.exts.CertType.smime", "smime", FT_BOOLEAN, 8, NULL, 0x20);
static struct tq_field hf_ns_object_signing = HF("ns.cert.exts.CertType.object.signing", "object-signing", FT_BOOLEAN, 8, NULL, 0x10);
static struct tq_field hf_ns_reserved = HF("ns.cert.exts.CertType.reserved.for.future.use", "reserved-for-future-use", FT_BOOLEAN, 8, NULL, 0x08);
static struct tq_field hf_ns_ssl_ca = HF("ns.cert.exts.CertType.ssl.ca", "ssl-ca", FT_BOOLEAN, 8, NULL, 0x04);
static struct tq_field hf_ns_smime_ca = HF("ns.cert.exts.CertType.smime.ca", "smime-ca", FT_BOOLEAN, 8, NULL, 0x02);
static struct tq_field hf_ns_object_signing_ca = HF("ns.cert.exts.CertType.object.signing.ca", "object-signing-ca", FT_BOOLEAN, 8, NULL, 0x01);
static struct tq_field hf_template = HF("x509ce.CertificateTemplate_element", "CertificateTemplate", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_template_id = HF("x509ce.templateID", "templateID", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_template_major = HF("x509ce.templateMajorVersion", "templateMajorVersion", FT_INT32, BASE_DEC, NULL, 0);
static struct tq_field hf_template_minor = HF("x509ce.templateMinorVersion", "templateMinorVersion", FT_INT32, BASE_DEC, NULL, 0);
static struct tq_field hf_sat_integer = HF("x509sat.Integer", "Integer", FT_INT32, BASE_DEC, NULL, 0);
static struct tq_field hf_entrust = HF("x509ce.EntrustVersionInfo_element", "EntrustVersionInfo", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_entrust_vers = HF("x509ce.entrustVers", "entrustVers", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_entrust_flags = HF("x509ce.entrustVersInfoFlags", "entrustVersInfoFlags", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_entrust_f1 = HF("x509ce.EntrustInfoFlags.keyUpdateAllowed", "keyUpdateAllowed", FT_BOOLEAN, 8, NULL, 0x80);
static struct tq_field hf_entrust_f2 = HF("x509ce.EntrustInfoFlags.newExtensions", "newExtensions", FT_BOOLEAN, 8, NULL, 0x40);
static struct tq_field hf_entrust_f3 = HF("x509ce.EntrustInfoFlags.pKIXCertificate", "pKIXCertificate", FT_BOOLEAN, 8, NULL, 0x20);
static struct tq_field hf_entrust_f4 = HF("x509ce.EntrustInfoFlags.enterpriseCategory", "enterpriseCategory", FT_BOOLEAN, 8, NULL, 0x10);
static struct tq_field hf_entrust_f5 = HF("x509ce.EntrustInfoFlags.webCategory", "webCategory", FT_BOOLEAN, 8, NULL, 0x08);
static struct tq_field hf_entrust_f6 = HF("x509ce.EntrustInfoFlags.sETCategory", "sETCategory", FT_BOOLEAN, 8, NULL, 0x04);
static struct tq_field hf_sat_gentime = HF("x509sat.GeneralizedTime", "GeneralizedTime", FT_ABSTIME, BASE_NONE, NULL, 0);
static struct tq_field hf_sat_bmp = HF("x509sat.BMPString", "BMPString", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_sat_octets = HF("x509sat.OctetString", "OctetString", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_telephone = HF("x509sat.TelephoneNumber", "TelephoneNumber", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_x121 = HF("x509sat.X121Address", "X121Address", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_isdn = HF("x509sat.InternationalISDNNumber", "InternationalISDNNumber", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_dest_ind = HF("x509sat.DestinationIndicator", "DestinationIndicator", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_ns_comment = HF("ns_cert_exts.Comment", "Comment", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_name_constraints = HF("x509ce.NameConstraintsSyntax_element", "NameConstraintsSyntax", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_permitted = HF("x509ce.permittedSubtrees", "permittedSubtrees", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_excluded = HF("x509ce.excludedSubtrees", "excludedSubtrees", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_subtree = HF("x509ce.GeneralSubtree_element", "GeneralSubtree", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_base = HF("x509ce.base", "base", FT_UINT32, BASE_DEC, generalname_vals, 0);
static struct tq_field hf_minimum = HF("x509ce.minimum", "minimum", FT_UINT64, BASE_DEC, NULL, 0);
static struct tq_field hf_maximum = HF("x509ce.maximum", "maximum", FT_UINT64, BASE_DEC, NULL, 0);
static struct tq_field hf_policy_constraints = HF("x509ce.PolicyConstraintsSyntax_element", "PolicyConstraintsSyntax", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_require_explicit = HF("x509ce.requireExplicitPolicy", "requireExplicitPolicy", FT_UINT64, BASE_DEC, NULL, 0);
static struct tq_field hf_inhibit_mapping = HF("x509ce.inhibitPolicyMapping", "inhibitPolicyMapping", FT_UINT64, BASE_DEC, NULL, 0);
static struct tq_field hf_skip_certs = HF("x509ce.SkipCerts", "SkipCerts", FT_UINT64, BASE_DEC, NULL, 0);
static struct tq_field hf_policy_mappings = HF("x509ce.PolicyMappingsSyntax", "PolicyMappingsSyntax", FT_UINT32, BASE_DEC, NULL, 0);
static struct tq_field hf_policy_mapping = HF("x509ce.PolicyMappingsSyntax_item_element", "PolicyMappingsSyntax item", FT_NONE, BASE_NONE, NULL, 0);
static struct tq_field hf_issuer_policy = HF("x509ce.issuerDomainPolicy", "issuerDomainPolicy", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_field hf_subject_policy = HF("x509ce.subjectDomainPolicy", "subjectDomainPolicy", FT_STRING, BASE_NONE, NULL, 0);
static struct tq_expert ei_trailing_stray = EI("_ws.string.trailing_stray_characters", "Trailing stray characters", PI_WARN, PI_UNDECODED);
static struct tq_expert ei_wrong_string = EI("ber.error.expected.string", "BER Error: String expected", PI_WARN, PI_MALFORMED);
static struct tq_expert ei_oid_not_impl = EI("ber.error.oid_not_implemented", "BER: Dissector for OID not implemented. Contact Wireshark developers if you want this supported", PI_WARN, PI_UNDECODED);
static struct tq_field hf_explicit_dirstring = HF("pkix1explicit.DirectoryString", "DirectoryString", FT_STRING, BASE_NONE, NULL, 0);

static struct tq_field hf_modulus = HF("pkcs1.modulus", "modulus", FT_BYTES, BASE_NONE, NULL, 0);
static struct tq_field hf_exponent = HF("pkcs1.publicExponent", "publicExponent", FT_INT32, BASE_DEC, NULL, 0);
static struct tq_field hf_ecparams = HF("pkcs1.ECParameters", "ECParameters", FT_UINT32, BASE_DEC, ecparams_vals, 0);
static struct tq_field hf_named_curve = HF("pkcs1.namedCurve", "namedCurve", FT_STRING, BASE_NONE, NULL, 0);

static struct tq_field *const fields[] = {
	&hf_signed_cert, &hf_version, &hf_serial, &hf_signature, &hf_alg_id, &hf_issuer, &hf_validity,
	&hf_not_before, &hf_not_after, &hf_utctime, &hf_gentime, &hf_subject, &hf_af_rdnseq, &hf_spki,
	&hf_algorithm, &hf_spk, &hf_extensions, &hf_extension, &hf_ext_id, &hf_critical, &hf_alg_ident,
	&hf_encrypted, &hf_padding, &hf_if_rdnseq, &hf_rdnseq_item, &hf_rdn_item, &hf_if_oid, &hf_dirstring,
	&hf_teletex, &hf_printable, &hf_universal, &hf_bmp, &hf_utf8, &hf_country, &hf_ia5, &hf_sat_printable,
	&hf_aki, &hf_key_id, &hf_aki_issuer, &hf_aki_serial, &hf_ski, &hf_key_usage, &hf_ku_ds, &hf_ku_cc,
	&hf_ku_ke, &hf_ku_de, &hf_ku_ka, &hf_ku_kcs, &hf_ku_crl, &hf_ku_eo, &hf_ku_do, &hf_kp_ids, &hf_kp_id,
	&hf_policies, &hf_policy_info, &hf_policy_id, &hf_policy_quals, &hf_policy_qual, &hf_ce_id,
	&hf_general_names, &hf_general_name, &hf_rfc822, &hf_dns, &hf_uri, &hf_ip4, &hf_ip6, &hf_ip,
	&hf_dirname, &hf_registered, &hf_other_name, &hf_type_id, &hf_bc, &hf_ca, &hf_path_len, &hf_crldp,
	&hf_dp, &hf_dp_name, &hf_full_name, &hf_reasons, &hf_crl_issuer, &hf_aia, &hf_access_desc,
	&hf_access_method, &hf_access_location, &hf_user_notice, &hf_explicit_text, &hf_et_utf8, &hf_et_ia5,
	&hf_et_visible, &hf_explicit_dirstring, &hf_modulus, &hf_exponent, &hf_ecparams, &hf_named_curve,
	&hf_notice_ref, &hf_organization, &hf_notice_numbers, &hf_notice_number, &hf_et_bmp, &hf_features,
	&hf_feature, &hf_userid, &hf_sat_utf8, &hf_sat_gentime, &hf_sat_bmp, &hf_sat_octets, &hf_telephone, &hf_x121, &hf_isdn, &hf_dest_ind,
	&hf_pkup, &hf_pkup_before, &hf_pkup_after, &hf_crl_number, &hf_base_crl_number, &hf_crl_reason,
	&hf_hold_instruction, &hf_invalidity_date, &hf_idp, &hf_idp_user, &hf_idp_ca, &hf_idp_indirect, &hf_idp_attr,
	&hf_attributes, &hf_attribute, &hf_if_values, &hf_qc_statements, &hf_qc_statement, &hf_qc_statement_id,
	&hf_qc_semantics, &hf_qc_semantics_id, &hf_qc_name_ras, &hf_qc_general_name, &hf_ocsp_null,
	&hf_ns_base_url, &hf_ns_revocation_url, &hf_ns_ca_revocation_url, &hf_ns_renewal_url, &hf_ns_ca_policy_url,
	&hf_ns_ssl_server_name, &hf_ns_cert_type, &hf_ns_ssl_client, &hf_ns_ssl_server, &hf_ns_smime,
	&hf_ns_object_signing, &hf_ns_reserved, &hf_ns_ssl_ca, &hf_ns_smime_ca, &hf_ns_object_signing_ca,
	&hf_template, &hf_template_id, &hf_template_major, &hf_template_minor, &hf_sat_integer, &hf_entrust,
	&hf_entrust_vers, &hf_entrust_flags, &hf_entrust_f1, &hf_entrust_f2, &hf_entrust_f3, &hf_entrust_f4,
	&hf_entrust_f5, &hf_entrust_f6, &hf_ns_comment, &hf_name_constraints, &hf_permitted,
	&hf_excluded, &hf_subtree, &hf_base, &hf_minimum, &hf_maximum, &hf_policy_constraints,
	&hf_require_explicit, &hf_inhibit_mapping, &hf_skip_certs, &hf_policy_mappings, &hf_policy_mapping,
	&hf_issuer_policy, &hf_subject_policy, &ei_oid_not_impl.f, &ei_wrong_string.f, &ei_trailing_stray.f,
};

void
tq_register_x509(void)
{
	TQ_REGISTER(fields);
}

/* ------------------------------------------------------------------ walking */

/* The bytes being walked and the names built on the way (for the labels). */
struct xw {
	struct tq_pkt *pk;
	const struct tq_slice *s;
	char dn[1024];               /* the last Name walked, Wireshark's x509if last_dn */
};

static int
get(const struct xw *w, uint32_t off, uint32_t end, struct tq_der *t)
{
	return tq_der_get(w->s->p, w->s->len, off, end, t);
}

/* Number of TLVs in [off, end): the "N items" of a SEQUENCE OF. */
static uint32_t
count_items(const struct xw *w, uint32_t off, uint32_t end)
{
	struct tq_der t;
	uint32_t n = 0;
	while (off < end && get(w, off, end, &t) == 0) {
		n++;
		off = t.end;
	}
	return n;
}

/* Copies src into dst (size len), cut as needed; returns dst. */
static char *
copy(char *dst, size_t len, const char *src)
{
	size_t n = strlen(src);
	if (n >= len)
		n = len - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
	return dst;
}

/* Appends sep and src to dst (size len), cut as needed. */
static void
append(char *dst, size_t len, const char *sep, const char *src)
{
	size_t k = strlen(dst);
	if (k + 1 >= len)
		return;
	copy(dst + k, len - k, sep);
	k = strlen(dst);
	if (k + 1 >= len)
		return;
	copy(dst + k, len - k, src);
}

/* Sets a label, cut as Wireshark cuts labels. */
static void
label(struct tq_pkt *pk, struct tq_node *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void
label(struct tq_pkt *pk, struct tq_node *n, const char *fmt, ...)
{
	char buf[TQ_LABEL_MAX + 1];
	va_list ap;
	if (!n)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	tq_set_label(pk, n, "%s", buf);
}

/* A SEQUENCE item over the whole TLV ("[0 length]" when empty, as BER shows it). */
static struct tq_node *
seq(struct xw *w, struct tq_node *parent, const struct tq_field *f, const struct tq_der *t)
{
	struct tq_node *n = tq_add(w->pk, parent, f, w->s, t->start, t->end - t->start);
	if (n && t->len == 0)
		tq_append(w->pk, n, " [0 length]");
	return n;
}

/* A SEQUENCE OF / SET OF item over the contents, valued with its item count. */
static struct tq_node *
seqof(struct xw *w, struct tq_node *parent, const struct tq_field *f, const struct tq_der *t)
{
	uint32_t n = count_items(w, t->off, t->end);
	struct tq_node *node = tq_add_u(w->pk, parent, f, w->s, t->off, t->len, n);
	tq_set_valtext(w->pk, node, "%u item%s", n, n == 1 ? "" : "s");
	return node;
}

/* Adds an OID item ("2.5.4.3 (id-at-commonName)"); writes the dotted form into dotted. */
static struct tq_node *
oid(struct xw *w, struct tq_node *parent, const struct tq_field *f, const struct tq_der *t, char *dotted, size_t dlen)
{
	char buf[256], rbuf[320];
	if (tq_oid_str(w->s->p + t->off, t->len, buf, sizeof(buf)) != 0 && !buf[0])
		snprintf(buf, sizeof(buf), "%s", "");
	if (dotted)
		snprintf(dotted, dlen, "%s", buf);
	struct tq_node *n = tq_add_str(w->pk, parent, f, w->s, t->off, t->len, buf);
	const char *name = tq_oid_resolve(buf, rbuf, sizeof(rbuf));
	if (name)
		tq_append(w->pk, n, " (%s)", name);
	return n;
}

/* The display name of an OID for "name=value" strings and "(name)" suffixes. */
static const char *
oid_display(const char *dotted, char *buf, size_t len)
{
	const char *n = tq_oid_resolve(dotted, buf, len);
	return n ? n : dotted;
}

/* A string item over the contents; writes its text (as shown) into out. */
static struct tq_node *
string(struct xw *w, struct tq_node *parent, const struct tq_field *f, const struct tq_der *t, char *out, size_t olen)
{
	const uint8_t *p = w->s->p + t->off;
	uint32_t n = t->len;
	struct tq_node *node;
	if (t->cls == DER_UNIVERSAL && (t->tag == DER_BMPSTRING || t->tag == DER_UNIVERSALSTRING)) {
		/* UCS-2 or UCS-4, big endian, to UTF-8 */
		char buf[1024];
		size_t k = 0;
		uint32_t cw = t->tag == DER_BMPSTRING ? 2 : 4;
		for (uint32_t i = 0; i + cw - 1 < n && k + 5 < sizeof(buf); i += cw) {
			uint32_t c = cw == 2 ? (uint32_t)p[i] << 8 | p[i + 1] :
			    (uint32_t)p[i] << 24 | (uint32_t)p[i + 1] << 16 | (uint32_t)p[i + 2] << 8 | p[i + 3];
			if (c == 0)
				break;
			if (c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
				c = 0xfffd;
			if (c < 0x80) {
				buf[k++] = (char)c;
			} else if (c < 0x800) {
				buf[k++] = (char)(0xc0 | c >> 6);
				buf[k++] = (char)(0x80 | (c & 0x3f));
			} else if (c < 0x10000) {
				buf[k++] = (char)(0xe0 | c >> 12);
				buf[k++] = (char)(0x80 | ((c >> 6) & 0x3f));
				buf[k++] = (char)(0x80 | (c & 0x3f));
			} else {
				buf[k++] = (char)(0xf0 | c >> 18);
				buf[k++] = (char)(0x80 | ((c >> 12) & 0x3f));
				buf[k++] = (char)(0x80 | ((c >> 6) & 0x3f));
				buf[k++] = (char)(0x80 | (c & 0x3f));
			}
		}
		buf[k] = '\0';
		node = tq_add_str(w->pk, parent, f, w->s, t->off, t->len, buf);
		if (out)
			copy(out, olen, buf);
		return node;
	}
	node = tq_add(w->pk, parent, f, w->s, t->off, t->len);
	/* bytes other than NULs after a NUL: proto.c's "trailing stray characters" */
	const uint8_t *nul = n ? memchr(p, 0, n) : NULL;
	if (nul && t->tag != DER_TELETEXSTRING)
		for (const uint8_t *q = nul; q < p + n; q++)
			if (*q) {
				tq_expert(w->pk, node, &ei_trailing_stray, NULL);
				break;
			}
	if (out) {
		size_t k = n < olen - 1 ? n : olen - 1;
		memcpy(out, p, k);
		out[k] = '\0';
		/* a NUL ends the string as Wireshark's C strings do */
		out[strnlen(out, k)] = '\0';
	}
	return node;
}

/* "0x0a01..." for INTEGERs too long for a number (serial numbers, the RSA modulus). */
static struct tq_node *
big_integer(struct xw *w, struct tq_node *parent, const struct tq_field *f, const struct tq_der *t)
{
	static const char hx[] = "0123456789abcdef";
	char buf[128];
	size_t k = 0;
	uint32_t n = t->len > 36 ? 36 : t->len;
	buf[k++] = '0';
	buf[k++] = 'x';
	for (uint32_t i = 0; i < n; i++) {
		uint8_t b = w->s->p[t->off + i];
		buf[k++] = hx[b >> 4];
		buf[k++] = hx[b & 15];
	}
	buf[k] = '\0';
	struct tq_node *node = tq_add(w->pk, parent, f, w->s, t->off, t->len);
	tq_set_valtext(w->pk, node, "%s%s", buf, t->len > 36 ? "\xe2\x80\xa6" : "");
	return node;
}

static uint64_t
uint_value(const struct xw *w, const struct tq_der *t)
{
	uint64_t v = 0;
	for (uint32_t i = 0; i < t->len && i < 8; i++)
		v = v << 8 | w->s->p[t->off + i];
	return v;
}

static int64_t
int_value(const struct xw *w, const struct tq_der *t)
{
	if (t->len == 0)
		return 0;
	int64_t v = (w->s->p[t->off] & 0x80) ? -1 : 0;
	for (uint32_t i = 0; i < t->len && i < 8; i++)
		v = (int64_t)((uint64_t)v << 8 | w->s->p[t->off + i]);
	return v;
}

/* ------------------------------------------------------------------ names */

static void oid_not_implemented(struct xw *w, struct tq_node *parent, const struct tq_der *t);

/* Wireshark's format_text over raw bytes, into a C string. */
static void
format_text(char *dst, size_t len, const uint8_t *p, uint32_t n)
{
	struct tq_sbuf b;
	tq_sbuf_init(&b, 0);
	tq_format_text(&b, p, n);
	copy(dst, len, tq_sbuf_str(&b));
	tq_sbuf_free(&b);
}

/* BER's "String with tag=N expected" note on a string of the wrong type. */
static void
wrong_string(struct xw *w, struct tq_node *parent, const struct tq_der *t, unsigned want)
{
	static const char *const cls[] = { "UNIVERSAL", "APPLICATION", "CONTEXT", "PRIVATE" };
	char msg[160];
	snprintf(msg, sizeof(msg), "BER Error: String with tag=%u expected but class:%s(%u) %s tag:%u was unexpected",
	    want, cls[t->cls & 3], t->cls, t->cons ? "Constructed" : "Primitive", t->tag);
	/* over the identifier octets */
	uint32_t idlen = 1;
	for (uint32_t tag = t->tag; t->tag >= 31 && tag; tag >>= 7)
		idlen++;
	struct tq_node *n = tq_add_text(w->pk, parent, w->s, t->start, idlen, "%s", msg);
	tq_expert(w->pk, n, &ei_wrong_string, "%s", msg);
}

/*
 * The types Wireshark 4.0 registers for attribute OIDs (learned from tshark):
 * a DirectoryString, one string type, an OCTET STRING, or something else that
 * is not walked here.  An OID without an entry has no dissector.
 */
enum { AV_DIRSTR = 1, AV_STRING, AV_OCTETS, AV_TIME, AV_OTHER };

struct attr_type {
	const char *oid;
	uint8_t kind;
	uint8_t tag;                 /* AV_STRING: the string type */
	const struct tq_field *f;
	const char *layer;
};

static const struct attr_type attr_types[] = {
	{ "0.9.2342.19200300.100.1.1", AV_STRING, DER_UTF8STRING, &hf_userid, "x509af" },
	{ "0.9.2342.19200300.100.1.25", AV_STRING, DER_IA5STRING, &hf_ia5, "x509sat" },
	{ "1.2.840.113549.1.9.1", AV_STRING, DER_IA5STRING, &hf_ia5, "x509sat" },
	{ "1.2.840.113549.1.9.13", AV_DIRSTR, 0, NULL, NULL },
	{ "1.2.840.113549.1.9.14", AV_OTHER, 0, NULL, NULL },
	{ "1.2.840.113549.1.9.15", AV_OTHER, 0, NULL, NULL },
	{ "1.2.840.113549.1.9.20", AV_STRING, DER_BMPSTRING, &hf_sat_bmp, "x509sat" },
	{ "1.2.840.113549.1.9.21", AV_OCTETS, 0, &hf_sat_octets, "x509sat" },
	{ "1.2.840.113549.1.9.3", AV_OTHER, 0, NULL, NULL },
	{ "1.2.840.113549.1.9.4", AV_OTHER, 0, NULL, NULL },
	{ "1.2.840.113549.1.9.6", AV_OTHER, 0, NULL, NULL },
	{ "1.2.840.113549.1.9.7", AV_DIRSTR, 0, NULL, NULL },
	{ "1.2.840.113549.1.9.8", AV_DIRSTR, 0, NULL, NULL },
	{ "1.2.840.113549.1.9.9", AV_OTHER, 0, NULL, NULL },
	{ "1.3.6.1.4.1.311.20.2", AV_STRING, DER_BMPSTRING, &hf_sat_bmp, "x509sat" },
	{ "1.3.6.1.4.1.311.20.2.3", AV_STRING, DER_UTF8STRING, &hf_sat_utf8, "x509sat" },
	{ "1.3.6.1.4.1.311.60.2.1.1", AV_DIRSTR, 0, NULL, NULL },
	{ "1.3.6.1.4.1.311.60.2.1.2", AV_DIRSTR, 0, NULL, NULL },
	{ "1.3.6.1.4.1.311.60.2.1.3", AV_STRING, DER_PRINTABLESTRING, &hf_country, "x509sat" },
	{ "1.3.6.1.5.5.7.9.1", AV_TIME, 0, &hf_sat_gentime, "x509sat" },
	{ "1.3.6.1.5.5.7.9.2", AV_DIRSTR, 0, NULL, NULL },
	{ "1.3.6.1.5.5.7.9.3", AV_STRING, DER_PRINTABLESTRING, &hf_sat_printable, "x509sat" },
	{ "1.3.6.1.5.5.7.9.4", AV_STRING, DER_PRINTABLESTRING, &hf_sat_printable, "x509sat" },
	{ "1.3.6.1.5.5.7.9.5", AV_STRING, DER_PRINTABLESTRING, &hf_sat_printable, "x509sat" },
	{ "2.5.4.0", AV_OTHER, 0, NULL, NULL },
	{ "2.5.4.1", AV_OTHER, 0, NULL, NULL },
	{ "2.5.4.10", AV_DIRSTR, 0, NULL, NULL },
	{ "2.5.4.11", AV_DIRSTR, 0, NULL, NULL },
	{ "2.5.4.12", AV_DIRSTR, 0, NULL, NULL },
	{ "2.5.4.13", AV_DIRSTR, 0, NULL, NULL },
	{ "2.5.4.14", AV_OTHER, 0, NULL, NULL },
	{ "2.5.4.15", AV_DIRSTR, 0, NULL, NULL },
	{ "2.5.4.16", AV_OTHER, 0, NULL, NULL },
	{ "2.5.4.17", AV_DIRSTR, 0, NULL, NULL },
	{ "2.5.4.18", AV_DIRSTR, 0, NULL, NULL },
	{ "2.5.4.19", AV_DIRSTR, 0, NULL, NULL },
	{ "2.5.4.2", AV_DIRSTR, 0, NULL, NULL },
	{ "2.5.4.20", AV_STRING, DER_PRINTABLESTRING, &hf_telephone, "x509sat" },
	{ "2.5.4.21", AV_OTHER, 0, NULL, NULL },
	{ "2.5.4.23", AV_OTHER, 0, NULL, NULL },
	{ "2.5.4.24", AV_STRING, DER_NUMERICSTRING, &hf_x121, "x509sat" },
	{ "2.5.4.25", AV_STRING, DER_NUMERICSTRING, &hf_isdn, "x509sat" },
	{ "2.5.4.26", AV_OTHER, 0, NULL, NULL },
	{ "2.5.4.27", AV_STRING, DER_PRINTABLESTRING, &hf_dest_ind, "x509sat" },
	{ "2.5.4.28", AV_OTHER, 0, NULL, NULL },
	{ "2.5.4.29", AV_OTHER, 0, NULL, NULL },
	{ "2.5.4.3", AV_DIRSTR, 0, NULL, NULL },
	{ "2.5.4.30", AV_OTHER, 0, NULL, NULL },
	{ "2.5.4.31", AV_OTHER, 0, NULL, NULL },
	{ "2.5.4.32", AV_OTHER, 0, NULL, NULL },
	{ "2.5.4.33", AV_OTHER, 0, NULL, NULL },
	{ "2.5.4.34", AV_OTHER, 0, NULL, NULL },
	{ "2.5.4.35", AV_OCTETS, 0, &hf_sat_octets, "x509sat" },
	{ "2.5.4.36", AV_OTHER, 0, NULL, NULL },
	{ "2.5.4.37", AV_OTHER, 0, NULL, NULL },
	{ "2.5.4.38", AV_OTHER, 0, NULL, NULL },
	{ "2.5.4.39", AV_OTHER, 0, NULL, NULL },
	{ "2.5.4.4", AV_DIRSTR, 0, NULL, NULL },
	{ "2.5.4.40", AV_OTHER, 0, NULL, NULL },
	{ "2.5.4.41", AV_DIRSTR, 0, NULL, NULL },
	{ "2.5.4.42", AV_DIRSTR, 0, NULL, NULL },
	{ "2.5.4.43", AV_DIRSTR, 0, NULL, NULL },
	{ "2.5.4.44", AV_DIRSTR, 0, NULL, NULL },
	{ "2.5.4.45", AV_OTHER, 0, NULL, NULL },
	{ "2.5.4.46", AV_STRING, DER_PRINTABLESTRING, &hf_sat_printable, "x509sat" },
	{ "2.5.4.47", AV_OTHER, 0, NULL, NULL },
	{ "2.5.4.48", AV_OTHER, 0, NULL, NULL },
	{ "2.5.4.49", AV_OTHER, 0, NULL, NULL },
	{ "2.5.4.5", AV_STRING, DER_PRINTABLESTRING, &hf_sat_printable, "x509sat" },
	{ "2.5.4.50", AV_OTHER, 0, NULL, NULL },
	{ "2.5.4.51", AV_DIRSTR, 0, NULL, NULL },
	{ "2.5.4.52", AV_OTHER, 0, NULL, NULL },
	{ "2.5.4.53", AV_OTHER, 0, NULL, NULL },
	{ "2.5.4.54", AV_DIRSTR, 0, NULL, NULL },
	{ "2.5.4.55", AV_OTHER, 0, NULL, NULL },
	{ "2.5.4.56", AV_OTHER, 0, NULL, NULL },
	{ "2.5.4.58", AV_OTHER, 0, NULL, NULL },
	{ "2.5.4.59", AV_OTHER, 0, NULL, NULL },
	{ "2.5.4.6", AV_STRING, DER_PRINTABLESTRING, &hf_country, "x509sat" },
	{ "2.5.4.65", AV_DIRSTR, 0, NULL, NULL },
	{ "2.5.4.66", AV_OTHER, 0, NULL, NULL },
	{ "2.5.4.67", AV_OTHER, 0, NULL, NULL },
	{ "2.5.4.7", AV_DIRSTR, 0, NULL, NULL },
	{ "2.5.4.72", AV_OTHER, 0, NULL, NULL },
	{ "2.5.4.8", AV_DIRSTR, 0, NULL, NULL },
	{ "2.5.4.9", AV_DIRSTR, 0, NULL, NULL },
};

static int
attr_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct attr_type *)elem)->oid);
}

/*
 * An attribute value (the TLV at off), dispatched by the attribute's OID as
 * Wireshark's BER OID table does.  When val is given, writes the text a
 * distinguished name shows for it: the raw contents of a string-like
 * primitive, through format_text; returns 0 when the value is no such
 * string (Wireshark then leaves the "name=" unclosed).
 */
static int
attribute_value(struct xw *w, struct tq_node *parent, const char *attr, uint32_t off, uint32_t end, char *val, size_t vlen)
{
	struct tq_der t;
	if (val)
		val[0] = '\0';
	if (get(w, off, end, &t) != 0)
		return 0;
	const struct attr_type *at = bsearch(attr, attr_types, sizeof(attr_types) / sizeof(attr_types[0]),
	    sizeof(attr_types[0]), attr_cmp);
	if (!at) {
		oid_not_implemented(w, parent, &t);
	} else if (at->kind == AV_DIRSTR) {
		const struct tq_field *alt;
		uint32_t idx;
		switch (t.cls == DER_UNIVERSAL ? t.tag : 0) {
		case DER_TELETEXSTRING: idx = 0; alt = &hf_teletex; break;
		case DER_PRINTABLESTRING: idx = 1; alt = &hf_printable; break;
		case DER_UNIVERSALSTRING: idx = 2; alt = &hf_universal; break;
		case DER_BMPSTRING: idx = 3; alt = &hf_bmp; break;
		case DER_UTF8STRING: idx = 4; alt = &hf_utf8; break;
		default: idx = 5; alt = NULL; break;
		}
		if (alt) {
			tq_layer(w->pk, "x509sat");
			struct tq_node *d = tq_add_u(w->pk, parent, &hf_dirstring, w->s, t.start, t.end - t.start, idx);
			string(w, d, alt, &t, NULL, 0);
		} else {
			/* no alternative matches: the CHOICE takes nothing */
			oid_not_implemented(w, parent, &t);
		}
	} else if (at->kind == AV_STRING) {
		tq_layer(w->pk, at->layer);
		if (tq_der_is(&t, at->tag) && !t.cons)
			string(w, parent, at->f, &t, NULL, 0);
		else
			wrong_string(w, parent, &t, at->tag);
	} else if (at->kind == AV_TIME) {
		struct tq_der_time tm;
		tq_layer(w->pk, at->layer);
		if (tq_der_is(&t, DER_GENERALIZEDTIME) && tq_der_gentime(w->s->p + t.off, t.len, &tm) == 0)
			tq_add_time(w->pk, parent, at->f, w->s, t.off, t.len, tq_der_epoch(&tm), tm.nsec);
	} else if (at->kind == AV_OCTETS) {
		tq_layer(w->pk, at->layer);
		if (tq_der_is(&t, DER_OCTET_STRING))
			tq_add(w->pk, parent, at->f, w->s, t.off, t.len);
	}
	/* what x509if takes for the name: BER's "any string" read of the value */
	if (!val || t.cls != DER_UNIVERSAL || t.cons ||
	    (t.tag != DER_OCTET_STRING && t.tag != DER_UTF8STRING && (t.tag < DER_NUMERICSTRING || t.tag > DER_BMPSTRING)))
		return 0;
	format_text(val, vlen, w->s->p + t.off, t.len);
	return 1;
}

/* The RDNs of an RDNSequence at the contents of seqt, under rs; leaves the DN string in w->dn. */
static void
rdn_items(struct xw *w, struct tq_node *rs, const struct tq_der *seqt)
{
	char dn[1024];
	dn[0] = '\0';
	struct tq_der set;
	for (uint32_t off = seqt->off; off < seqt->end && get(w, off, seqt->end, &set) == 0; off = set.end) {
		struct tq_node *si = seqof(w, rs, &hf_rdnseq_item, &set);
		/* x509if's RDN buffer holds 127 bytes */
		char rdn[128];
		rdn[0] = '\0';
		struct tq_der ava;
		for (uint32_t o2 = set.off; o2 < set.end && get(w, o2, set.end, &ava) == 0; o2 = ava.end) {
			struct tq_node *ai = seq(w, si, &hf_rdn_item, &ava);
			struct tq_der ot;
			char attr[256], val[512], nbuf[320];
			if (get(w, ava.off, ava.end, &ot) != 0 || !tq_der_is(&ot, DER_OID))
				break;
			oid(w, ai, &hf_if_oid, &ot, attr, sizeof(attr));
			int closed = attribute_value(w, ai, attr, ot.end, ava.end, val, sizeof(val));
			char one[800];
			snprintf(one, sizeof(one), "%s=%s", oid_display(attr, nbuf, sizeof(nbuf)), val);
			label(w->pk, ai, "RelativeDistinguishedName item (%s%s", one, closed ? ")" : "");
			append(rdn, sizeof(rdn), rdn[0] ? "+" : "", one);
		}
		uint32_t cnt = count_items(w, set.off, set.end);
		label(w->pk, si, "RDNSequence item: %u item%s (%s)", cnt, cnt == 1 ? "" : "s", rdn);
		/* the DN lists the last RDN first */
		char tmp[1024];
		copy(tmp, sizeof(tmp), rdn);
		append(tmp, sizeof(tmp), dn[0] ? "," : "", dn);
		copy(dn, sizeof(dn), tmp);
	}
	copy(w->dn, sizeof(w->dn), dn);
}

/*
 * An RDNSequence at the contents of t, under an item of field f ("rdnSequence:
 * N items (dn)"); leaves the DN string in w->dn.
 */
static struct tq_node *
rdn_sequence(struct xw *w, struct tq_node *parent, const struct tq_field *f, const struct tq_der *seqt)
{
	struct tq_node *rs = seqof(w, parent, f, seqt);
	uint32_t nitems = count_items(w, seqt->off, seqt->end);
	rdn_items(w, rs, seqt);
	label(w->pk, rs, "%s: %u item%s (%s)", f->name, nitems, nitems == 1 ? "" : "s", w->dn);
	return rs;
}

/* A Name (CHOICE { rdnSequence }) TLV at t as field f. */
static void
name(struct xw *w, struct tq_node *parent, const struct tq_field *f, const struct tq_field *rdnf, const struct tq_der *t)
{
	if (!tq_der_is(t, DER_SEQUENCE))
		return;
	struct tq_node *n = tq_add_u(w->pk, parent, f, w->s, t->start, t->end - t->start, 0);
	rdn_sequence(w, n, rdnf, t);
}

/* ------------------------------------------------------------------ algorithms */

/* An AlgorithmIdentifier SEQUENCE at t as field f: "f (name)" with its Algorithm Id. */
static void
algorithm(struct xw *w, struct tq_node *parent, const struct tq_field *f, const struct tq_der *t, char *dotted, size_t dlen)
{
	struct tq_node *a = seq(w, parent, f, t);
	struct tq_der ot;
	char alg[256], nbuf[320];
	alg[0] = '\0';
	if (get(w, t->off, t->end, &ot) == 0 && tq_der_is(&ot, DER_OID)) {
		oid(w, a, &hf_alg_id, &ot, alg, sizeof(alg));
		tq_append(w->pk, a, " (%s)", oid_display(alg, nbuf, sizeof(nbuf)));
		struct tq_der pt;
		if (ot.end < t->end && get(w, ot.end, t->end, &pt) == 0 && !strcmp(alg, "1.2.840.10045.2.1")) {
			/* id-ecPublicKey: the curve, dissected by pkcs-1 */
			tq_layer(w->pk, "pkcs-1");
			if (tq_der_is(&pt, DER_OID)) {
				struct tq_node *e = tq_add_u(w->pk, a, &hf_ecparams, w->s, pt.start, pt.end - pt.start, 1);
				oid(w, e, &hf_named_curve, &pt, NULL, 0);
			}
		}
	}
	if (dotted)
		snprintf(dotted, dlen, "%s", alg);
}

/* ------------------------------------------------------------------ extensions */

/* A BIT STRING's padding octet item; returns the first octet of the bits. */
static uint32_t
padding(struct xw *w, struct tq_node *parent, const struct tq_der *t)
{
	if (t->len == 0)
		return t->off;
	tq_add(w->pk, parent, &hf_padding, w->s, t->off, 1);
	return t->off + 1;
}

/* A value whose OID has no dissector: BER says so over the value's bytes. */
static void
oid_not_implemented(struct xw *w, struct tq_node *parent, const struct tq_der *t)
{
	/* BER stays silent on a NULL */
	if (t->end - t->start >= 2 && w->s->p[t->start] == 0x05 && w->s->p[t->start + 1] == 0)
		return;
	struct tq_node *n = tq_add_text(w->pk, parent, w->s, t->start, t->end - t->start, "%s", ei_oid_not_impl.f.name);
	tq_expert(w->pk, n, &ei_oid_not_impl, NULL);
}

static void general_names(struct xw *w, struct tq_node *parent, const struct tq_field *f, const struct tq_der *t);

/* A GeneralName TLV: the CHOICE item (over the contents of its implicit tag) and the alternative. */
static void
general_name(struct xw *w, struct tq_node *parent, const struct tq_field *choice, const struct tq_der *t)
{
	if (t->cls != DER_CONTEXT || t->tag > 8)
		return;
	struct tq_node *g = tq_add_u(w->pk, parent, choice, w->s, t->off, t->len, t->tag);
	struct tq_der in;
	switch (t->tag) {
	case 0: {                    /* otherName [0] IMPLICIT SEQUENCE { type-id, value [0] EXPLICIT } */
		struct tq_node *o = tq_add(w->pk, g, &hf_other_name, w->s, t->off, t->len);
		char type_id[256];
		struct tq_der v, vv;
		if (get(w, t->off, t->end, &in) != 0 || !tq_der_is(&in, DER_OID))
			break;
		oid(w, o, &hf_type_id, &in, type_id, sizeof(type_id));
		if (get(w, in.end, t->end, &v) != 0 || v.cls != DER_CONTEXT || v.tag != 0 ||
		    get(w, v.off, v.end, &vv) != 0)
			break;
		if (!strcmp(type_id, "1.3.6.1.4.1.311.20.2.3")) {
			/* the Microsoft UPN, a UTF8String registered with x509sat */
			tq_layer(w->pk, "x509sat");
			string(w, o, &hf_sat_utf8, &vv, NULL, 0);
		} else {
			oid_not_implemented(w, o, &vv);
		}
		break;
	}
	case 1:
		string(w, g, &hf_rfc822, t, NULL, 0);
		break;
	case 2:
		string(w, g, &hf_dns, t, NULL, 0);
		break;
	case 4:                      /* directoryName [4] EXPLICIT Name */
		if (get(w, t->off, t->end, &in) == 0)
			name(w, g, &hf_dirname, &hf_if_rdnseq, &in);
		break;
	case 6:
		string(w, g, &hf_uri, t, NULL, 0);
		break;
	case 7:
		if (t->len == 4)
			tq_add(w->pk, g, &hf_ip4, w->s, t->off, 4);
		else if (t->len == 16)
			tq_add(w->pk, g, &hf_ip6, w->s, t->off, 16);
		break;
	case 8:
		oid(w, g, &hf_registered, t, NULL, 0);
		break;
	default:
		break;
	}
}

static void
general_names(struct xw *w, struct tq_node *parent, const struct tq_field *f, const struct tq_der *t)
{
	struct tq_node *l = seqof(w, parent, f, t);
	struct tq_der g;
	for (uint32_t off = t->off; off < t->end && get(w, off, t->end, &g) == 0; off = g.end)
		general_name(w, l, &hf_general_name, &g);
}

static void
ext_key_usage_bits(struct xw *w, struct tq_node *parent, const struct tq_der *t)
{
	uint32_t bits = padding(w, parent, t);
	uint32_t n = t->end - bits;
	struct tq_node *ku = tq_add(w->pk, parent, &hf_key_usage, w->s, bits, n);
	static const struct tq_field *const first[] = {
		&hf_ku_ds, &hf_ku_cc, &hf_ku_ke, &hf_ku_de, &hf_ku_ka, &hf_ku_kcs, &hf_ku_crl, &hf_ku_eo,
	};
	uint8_t b0 = n > 0 ? w->s->p[bits] : 0, b1 = n > 1 ? w->s->p[bits + 1] : 0;
	uint32_t len = n > 0 ? 1 : 0;
	for (size_t i = 0; i < 8; i++)
		tq_add_u(w->pk, ku, first[i], w->s, bits, len, (b0 & first[i]->mask) ? 1 : 0);
	/* decipherOnly is the first bit of the second octet, when there is one */
	tq_add_u(w->pk, ku, &hf_ku_do, w->s, n > 1 ? bits + 1 : bits, len, (b1 & 0x80) ? 1 : 0);
}

/* A DisplayText CHOICE TLV as field f (ia5String, visibleString, bmpString or utf8String). */
static void
display_text(struct xw *w, struct tq_node *parent, const struct tq_field *f, const struct tq_der *e)
{
	const struct tq_field *sf;
	uint32_t idx;
	if (tq_der_is(e, DER_IA5STRING)) {
		sf = &hf_et_ia5;
		idx = 0;
	} else if (tq_der_is(e, DER_VISIBLESTRING)) {
		sf = &hf_et_visible;
		idx = 1;
	} else if (tq_der_is(e, DER_BMPSTRING)) {
		sf = &hf_et_bmp;
		idx = 2;
	} else if (tq_der_is(e, DER_UTF8STRING)) {
		sf = &hf_et_utf8;
		idx = 3;
	} else {
		return;
	}
	struct tq_node *c = tq_add_u(w->pk, parent, f, w->s, e->start, e->end - e->start, idx);
	string(w, c, sf, e, NULL, 0);
}

/* UserNotice ::= SEQUENCE { noticeRef NoticeReference OPTIONAL, explicitText DisplayText OPTIONAL } */
static void
user_notice(struct xw *w, struct tq_node *parent, const struct tq_der *t)
{
	struct tq_node *un = seq(w, parent, &hf_user_notice, t);
	struct tq_der e;
	for (uint32_t o = t->off; o < t->end && get(w, o, t->end, &e) == 0; o = e.end) {
		if (!tq_der_is(&e, DER_SEQUENCE)) {
			display_text(w, un, &hf_explicit_text, &e);
			continue;
		}
		struct tq_node *nr = seq(w, un, &hf_notice_ref, &e);
		struct tq_der org, nums, num;
		if (get(w, e.off, e.end, &org) != 0)
			continue;
		display_text(w, nr, &hf_organization, &org);
		if (get(w, org.end, e.end, &nums) != 0 || !tq_der_is(&nums, DER_SEQUENCE))
			continue;
		struct tq_node *nl = seqof(w, nr, &hf_notice_numbers, &nums);
		for (uint32_t o2 = nums.off; o2 < nums.end && get(w, o2, nums.end, &num) == 0; o2 = num.end)
			if (tq_der_is(&num, DER_INTEGER))
				tq_add_u(w->pk, nl, &hf_notice_number, w->s, num.off, num.len, (uint64_t)int_value(w, &num));
	}
}

static void
ext_policies(struct xw *w, struct tq_node *parent, const struct tq_der *t)
{
	struct tq_node *l = seqof(w, parent, &hf_policies, t);
	struct tq_der pi;
	for (uint32_t off = t->off; off < t->end && get(w, off, t->end, &pi) == 0; off = pi.end) {
		struct tq_node *p = seq(w, l, &hf_policy_info, &pi);
		struct tq_der id, quals;
		if (get(w, pi.off, pi.end, &id) != 0 || !tq_der_is(&id, DER_OID))
			continue;
		oid(w, p, &hf_policy_id, &id, NULL, 0);
		if (id.end >= pi.end || get(w, id.end, pi.end, &quals) != 0)
			continue;
		struct tq_node *ql = seqof(w, p, &hf_policy_quals, &quals);
		struct tq_der q;
		for (uint32_t o2 = quals.off; o2 < quals.end && get(w, o2, quals.end, &q) == 0; o2 = q.end) {
			struct tq_node *qi = seq(w, ql, &hf_policy_qual, &q);
			struct tq_der qid, qv;
			char qoid[256];
			if (get(w, q.off, q.end, &qid) != 0 || !tq_der_is(&qid, DER_OID))
				continue;
			oid(w, qi, &hf_ce_id, &qid, qoid, sizeof(qoid));
			if (qid.end >= q.end || get(w, qid.end, q.end, &qv) != 0)
				continue;
			if (!strcmp(qoid, "1.3.6.1.5.5.7.2.1")) {
				tq_layer(w->pk, "pkix1explicit");
				string(w, qi, &hf_explicit_dirstring, &qv, NULL, 0);
			} else if (!strcmp(qoid, "1.3.6.1.5.5.7.2.2")) {
				tq_layer(w->pk, "pkix1implicit");
				user_notice(w, qi, &qv);
			}
		}
	}
}

static void
ext_crldp(struct xw *w, struct tq_node *parent, const struct tq_der *t)
{
	struct tq_node *l = seqof(w, parent, &hf_crldp, t);
	struct tq_der dp;
	for (uint32_t off = t->off; off < t->end && get(w, off, t->end, &dp) == 0; off = dp.end) {
		struct tq_node *d = seq(w, l, &hf_dp, &dp);
		struct tq_der f;
		for (uint32_t o2 = dp.off; o2 < dp.end && get(w, o2, dp.end, &f) == 0; o2 = f.end) {
			if (f.cls != DER_CONTEXT)
				continue;
			struct tq_der in;
			if (f.tag == 0 && get(w, f.off, f.end, &in) == 0 && in.cls == DER_CONTEXT) {
				/* distributionPoint [0] EXPLICIT DistributionPointName */
				struct tq_node *c = tq_add_u(w->pk, d, &hf_dp_name, w->s, in.off, in.len, in.tag);
				if (in.tag == 0)
					general_names(w, c, &hf_full_name, &in);
			} else if (f.tag == 2) {
				general_names(w, d, &hf_crl_issuer, &f);
			}
		}
	}
}

static void
ext_aia(struct xw *w, struct tq_node *parent, const struct tq_der *t)
{
	struct tq_node *l = seqof(w, parent, &hf_aia, t);
	struct tq_der ad;
	for (uint32_t off = t->off; off < t->end && get(w, off, t->end, &ad) == 0; off = ad.end) {
		struct tq_node *a = seq(w, l, &hf_access_desc, &ad);
		struct tq_der m, loc;
		if (get(w, ad.off, ad.end, &m) != 0 || !tq_der_is(&m, DER_OID))
			continue;
		oid(w, a, &hf_access_method, &m, NULL, 0);
		if (m.end < ad.end && get(w, m.end, ad.end, &loc) == 0)
			general_name(w, a, &hf_access_location, &loc);
	}
}

static void
ext_aki(struct xw *w, struct tq_node *parent, const struct tq_der *t)
{
	struct tq_node *a = seq(w, parent, &hf_aki, t);
	struct tq_der f;
	for (uint32_t off = t->off; off < t->end && get(w, off, t->end, &f) == 0; off = f.end) {
		if (f.cls != DER_CONTEXT)
			continue;
		if (f.tag == 0)
			tq_add(w->pk, a, &hf_key_id, w->s, f.off, f.len);
		else if (f.tag == 1)
			general_names(w, a, &hf_aki_issuer, &f);
		else if (f.tag == 2)
			big_integer(w, a, &hf_aki_serial, &f);
	}
}

static void
ext_basic_constraints(struct xw *w, struct tq_node *parent, const struct tq_der *t)
{
	struct tq_node *b = seq(w, parent, &hf_bc, t);
	struct tq_der f;
	for (uint32_t off = t->off; off < t->end && get(w, off, t->end, &f) == 0; off = f.end) {
		if (tq_der_is(&f, DER_BOOLEAN))
			tq_add_u(w->pk, b, &hf_ca, w->s, f.off, f.len, f.len && w->s->p[f.off] ? 1 : 0);
		else if (tq_der_is(&f, DER_INTEGER))
			tq_add_u(w->pk, b, &hf_path_len, w->s, f.off, f.len, uint_value(w, &f));
	}
}

static void
ext_name_constraints(struct xw *w, struct tq_node *parent, const struct tq_der *t)
{
	struct tq_node *nc = seq(w, parent, &hf_name_constraints, t);
	struct tq_der l;
	for (uint32_t off = t->off; off < t->end && get(w, off, t->end, &l) == 0; off = l.end) {
		if (l.cls != DER_CONTEXT || l.tag > 1)
			continue;
		struct tq_node *st = seqof(w, nc, l.tag == 0 ? &hf_permitted : &hf_excluded, &l);
		struct tq_der gs;
		for (uint32_t o = l.off; o < l.end && get(w, o, l.end, &gs) == 0; o = gs.end) {
			struct tq_node *g = seq(w, st, &hf_subtree, &gs);
			struct tq_der f;
			int first = 1;
			for (uint32_t o2 = gs.off; o2 < gs.end && get(w, o2, gs.end, &f) == 0; o2 = f.end) {
				if (first)
					general_name(w, g, &hf_base, &f);
				else if (f.cls == DER_CONTEXT && f.tag <= 1)
					tq_add_u(w->pk, g, f.tag == 0 ? &hf_minimum : &hf_maximum, w->s, f.off, f.len,
					    uint_value(w, &f));
				first = 0;
			}
		}
	}
}

static void
ext_policy_constraints(struct xw *w, struct tq_node *parent, const struct tq_der *t)
{
	struct tq_node *pc = seq(w, parent, &hf_policy_constraints, t);
	struct tq_der f;
	for (uint32_t off = t->off; off < t->end && get(w, off, t->end, &f) == 0; off = f.end)
		if (f.cls == DER_CONTEXT && f.tag <= 1)
			tq_add_u(w->pk, pc, f.tag == 0 ? &hf_require_explicit : &hf_inhibit_mapping, w->s, f.off, f.len,
			    uint_value(w, &f));
}

static void
ext_policy_mappings(struct xw *w, struct tq_node *parent, const struct tq_der *t)
{
	struct tq_node *l = seqof(w, parent, &hf_policy_mappings, t);
	struct tq_der m;
	for (uint32_t off = t->off; off < t->end && get(w, off, t->end, &m) == 0; off = m.end) {
		struct tq_node *mi = seq(w, l, &hf_policy_mapping, &m);
		struct tq_der a, b;
		if (get(w, m.off, m.end, &a) != 0 || !tq_der_is(&a, DER_OID))
			continue;
		oid(w, mi, &hf_issuer_policy, &a, NULL, 0);
		if (get(w, a.end, m.end, &b) == 0 && tq_der_is(&b, DER_OID))
			oid(w, mi, &hf_subject_policy, &b, NULL, 0);
	}
}

/* PrivateKeyUsagePeriod ::= SEQUENCE { notBefore [0] GeneralizedTime OPTIONAL, notAfter [1] ... } */
static void
ext_pkup(struct xw *w, struct tq_node *parent, const struct tq_der *t)
{
	struct tq_node *p = seq(w, parent, &hf_pkup, t);
	struct tq_der f;
	for (uint32_t o = t->off; o < t->end && get(w, o, t->end, &f) == 0; o = f.end) {
		struct tq_der_time tm;
		if (f.cls != DER_CONTEXT || f.tag > 1 || tq_der_gentime(w->s->p + f.off, f.len, &tm) != 0)
			continue;
		tq_add_time(w->pk, p, f.tag ? &hf_pkup_after : &hf_pkup_before, w->s, f.off, f.len, tq_der_epoch(&tm), tm.nsec);
	}
}

/* IssuingDistPointSyntax: the distribution point and the flags. */
static void
ext_idp(struct xw *w, struct tq_node *parent, const struct tq_der *t)
{
	struct tq_node *p = seq(w, parent, &hf_idp, t);
	static const struct tq_field *const flags[] = {
		NULL, &hf_idp_user, &hf_idp_ca, NULL, &hf_idp_indirect, &hf_idp_attr,
	};
	struct tq_der f, in;
	for (uint32_t o = t->off; o < t->end && get(w, o, t->end, &f) == 0; o = f.end) {
		if (f.cls != DER_CONTEXT)
			continue;
		if (f.tag == 0 && get(w, f.off, f.end, &in) == 0 && in.cls == DER_CONTEXT) {
			struct tq_node *c = tq_add_u(w->pk, p, &hf_dp_name, w->s, in.off, in.len, in.tag);
			if (in.tag == 0)
				general_names(w, c, &hf_full_name, &in);
		} else if (f.tag < 6 && flags[f.tag] && f.len > 0) {
			tq_add_u(w->pk, p, flags[f.tag], w->s, f.off, f.len, w->s->p[f.off] ? 1 : 0);
		}
	}
}

/* AttributesSyntax ::= SEQUENCE OF Attribute { type, values SET OF value } */
static void
ext_attributes(struct xw *w, struct tq_node *parent, const struct tq_der *t)
{
	struct tq_node *l = seqof(w, parent, &hf_attributes, t);
	struct tq_der a;
	for (uint32_t off = t->off; off < t->end && get(w, off, t->end, &a) == 0; off = a.end) {
		struct tq_node *an = seq(w, l, &hf_attribute, &a);
		struct tq_der ot, vs, v;
		char attr[256];
		if (get(w, a.off, a.end, &ot) != 0 || !tq_der_is(&ot, DER_OID))
			continue;
		oid(w, an, &hf_if_oid, &ot, attr, sizeof(attr));
		if (get(w, ot.end, a.end, &vs) != 0 || !tq_der_is(&vs, DER_SET))
			continue;
		struct tq_node *vl = seqof(w, an, &hf_if_values, &vs);
		for (uint32_t o2 = vs.off; o2 < vs.end && get(w, o2, vs.end, &v) == 0; o2 = v.end)
			attribute_value(w, vl, attr, v.start, v.end, NULL, 0);
	}
}

/* QCStatements (RFC 3739): the statement ids, and the semantics information of the PKIX ones. */
static void
ext_qc_statements(struct xw *w, struct tq_node *parent, const struct tq_der *t)
{
	struct tq_node *l = seqof(w, parent, &hf_qc_statements, t);
	struct tq_der st;
	for (uint32_t off = t->off; off < t->end && get(w, off, t->end, &st) == 0; off = st.end) {
		struct tq_node *sn = seq(w, l, &hf_qc_statement, &st);
		struct tq_der id, info;
		char sid[256];
		if (get(w, st.off, st.end, &id) != 0 || !tq_der_is(&id, DER_OID))
			continue;
		oid(w, sn, &hf_qc_statement_id, &id, sid, sizeof(sid));
		if (id.end >= st.end || get(w, id.end, st.end, &info) != 0)
			continue;
		if (strcmp(sid, "1.3.6.1.5.5.7.11.1") && strcmp(sid, "1.3.6.1.5.5.7.11.2")) {
			oid_not_implemented(w, sn, &info);
			continue;
		}
		/* the statement's own registered dissector */
		tq_layer(w->pk, "pkixqualified");
		if (!tq_der_is(&info, DER_SEQUENCE))
			continue;
		struct tq_node *si = seq(w, sn, &hf_qc_semantics, &info);
		struct tq_der f;
		for (uint32_t o2 = info.off; o2 < info.end && get(w, o2, info.end, &f) == 0; o2 = f.end) {
			if (tq_der_is(&f, DER_OID)) {
				oid(w, si, &hf_qc_semantics_id, &f, NULL, 0);
			} else if (tq_der_is(&f, DER_SEQUENCE)) {
				struct tq_node *ra = seqof(w, si, &hf_qc_name_ras, &f);
				struct tq_der g;
				for (uint32_t o3 = f.off; o3 < f.end && get(w, o3, f.end, &g) == 0; o3 = g.end)
					general_name(w, ra, &hf_qc_general_name, &g);
			}
		}
	}
}

/* A BIT STRING of flags: padding, the bytes, and one boolean per flag of the first octet. */
static void
flag_bits(struct xw *w, struct tq_node *parent, const struct tq_der *t, const struct tq_field *bytes,
    const struct tq_field *const *bits, size_t nbits)
{
	if (t->len == 0)
		return;
	uint32_t b = padding(w, parent, t);
	uint32_t n = t->end - b;
	struct tq_node *node = tq_add(w->pk, parent, bytes, w->s, b, n);
	uint8_t b0 = n ? w->s->p[b] : 0;
	for (size_t i = 0; n && i < nbits; i++)
		tq_add_u(w->pk, node, bits[i], w->s, b, 1, (b0 & bits[i]->mask) ? 1 : 0);
}

/* Microsoft's CertificateTemplate ::= SEQUENCE { templateID, templateMajorVersion, templateMinorVersion OPTIONAL } */
static void
ext_ms_template(struct xw *w, struct tq_node *parent, const struct tq_der *t)
{
	struct tq_node *p = seq(w, parent, &hf_template, t);
	struct tq_der f;
	int ints = 0;
	for (uint32_t o = t->off; o < t->end && get(w, o, t->end, &f) == 0; o = f.end) {
		if (tq_der_is(&f, DER_OID))
			oid(w, p, &hf_template_id, &f, NULL, 0);
		else if (tq_der_is(&f, DER_INTEGER))
			tq_add_u(w->pk, p, ints++ ? &hf_template_minor : &hf_template_major, w->s, f.off, f.len,
			    (uint64_t)int_value(w, &f));
	}
}

/* Entrust's EntrustVersionInfo ::= SEQUENCE { entrustVers GeneralString, entrustInfoFlags BIT STRING } */
static void
ext_entrust(struct xw *w, struct tq_node *parent, const struct tq_der *t)
{
	static const struct tq_field *const bits[] = {
		&hf_entrust_f1, &hf_entrust_f2, &hf_entrust_f3, &hf_entrust_f4, &hf_entrust_f5, &hf_entrust_f6,
	};
	struct tq_node *p = seq(w, parent, &hf_entrust, t);
	struct tq_der f;
	for (uint32_t o = t->off; o < t->end && get(w, o, t->end, &f) == 0; o = f.end) {
		if (tq_der_is(&f, 27))
			string(w, p, &hf_entrust_vers, &f, NULL, 0);
		else if (tq_der_is(&f, DER_BIT_STRING))
			flag_bits(w, p, &f, &hf_entrust_flags, bits, 6);
	}
}

/*
 * The value of an extension (the contents of extnValue), dispatched by its
 * OID to the protocol Wireshark registers for it; an OID without one gets
 * BER's "not implemented" note.
 */
static void
extension_value(struct xw *w, struct tq_node *e, const char *id, uint32_t off, uint32_t end)
{
	struct tq_der t;
	if (get(w, off, end, &t) != 0)
		return;
	if (!strcmp(id, "1.3.6.1.5.5.7.1.1")) {
		tq_layer(w->pk, "pkix1implicit");
		if (tq_der_is(&t, DER_SEQUENCE))
			ext_aia(w, e, &t);
		return;
	}
	if (!strcmp(id, "1.3.6.1.4.1.11129.2.4.2")) {
		/* an OCTET STRING holding the TLS-encoded list (RFC 6962 3.3) */
		tq_layer(w->pk, "tls");
		if (tq_der_is(&t, DER_OCTET_STRING))
			tq_tls_sct_list(w->pk, e, w->s, t.off, t.end);
		return;
	}
	if (!strcmp(id, "1.3.6.1.5.5.7.1.24")) {
		/* TLS Feature (RFC 7633): SEQUENCE OF INTEGER, TLS extension numbers */
		tq_layer(w->pk, "pkix1explicit");
		if (!tq_der_is(&t, DER_SEQUENCE))
			return;
		struct tq_node *l = seqof(w, e, &hf_features, &t);
		struct tq_der i;
		for (uint32_t o = t.off; o < t.end && get(w, o, t.end, &i) == 0; o = i.end)
			if (tq_der_is(&i, DER_INTEGER))
				tq_add_u(w->pk, l, &hf_feature, w->s, i.off, i.len, uint_value(w, &i));
		return;
	}
	if (!strcmp(id, "1.3.6.1.5.5.7.1.3")) {
		tq_layer(w->pk, "pkixqualified");
		if (tq_der_is(&t, DER_SEQUENCE))
			ext_qc_statements(w, e, &t);
		return;
	}
	if (!strcmp(id, "1.3.6.1.5.5.7.48.1.5")) {
		/* OCSP no check: a NULL */
		tq_layer(w->pk, "ocsp");
		if (tq_der_is(&t, DER_NULL))
			tq_add(w->pk, e, &hf_ocsp_null, w->s, t.off, t.len);
		return;
	}
	/* Netscape's extensions: the type bits, and IA5String URLs and texts */
	static const struct { const char *oid; const struct tq_field *f; } ns[] = {
		{ "2.16.840.1.113730.1.2", &hf_ns_base_url }, { "2.16.840.1.113730.1.3", &hf_ns_revocation_url },
		{ "2.16.840.1.113730.1.4", &hf_ns_ca_revocation_url }, { "2.16.840.1.113730.1.7", &hf_ns_renewal_url },
		{ "2.16.840.1.113730.1.8", &hf_ns_ca_policy_url }, { "2.16.840.1.113730.1.12", &hf_ns_ssl_server_name },
		{ "2.16.840.1.113730.1.13", &hf_ns_comment },
	};
	for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		if (strcmp(id, ns[i].oid))
			continue;
		tq_layer(w->pk, "ns_cert_exts");
		if (tq_der_is(&t, DER_IA5STRING))
			string(w, e, ns[i].f, &t, NULL, 0);
		else
			wrong_string(w, e, &t, DER_IA5STRING);
		return;
	}
	if (!strcmp(id, "2.16.840.1.113730.1.1")) {
		static const struct tq_field *const bits[] = {
			&hf_ns_ssl_client, &hf_ns_ssl_server, &hf_ns_smime, &hf_ns_object_signing,
			&hf_ns_reserved, &hf_ns_ssl_ca, &hf_ns_smime_ca, &hf_ns_object_signing_ca,
		};
		tq_layer(w->pk, "ns_cert_exts");
		if (tq_der_is(&t, DER_BIT_STRING))
			flag_bits(w, e, &t, &hf_ns_cert_type, bits, 8);
		return;
	}
	/* Microsoft's */
	if (!strcmp(id, "1.3.6.1.4.1.311.21.7")) {
		tq_layer(w->pk, "x509ce");
		if (tq_der_is(&t, DER_SEQUENCE))
			ext_ms_template(w, e, &t);
		return;
	}
	if (!strcmp(id, "1.3.6.1.4.1.311.21.10")) {
		tq_layer(w->pk, "x509ce");
		if (tq_der_is(&t, DER_SEQUENCE))
			ext_policies(w, e, &t);
		return;
	}
	if (!strcmp(id, "1.3.6.1.4.1.311.20.2")) {
		tq_layer(w->pk, "x509sat");
		if (tq_der_is(&t, DER_BMPSTRING))
			string(w, e, &hf_sat_bmp, &t, NULL, 0);
		else
			wrong_string(w, e, &t, DER_BMPSTRING);
		return;
	}
	if (!strcmp(id, "1.3.6.1.4.1.311.21.1") || !strcmp(id, "1.3.6.1.4.1.311.21.3")) {
		tq_layer(w->pk, "x509sat");
		if (tq_der_is(&t, DER_INTEGER))
			tq_add_u(w->pk, e, &hf_sat_integer, w->s, t.off, t.len, (uint64_t)int_value(w, &t));
		return;
	}
	if (!strcmp(id, "1.3.6.1.4.1.311.21.2")) {
		tq_layer(w->pk, "x509sat");
		if (tq_der_is(&t, DER_OCTET_STRING))
			tq_add(w->pk, e, &hf_sat_octets, w->s, t.off, t.len);
		return;
	}
	if (!strcmp(id, "1.2.840.113533.7.65.0")) {
		tq_layer(w->pk, "x509ce");
		if (tq_der_is(&t, DER_SEQUENCE))
			ext_entrust(w, e, &t);
		return;
	}
	static const char *const ce[] = {
		"2.5.29.14", "2.5.29.15", "2.5.29.16", "2.5.29.17", "2.5.29.18", "2.5.29.19", "2.5.29.20", "2.5.29.21",
		"2.5.29.23", "2.5.29.24", "2.5.29.27", "2.5.29.28", "2.5.29.29", "2.5.29.30", "2.5.29.31", "2.5.29.32",
		"2.5.29.33", "2.5.29.35", "2.5.29.36", "2.5.29.37", "2.5.29.46", "2.5.29.54", "2.5.29.9",
	};
	int known = 0;
	for (size_t i = 0; i < sizeof(ce) / sizeof(ce[0]); i++)
		if (!strcmp(id, ce[i]))
			known = 1;
	if (!known) {
		oid_not_implemented(w, e, &t);
		return;
	}
	tq_layer(w->pk, "x509ce");
	if (!strcmp(id, "2.5.29.14")) {
		if (tq_der_is(&t, DER_OCTET_STRING))
			tq_add(w->pk, e, &hf_ski, w->s, t.off, t.len);
	} else if (!strcmp(id, "2.5.29.15")) {
		if (tq_der_is(&t, DER_BIT_STRING))
			ext_key_usage_bits(w, e, &t);
	} else if (!strcmp(id, "2.5.29.16")) {
		if (tq_der_is(&t, DER_SEQUENCE))
			ext_pkup(w, e, &t);
	} else if (!strcmp(id, "2.5.29.17") || !strcmp(id, "2.5.29.18") || !strcmp(id, "2.5.29.29")) {
		if (tq_der_is(&t, DER_SEQUENCE))
			general_names(w, e, &hf_general_names, &t);
	} else if (!strcmp(id, "2.5.29.19")) {
		if (tq_der_is(&t, DER_SEQUENCE))
			ext_basic_constraints(w, e, &t);
	} else if (!strcmp(id, "2.5.29.20") || !strcmp(id, "2.5.29.27")) {
		if (tq_der_is(&t, DER_INTEGER))
			tq_add_u(w->pk, e, id[8] == '0' ? &hf_crl_number : &hf_base_crl_number, w->s, t.off, t.len,
			    uint_value(w, &t));
	} else if (!strcmp(id, "2.5.29.21")) {
		if (tq_der_is(&t, DER_ENUMERATED))
			tq_add_u(w->pk, e, &hf_crl_reason, w->s, t.off, t.len, uint_value(w, &t));
	} else if (!strcmp(id, "2.5.29.23")) {
		if (tq_der_is(&t, DER_OID))
			oid(w, e, &hf_hold_instruction, &t, NULL, 0);
	} else if (!strcmp(id, "2.5.29.24")) {
		struct tq_der_time tm;
		if (tq_der_is(&t, DER_GENERALIZEDTIME) && tq_der_gentime(w->s->p + t.off, t.len, &tm) == 0)
			tq_add_time(w->pk, e, &hf_invalidity_date, w->s, t.off, t.len, tq_der_epoch(&tm), tm.nsec);
	} else if (!strcmp(id, "2.5.29.28")) {
		if (tq_der_is(&t, DER_SEQUENCE))
			ext_idp(w, e, &t);
	} else if (!strcmp(id, "2.5.29.9")) {
		if (tq_der_is(&t, DER_SEQUENCE))
			ext_attributes(w, e, &t);
	} else if (!strcmp(id, "2.5.29.30")) {
		if (tq_der_is(&t, DER_SEQUENCE))
			ext_name_constraints(w, e, &t);
	} else if (!strcmp(id, "2.5.29.31") || !strcmp(id, "2.5.29.46")) {
		if (tq_der_is(&t, DER_SEQUENCE))
			ext_crldp(w, e, &t);
	} else if (!strcmp(id, "2.5.29.32")) {
		if (tq_der_is(&t, DER_SEQUENCE))
			ext_policies(w, e, &t);
	} else if (!strcmp(id, "2.5.29.33")) {
		if (tq_der_is(&t, DER_SEQUENCE))
			ext_policy_mappings(w, e, &t);
	} else if (!strcmp(id, "2.5.29.35")) {
		if (tq_der_is(&t, DER_SEQUENCE))
			ext_aki(w, e, &t);
	} else if (!strcmp(id, "2.5.29.36")) {
		if (tq_der_is(&t, DER_SEQUENCE))
			ext_policy_constraints(w, e, &t);
	} else if (!strcmp(id, "2.5.29.54")) {
		if (tq_der_is(&t, DER_INTEGER))
			tq_add_u(w->pk, e, &hf_skip_certs, w->s, t.off, t.len, uint_value(w, &t));
	} else if (!strcmp(id, "2.5.29.37")) {
		if (tq_der_is(&t, DER_SEQUENCE)) {
			struct tq_node *l = seqof(w, e, &hf_kp_ids, &t);
			struct tq_der k;
			for (uint32_t o = t.off; o < t.end && get(w, o, t.end, &k) == 0; o = k.end)
				if (tq_der_is(&k, DER_OID))
					oid(w, l, &hf_kp_id, &k, NULL, 0);
		}
	}
}

/* Extensions ::= SEQUENCE OF Extension, at the contents of t. */
static void
extensions(struct xw *w, struct tq_node *parent, const struct tq_der *t)
{
	struct tq_node *l = seqof(w, parent, &hf_extensions, t);
	struct tq_der ext;
	for (uint32_t off = t->off; off < t->end && get(w, off, t->end, &ext) == 0; off = ext.end) {
		struct tq_node *e = seq(w, l, &hf_extension, &ext);
		struct tq_der id, f;
		char eid[256], nbuf[320];
		if (get(w, ext.off, ext.end, &id) != 0 || !tq_der_is(&id, DER_OID))
			continue;
		oid(w, e, &hf_ext_id, &id, eid, sizeof(eid));
		tq_append(w->pk, e, " (%s)", oid_display(eid, nbuf, sizeof(nbuf)));
		for (uint32_t o = id.end; o < ext.end && get(w, o, ext.end, &f) == 0; o = f.end) {
			if (tq_der_is(&f, DER_BOOLEAN)) {
				tq_add_u(w->pk, e, &hf_critical, w->s, f.off, f.len, f.len && w->s->p[f.off] ? 1 : 0);
			} else if (tq_der_is(&f, DER_OCTET_STRING)) {
				extension_value(w, e, eid, f.off, f.end);
				break;
			}
		}
	}
}

/* ------------------------------------------------------------------ certificate */

static void
validity_time(struct xw *w, struct tq_node *parent, const struct tq_field *f, const struct tq_der *t)
{
	struct tq_der_time tm;
	if (tq_der_is(t, DER_UTCTIME)) {
		struct tq_node *c = tq_add_u(w->pk, parent, f, w->s, t->start, t->end - t->start, 0);
		char buf[64];
		if (tq_der_utctime(w->s->p + t->off, t->len, &tm) == 0)
			snprintf(buf, sizeof(buf), "%04d-%02d-%02d %02d:%02d:%02d (%s)", tm.year, tm.mon, tm.day,
			    tm.hour, tm.min, tm.sec, tm.utc ? "UTC" : "local");
		else
			snprintf(buf, sizeof(buf), "%s", "");
		tq_add_str(w->pk, c, &hf_utctime, w->s, t->off, t->len, buf);
	} else if (tq_der_is(t, DER_GENERALIZEDTIME)) {
		struct tq_node *c = tq_add_u(w->pk, parent, f, w->s, t->start, t->end - t->start, 1);
		if (tq_der_gentime(w->s->p + t->off, t->len, &tm) == 0)
			tq_add_time(w->pk, c, &hf_gentime, w->s, t->off, t->len, tq_der_epoch(&tm), tm.nsec);
	}
}

static void
subject_public_key(struct xw *w, struct tq_node *parent, const char *alg, const struct tq_der *t)
{
	if (!strcmp(alg, "1.2.840.113549.1.1.1") && t->len > 0) {
		/* RSA: the bits hold an RSAPublicKey, shown by pkcs-1 (no padding item) */
		struct tq_node *k = tq_add(w->pk, parent, &hf_spk, w->s, t->off + 1, t->len - 1);
		struct tq_der rsa, m, e;
		if (get(w, t->off + 1, t->end, &rsa) != 0 || !tq_der_is(&rsa, DER_SEQUENCE))
			return;
		if (get(w, rsa.off, rsa.end, &m) != 0 || !tq_der_is(&m, DER_INTEGER))
			return;
		big_integer(w, k, &hf_modulus, &m);
		if (get(w, m.end, rsa.end, &e) == 0 && tq_der_is(&e, DER_INTEGER)) {
			if (e.len <= 4)
				tq_add_u(w->pk, k, &hf_exponent, w->s, e.off, e.len, (uint64_t)int_value(w, &e));
			else
				big_integer(w, k, &hf_exponent, &e);
		}
		return;
	}
	uint32_t bits = padding(w, parent, t);
	tq_add(w->pk, parent, &hf_spk, w->s, bits, t->end - bits);
}

/* TBSCertificate at t under the signedCertificate item. */
static void
tbs_certificate(struct xw *w, struct tq_node *sc, const struct tq_der *tbs, char *subject_dn, size_t dnlen)
{
	struct tq_der f;
	uint32_t off = tbs->off;
	int field = 0;         /* 0 version, 1 serial, 2 signature, 3 issuer, 4 validity, 5 subject, 6 spki, 7 extensions */
	char alg[256];

	subject_dn[0] = '\0';
	while (off < tbs->end && get(w, off, tbs->end, &f) == 0) {
		off = f.end;
		if (field == 0) {
			field = 1;
			if (f.cls == DER_CONTEXT && f.tag == 0) {
				struct tq_der v;
				if (get(w, f.off, f.end, &v) == 0 && tq_der_is(&v, DER_INTEGER))
					tq_add_u(w->pk, sc, &hf_version, w->s, v.off, v.len, (uint64_t)int_value(w, &v));
				continue;
			}
		}
		switch (field) {
		case 1:
			if (tq_der_is(&f, DER_INTEGER))
				big_integer(w, sc, &hf_serial, &f);
			field = 2;
			break;
		case 2:
			if (tq_der_is(&f, DER_SEQUENCE))
				algorithm(w, sc, &hf_signature, &f, NULL, 0);
			field = 3;
			break;
		case 3:
			name(w, sc, &hf_issuer, &hf_if_rdnseq, &f);
			field = 4;
			break;
		case 4:
			if (tq_der_is(&f, DER_SEQUENCE)) {
				struct tq_node *v = seq(w, sc, &hf_validity, &f);
				struct tq_der nb, na;
				if (get(w, f.off, f.end, &nb) == 0) {
					validity_time(w, v, &hf_not_before, &nb);
					if (get(w, nb.end, f.end, &na) == 0)
						validity_time(w, v, &hf_not_after, &na);
				}
			}
			field = 5;
			break;
		case 5:
			name(w, sc, &hf_subject, &hf_af_rdnseq, &f);
			copy(subject_dn, dnlen, w->dn);
			field = 6;
			break;
		case 6:
			if (tq_der_is(&f, DER_SEQUENCE)) {
				struct tq_node *k = seq(w, sc, &hf_spki, &f);
				struct tq_der a, b;
				alg[0] = '\0';
				if (get(w, f.off, f.end, &a) == 0 && tq_der_is(&a, DER_SEQUENCE)) {
					algorithm(w, k, &hf_algorithm, &a, alg, sizeof(alg));
					if (get(w, a.end, f.end, &b) == 0 && tq_der_is(&b, DER_BIT_STRING))
						subject_public_key(w, k, alg, &b);
				}
			}
			field = 7;
			break;
		default:
			/* issuerUniqueID [1], subjectUniqueID [2], extensions [3] */
			if (f.cls == DER_CONTEXT && f.tag == 3) {
				struct tq_der l;
				if (get(w, f.off, f.end, &l) == 0 && tq_der_is(&l, DER_SEQUENCE))
					extensions(w, sc, &l);
			}
			break;
		}
	}
}

/*
 * The Certificate SEQUENCE at t: signedCertificate, algorithmIdentifier,
 * padding and encrypted under parent; writes the subject's DN string.
 */
static void
certificate_body(struct xw *w, struct tq_node *parent, const struct tq_der *cert, char *dn, size_t dnlen)
{
	struct tq_der tbs, alg, sig;
	dn[0] = '\0';
	if (get(w, cert->off, cert->end, &tbs) != 0 || !tq_der_is(&tbs, DER_SEQUENCE))
		return;
	struct tq_node *sc = seq(w, parent, &hf_signed_cert, &tbs);
	tbs_certificate(w, sc, &tbs, dn, dnlen);
	if (get(w, tbs.end, cert->end, &alg) != 0 || !tq_der_is(&alg, DER_SEQUENCE))
		return;
	algorithm(w, parent, &hf_alg_ident, &alg, NULL, 0);
	if (get(w, alg.end, cert->end, &sig) != 0 || !tq_der_is(&sig, DER_BIT_STRING))
		return;
	uint32_t bits = padding(w, parent, &sig);
	tq_add(w->pk, parent, &hf_encrypted, w->s, bits, sig.end - bits);
}

struct tq_node *
tq_x509_certificate(struct tq_pkt *pk, struct tq_node *parent, const struct tq_field *hf,
    const struct tq_slice *s, uint32_t off, uint32_t len)
{
	if (!pk->tree || !parent)
		return NULL;
	struct tq_node *c = tq_add(pk, parent, hf, s, off, len);
	uint32_t end = off + len;
	if (end > s->len || end < off)
		end = s->len;
	struct xw w;
	memset(&w, 0, sizeof(w));
	w.pk = pk;
	w.s = s;
	struct tq_der cert;
	char dn[1024];
	dn[0] = '\0';
	if (tq_der_get(s->p, s->len, off, end, &cert) == 0 && tq_der_is(&cert, DER_SEQUENCE))
		certificate_body(&w, c, &cert, dn, sizeof(dn));
	/* "Certificate: 3082…… (dn)": the bytes and the subject */
	static const char hx[] = "0123456789abcdef";
	char hex[80];
	uint32_t have = end > off ? end - off : 0, n = have > 36 ? 36 : have;
	for (uint32_t i = 0; i < n; i++) {
		hex[2 * i] = hx[s->p[off + i] >> 4];
		hex[2 * i + 1] = hx[s->p[off + i] & 15];
	}
	hex[2 * n] = '\0';
	label(pk, c, "%s: %s%s (%s)", hf->name, hex, len > 36 ? "\xe2\x80\xa6" : "", dn);
	return c;
}

/* For OCSP's certs: the same walk, labelled "Certificate (dn)" on an element item. */
struct tq_node *tq_x509_certificate_element(struct tq_pkt *pk, struct tq_node *parent, const struct tq_field *hf,
    const struct tq_slice *s, uint32_t off, uint32_t end);
struct tq_node *
tq_x509_certificate_element(struct tq_pkt *pk, struct tq_node *parent, const struct tq_field *hf,
    const struct tq_slice *s, uint32_t off, uint32_t end)
{
	struct xw w;
	memset(&w, 0, sizeof(w));
	w.pk = pk;
	w.s = s;
	struct tq_der cert;
	if (tq_der_get(s->p, s->len, off, end, &cert) != 0 || !tq_der_is(&cert, DER_SEQUENCE))
		return NULL;
	struct tq_node *c = tq_add(pk, parent, hf, s, cert.start, cert.end - cert.start);
	char dn[1024];
	certificate_body(&w, c, &cert, dn, sizeof(dn));
	label(pk, c, "%s (%s)", hf->name, dn);
	return c;
}

/* Names for OCSP (ocsp.c): a Name TLV at off as f; returns 0 when it was one. */
int tq_x509_name(struct tq_pkt *pk, struct tq_node *parent, const struct tq_field *f, const struct tq_slice *s,
    uint32_t off, uint32_t end);
int
tq_x509_name(struct tq_pkt *pk, struct tq_node *parent, const struct tq_field *f, const struct tq_slice *s,
    uint32_t off, uint32_t end)
{
	struct xw w;
	memset(&w, 0, sizeof(w));
	w.pk = pk;
	w.s = s;
	struct tq_der t;
	if (tq_der_get(s->p, s->len, off, end, &t) != 0 || !tq_der_is(&t, DER_SEQUENCE))
		return -1;
	struct tq_node *n = tq_add_u(pk, parent, f, s, t.start, t.end - t.start, 0);
	tq_set_valtext(pk, n, "0");
	rdn_sequence(&w, n, &hf_if_rdnseq, &t);
	return 0;
}

/* An AlgorithmIdentifier for OCSP: "f (name)" with x509af.algorithm.id. */
int tq_x509_algorithm(struct tq_pkt *pk, struct tq_node *parent, const struct tq_field *f, const struct tq_slice *s,
    uint32_t off, uint32_t end);
int
tq_x509_algorithm(struct tq_pkt *pk, struct tq_node *parent, const struct tq_field *f, const struct tq_slice *s,
    uint32_t off, uint32_t end)
{
	struct xw w;
	memset(&w, 0, sizeof(w));
	w.pk = pk;
	w.s = s;
	struct tq_der t;
	if (tq_der_get(s->p, s->len, off, end, &t) != 0 || !tq_der_is(&t, DER_SEQUENCE))
		return -1;
	algorithm(&w, parent, f, &t, NULL, 0);
	return 0;
}

void
tq_x509_dname(struct tq_pkt *pk, struct tq_node *parent, const struct tq_field *hf,
    const struct tq_slice *s, uint32_t off, uint32_t len)
{
	if (!pk->tree || !parent)
		return;
	struct xw w;
	memset(&w, 0, sizeof(w));
	w.pk = pk;
	w.s = s;
	uint32_t end = off + len;
	if (end > s->len || end < off)
		end = s->len;
	struct tq_der t;
	if (tq_der_get(s->p, s->len, off, end, &t) != 0 || !tq_der_is(&t, DER_SEQUENCE))
		return;
	/* a SEQUENCE OF item over the contents, with the RDNs right under it */
	struct tq_node *d = tq_add(pk, parent, hf, s, t.off, t.len);
	rdn_items(&w, d, &t);
	label(pk, d, "%s: (%s)", hf->name, w.dn);
}
