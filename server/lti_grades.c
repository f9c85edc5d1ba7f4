/*
 * lti_grades.c - a student's best score sent to the LMS's grade column
 * (LTI Assignment and Grade Services), in a thread of its own.
 *
 * A submission queues a row (the store's lti_scores: platform, line item,
 * student) that stays until the platform took the score: a failed post is
 * tried again later (4 s, 8 s, 16 s... at most an hour apart), across a
 * restart, and by whichever node of several takes it first (a row is
 * claimed by moving its next try).  The score sent is the student's best
 * at the time it is sent, so a row queued twice sends once.  The access
 * token comes from the platform's token endpoint (OAuth 2 client
 * credentials, the tool's signed JWT as its assertion) and is kept until
 * it expires.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lti.h"
#include "server.h"

#define SCORE_SCOPE "https://purl.imsglobal.org/spec/lti-ags/scope/score"
#define BATCH 20                     /* scores sent at most a round */
#define CLAIM_SECONDS 120            /* a score taken: others leave it this long */
#define TOKENS 8                     /* platforms whose token is kept */

struct token {
	int64_t platform_id;
	char value[2048];
	int64_t expires;
};

struct lti_grades {
	struct app *a;
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop, wake;
	struct token tokens[TOKENS];     /* the thread's alone */
};

/* Seconds before the next try after tries failed ones: 4, 8, 16... at most an hour. */
static int64_t
backoff(int64_t tries)
{
	return tries >= 10 ? 3600 : (int64_t)4 << (tries > 0 ? tries - 1 : 0);
}

int
lti_request_token(struct tq_store *st, const struct tq_lti_platform *p, const char *scope, char *out, size_t outlen,
    int64_t *expires, char *err, size_t errlen)
{
	int64_t now = (int64_t)time(NULL);
	char kid[64], jti[33];
	char *pem = NULL;
	if (lti_signing_key(st, kid, sizeof(kid), &pem) != 0) {
		snprintf(err, errlen, "the tool's key cannot be read: %s", tq_store_error(st));
		return -1;
	}
	tq_secret(jti, 16);
	json_t *claims = json_pack("{s:s,s:s,s:s,s:I,s:I,s:s}", "iss", p->client_id, "sub", p->client_id, "aud", p->token_url,
	    "iat", (json_int_t)now, "exp", (json_int_t)now + 300, "jti", jti);
	char *assertion = claims ? tq_jwt_sign(pem, kid, claims) : NULL;
	json_decref(claims);
	free(pem);
	if (!assertion) {
		snprintf(err, errlen, "the token request could not be signed");
		return -1;
	}
	struct tq_sbuf b;
	tq_sbuf_init(&b, 64 * 1024);
	tq_sbuf_puts(&b, "grant_type=client_credentials&client_assertion_type=");
	tq_url_encode(&b, "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
	tq_sbuf_puts(&b, "&client_assertion=");
	tq_sbuf_puts(&b, assertion);
	tq_sbuf_puts(&b, "&scope=");
	tq_url_encode(&b, scope);
	free(assertion);
	static const char *const headers[] = { "Content-Type: application/x-www-form-urlencoded", "Accept: application/json",
		NULL };
	long status = 0;
	size_t len;
	char *body = b.err ? NULL : tq_http(p->token_url, headers, b.s, b.len, 64 * 1024, 15, &status, &len, err, errlen);
	tq_sbuf_free(&b);
	json_t *j = body ? json_loadb(body, len, 0, NULL) : NULL;
	const char *value = json_string_value(json_object_get(j, "access_token"));
	json_int_t expires_in = json_integer_value(json_object_get(j, "expires_in"));
	int rc = -1;
	if (body && (status != 200 || !value || strlen(value) >= outlen))
		snprintf(err, errlen, "the platform's token endpoint answered %ld without an access token", status);
	else if (value) {
		snprintf(out, outlen, "%s", value);
		*expires = now + (expires_in > 0 ? expires_in : 300);
		rc = 0;
	}
	json_decref(j);
	free(body);
	return rc;
}

/* An access token for the platform's grade services: kept, or asked for.  0, or -1 with err set. */
static int
access_token(struct lti_grades *g, struct tq_store *st, const struct tq_lti_platform *p, const char **tok, char *err,
    size_t errlen)
{
	int64_t now = (int64_t)time(NULL);
	struct token *slot = &g->tokens[0];
	for (int i = 0; i < TOKENS; i++) {
		if (g->tokens[i].platform_id == p->id && g->tokens[i].expires > now + 30) {
			*tok = g->tokens[i].value;
			return 0;
		}
		if (g->tokens[i].platform_id == p->id || g->tokens[i].expires < slot->expires)
			slot = &g->tokens[i];
	}
	int64_t expires;
	if (lti_request_token(st, p, SCORE_SCOPE, slot->value, sizeof(slot->value), &expires, err, errlen) != 0)
		return -1;
	slot->platform_id = p->id;
	slot->expires = expires;
	*tok = slot->value;
	return 0;
}

/* The line item's scores URL: "/scores" after its path, before its query. */
static int
scores_url(const char *lineitem, char *out, size_t len)
{
	size_t path = strcspn(lineitem, "?#");
	return snprintf(out, len, "%.*s/scores%s", (int)path, lineitem, lineitem + path) < (int)len ? 0 : -1;
}

/* Posts one score; 0, or -1 with err set (the score stays queued). */
static int
post_score(struct lti_grades *g, struct tq_store *st, const struct tq_lti_score *sc, char *err, size_t errlen)
{
	double score, max;
	int rc = tq_store_best(st, sc->exercise_id, sc->user_id, &score, &max);
	if (rc == TQ_STORE_NOTFOUND)
		return 0;                /* its submissions were deleted: nothing to send */
	struct tq_lti_platform p;
	if (rc || (rc = tq_store_lti_platform_get(st, sc->platform_id, &p)) != 0) {
		snprintf(err, errlen, "%s", rc == TQ_STORE_NOTFOUND ? "the platform is no longer registered" : tq_store_error(st));
		return rc == TQ_STORE_NOTFOUND ? 0 : -1;
	}
	const char *tok = NULL;
	char url[1100], auth[2100], when[64];
	rc = access_token(g, st, &p, &tok, err, errlen);
	tq_lti_platform_free(&p);
	if (rc)
		return -1;
	if (scores_url(sc->lineitem, url, sizeof(url)) != 0) {
		snprintf(err, errlen, "the line item's URL is too long");
		return -1;
	}
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	size_t n = strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(when + n, sizeof(when) - n, ".%03ldZ", ts.tv_nsec / 1000000);
	json_t *body = json_pack("{s:s,s:f,s:f,s:s,s:s,s:s}", "userId", sc->sub, "scoreGiven", score, "scoreMaximum", max,
	    "activityProgress", "Completed", "gradingProgress", "FullyGraded", "timestamp", when);
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tok);
	const char *const headers[] = { auth, "Content-Type: application/vnd.ims.lis.v1.score+json", NULL };
	long status = 0;
	size_t len;
	char *answer = text ? tq_http(url, headers, text, strlen(text), 16 * 1024, 15, &status, &len, err, errlen) : NULL;
	free(text);
	if (answer && (status < 200 || status > 299)) {
		snprintf(err, errlen, "%.300s answered %ld: %.200s", url, status, answer);
		if (status == 401)       /* the token was refused: ask for another next time */
			for (int i = 0; i < TOKENS; i++)
				if (g->tokens[i].platform_id == sc->platform_id)
					g->tokens[i].expires = 0;
	}
	rc = answer && status >= 200 && status <= 299 ? 0 : -1;
	free(answer);
	return rc;
}

struct due {
	struct tq_lti_score v[BATCH];
	int n;
};

static int
take_due(void *arg, const struct tq_lti_score *sc)
{
	struct due *d = arg;
	d->v[d->n++] = *sc;
	return d->n == BATCH;
}

/* Sends the scores due; 1 when a whole batch was due (more may wait). */
static int
send_due(struct lti_grades *g, struct tq_store *st)
{
	struct due d = { .n = 0 };
	int64_t now = (int64_t)time(NULL);
	if (tq_store_lti_scores_due(st, now, BATCH, take_due, &d) != 0) {
		tq_log(TQ_LOG_WARNING, "LTI grades: %s", tq_store_error(st));
		return 0;
	}
	for (int i = 0; i < d.n; i++) {
		struct tq_lti_score *sc = &d.v[i];
		if (tq_store_lti_score_claim(st, sc, now + CLAIM_SECONDS) != 0)
			continue;            /* another node took it */
		char err[600] = "";
		if (post_score(g, st, sc, err, sizeof(err)) == 0) {
			tq_store_lti_score_sent(st, sc, 0, NULL);
		} else {
			int64_t later = (int64_t)time(NULL) + backoff(sc->tries + 1);
			tq_log(TQ_LOG_WARNING, "LTI grades: the score of %s for %s not sent (try %lld; again in %lld s): %s", sc->sub,
			    sc->lineitem, (long long)sc->tries + 1, (long long)(later - (int64_t)time(NULL)), err);
			tq_store_lti_score_sent(st, sc, later, err);
		}
	}
	return d.n == BATCH;
}

static void *
loop(void *arg)
{
	struct lti_grades *g = arg;
	struct tq_store *st = NULL;
	char err[512];
	pthread_mutex_lock(&g->mu);
	while (!g->stop) {
		if (!g->wake) {
			struct timespec until;
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += 2;
			pthread_cond_timedwait(&g->cv, &g->mu, &until);
		}
		g->wake = 0;
		if (g->stop)
			break;
		pthread_mutex_unlock(&g->mu);
		if (!st && tq_store_open(g->a->o.db, &st, err, sizeof(err)) != 0) {
			tq_log(TQ_LOG_ERR, "LTI grades: %s", err);
			st = NULL;
		}
		int more = st ? send_due(g, st) : 0;
		pthread_mutex_lock(&g->mu);
		g->wake |= more;
	}
	pthread_mutex_unlock(&g->mu);
	tq_store_close(st);
	return NULL;
}

int
lti_grades_start(struct app *a)
{
	struct lti_grades *g = calloc(1, sizeof(*g));
	if (!g)
		return -1;
	g->a = a;
	pthread_mutex_init(&g->mu, NULL);
	pthread_cond_init(&g->cv, NULL);
	if (pthread_create(&g->th, NULL, loop, g) != 0) {
		pthread_mutex_destroy(&g->mu);
		pthread_cond_destroy(&g->cv);
		free(g);
		return -1;
	}
	a->grades = g;
	return 0;
}

void
lti_grades_stop(struct app *a)
{
	struct lti_grades *g = a->grades;
	if (!g)
		return;
	pthread_mutex_lock(&g->mu);
	g->stop = 1;
	pthread_cond_signal(&g->cv);
	pthread_mutex_unlock(&g->mu);
	pthread_join(g->th, NULL);
	pthread_mutex_destroy(&g->mu);
	pthread_cond_destroy(&g->cv);
	free(g);
	a->grades = NULL;
}

void
lti_grades_wake(struct app *a)
{
	struct lti_grades *g = a->grades;
	if (g) {
		pthread_mutex_lock(&g->mu);
		g->wake = 1;
		pthread_cond_signal(&g->cv);
		pthread_mutex_unlock(&g->mu);
	}
}
