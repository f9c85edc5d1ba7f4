/*
 * lti_jwt.c - the signed tokens of LTI 1.3: JSON Web Tokens signed RS256,
 * their keys as JSON Web Keys, with OpenSSL's libcrypto.
 *
 * Nothing of a token is trusted before its signature is checked: the
 * header is read for its algorithm (RS256 and nothing else: "none", HS256
 * with the public key as a secret and the others are refused before any
 * key is looked at) and its key id; the key is the platform's, from its
 * key set, never one the token names; the payload is parsed only once the
 * signature over "header.payload" holds.
 */
#include "config.h"

#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lti.h"

#define MAX_TOKEN (64 * 1024)        /* an id_token is a few KiB */

/* ------------------------------------------------------------------ base64url */

static int
b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

unsigned char *
tq_b64url_decode(const char *s, size_t len, size_t *out_len)
{
	/* without padding: 4 characters make 3 bytes, a last group of 2 or 3 makes 1 or 2 */
	if (len % 4 == 1)
		return NULL;
	unsigned char *out = malloc(len / 4 * 3 + 3);
	if (!out)
		return NULL;
	size_t n = 0;
	uint32_t acc = 0;
	int bits = 0;
	for (size_t i = 0; i < len; i++) {
		int v = b64_value((unsigned char)s[i]);
		if (v < 0) {
			free(out);
			return NULL;
		}
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (unsigned char)(acc >> bits);
		}
	}
	if (bits && (acc & ((1u << bits) - 1))) {   /* bits left over that are not zero: not canonical */
		free(out);
		return NULL;
	}
	*out_len = n;
	return out;
}

char *
tq_b64url_encode(const unsigned char *p, size_t len)
{
	static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	char *out = malloc(len / 3 * 4 + 5), *o = out;
	if (!out)
		return NULL;
	size_t i = 0;
	for (; i + 3 <= len; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		*o++ = abc[v >> 18];
		*o++ = abc[v >> 12 & 63];
		*o++ = abc[v >> 6 & 63];
		*o++ = abc[v & 63];
	}
	if (len - i == 1) {
		*o++ = abc[p[i] >> 2];
		*o++ = abc[(p[i] & 3) << 4];
	} else if (len - i == 2) {
		uint32_t v = (uint32_t)p[i] << 8 | p[i + 1];
		*o++ = abc[v >> 10];
		*o++ = abc[v >> 4 & 63];
		*o++ = abc[(v & 15) << 2];
	}
	*o = '\0';
	return out;
}

/* A base64url part of a token as JSON (an object), or NULL. */
static json_t *
json_part(const char *s, size_t len)
{
	size_t n;
	unsigned char *raw = tq_b64url_decode(s, len, &n);
	if (!raw)
		return NULL;
	json_t *j = json_loadb((const char *)raw, n, JSON_REJECT_DUPLICATES, NULL);
	free(raw);
	if (j && !json_is_object(j)) {
		json_decref(j);
		return NULL;
	}
	return j;
}

/* ------------------------------------------------------------------ keys */

/* A JWK's base64url member as a big number. */
static BIGNUM *
jwk_bn(const json_t *jwk, const char *name)
{
	const char *s = json_string_value(json_object_get(jwk, name));
	size_t n;
	unsigned char *raw = s ? tq_b64url_decode(s, strlen(s), &n) : NULL;
	BIGNUM *bn = raw && n ? BN_bin2bn(raw, (int)n, NULL) : NULL;
	free(raw);
	return bn;
}

/* The RSA public key of a JWK (kty RSA, n, e), or NULL. */
static EVP_PKEY *
jwk_public(const json_t *jwk)
{
	EVP_PKEY *key = NULL;
	BIGNUM *n = jwk_bn(jwk, "n"), *e = jwk_bn(jwk, "e");
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	/* 2048 bits at least: a smaller key is not one to trust */
	if (n && e && bld && BN_num_bits(n) >= 2048 && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) && (params = OSSL_PARAM_BLD_to_param(bld)) &&
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) && EVP_PKEY_fromdata_init(ctx) > 0 &&
	    EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		key = NULL;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	return key;
}

/* The key of a key set ({"keys": [...]}) with this kid, for RS256 signatures; NULL when none. */
static const json_t *
find_key(const json_t *jwks, const char *kid)
{
	size_t i;
	const json_t *k;
	json_array_foreach(json_object_get(jwks, "keys"), i, k) {
		const char *id = json_string_value(json_object_get(k, "kid"));
		const char *kty = json_string_value(json_object_get(k, "kty"));
		const char *use = json_string_value(json_object_get(k, "use"));
		const char *alg = json_string_value(json_object_get(k, "alg"));
		if (id && !strcmp(id, kid) && kty && !strcmp(kty, "RSA") && (!use || !strcmp(use, "sig")) &&
		    (!alg || !strcmp(alg, "RS256")))
			return k;
	}
	return NULL;
}

int
tq_jwt_verify(const char *token, const json_t *jwks, json_t **payload, char *kid, size_t kidlen, char *err, size_t errlen)
{
	*payload = NULL;
	if (kidlen)
		kid[0] = '\0';
	size_t len = token ? strlen(token) : 0;
	const char *dot1 = token ? memchr(token, '.', len) : NULL;
	const char *dot2 = dot1 ? memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - token)) : NULL;
	if (!len || len > MAX_TOKEN || !dot2 || memchr(dot2 + 1, '.', len - (size_t)(dot2 + 1 - token))) {
		snprintf(err, errlen, "the token is not a signed JSON Web Token (three parts)");
		return TQ_JWT_BAD;
	}
	json_t *head = json_part(token, (size_t)(dot1 - token));
	const char *alg = json_string_value(json_object_get(head, "alg"));
	const char *k = json_string_value(json_object_get(head, "kid"));
	int rc = TQ_JWT_BAD;
	EVP_PKEY *key = NULL;
	EVP_MD_CTX *md = NULL;
	unsigned char *sig = NULL;
	size_t siglen = 0;
	if (!head) {
		snprintf(err, errlen, "the token's header is not JSON");
		goto out;
	}
	if (!alg || strcmp(alg, "RS256")) {
		snprintf(err, errlen, "the token is signed with '%.20s', not RS256", alg ? alg : "(no algorithm)");
		goto out;
	}
	if (!k || !*k) {
		snprintf(err, errlen, "the token names no key (kid)");
		goto out;
	}
	snprintf(kid, kidlen, "%s", k);
	const json_t *jwk = find_key(jwks, k);
	if (!jwk) {
		snprintf(err, errlen, "the platform has no key '%.60s'", k);
		rc = TQ_JWT_UNKNOWN_KID;
		goto out;
	}
	if (!(key = jwk_public(jwk))) {
		snprintf(err, errlen, "the platform's key '%.60s' is not an RSA key of 2048 bits or more", k);
		goto out;
	}
	if (!(sig = tq_b64url_decode(dot2 + 1, len - (size_t)(dot2 + 1 - token), &siglen)) || !(md = EVP_MD_CTX_new()) ||
	    EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) != 1 ||
	    EVP_DigestVerify(md, sig, siglen, (const unsigned char *)token, (size_t)(dot2 - token)) != 1) {
		snprintf(err, errlen, "the token's signature does not verify with the platform's key '%.60s'", k);
		goto out;
	}
	if (!(*payload = json_part(dot1 + 1, (size_t)(dot2 - dot1 - 1)))) {
		snprintf(err, errlen, "the token's claims are not a JSON object");
		goto out;
	}
	rc = TQ_JWT_OK;
out:
	free(sig);
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(key);
	json_decref(head);
	return rc;
}

/* ------------------------------------------------------------------ the tool's own key */

int
tq_rsa_new_pem(char **pem)
{
	*pem = NULL;
	EVP_PKEY *key = EVP_RSA_gen(2048);
	BIO *bio = BIO_new(BIO_s_mem());
	int rc = -1;
	if (key && bio && PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL) == 1) {
		char *data;
		long n = BIO_get_mem_data(bio, &data);
		if (n > 0 && (*pem = malloc((size_t)n + 1))) {
			memcpy(*pem, data, (size_t)n);
			(*pem)[n] = '\0';
			rc = 0;
		}
	}
	BIO_free(bio);
	EVP_PKEY_free(key);
	return rc;
}

static EVP_PKEY *
pem_key(const char *pem)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *key = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	return key;
}

/* A big number parameter of key as base64url. */
static json_t *
bn_b64(const EVP_PKEY *key, const char *name)
{
	BIGNUM *bn = NULL;
	json_t *j = NULL;
	if (EVP_PKEY_get_bn_param(key, name, &bn) == 1) {
		int n = BN_num_bytes(bn);
		unsigned char *raw = malloc(n > 0 ? (size_t)n : 1);
		char *s = raw && BN_bn2bin(bn, raw) == n ? tq_b64url_encode(raw, (size_t)n) : NULL;
		j = s ? json_string(s) : NULL;
		free(s);
		free(raw);
	}
	BN_free(bn);
	return j;
}

json_t *
tq_rsa_public_jwk(const char *pem, const char *kid)
{
	EVP_PKEY *key = pem_key(pem);
	json_t *n = key ? bn_b64(key, OSSL_PKEY_PARAM_RSA_N) : NULL, *e = key ? bn_b64(key, OSSL_PKEY_PARAM_RSA_E) : NULL;
	EVP_PKEY_free(key);
	if (!n || !e) {
		json_decref(n);
		json_decref(e);
		return NULL;
	}
	return json_pack("{s:s,s:s,s:s,s:s,s:o,s:o}", "kty", "RSA", "alg", "RS256", "use", "sig", "kid", kid, "n", n, "e", e);
}

char *
tq_jwt_sign(const char *pem, const char *kid, const json_t *claims)
{
	json_t *head = json_pack("{s:s,s:s,s:s}", "typ", "JWT", "alg", "RS256", "kid", kid);
	char *h = head ? json_dumps(head, JSON_COMPACT) : NULL, *c = json_dumps(claims, JSON_COMPACT);
	char *hb = h ? tq_b64url_encode((const unsigned char *)h, strlen(h)) : NULL;
	char *cb = c ? tq_b64url_encode((const unsigned char *)c, strlen(c)) : NULL;
	char *out = NULL, *sb = NULL;
	EVP_PKEY *key = pem_key(pem);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	size_t siglen = 0, len = hb && cb ? strlen(hb) + 1 + strlen(cb) : 0;
	unsigned char *sig = NULL;
	char *signing = len ? malloc(len + 1) : NULL;
	if (signing)
		snprintf(signing, len + 1, "%s.%s", hb, cb);
	if (signing && key && md && EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
	    EVP_DigestSign(md, NULL, &siglen, (const unsigned char *)signing, len) == 1 && (sig = malloc(siglen)) &&
	    EVP_DigestSign(md, sig, &siglen, (const unsigned char *)signing, len) == 1 && (sb = tq_b64url_encode(sig, siglen)) &&
	    (out = malloc(len + 2 + strlen(sb))))
		snprintf(out, len + 2 + strlen(sb), "%s.%s", signing, sb);
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(key);
	free(sig);
	free(sb);
	free(signing);
	free(hb);
	free(cb);
	free(h);
	free(c);
	json_decref(head);
	return out;
}
