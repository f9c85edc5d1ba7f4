/* auth.c - passwords (argon2id), secrets and digests, all through libsodium. */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "server.h"

int
tq_password_hash(const char *pw, char *out, size_t outlen)
{
	if (sodium_init() < 0 || outlen < crypto_pwhash_STRBYTES)
		return -1;
	return crypto_pwhash_str(out, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0 ? 0 : -1;
}

int
tq_password_check(const char *hash, const char *pw)
{
	if (sodium_init() < 0 || !hash || !*hash)
		return -1;
	return crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0 ? 0 : -1;
}

void
tq_secret(char *hex, size_t nbytes)
{
	unsigned char buf[64];
	if (nbytes > sizeof(buf))
		nbytes = sizeof(buf);
	if (sodium_init() < 0)
		abort();        /* no randomness: nothing safe to do */
	randombytes_buf(buf, nbytes);
	sodium_bin2hex(hex, nbytes * 2 + 1, buf, nbytes);
	sodium_memzero(buf, sizeof(buf));
}

void
tq_sha256(const void *data, size_t len, uint8_t out[32])
{
	crypto_hash_sha256(out, data, len);
}

void
tq_sha256_hex(const void *data, size_t len, char out[65])
{
	uint8_t d[32];
	crypto_hash_sha256(d, data, len);
	sodium_bin2hex(out, 65, d, sizeof(d));
}
