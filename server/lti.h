/* lti.h - tracequiz as an LTI 1.3 tool: signed tokens (lti_jwt.c), fetching a platform's keys
 * (lti_fetch.c), the launch (api_lti.c). */
#ifndef TQ_LTI_H
#define TQ_LTI_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* base64url without padding (RFC 7515): malloc'd; NULL when s is not canonical base64url. */
unsigned char *tq_b64url_decode(const char *s, size_t len, size_t *out_len);
char *tq_b64url_encode(const unsigned char *p, size_t len);

enum { TQ_JWT_OK = 0, TQ_JWT_BAD = -1, TQ_JWT_UNKNOWN_KID = -2 };
/*
 * Checks token, a JWT signed RS256 by a key of jwks ({"keys": [JWK...]}):
 * TQ_JWT_OK with *payload its claims (the caller owns them; the claims are
 * not checked here), TQ_JWT_UNKNOWN_KID (kid says which: the key set may be
 * fetched again), or TQ_JWT_BAD; err says why in words.
 */
int tq_jwt_verify(const char *token, const json_t *jwks, json_t **payload, char *kid, size_t kidlen, char *err,
    size_t errlen);
/* claims signed RS256 by the private key pem as key kid: the token, malloc'd; NULL on failure. */
char *tq_jwt_sign(const char *pem, const char *kid, const json_t *claims);

/* A new RSA key of 2048 bits as PEM (malloc'd); 0 or -1. */
int tq_rsa_new_pem(char **pem);
/* The public half of the private key pem as a JWK, for the tool's key set; NULL on failure. */
json_t *tq_rsa_public_jwk(const char *pem, const char *kid);

/* Appends s percent-encoded (all but RFC 3986's unreserved characters) to b. */
struct tq_sbuf;
void tq_url_encode(struct tq_sbuf *b, const char *s);
/* Whether u is a URL the tool may send a browser or a request to: http(s), printable, no quote, no
 * angle bracket, under 1,000 bytes. */
int tq_lti_url_ok(const char *u);

/* GET url (http or https), at most max bytes, within seconds: the body of a 200 (malloc'd,
 * NUL-terminated) or NULL with err set. */
char *tq_http_get(const char *url, size_t max, long seconds, size_t *len, char *err, size_t errlen);
/* GET (body NULL) or POST with headers ("Name: value", NULL-terminated): the answer's body with
 * *status whatever it is, or NULL with err set when there was no answer. */
char *tq_http(const char *url, const char *const *headers, const char *body, size_t bodylen, size_t max, long seconds,
    long *status, size_t *len, char *err, size_t errlen);

struct tq_store;
struct app;
/* The tool's key that signs (made when there is none): its kid and private key (pem malloc'd); 0 or -1. */
int lti_signing_key(struct tq_store *st, char *kid, size_t kidlen, char **pem);

/* The CSP frame-ancestors of a page an LMS may show in its frame: 'self', the origins of the LTI
 * platforms registered and those of --frame-ancestors; "" when there are none ('none'). */
void lti_frame_ancestors(struct app *a, char *out, size_t len);
/* Whether list is origins (http(s)://host[:port]) separated by spaces: what --frame-ancestors takes. */
int lti_origins_ok(const char *list);

/* ------------------------------------------------------------------ grades (lti_grades.c) */

struct tq_lti_platform;
/* An OAuth 2 access token of the platform for scope (client credentials, the tool's signed JWT as the
 * assertion): into out, *expires when it ends; 0, or -1 with err set. */
int lti_request_token(struct tq_store *st, const struct tq_lti_platform *p, const char *scope, char *out, size_t outlen,
    int64_t *expires, char *err, size_t errlen);

/* Starts the thread that sends the scores queued to the platforms; stops it. */
int lti_grades_start(struct app *a);
void lti_grades_stop(struct app *a);
/* Scores were queued (tq_store_lti_score_queue, in the submission's transaction): send them now. */
void lti_grades_wake(struct app *a);

#endif
