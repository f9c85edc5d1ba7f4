/*
 * auth.c - passwords (argon2id), secrets and digests, all through libsodium;
 * account names; API tokens made with their scope.
 *
 * argon2id at libsodium's interactive limits takes about 0.4 s and 64 MiB:
 * password_verify() lets at most KDF_AT_ONCE run together, so a burst of
 * logins costs the server a bounded amount of memory, and checks a name
 * that has no password against a dummy hash, so that a login takes as long
 * whether the name exists or not.  A password the server generates (128
 * random bits, shown once) needs no stretching: its hash is argon2id at the
 * minimum cost, so enrolling a class takes a moment, not an hour, and its
 * check is padded to the time of an interactive one.
 */
#include "config.h"

#include <semaphore.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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
tq_password_hash_random(const char *pw, char *out, size_t outlen)
{
	if (sodium_init() < 0 || outlen < crypto_pwhash_STRBYTES)
		return -1;
	return crypto_pwhash_str(out, pw, strlen(pw), crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN) == 0 ? 0 : -1;
}

int
tq_password_check(const char *hash, const char *pw)
{
	if (sodium_init() < 0 || !hash || !*hash)
		return -1;
	return crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0 ? 0 : -1;
}

static sem_t kdf_slots;
static pthread_once_t kdf_once = PTHREAD_ONCE_INIT;

static void
kdf_init(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	sem_init(&kdf_slots, 0, n > 1 && n < 64 ? (unsigned)n : 2);
}

int
password_verify(struct app *a, const struct tq_user *u, const char *pw)
{
	pthread_once(&kdf_once, kdf_init);
	sem_wait(&kdf_slots);
	int known = u && u->pw_hash[0];
	int rc = tq_password_check(known ? u->pw_hash : a->dummy_hash, pw);
	/* a generated password's cheap hash is padded to an interactive one's time */
	if (known && crypto_pwhash_str_needs_rehash(u->pw_hash, crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		tq_password_check(a->dummy_hash, pw);
	sem_post(&kdf_slots);
	return known ? rc : -1;
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

int
name_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > 100)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] > '~' || s[i] == ',' || s[i] == '/')
			return 0;
	return 1;
}

/* ------------------------------------------------------------------ tokens */

/* Grants the token one course or exercise u may grade; 0, 1 refused, -1 database. */
static int
grant(struct tq_store *st, const struct tq_user *u, int64_t token, const char *slug, int exercise, char *err, size_t errlen)
{
	int64_t course_id = 0, exercise_id = 0;
	int rc;
	if (exercise) {
		struct tq_exrow row;
		rc = tq_store_exercise_get(st, slug, &row);
		if (rc == 0) {
			course_id = row.course_id;
			exercise_id = row.id;
			tq_exrow_free(&row);
		}
	} else {
		struct tq_course c;
		rc = tq_store_course_get(st, slug, &c);
		if (rc == 0)
			course_id = c.id;
	}
	if (rc == TQ_STORE_NOTFOUND) {
		snprintf(err, errlen, "there is no %s '%.100s'", exercise ? "exercise" : "course", slug);
		return 1;
	}
	if (rc == 0 && role_of(u) != ROLE_ADMIN) {
		rc = tq_store_teaches(st, course_id, u->id);
		if (rc == 0) {
			snprintf(err, errlen, "you do not teach %s '%.100s'", exercise ? "the course of" : "the course", slug);
			return 1;
		}
		rc = rc == 1 ? 0 : rc;
	}
	if (rc == 0)
		rc = tq_store_token_grant(st, token, exercise ? 0 : course_id, exercise_id);
	if (rc) {
		snprintf(err, errlen, "the database failed: %s", tq_store_error(st));
		return -1;
	}
	return 0;
}

int
token_mint(struct tq_store *st, const struct tq_user *u, const char *name, int scope, const char *const *courses,
    size_t ncourses, const char *const *exercises, size_t nexercises, int64_t expires, char tok[65], int64_t *id,
    char *err, size_t errlen)
{
	uint8_t hash[32];
	int64_t tid;
	int limited = ncourses + nexercises > 0;
	tq_secret(tok, 32);          /* 256 random bits */
	tq_sha256(tok, 64, hash);
	if (tq_store_begin(st) != 0 || tq_store_token_add(st, u->id, hash, name, scope, limited, expires, &tid) != 0) {
		snprintf(err, errlen, "the database failed: %s", tq_store_error(st));
		tq_store_rollback(st);
		return -1;
	}
	int rc = 0;
	for (size_t i = 0; i < ncourses && !rc; i++)
		rc = grant(st, u, tid, courses[i], 0, err, errlen);
	for (size_t i = 0; i < nexercises && !rc; i++)
		rc = grant(st, u, tid, exercises[i], 1, err, errlen);
	if (!rc && tq_store_commit(st) != 0) {
		snprintf(err, errlen, "the database failed: %s", tq_store_error(st));
		rc = -1;
	}
	if (rc) {
		tq_store_rollback(st);
		sodium_memzero(tok, 65);
		return rc;
	}
	if (id)
		*id = tid;
	return 0;
}
