/*
 * api_lti.c - tracequiz as an LTI 1.3 tool (IMS LTI 1.3 Core, OpenID
 * Connect's third-party initiated login): its key set, the login a
 * platform initiates, and the launch that logs a student in.
 *
 *   GET  /lti/jwks     the tool's public keys (made on first use)
 *   GET|POST /lti/login   the platform starts a login: a state and a nonce
 *                      are kept (used once, 10 minutes), the state also in
 *                      a cookie of this browser; the browser goes on to the
 *                      platform's authorization endpoint
 *   POST /lti/launch   the platform's signed id_token comes back with the
 *                      state: checked (cookie, state, signature against the
 *                      platform's key set, issuer, audience, time, nonce,
 *                      deployment, message type, version), then the user and
 *                      the course are found or made, a session opened and
 *                      the exercise shown
 *
 * Every refusal is a page that says in words what went wrong, and a log
 * line with the detail for the admin.  Nothing in the token is used before
 * its signature and claims have been checked.
 */
#include "config.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lti.h"
#include "server.h"

#define STATE_SECONDS 600            /* a login's state and nonce */
#define SKEW 60                      /* seconds of clock difference accepted */
#define JWKS_MAX (256 * 1024)
#define JWKS_REFETCH 10              /* seconds before an unknown key may fetch the set again */
#define SESSION_SECONDS (8 * 3600)

#define CLAIM "https://purl.imsglobal.org/spec/lti/claim/"
#define AGS_ENDPOINT "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
#define SCORE_SCOPE "https://purl.imsglobal.org/spec/lti-ags/scope/score"
#define LINEITEM_SCOPE "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
#define LINEITEM_TYPE "application/vnd.ims.lis.v2.lineitem+json"
#define LINEITEMS_TYPE "application/vnd.ims.lis.v2.lineitemcontainer+json"
#define DL_CLAIM "https://purl.imsglobal.org/spec/lti-dl/claim/"
#define NRPS_CLAIM "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
#define NRPS_SCOPE "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
#define NRPS_TYPE "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
#define DL_SECONDS 1800              /* an instructor's picking of exercises */

/* ------------------------------------------------------------------ forms and pages */

static int
hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Percent-decodes s[0..n) into out ('+' is a space); 0, or -1 when it does not fit or is malformed. */
static int
form_decode(const char *s, size_t n, char *out, size_t len)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];
		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			int h = i + 2 < n ? hexval(s[i + 1]) : -1, l = i + 2 < n ? hexval(s[i + 2]) : -1;
			if (h < 0 || l < 0)
				return -1;
			c = h * 16 + l;
			i += 2;
		}
		if (c == 0 || o + 1 >= len)
			return -1;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return 0;
}

/*
 * A parameter of the request: from the form body (application/x-www-form-urlencoded) of a POST,
 * else from the query string.  1 when found (decoded into out), 0 when absent, -1 when malformed.
 */
static int
param(struct MHD_Connection *c, const struct req *q, const char *name, char *out, size_t len)
{
	if (q->body && q->len) {
		size_t nl = strlen(name);
		for (const char *p = q->body, *end = q->body + q->len; p < end;) {
			const char *amp = memchr(p, '&', (size_t)(end - p));
			const char *stop = amp ? amp : end, *eq = memchr(p, '=', (size_t)(stop - p));
			if (eq && (size_t)(eq - p) == nl && !memcmp(p, name, nl))
				return form_decode(eq + 1, (size_t)(stop - eq - 1), out, len) == 0 ? 1 : -1;
			p = stop + 1;
		}
		return 0;
	}
	const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
	if (!v)
		return 0;
	if (strlen(v) >= len)
		return -1;
	snprintf(out, len, "%s", v);
	return 1;
}

/* Appends s to b, HTML-escaped. */
static void
html_text(struct tq_sbuf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': tq_sbuf_puts(b, "&lt;"); break;
		case '>': tq_sbuf_puts(b, "&gt;"); break;
		case '&': tq_sbuf_puts(b, "&amp;"); break;
		case '"': tq_sbuf_puts(b, "&quot;"); break;
		case '\'': tq_sbuf_puts(b, "&#39;"); break;
		default: tq_sbuf_putc(b, *s);
		}
	}
}

/*
 * A launch refused: a page that says what went wrong and what to do, the
 * detail (never shown: it may name keys and claims) in the log.
 */
static void
refuse(struct reply *r, unsigned status, const char *what, const char *detail)
{
	tq_log(TQ_LOG_WARNING, "LTI: refused (%s), the page says: %s", detail && *detail ? detail : "no detail", what);
	struct tq_sbuf b;
	tq_sbuf_init(&b, 16384);
	tq_sbuf_puts(&b, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>tracequiz: "
	    "the launch failed</title></head>\n<body><h1>tracequiz could not open this activity</h1>\n<p>");
	html_text(&b, what);
	tq_sbuf_puts(&b, "</p>\n<p>Try again from your course's page. If it happens again, tell your instructor; "
	    "tracequiz's administrator finds the details in its log.</p></body></html>\n");
	json_decref(r->json);
	r->json = NULL;
	r->status = status;
	r->ctype = "text/html; charset=utf-8";
	r->rawlen = b.len;
	r->raw = b.s;                /* handed over: the reply frees it */
	if (b.err) {
		tq_sbuf_free(&b);
		r->raw = NULL;
		reply_error(r, 503, "out of memory");
	}
}

/* ------------------------------------------------------------------ the tool's keys */

struct keys {
	json_t *set;                 /* {"keys": [...]} */
	char kid[64];                /* the one that signs */
	int n;
};

static int
add_key(void *arg, const char *kid, const char *pem)
{
	struct keys *k = arg;
	json_t *jwk = tq_rsa_public_jwk(pem, kid);
	if (jwk)
		json_array_append_new(json_object_get(k->set, "keys"), jwk);
	if (!k->n++)
		snprintf(k->kid, sizeof(k->kid), "%s", kid);
	return 0;
}

/* The tool's key set, a key made when it has none; NULL on failure. */
static json_t *
tool_keys(struct tq_store *st)
{
	struct keys k = { .set = json_pack("{s:[]}", "keys") };
	if (!k.set || tq_store_lti_keys(st, (int64_t)time(NULL), add_key, &k) != 0) {
		json_decref(k.set);
		return NULL;
	}
	if (k.n)
		return k.set;
	char *pem = NULL, kid[33];
	tq_secret(kid, 16);
	if (tq_rsa_new_pem(&pem) != 0 || tq_store_lti_key_add(st, kid, pem) != 0 ||
	    tq_store_lti_keys(st, (int64_t)time(NULL), add_key, &k) != 0) {
		free(pem);
		json_decref(k.set);
		return NULL;
	}
	free(pem);
	return k.set;
}

struct signer {
	char *kid;
	size_t kidlen;
	char **pem;
};

static int
first_key(void *arg, const char *kid, const char *pem)
{
	struct signer *sg = arg;
	snprintf(sg->kid, sg->kidlen, "%s", kid);
	*sg->pem = strdup(pem);
	return 1;                    /* the first is the one that signs */
}

int
lti_signing_key(struct tq_store *st, char *kid, size_t kidlen, char **pem)
{
	struct signer sg = { kid, kidlen, pem };
	*pem = NULL;
	json_t *set = tool_keys(st);         /* makes one when there is none */
	json_decref(set);
	if (!set || tq_store_lti_keys(st, (int64_t)time(NULL), first_key, &sg) != 0 || !*pem) {
		free(*pem);
		*pem = NULL;
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ the LMS's frame */

/* The length of the origin (scheme://host[:port]) that url begins with, 0 when it begins with none. */
static size_t
origin_len(const char *url)
{
	size_t n = !strncmp(url, "https://", 8) ? 8 : !strncmp(url, "http://", 7) ? 7 : 0;
	if (!n)
		return 0;
	size_t host = strspn(url + n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]");
	return host && (url[n + host] == '\0' || url[n + host] == '/' || url[n + host] == ' ') ? n + host : 0;
}

int
lti_origins_ok(const char *list)
{
	int any = 0;
	for (const char *p = list; *p;) {
		if (*p == ' ') {
			p++;
			continue;
		}
		size_t n = origin_len(p);
		if (!n || (p[n] && p[n] != ' '))
			return 0;
		p += n;
		any = 1;
	}
	return any && strlen(list) < 1024;
}

struct frames {
	char *out;
	size_t len, used;
};

/* Appends the origin url[0..n) to the list, once. */
static void
add_origin(struct frames *f, const char *url, size_t n)
{
	char o[300];
	if (!n || n >= sizeof(o))
		return;
	memcpy(o, url, n);
	o[n] = '\0';
	size_t ol = strlen(o);
	for (const char *p = f->out; (p = strstr(p, o)); p += ol)
		if ((p == f->out || p[-1] == ' ') && (p[ol] == ' ' || p[ol] == '\0'))
			return;
	if (f->used + 1 + n + 1 > f->len)
		return;
	f->out[f->used++] = ' ';
	memcpy(f->out + f->used, o, n);
	f->used += n;
	f->out[f->used] = '\0';
}

void
lti_frame_ancestors(struct app *a, char *out, size_t len)
{
	int64_t now = (int64_t)time(NULL);
	pthread_mutex_lock(&a->frame_lock);
	if (now - a->frames_read >= 30) {
		/* read again: a platform registered since by tracequiz lti add, or on another node */
		struct tq_store *st = app_store(a);
		json_t *l = st ? tq_store_lti_platforms(st) : NULL;
		struct frames f = { a->frames, sizeof(a->frames), 0 };
		snprintf(a->frames, sizeof(a->frames), "'self'");
		f.used = strlen(a->frames);
		size_t i;
		json_t *p;
		json_array_foreach(l, i, p) {
			const char *iss = json_string_value(json_object_get(p, "issuer"));
			if (iss)
				add_origin(&f, iss, origin_len(iss));
		}
		for (const char *o = a->o.frame_ancestors; o && *o;) {
			size_t n = origin_len(o);
			if (n)
				add_origin(&f, o, n);
			o += n ? n : 1;
			while (*o == ' ')
				o++;
		}
		if (!json_array_size(l) && !a->o.frame_ancestors)
			a->frames[0] = '\0';       /* no LMS: no frame at all */
		if (l || !st)
			a->frames_read = now;
		json_decref(l);
	}
	snprintf(out, len, "%s", a->frames);
	pthread_mutex_unlock(&a->frame_lock);
}

/* ------------------------------------------------------------------ login */

/* This server's URL as the browser reached it: scheme and host, no trailing '/'. */
static void
own_origin(struct app *a, struct MHD_Connection *c, char *out, size_t len)
{
	const char *host = header(c, "Host");
	if (!host || !*host || strpbrk(host, "/\\ \"<>"))
		host = a->o.listen;
	snprintf(out, len, "%s://%s", request_over_https(a, c) ? "https" : "http", host);
}

/* Appends "&name=value" (value percent-encoded) to b. */
static void
query_param(struct tq_sbuf *b, const char *name, const char *value)
{
	tq_sbuf_printf(b, "%c%s=", strchr(b->s ? b->s : "", '?') ? '&' : '?', name);
	tq_url_encode(b, value);
}

static void
lti_login(struct app *a, struct MHD_Connection *c, struct req *q, struct reply *r)
{
	char iss[256], hint[1024], target[2048], client[256], msg_hint[2048];
	int has_client, has_msg;
	if (param(c, q, "iss", iss, sizeof(iss)) != 1 || param(c, q, "login_hint", hint, sizeof(hint)) != 1 ||
	    param(c, q, "target_link_uri", target, sizeof(target)) != 1 ||
	    (has_client = param(c, q, "client_id", client, sizeof(client))) < 0 ||
	    (has_msg = param(c, q, "lti_message_hint", msg_hint, sizeof(msg_hint))) < 0) {
		refuse(r, 400, "The learning platform started a login without its issuer, login hint or target, "
		    "or with one too long.", "a login initiation without iss, login_hint or target_link_uri");
		return;
	}
	struct tq_store *st = app_store(a);
	struct tq_lti_platform p;
	int rc = st ? tq_store_lti_platform_find(st, iss, has_client ? client : NULL, &p) : TQ_STORE_ERROR;
	if (rc == TQ_STORE_NOTFOUND) {
		char detail[600];
		snprintf(detail, sizeof(detail), "no platform registered with issuer '%.200s' and client id '%.200s'", iss,
		    has_client ? client : "(none given)");
		refuse(r, 403, "This learning platform is not registered with tracequiz: its administrator registers it "
		    "(tracequiz lti add).", detail);
		return;
	}
	if (rc) {
		refuse(r, 503, "tracequiz's database failed; try again.", st ? tq_store_error(st) : "no database");
		return;
	}
	char state[65], nonce[65], origin[600];
	uint8_t hash[32];
	tq_secret(state, 32);
	tq_secret(nonce, 32);
	tq_sha256(state, 64, hash);
	if (tq_store_lti_state_put(st, hash, nonce, p.id, (int64_t)time(NULL) + STATE_SECONDS) != 0) {
		refuse(r, 503, "tracequiz's database failed; try again.", tq_store_error(st));
		tq_lti_platform_free(&p);
		return;
	}
	own_origin(a, c, origin, sizeof(origin));
	struct tq_sbuf b;
	tq_sbuf_init(&b, 16384);
	tq_sbuf_puts(&b, p.auth_url);
	char redirect[700];
	snprintf(redirect, sizeof(redirect), "%s/lti/launch", origin);
	const char *const pairs[][2] = { { "scope", "openid" }, { "response_type", "id_token" },
		{ "response_mode", "form_post" }, { "prompt", "none" }, { "client_id", p.client_id },
		{ "redirect_uri", redirect }, { "login_hint", hint }, { "state", state }, { "nonce", nonce } };
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
		query_param(&b, pairs[i][0], pairs[i][1]);
	if (has_msg)
		query_param(&b, "lti_message_hint", msg_hint);
	tq_lti_platform_free(&p);
	if (b.err) {
		tq_sbuf_free(&b);
		refuse(r, 400, "The login's parameters are too long.", "the authorization URL is too long");
		return;
	}
	/* the state also in this browser: a launch carries it back, or it was not this browser's login */
	int https = request_over_https(a, c);
	snprintf(r->cookie, sizeof(r->cookie), "tq_lti_state=%s; Path=/lti/; Max-Age=%d; HttpOnly; %s", state, STATE_SECONDS,
	    https ? "SameSite=None; Secure" : "SameSite=Lax");
	r->location = b.s;           /* handed over: the reply frees it */
	r->status = 302;
	r->raw = strdup("");
	r->rawlen = 0;
	r->ctype = "text/plain";
}

/* ------------------------------------------------------------------ launch */

/* The platform's key set: kept, fetched when missing, or again when a key is unknown (at most every 10 s). */
static json_t *
platform_keys(struct tq_store *st, struct tq_lti_platform *p, int refetch, char *err, size_t errlen)
{
	int64_t now = (int64_t)time(NULL);
	if (p->jwks && (!refetch || now - p->jwks_fetched < JWKS_REFETCH))
		return json_loads(p->jwks, 0, NULL);
	size_t len;
	char *body = tq_http_get(p->jwks_url, JWKS_MAX, 10, &len, err, errlen);
	json_t *set = body ? json_loadb(body, len, 0, NULL) : NULL;
	if (body && !json_is_array(json_object_get(set, "keys"))) {
		snprintf(err, errlen, "%.300s is not a JSON key set ({\"keys\": [...]})", p->jwks_url);
		json_decref(set);
		set = NULL;
	}
	if (set) {
		tq_store_lti_jwks_set(st, p->id, body, now);
		free(p->jwks);
		p->jwks = body;
		p->jwks_fetched = now;
		body = NULL;
	}
	free(body);
	return set;
}

/* The audience holds the client id (a string, or an array with it; then azp is it when there are several). */
static int
audience_ok(const json_t *claims, const char *client_id)
{
	const json_t *aud = json_object_get(claims, "aud");
	if (json_is_string(aud))
		return !strcmp(json_string_value(aud), client_id);
	size_t i, n = json_array_size(aud);
	const json_t *v;
	int found = 0;
	json_array_foreach(aud, i, v)
		found |= json_is_string(v) && !strcmp(json_string_value(v), client_id);
	const char *azp = json_string_value(json_object_get(claims, "azp"));
	return found && (n == 1 || (azp && !strcmp(azp, client_id)));
}

static int
has_string(const json_t *array, const char *s)
{
	size_t i;
	const json_t *v;
	json_array_foreach(array, i, v)
		if (json_is_string(v) && !strcmp(json_string_value(v), s))
			return 1;
	return 0;
}

/* Whether roles (LIS role URIs, or NRPS's short names) make their user the context's instructor. */
static int
staff_roles(const json_t *roles)
{
	static const char *const staff[] = { "#Instructor", "#ContentDeveloper", "#Administrator", "#TeachingAssistant" };
	size_t i;
	const json_t *v;
	json_array_foreach(roles, i, v) {
		const char *role = json_string_value(v);
		for (size_t k = 0; role && !strchr(role, '/') && k < sizeof(staff) / sizeof(staff[0]); k++)
			if (!strcmp(role, staff[k] + 1))
				return 1;
	}
	json_array_foreach(roles, i, v) {
		const char *role = json_string_value(v);
		const char *hash = role ? strrchr(role, '#') : NULL;
		for (size_t k = 0; hash && k < sizeof(staff) / sizeof(staff[0]); k++)
			if (!strcmp(hash, staff[k]) && strncmp(role, "http://purl.imsglobal.org/vocab/lis/v2/system/", 46))
				return 1;
	}
	return 0;
}

/* Whether the launch's roles make its user the context's instructor. */
static int
teaches(const json_t *claims)
{
	return staff_roles(json_object_get(claims, CLAIM "roles"));
}



/* A name from a platform's identifier: "ltiP-" and the id when it is plain and short, else its hash. */
static void
lti_name(int64_t platform_id, const char *id, char *out, size_t len, size_t max)
{
	int plain = *id && strlen(id) <= max;
	for (const char *p = id; plain && *p; p++)
		plain = isalnum((unsigned char)*p) || *p == '-' || *p == '_' || *p == '.';
	if (plain) {
		snprintf(out, len, "lti%lld-%s", (long long)platform_id, id);
		for (char *p = out; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		return;
	}
	uint8_t h[32];
	tq_sha256(id, strlen(id), h);
	snprintf(out, len, "lti%lld-%02x%02x%02x%02x%02x%02x", (long long)platform_id, h[0], h[1], h[2], h[3], h[4], h[5]);
}

/* The account of the launch's user, made on first launch; *role set. */
static int
launch_user(struct tq_store *st, int64_t pid, const char *sub, int staff, struct tq_user *u)
{
	int64_t id;
	int rc = tq_store_lti_account(st, pid, sub, &id);
	if (rc == TQ_STORE_NOTFOUND) {
		char name[128];
		lti_name(pid, sub, name, sizeof(name), 60);
		rc = tq_store_user_add(st, name, staff ? "instructor" : "student", NULL, 0, &id);
		if (rc == 0)
			rc = tq_store_lti_account_add(st, pid, sub, id);
	}
	if (rc == 0)
		rc = tq_store_user_by_id(st, id, u);
	if (rc == 0 && staff && !strcmp(u->role, "student") && (rc = tq_store_user_set_role(st, id, "instructor")) == 0)
		snprintf(u->role, sizeof(u->role), "instructor");
	return rc;
}

/* The course of the launch's context, made on first launch; the user enrolled in it or teaching it. */
static int
launch_course(struct tq_store *st, int64_t pid, const json_t *context, const struct tq_user *u, int staff, int64_t *course)
{
	const char *cid = json_string_value(json_object_get(context, "id"));
	const char *title = json_string_value(json_object_get(context, "title"));
	const char *label = json_string_value(json_object_get(context, "label"));
	int rc = tq_store_lti_context(st, pid, cid, course);
	if (rc == TQ_STORE_NOTFOUND) {
		char slug[128];
		lti_name(pid, cid, slug, sizeof(slug), 40);
		char t[201];
		snprintf(t, sizeof(t), "%s", title && *title ? title : label && *label ? label : slug);
		rc = tq_store_course_add(st, slug, t, 0, course);
		if (rc == 0)
			rc = tq_store_lti_context_add(st, pid, cid, *course);
	}
	if (rc == 0)
		rc = staff ? tq_store_teacher_add(st, *course, u->id) : tq_store_enrol(st, *course, u->id);
	return rc;
}

/* The exercise a resource link opens: its custom parameter "exercise", or target_link_uri's "exercise=". */
static void
launch_exercise(const json_t *claims, char *slug, size_t len)
{
	slug[0] = '\0';
	const char *s = json_string_value(json_object_get(json_object_get(claims, CLAIM "custom"), "exercise"));
	const char *target = json_string_value(json_object_get(claims, CLAIM "target_link_uri"));
	const char *at = !s && target ? strstr(target, "exercise=") : NULL;
	if (at && (at[-1] == '?' || at[-1] == '&')) {
		size_t n = strcspn(at + 9, "&#");
		if (n < len) {
			memcpy(slug, at + 9, n);
			slug[n] = '\0';
		}
	} else if (s) {
		snprintf(slug, len, "%s", s);
	}
	if (!slug_ok(slug))
		slug[0] = '\0';
}

/* The grade column of the launch's link (the line item, when the platform lets the tool post scores), or NULL. */
static const char *
launch_lineitem(const json_t *claims)
{
	const json_t *ags = json_object_get(claims, AGS_ENDPOINT);
	const char *u = json_string_value(json_object_get(ags, "lineitem"));
	return has_string(json_object_get(ags, "scope"), SCORE_SCOPE) && tq_lti_url_ok(u) ? u : NULL;
}

/* The points an exercise is out of: its questions' points, 1 each when not given (as the grader counts). */
static double
exercise_max(const json_t *doc)
{
	double max = 0;
	size_t i;
	const json_t *q;
	json_array_foreach(json_object_get(doc, "questions"), i, q) {
		const json_t *pts = json_object_get(q, "points");
		max += json_is_number(pts) ? json_number_value(pts) : 1;
	}
	return max;
}

/* The id of the first line item of a JSON answer (an array of them, or one), in out; 0 or -1. */
static int
lineitem_id(const char *body, size_t len, char *out, size_t outlen)
{
	json_t *j = json_loadb(body, len, 0, NULL);
	const json_t *item = json_is_array(j) ? json_array_get(j, 0) : j;
	const char *id = json_string_value(json_object_get(item, "id"));
	int rc = id && tq_lti_url_ok(id) && strlen(id) < outlen ? 0 : -1;
	if (rc == 0)
		snprintf(out, outlen, "%s", id);
	json_decref(j);
	return rc;
}

/*
 * A grade column for a link the platform gave none (the launch names the
 * line items' container and lets the tool manage them): the one of the
 * link's resource if there is one, else made, out of the exercise's points.
 * 0 with out set, or -1 (logged): the link then takes no grades yet.
 */
static int
make_lineitem(struct tq_store *st, const struct tq_lti_platform *p, const json_t *claims, const char *link_id,
    const char *slug, char *out, size_t outlen)
{
	const json_t *ags = json_object_get(claims, AGS_ENDPOINT);
	const char *items = json_string_value(json_object_get(ags, "lineitems"));
	struct tq_exrow row;
	if (!tq_lti_url_ok(items) || !has_string(json_object_get(ags, "scope"), LINEITEM_SCOPE) || !*slug ||
	    tq_store_exercise_get(st, slug, &row) != 0)
		return -1;
	json_t *doc = json_loads(row.doc, 0, NULL);
	tq_exrow_free(&row);
	char tok[2048], auth[2100], url[1400], err[600] = "";
	int64_t expires;
	int rc = -1;
	if (lti_request_token(st, p, LINEITEM_SCOPE, tok, sizeof(tok), &expires, err, sizeof(err)) == 0) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tok);
		/* found: GET ITEMS?resource_link_id=LINK */
		struct tq_sbuf b;
		tq_sbuf_init(&b, sizeof(url));
		size_t path = strcspn(items, "#");
		tq_sbuf_put(&b, items, path);
		query_param(&b, "resource_link_id", link_id);
		snprintf(url, sizeof(url), "%s", b.err ? items : b.s);
		tq_sbuf_free(&b);
		const char *const get_headers[] = { auth, "Accept: " LINEITEMS_TYPE, NULL };
		long status = 0;
		size_t len;
		char *body = tq_http(url, get_headers, NULL, 0, 1 << 20, 10, &status, &len, err, sizeof(err));
		rc = body && status == 200 ? lineitem_id(body, len, out, outlen) : -1;
		free(body);
		if (rc) {
			/* made: POST ITEMS */
			const char *title = json_string_value(json_object_get(doc, "title"));
			json_t *item = json_pack("{s:f,s:s,s:s,s:s}", "scoreMaximum", exercise_max(doc), "label", title ? title : slug,
			    "resourceLinkId", link_id, "resourceId", slug);
			char *text = item ? json_dumps(item, JSON_COMPACT) : NULL;
			json_decref(item);
			const char *const post_headers[] = { auth, "Content-Type: " LINEITEM_TYPE, "Accept: " LINEITEM_TYPE, NULL };
			body = text ? tq_http(items, post_headers, text, strlen(text), 1 << 20, 10, &status, &len, err, sizeof(err)) :
			    NULL;
			free(text);
			rc = body && (status == 200 || status == 201) ? lineitem_id(body, len, out, outlen) : -1;
			if (body && rc && !*err)
				snprintf(err, sizeof(err), "%.300s answered %ld without a line item", items, status);
			free(body);
		}
	}
	json_decref(doc);
	if (rc)
		tq_log(TQ_LOG_WARNING, "LTI: no grade column for the link %s of %s: %s", link_id, p->issuer, err);
	return rc;
}

/* The claims' checks after the signature's: NULL when they hold, else what is wrong. */
static const char *
claims_wrong(const json_t *claims, const struct tq_lti_platform *p, const char *nonce)
{
	int64_t now = (int64_t)time(NULL);
	const json_t *exp = json_object_get(claims, "exp"), *iat = json_object_get(claims, "iat");
	const char *iss = json_string_value(json_object_get(claims, "iss"));
	const char *n = json_string_value(json_object_get(claims, "nonce"));
	const char *dep = json_string_value(json_object_get(claims, CLAIM "deployment_id"));
	const char *type = json_string_value(json_object_get(claims, CLAIM "message_type"));
	const char *version = json_string_value(json_object_get(claims, CLAIM "version"));
	const char *sub = json_string_value(json_object_get(claims, "sub"));
	json_t *deps = json_loads(p->deployments, 0, NULL);
	int dep_ok = dep && has_string(deps, dep);
	json_decref(deps);
	if (!iss || strcmp(iss, p->issuer))
		return "the token's issuer is not the platform's";
	if (!audience_ok(claims, p->client_id))
		return "the token is not for tracequiz (its audience is another client)";
	if (!json_is_integer(exp) || json_integer_value(exp) + SKEW < now)
		return "the token has expired";
	if (!json_is_integer(iat) || json_integer_value(iat) > now + SKEW || json_integer_value(iat) + 3600 < now)
		return "the token's time of issue is not now";
	if (!n || strcmp(n, nonce))
		return "the token's nonce is not the login's (a token replayed?)";
	if (!dep_ok)
		return "the token's deployment is not one registered for this platform";
	int deep = type && !strcmp(type, "LtiDeepLinkingRequest");
	if (!type || (strcmp(type, "LtiResourceLinkRequest") && !deep))
		return "the launch is neither a resource link's (LtiResourceLinkRequest) nor deep linking (LtiDeepLinkingRequest)";
	if (!version || strcmp(version, "1.3.0"))
		return "the launch is not LTI 1.3.0";
	if (!sub || !*sub || strlen(sub) > 255)
		return "the launch names no user (sub)";
	const json_t *ctx = json_object_get(claims, CLAIM "context");
	const char *cid = json_string_value(json_object_get(ctx, "id"));
	if (!cid || !*cid || strlen(cid) > 255)
		return "the launch names no course (context)";
	if (!json_is_array(json_object_get(claims, CLAIM "roles")))
		return "the launch gives no roles";
	if (deep) {
		const char *back = json_string_value(json_object_get(json_object_get(claims, DL_CLAIM "deep_linking_settings"),
		    "deep_link_return_url"));
		if (!tq_lti_url_ok(back))
			return "the deep linking request has no return URL";
		return NULL;
	}
	const char *link = json_string_value(json_object_get(json_object_get(claims, CLAIM "resource_link"), "id"));
	if (!link || !*link || strlen(link) > 255)
		return "the launch names no resource link";
	return NULL;
}

/* ------------------------------------------------------------------ deep linking */

/* An HTML page as the reply: b's contents (handed over). */
static void
reply_page(struct reply *r, unsigned status, struct tq_sbuf *b)
{
	json_decref(r->json);
	r->json = NULL;
	if (b->err) {
		tq_sbuf_free(b);
		reply_error(r, 503, "out of memory");
		return;
	}
	r->status = status;
	r->ctype = "text/html; charset=utf-8";
	r->raw = b->s;
	r->rawlen = b->len;
}

struct pick {
	struct tq_sbuf *b;
	int multiple, n;
};

static int
pick_one(void *arg, const struct tq_exrow *row)
{
	struct pick *pk = arg;
	json_t *doc = json_loads(row->doc, 0, NULL);
	const char *title = json_string_value(json_object_get(doc, "title"));
	tq_sbuf_printf(pk->b, "<li><label><input type=\"%s\" name=\"exercise\" value=\"", pk->multiple ? "checkbox" : "radio");
	html_text(pk->b, row->slug);
	tq_sbuf_puts(pk->b, "\"> ");
	html_text(pk->b, title ? title : row->slug);
	tq_sbuf_puts(pk->b, " <small>(");
	html_text(pk->b, row->slug);
	tq_sbuf_puts(pk->b, ", ");
	html_text(pk->b, row->course);
	tq_sbuf_puts(pk->b, row->published ? ")" : ", a draft)");
	tq_sbuf_puts(pk->b, "</small></label></li>\n");
	json_decref(doc);
	pk->n++;
	return 0;
}

/*
 * The instructor's page for a deep linking request: the exercises they may
 * use, to pick from.  What the platform asked (its return URL, its data,
 * the deployment) travels in the form as a token the tool signed, for
 * /lti/deeplink to trust.
 */
static void
picker(struct app *a, struct tq_store *st, const struct tq_user *u, const struct tq_lti_platform *p, const json_t *claims,
    struct reply *r)
{
	(void)a;
	const json_t *settings = json_object_get(claims, DL_CLAIM "deep_linking_settings");
	int multiple = json_is_true(json_object_get(settings, "accept_multiple"));
	int64_t now = (int64_t)time(NULL);
	json_t *ctx = json_pack("{s:s,s:s,s:I,s:I,s:I,s:s,s:s,s:b,s:O?}", "iss", "tracequiz", "aud", "tracequiz-deep-linking",
	    "exp", (json_int_t)now + DL_SECONDS, "pid", (json_int_t)p->id, "uid", (json_int_t)u->id, "return",
	    json_string_value(json_object_get(settings, "deep_link_return_url")), "dep",
	    json_string_value(json_object_get(claims, CLAIM "deployment_id")), "multiple", multiple, "data",
	    json_object_get(settings, "data"));
	char kid[64], *pem = NULL, *token = NULL;
	if (ctx && lti_signing_key(st, kid, sizeof(kid), &pem) == 0)
		token = tq_jwt_sign(pem, kid, ctx);
	free(pem);
	json_decref(ctx);
	if (!token) {
		refuse(r, 503, "tracequiz could not prepare the list of exercises; try again.", "the deep linking context was not signed");
		return;
	}
	struct tq_sbuf b;
	tq_sbuf_init(&b, 4 << 20);
	tq_sbuf_puts(&b, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>tracequiz: add exercises"
	    "</title></head>\n<body><h1>Add tracequiz exercises to the course</h1>\n<form method=\"post\" action=\"/lti/deeplink\">\n"
	    "<input type=\"hidden\" name=\"ctx\" value=\"");
	html_text(&b, token);
	tq_sbuf_puts(&b, "\">\n<ul>\n");
	free(token);
	struct pick pk = { &b, multiple, 0 };
	if (tq_store_exercises_for(st, u->id, !strcmp(u->role, "admin"), pick_one, &pk) != 0) {
		tq_sbuf_free(&b);
		refuse(r, 503, "tracequiz's database failed; try again.", tq_store_error(st));
		return;
	}
	tq_sbuf_puts(&b, pk.n ? "</ul>\n<button type=\"submit\">Add to the course</button>\n</form></body></html>\n" :
	    "</ul>\n<p>There is no exercise you may add yet: write one in tracequiz first.</p></form></body></html>\n");
	reply_page(r, 200, &b);
}

/* Each value of a repeated form field (exercise=a&exercise=b): fn(arg, value) until it returns nonzero. */
static int
form_each(const struct req *q, const char *name, int (*fn)(void *arg, const char *value), void *arg)
{
	size_t nl = strlen(name);
	char v[256];
	for (const char *p = q->body, *end = q->body ? q->body + q->len : NULL; p && p < end;) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *stop = amp ? amp : end, *eq = memchr(p, '=', (size_t)(stop - p));
		if (eq && (size_t)(eq - p) == nl && !memcmp(p, name, nl)) {
			if (form_decode(eq + 1, (size_t)(stop - eq - 1), v, sizeof(v)) != 0)
				return -1;
			if (fn(arg, v))
				return 1;
		}
		p = stop + 1;
	}
	return 0;
}

struct items {
	struct app *a;
	struct tq_store *st;
	const struct tq_user *u;
	json_t *list;
	char origin[600];
	char bad[200];
};

/* One exercise picked: a resource link with its grade column, when the instructor may use it. */
static int
add_item(void *arg, const char *slug)
{
	struct items *it = arg;
	struct tq_exrow row;
	if (json_array_size(it->list) >= 50 || tq_store_exercise_get(it->st, slug, &row) != 0) {
		snprintf(it->bad, sizeof(it->bad), "there is no exercise '%.100s'", slug);
		return 1;
	}
	int may = tq_store_teaches(it->st, row.course_id, it->u->id) == 1 || !strcmp(it->u->role, "admin") ||
	    (row.published && tq_store_can_see(it->st, row.course_id, it->u->id) == 1);
	json_t *doc = may ? json_loads(row.doc, 0, NULL) : NULL;
	if (!doc) {
		snprintf(it->bad, sizeof(it->bad), "the exercise '%.100s' is not one you may add", slug);
		tq_exrow_free(&row);
		return 1;
	}
	const char *title = json_string_value(json_object_get(doc, "title"));
	char url[700];
	snprintf(url, sizeof(url), "%s/lti/launch", it->origin);
	json_array_append_new(it->list, json_pack("{s:s,s:s,s:s,s:{s:s},s:{s:f,s:s,s:s}}", "type", "ltiResourceLink",
	    "title", title ? title : slug, "url", url, "custom", "exercise", slug, "lineItem", "scoreMaximum",
	    exercise_max(doc), "label", title ? title : slug, "resourceId", slug));
	json_decref(doc);
	tq_exrow_free(&row);
	return 0;
}

/*
 * POST /lti/deeplink {ctx, exercise...}: the exercises picked go back to
 * the platform as a signed LtiDeepLinkingResponse, posted by the browser to
 * its return URL (a form the page submits; its button without JavaScript).
 */
static void
lti_deeplink(struct app *a, struct MHD_Connection *c, struct req *q, struct reply *r)
{
	char *ctx_text = malloc(16 * 1024);
	json_t *keys = NULL, *ctx = NULL, *claims = NULL;
	struct tq_store *st = app_store(a);
	struct items it = { .a = a, .st = st, .list = json_array() };
	struct tq_user u;
	struct tq_lti_platform p = { 0 };
	int have_platform = 0;
	char kid[128], detail[600] = "";
	if (!ctx_text || !it.list || !st) {
		reply_error(r, 503, "out of memory");
		goto out;
	}
	keys = tool_keys(st);
	if (param(c, q, "ctx", ctx_text, 16 * 1024) != 1 || !keys ||
	    tq_jwt_verify(ctx_text, keys, &ctx, kid, sizeof(kid), detail, sizeof(detail)) != TQ_JWT_OK ||
	    strcmp(json_string_value(json_object_get(ctx, "aud")) ? json_string_value(json_object_get(ctx, "aud")) : "",
	    "tracequiz-deep-linking") || json_integer_value(json_object_get(ctx, "exp")) < (json_int_t)time(NULL)) {
		refuse(r, 403, "This page has expired or was not tracequiz's: add the activity again from the course.",
		    *detail ? detail : "a deep linking form without a valid context");
		goto out;
	}
	if (tq_store_user_by_id(st, json_integer_value(json_object_get(ctx, "uid")), &u) != 0 ||
	    tq_store_lti_platform_get(st, json_integer_value(json_object_get(ctx, "pid")), &p) != 0) {
		refuse(r, 403, "The account or the platform of this page is gone.", tq_store_error(st));
		goto out;
	}
	have_platform = 1;
	it.u = &u;
	own_origin(a, c, it.origin, sizeof(it.origin));
	int rc = form_each(q, "exercise", add_item, &it);
	if (rc || !json_array_size(it.list) ||
	    (!json_is_true(json_object_get(ctx, "multiple")) && json_array_size(it.list) > 1)) {
		refuse(r, 400, rc < 0 ? "The form is malformed." : *it.bad ? it.bad : !json_array_size(it.list) ?
		    "Pick at least one exercise." : "The platform takes one exercise here: pick one.", it.bad);
		goto out;
	}
	int64_t now = (int64_t)time(NULL);
	char nonce[33], *pem = NULL, *token = NULL;
	tq_secret(nonce, 16);
	claims = json_pack("{s:s,s:s,s:I,s:I,s:s,s:s,s:s,s:s,s:O}", "iss", p.client_id, "aud", p.issuer, "iat",
	    (json_int_t)now, "exp", (json_int_t)now + 600, "nonce", nonce, CLAIM "deployment_id",
	    json_string_value(json_object_get(ctx, "dep")), CLAIM "message_type", "LtiDeepLinkingResponse", CLAIM "version",
	    "1.3.0", DL_CLAIM "content_items", it.list);
	if (claims && json_object_get(ctx, "data"))
		json_object_set(claims, DL_CLAIM "data", json_object_get(ctx, "data"));
	if (claims && lti_signing_key(st, kid, sizeof(kid), &pem) == 0)
		token = tq_jwt_sign(pem, kid, claims);
	free(pem);
	if (!token) {
		refuse(r, 503, "tracequiz could not sign its answer; try again.", "the deep linking response was not signed");
		goto out;
	}
	struct tq_sbuf b;
	tq_sbuf_init(&b, 1 << 20);
	tq_sbuf_puts(&b, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>tracequiz: back to the course"
	    "</title></head>\n<body><form id=\"lti-post\" method=\"post\" action=\"");
	html_text(&b, json_string_value(json_object_get(ctx, "return")));
	tq_sbuf_puts(&b, "\">\n<input type=\"hidden\" name=\"JWT\" value=\"");
	html_text(&b, token);
	tq_sbuf_printf(&b, "\">\n<p>%zu exercise%s added.</p><button type=\"submit\">Back to the course</button>\n</form>\n"
	    "<script src=\"/js/lti-post.js\"></script></body></html>\n", json_array_size(it.list),
	    json_array_size(it.list) == 1 ? "" : "s");
	free(token);
	tq_log(TQ_LOG_INFO, "LTI: %s added %zu exercise(s) to a course of %s", u.name, json_array_size(it.list), p.issuer);
	reply_page(r, 200, &b);
out:
	if (have_platform)
		tq_lti_platform_free(&p);
	json_decref(claims);
	json_decref(ctx);
	json_decref(keys);
	json_decref(it.list);
	free(ctx_text);
}

static void
lti_launch(struct app *a, struct MHD_Connection *c, struct req *q, struct reply *r)
{
	char *id_token = malloc(64 * 1024);   /* an id_token is a few KiB; the body's cap is 64 KiB */
	char state[80], nonce[80], detail[600] = "";
	const char *cookie = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "tq_lti_state");
	json_t *claims = NULL, *keys = NULL;
	struct tq_lti_platform p = { 0 };
	int have_platform = 0;
	if (!id_token) {
		reply_error(r, 503, "out of memory");
		return;
	}
	if (param(c, q, "id_token", id_token, 64 * 1024) != 1 || param(c, q, "state", state, sizeof(state)) != 1) {
		refuse(r, 400, "The learning platform sent no identity token or no state.", "a launch without id_token or state");
		goto out;
	}
	if (!cookie || strlen(cookie) != strlen(state) || strcmp(cookie, state)) {
		refuse(r, 403, "This launch did not start in this browser, or the browser did not keep tracequiz's cookie "
		    "(a browser that blocks cookies in frames: open the activity in a new window).",
		    cookie ? "the state cookie is not the launch's state" : "no state cookie");
		goto out;
	}
	struct tq_store *st = app_store(a);
	uint8_t hash[32];
	int64_t pid = 0;
	tq_sha256(state, strlen(state), hash);
	int rc = st ? tq_store_lti_state_take(st, hash, (int64_t)time(NULL), nonce, sizeof(nonce), &pid) : TQ_STORE_ERROR;
	if (rc == TQ_STORE_NOTFOUND) {
		refuse(r, 403, "This login has expired or was used already: start the activity again from the course.",
		    "unknown, used or expired state");
		goto out;
	}
	if (rc || (rc = tq_store_lti_platform_get(st, pid, &p)) != 0) {
		refuse(r, 503, "tracequiz's database failed; try again.", st ? tq_store_error(st) : "no database");
		goto out;
	}
	have_platform = 1;
	char kid[128];
	keys = platform_keys(st, &p, 0, detail, sizeof(detail));
	rc = keys ? tq_jwt_verify(id_token, keys, &claims, kid, sizeof(kid), detail, sizeof(detail)) : TQ_JWT_UNKNOWN_KID;
	if (rc == TQ_JWT_UNKNOWN_KID) {
		/* a key the platform added since: its set fetched again */
		json_decref(keys);
		keys = platform_keys(st, &p, 1, detail, sizeof(detail));
		rc = keys ? tq_jwt_verify(id_token, keys, &claims, kid, sizeof(kid), detail, sizeof(detail)) : TQ_JWT_BAD;
	}
	if (rc != TQ_JWT_OK) {
		refuse(r, 401, "The learning platform's identity token could not be verified.", detail);
		goto out;
	}
	const char *wrong = claims_wrong(claims, &p, nonce);
	if (wrong) {
		refuse(r, 401, "The learning platform's identity token was refused.", wrong);
		goto out;
	}
	/* who, which course, which exercise: found or made in one transaction */
	int staff = teaches(claims);
	int deep = !strcmp(json_string_value(json_object_get(claims, CLAIM "message_type")), "LtiDeepLinkingRequest");
	if (deep && !staff) {
		refuse(r, 403, "Only the course's instructors add tracequiz activities.", "a deep linking request from a learner");
		goto out;
	}
	const char *sub = json_string_value(json_object_get(claims, "sub"));
	struct tq_user u;
	int64_t course;
	char slug[128], made[1024];
	launch_exercise(claims, slug, sizeof(slug));
	/* a link without a grade column, when the tool may manage them: one found or made (the LMS is
	 * called before the transaction, and only until the link has one) */
	const char *link_id = json_string_value(json_object_get(json_object_get(claims, CLAIM "resource_link"), "id"));
	const char *lineitem = deep ? NULL : launch_lineitem(claims);
	if (!deep && !lineitem && tq_store_lti_link_lineitem(st, p.id, link_id, made, sizeof(made)) == 0)
		lineitem = made;
	else if (!deep && !lineitem && make_lineitem(st, &p, claims, link_id, slug, made, sizeof(made)) == 0)
		lineitem = made;
	rc = tq_store_begin(st);
	if (rc == 0)
		rc = launch_user(st, p.id, sub, staff, &u);
	if (rc == 0)
		rc = launch_course(st, p.id, json_object_get(claims, CLAIM "context"), &u, staff, &course);
	/* where the platform lists the course's members, for its teachers' roster sync */
	const char *members = json_string_value(json_object_get(json_object_get(claims, NRPS_CLAIM), "context_memberships_url"));
	if (rc == 0 && tq_lti_url_ok(members))
		rc = tq_store_lti_members_url(st, p.id, json_string_value(json_object_get(json_object_get(claims, CLAIM "context"),
		    "id")), members);
	/* the link: its exercise, and where the student's scores go */
	struct tq_exmeta m = { 0 };
	if (rc == 0 && *slug && (rc = tq_store_exercise_meta(st, slug, &m)) == TQ_STORE_NOTFOUND)
		rc = 0;
	if (rc == 0 && !deep)
		rc = tq_store_lti_link(st, p.id, link_id, m.id, lineitem, u.id);
	if (rc == 0)
		rc = tq_store_commit(st);
	if (rc) {
		tq_store_rollback(st);
		refuse(r, 503, "tracequiz could not record this launch; try again.", tq_store_error(st));
		goto out;
	}
	char tok[65], csrf[65];
	uint8_t sh[32];
	tq_secret(tok, 32);
	tq_secret(csrf, 32);
	tq_sha256(tok, 64, sh);
	if (tq_store_session_add(st, sh, u.id, csrf, (int64_t)time(NULL) + SESSION_SECONDS) != 0) {
		refuse(r, 503, "tracequiz could not open a session; try again.", tq_store_error(st));
		goto out;
	}
	tq_log(TQ_LOG_INFO, "LTI: %s launched by %s (%s) from %s", deep ? "deep linking" : *slug ? slug : "the course list",
	    u.name, u.role, p.issuer);
	/* inside the platform's frame the session's cookie is a third party's: SameSite=None (over https) */
	int https = request_over_https(a, c);
	snprintf(r->cookie, sizeof(r->cookie), "tq_session=%s; Path=/; Max-Age=%d; HttpOnly; %s", tok, SESSION_SECONDS,
	    https ? "SameSite=None; Secure" : "SameSite=Lax");
	if (deep) {
		picker(a, st, &u, &p, claims, r);
		goto out;
	}
	char where[200];
	snprintf(where, sizeof(where), "/#/exercises/%s", slug);
	r->location = strdup(*slug ? where : "/#/");
	r->status = 303;
	r->raw = strdup("");
	r->rawlen = 0;
	r->ctype = "text/plain";
out:
	if (have_platform)
		tq_lti_platform_free(&p);
	json_decref(claims);
	json_decref(keys);
	free(id_token);
}

/*
 * The course of a path /api/v1/courses/SLUG/... that the request's user
 * manages (teaches, or an admin): its store, with slug and course set; NULL
 * with r set (404, 403, 503).
 */
static struct tq_store *
managed(struct app *a, const struct req *q, const char *path, char *slug, size_t len, struct tq_course *course,
    struct reply *r)
{
	const char *p = path + strlen("/api/v1/courses/");
	size_t n = strcspn(p, "/");
	struct tq_store *st = app_store(a);
	if (n >= len || !st) {
		reply_error(r, !st ? 503 : 404, !st ? "the database cannot be opened" : "there is no such course");
		return NULL;
	}
	memcpy(slug, p, n);
	slug[n] = '\0';
	int rc = tq_store_course_get(st, slug, course);
	int may = rc == 0 ? may_manage(st, &q->user, course->id) : 0;
	if (rc == TQ_STORE_NOTFOUND || (rc == 0 && may == 0))
		reply_error(r, rc ? 404 : 403, rc ? "there is no course '%.100s'" : "you do not teach the course '%.100s'", slug);
	else if (rc || may < 0)
		reply_error(r, 503, "the database failed; try again");
	return rc == 0 && may == 1 ? st : NULL;
}

/*
 * /api/v1/courses/SLUG/lti-grades: GET the scores the course's LMS has not
 * taken yet (with the last error of each); POST sends every score of the
 * course's exercises again (after a grade column was cleared in the LMS).
 */
void
api_lti_grades(struct app *a, struct MHD_Connection *c, const char *method, const char *path, struct req *q,
    struct reply *r)
{
	(void)c;
	char slug[128];
	struct tq_course course;
	struct tq_store *st = managed(a, q, path, slug, sizeof(slug), &course, r);
	if (!st)
		return;
	int64_t queued = 0;
	if (!strcmp(method, "POST") && tq_store_lti_resend(st, course.id, &queued) != 0) {
		reply_error(r, 503, "the scores could not be queued: %s", tq_store_error(st));
		return;
	}
	if (queued)
		lti_grades_wake(a);
	json_t *pending = tq_store_lti_pending(st, course.id);
	if (!pending) {
		reply_error(r, 503, "the database failed; try again");
		return;
	}
	json_t *o = json_pack("{s:s,s:o}", "course", slug, "pending", pending);
	if (!strcmp(method, "POST"))
		json_object_set_new(o, "queued", json_integer(queued));
	reply_json(r, 200, o);
}

/* ------------------------------------------------------------------ the roster (NRPS) */

struct contexts {
	int n;
	struct {
		int64_t pid;
		char id[256], url[1024];
	} v[16];
};

static int
take_context(void *arg, int64_t platform_id, const char *context_id, const char *members_url)
{
	struct contexts *cs = arg;
	if (!*members_url)
		return 0;
	cs->v[cs->n].pid = platform_id;
	snprintf(cs->v[cs->n].id, sizeof(cs->v[0].id), "%s", context_id);
	snprintf(cs->v[cs->n].url, sizeof(cs->v[0].url), "%s", members_url);
	return ++cs->n == 16;
}

/* One context's members from its platform, made accounts of the course; 0, or -1 with err set. */
static int
sync_members(struct tq_store *st, int64_t course_id, int64_t pid, const char *url, int64_t *members, int64_t *made,
    char *err, size_t errlen)
{
	struct tq_lti_platform p;
	if (tq_store_lti_platform_get(st, pid, &p) != 0) {
		snprintf(err, errlen, "the platform is gone: %s", tq_store_error(st));
		return -1;
	}
	char tok[2048], auth[2100];
	int64_t expires;
	int rc = lti_request_token(st, &p, NRPS_SCOPE, tok, sizeof(tok), &expires, err, errlen);
	tq_lti_platform_free(&p);
	if (rc)
		return -1;
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tok);
	const char *const headers[] = { auth, "Accept: " NRPS_TYPE, NULL };
	long status = 0;
	size_t len;
	char *body = tq_http(url, headers, NULL, 0, 8 << 20, 30, &status, &len, err, errlen);
	json_t *j = body && status == 200 ? json_loadb(body, len, 0, NULL) : NULL;
	if (body && !j)
		snprintf(err, errlen, "%.300s answered %ld, not a members' list", url, status);
	free(body);
	if (!j)
		return -1;
	size_t i;
	const json_t *m;
	rc = 0;
	json_array_foreach(json_object_get(j, "members"), i, m) {
		const char *sub = json_string_value(json_object_get(m, "user_id"));
		const char *state = json_string_value(json_object_get(m, "status"));
		if (!sub || !*sub || strlen(sub) > 255 || (state && strcmp(state, "Active")))
			continue;            /* a member inactive or gone is not added */
		int staff = staff_roles(json_object_get(m, "roles"));
		struct tq_user u;
		int64_t before = 0;
		int known = tq_store_lti_account(st, pid, sub, &before) == 0;
		if ((rc = tq_store_begin(st)) != 0 || (rc = launch_user(st, pid, sub, staff, &u)) != 0 ||
		    (rc = staff ? tq_store_teacher_add(st, course_id, u.id) : tq_store_enrol(st, course_id, u.id)) != 0 ||
		    (rc = tq_store_commit(st)) != 0) {
			tq_store_rollback(st);
			snprintf(err, errlen, "%s", tq_store_error(st));
			break;
		}
		(*members)++;
		*made += !known;
	}
	json_decref(j);
	return rc ? -1 : 0;
}

/*
 * POST /api/v1/courses/SLUG/lti-members: the course's members as its LMS
 * lists them (Names and Role Provisioning Services), made accounts and
 * enrolled (learners) or teachers (instructors), so that the gradebook
 * shows those who have not launched anything yet.  The course's teachers.
 */
void
api_lti_members(struct app *a, struct MHD_Connection *c, const char *method, const char *path, struct req *q,
    struct reply *r)
{
	(void)c, (void)method;
	char slug[128];
	struct tq_course course;
	struct tq_store *st = managed(a, q, path, slug, sizeof(slug), &course, r);
	if (!st)
		return;
	struct contexts cs = { .n = 0 };
	if (tq_store_lti_course_contexts(st, course.id, take_context, &cs) != 0) {
		reply_error(r, 503, "the database failed; try again");
		return;
	}
	if (!cs.n) {
		reply_error(r, 422, "the course '%.100s' lists no members: it is not an LMS's, or its LMS gave no members' "
		    "service in its launches", slug);
		return;
	}
	int64_t members = 0, made = 0;
	for (int i = 0; i < cs.n; i++) {
		char err[600];
		if (sync_members(st, course.id, cs.v[i].pid, cs.v[i].url, &members, &made, err, sizeof(err)) != 0) {
			tq_log(TQ_LOG_WARNING, "LTI members of %s: %s", slug, err);
			reply_error(r, 502, "the LMS's members could not be read: %s", err);
			return;
		}
	}
	reply_json(r, 200, json_pack("{s:s,s:I,s:I}", "course", slug, "members", (json_int_t)members, "accounts_made",
	    (json_int_t)made));
}

void
api_lti(struct app *a, struct MHD_Connection *c, const char *method, const char *path, struct req *q, struct reply *r)
{
	if (!strcmp(path, "/lti/jwks")) {
		struct tq_store *st = app_store(a);
		json_t *set = st ? tool_keys(st) : NULL;
		if (!set)
			reply_error(r, 503, "the tool's keys could not be read or made: %s", st ? tq_store_error(st) : "no database");
		else
			reply_json(r, 200, set);
	} else if (!strcmp(path, "/lti/login")) {
		lti_login(a, c, q, r);
	} else if (!strcmp(path, "/lti/launch") && !strcmp(method, "POST")) {
		lti_launch(a, c, q, r);
	} else if (!strcmp(path, "/lti/deeplink") && !strcmp(method, "POST")) {
		lti_deeplink(a, c, q, r);
	} else {
		reply_error(r, 404, "there is no such LTI route");
	}
	/* its pages are shown in the LMS's frame */
	if (r->ctype && !strncmp(r->ctype, "text/html", 9))
		lti_frame_ancestors(a, r->frame_ancestors, sizeof(r->frame_ancestors));
}
