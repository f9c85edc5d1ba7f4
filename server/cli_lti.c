/*
 * cli_lti.c - tracequiz lti: an admin registers a learning platform (an
 * LMS) for LTI 1.3 launches, and lists those registered with the URLs the
 * LMS's administrator pastes into its side.
 *
 *   tracequiz lti add --issuer URL --client-id ID --auth-url URL --token-url URL --jwks-url URL
 *                     --deployment ID... [--db FILE]
 *   tracequiz lti list [--db FILE]
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lti.h"
#include "server.h"

static const char usage[] =
    "usage: tracequiz lti add --issuer URL --client-id ID --auth-url URL --token-url URL --jwks-url URL\n"
    "                         --deployment ID [--deployment ID]... [--db FILE]\n"
    "       tracequiz lti list [--db FILE]\n"
    "       tracequiz lti rotate-key [--keep-days N] [--db FILE]\n";

static int
lti_add(int argc, char **argv)
{
	enum { O_ISS = 1, O_CLIENT, O_AUTH, O_TOKEN, O_JWKS, O_DEP, O_DB };
	static const struct option opts[] = {
		{ "issuer", required_argument, NULL, O_ISS }, { "client-id", required_argument, NULL, O_CLIENT },
		{ "auth-url", required_argument, NULL, O_AUTH }, { "token-url", required_argument, NULL, O_TOKEN },
		{ "jwks-url", required_argument, NULL, O_JWKS }, { "deployment", required_argument, NULL, O_DEP },
		{ "db", required_argument, NULL, O_DB }, { NULL, 0, NULL, 0 } };
	const char *iss = NULL, *client = NULL, *auth = NULL, *token = NULL, *jwks = NULL, *db = "tracequiz.db";
	json_t *deps = json_array();
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_ISS: iss = optarg; break;
		case O_CLIENT: client = optarg; break;
		case O_AUTH: auth = optarg; break;
		case O_TOKEN: token = optarg; break;
		case O_JWKS: jwks = optarg; break;
		case O_DEP:
			if (!*optarg || strlen(optarg) > 255) {
				fprintf(stderr, "tracequiz: --deployment: an id of 1 to 255 characters\n");
				json_decref(deps);
				return 2;
			}
			json_array_append_new(deps, json_string(optarg));
			break;
		case O_DB: db = optarg; break;
		default:
			fputs(usage, stderr);
			json_decref(deps);
			return 2;
		}
	}
	if (optind != argc || !iss || !client || !auth || !token || !jwks || !json_array_size(deps)) {
		fputs(usage, stderr);
		json_decref(deps);
		return 2;
	}
	const char *bad = !tq_lti_url_ok(iss) ? "--issuer" : !tq_lti_url_ok(auth) ? "--auth-url" :
	    !tq_lti_url_ok(token) ? "--token-url" : !tq_lti_url_ok(jwks) ? "--jwks-url" :
	    !*client || strlen(client) > 255 ? "--client-id" : NULL;
	if (bad) {
		fprintf(stderr, "tracequiz: %s: give %s\n", bad, strcmp(bad, "--client-id") ? "an http:// or https:// URL" :
		    "the client id the platform gave (1 to 255 characters)");
		json_decref(deps);
		return 2;
	}
	struct tq_lti_platform p = { 0 };
	snprintf(p.issuer, sizeof(p.issuer), "%s", iss);
	snprintf(p.client_id, sizeof(p.client_id), "%s", client);
	snprintf(p.auth_url, sizeof(p.auth_url), "%s", auth);
	snprintf(p.token_url, sizeof(p.token_url), "%s", token);
	snprintf(p.jwks_url, sizeof(p.jwks_url), "%s", jwks);
	p.deployments = json_dumps(deps, JSON_COMPACT);
	json_decref(deps);
	char err[512];
	struct tq_store *st;
	if (tq_store_open(db, &st, err, sizeof(err)) != 0) {
		fprintf(stderr, "tracequiz: %s\n", err);
		free(p.deployments);
		return 1;
	}
	int64_t id;
	int rc = p.deployments ? tq_store_lti_platform_add(st, &p, &id) : TQ_STORE_ERROR;
	if (rc == TQ_STORE_EXISTS)
		fprintf(stderr, "tracequiz: the platform %s has a registration with client id %s already\n", iss, client);
	else if (rc)
		fprintf(stderr, "tracequiz: %s\n", tq_store_error(st));
	else
		printf("registered %s (client id %s) as platform %lld\n", iss, client, (long long)id);
	free(p.deployments);
	tq_store_close(st);
	return rc ? 1 : 0;
}

static int
lti_list(int argc, char **argv)
{
	const char *db = "tracequiz.db";
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--db") && i + 1 < argc) {
			db = argv[++i];
		} else {
			fputs(usage, stderr);
			return 2;
		}
	}
	char err[512];
	struct tq_store *st;
	if (tq_store_open(db, &st, err, sizeof(err)) != 0) {
		fprintf(stderr, "tracequiz: %s\n", err);
		return 1;
	}
	json_t *l = tq_store_lti_platforms(st);
	if (!l)
		fprintf(stderr, "tracequiz: %s\n", tq_store_error(st));
	size_t i;
	json_t *p;
	json_array_foreach(l, i, p)
		printf("%lld  %s  client %s  deployments %s\n", (long long)json_integer_value(json_object_get(p, "id")),
		    json_string_value(json_object_get(p, "issuer")), json_string_value(json_object_get(p, "client_id")),
		    json_string_value(json_object_get(p, "deployments")));
	printf("the tool's URLs, for the platform's side (where tracequiz is served, https://HOST):\n"
	    "  login initiation  https://HOST/lti/login\n"
	    "  redirect (launch) https://HOST/lti/launch\n"
	    "  public keys       https://HOST/lti/jwks\n");
	int rc = l ? 0 : 1;
	json_decref(l);
	tq_store_close(st);
	return rc;
}

/* A new signing key; the old one stays published --keep-days (default 7) for the tokens it signed. */
static int
lti_rotate(int argc, char **argv)
{
	const char *db = "tracequiz.db";
	long days = 7;
	for (int i = 1; i < argc; i++) {
		char *end;
		if (!strcmp(argv[i], "--db") && i + 1 < argc) {
			db = argv[++i];
		} else if (!strcmp(argv[i], "--keep-days") && i + 1 < argc && (days = strtol(argv[++i], &end, 10), !*end) &&
		    days >= 0 && days <= 365) {
			continue;
		} else {
			fputs(usage, stderr);
			return 2;
		}
	}
	char err[512], kid[33];
	char *pem = NULL;
	struct tq_store *st;
	if (tq_store_open(db, &st, err, sizeof(err)) != 0) {
		fprintf(stderr, "tracequiz: %s\n", err);
		return 1;
	}
	tq_secret(kid, 16);
	int rc = tq_rsa_new_pem(&pem) == 0 ? tq_store_lti_key_rotate(st, kid, pem, (int64_t)time(NULL) + days * 86400) :
	    TQ_STORE_ERROR;
	if (rc)
		fprintf(stderr, "tracequiz: %s\n", pem ? tq_store_error(st) : "a key could not be made");
	else
		printf("the tool signs with key %s from now on; the old one is published %ld more day%s\n", kid, days,
		    days == 1 ? "" : "s");
	free(pem);
	tq_store_close(st);
	return rc ? 1 : 0;
}

int
cmd_lti(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "add"))
		return lti_add(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "list"))
		return lti_list(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "rotate-key"))
		return lti_rotate(argc - 1, argv + 1);
	fputs(usage, stderr);
	return 2;
}
