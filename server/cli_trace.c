/*
 * cli_trace.c - `tracequiz follow` (a TCP, UDP or HTTP/2 stream, as
 * tshark -z follow shows it) and `tracequiz eval` (an expression's value
 * on a capture, with where it came from).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <sys/stat.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "../analysis/tq.h"
#include "exercise.h"
#include "import.h"
#include "cli.h"
#include "server.h"

/* "NAME==N" or "NAME eq N" at *pp: 0 and *pp moved past it, or -1. */
static int
stream_term(const char **pp, const char *name, uint32_t *n)
{
	const char *p = *pp;
	size_t k = strlen(name);
	while (*p == ' ')
		p++;
	if (strncmp(p, name, k))
		return -1;
	p += k;
	while (*p == ' ')
		p++;
	if (!strncmp(p, "==", 2))
		p += 2;
	else if (!strncmp(p, "eq ", 3))
		p += 3;
	else
		return -1;
	while (*p == ' ')
		p++;
	char *end;
	errno = 0;
	unsigned long v = strtoul(p, &end, 10);
	if (*p < '0' || *p > '9' || errno || v > UINT32_MAX)
		return -1;
	while (*end == ' ')
		end++;
	*n = (uint32_t)v;
	*pp = end;
	return 0;
}

/*
 * "tcp.stream==N", "udp.stream eq N", or an HTTP/2 stream as tshark's
 * follow filter names it, "tcp.stream eq N and http2.streamid eq S" (&& too):
 * 0, or -1 after saying what was wrong.
 */
static int
stream_spec(const char *s, int *proto, uint32_t *stream, uint32_t *sub)
{
	const char *p = s;
	*sub = 0;
	if (stream_term(&p, "udp.stream", stream) == 0) {
		*proto = TQ_FOLLOW_UDP;
	} else if (stream_term(&p, "tcp.stream", stream) == 0) {
		*proto = TQ_FOLLOW_TCP;
		if (!strncmp(p, "and ", 4) || !strncmp(p, "&&", 2)) {
			p += *p == '&' ? 2 : 4;
			if (stream_term(&p, "http2.streamid", sub) != 0)
				goto bad;
			*proto = TQ_FOLLOW_HTTP2;
		}
	} else {
		goto bad;
	}
	if (!*p)
		return 0;
bad:
	fprintf(stderr, "tracequiz: follow: '%s' is not a stream: say tcp.stream==N, udp.stream==N or "
	    "'tcp.stream==N && http2.streamid==S'\n", s);
	return -1;
}

int
cmd_follow(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "decode-as", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct tq_decode_as rules[TQ_MAX_DECODE_AS];
	struct tq_open_opts oo = { 0 };
	int format = TQ_FOLLOW_ASCII, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (!strcmp(optarg, "ascii"))
				format = TQ_FOLLOW_ASCII;
			else if (!strcmp(optarg, "hex"))
				format = TQ_FOLLOW_HEX;
			else if (!strcmp(optarg, "raw"))
				format = TQ_FOLLOW_RAW;
			else {
				fprintf(stderr, "tracequiz: follow: --format is ascii, hex or raw, not '%s'\n", optarg);
				return 2;
			}
			break;
		case 'd':
			if (cli_add_decode_as(&oo, rules, optarg) != 0)
				return 2;
			break;
		case 'h': cli_usage(stdout); return 0;
		default: cli_usage(stderr); return 2;
		}
	}
	if (optind != argc - 2) {
		cli_usage(stderr);
		return 2;
	}
	const char *path = argv[optind];
	int proto;
	uint32_t stream, sub;
	if (stream_spec(argv[optind + 1], &proto, &stream, &sub) != 0)
		return 2;
	char err[512];
	struct tq_capture *cap;
	if (tq_capture_open_file_opts(path, &oo, &cap, err, sizeof(err)) != 0) {
		fprintf(stderr, "tracequiz: %s: %s\n", path, err);
		return 1;
	}
	if (tq_capture_warning(cap))
		fprintf(stderr, "tracequiz: %s: warning: %s\n", path, tq_capture_warning(cap));
	struct tq_follow *fw;
	int rc = 1;
	if (tq_follow_build(cap, proto, stream, sub, NULL, &fw, err, sizeof(err)) != 0) {
		fprintf(stderr, "tracequiz: %s: %s\n", path, err);
	} else {
		struct tq_sbuf out;
		tq_sbuf_init(&out, 0);
		tq_follow_write(fw, format, &out);
		rc = out.err || fwrite(out.s, 1, out.len, stdout) != out.len || fflush(stdout) != 0;
		tq_sbuf_free(&out);
		tq_follow_free(fw);
	}
	tq_capture_free(cap);
	return rc;
}

int
cmd_eval(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "explain", no_argument, NULL, 'x' },
		{ "json", no_argument, NULL, 'j' },
		{ "decode-as", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct tq_decode_as rules[TQ_MAX_DECODE_AS];
	struct tq_open_opts oo = { 0 };
	int explain = 0, as_json = 0, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "xjd:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (cli_add_decode_as(&oo, rules, optarg) != 0)
				return 2;
			break;
		case 'x': explain = 1; break;
		case 'j': as_json = 1; break;
		case 'h': cli_usage(stdout); return 0;
		default: cli_usage(stderr); return 2;
		}
	}
	if (optind != argc - 2) {
		cli_usage(stderr);
		return 2;
	}
	const char *path = argv[optind], *src = argv[optind + 1];
	struct tq_expr_error ee;
	struct tq_expr *e;
	if (tq_expr_parse(src, &e, &ee) != 0) {
		if (as_json) {
			json_t *j = json_pack("{s:n,s:s,s:i}", "value", "error", ee.msg, "position", ee.pos);
			json_dumpf(j, stdout, JSON_COMPACT);
			putchar('\n');
			json_decref(j);
		} else {
			cli_expr_error(src, &ee);
		}
		return 1;
	}
	char err[512];
	struct tq_capture *cap;
	if (tq_capture_open_file_opts(path, &oo, &cap, err, sizeof(err)) != 0) {
		fprintf(stderr, "tracequiz: %s: %s\n", path, err);
		tq_expr_free(e);
		return 1;
	}
	if (tq_capture_warning(cap))
		fprintf(stderr, "tracequiz: %s: warning: %s\n", path, tq_capture_warning(cap));
	struct tq_findex *ix;
	int rc = 1;
	if (tq_findex_build(cap, &e, 1, NULL, &ix, err, sizeof(err)) != 0) {
		fprintf(stderr, "tracequiz: %s: %s\n", path, err);
		goto out;
	}
	json_t *from = NULL;
	json_t *v = tq_expr_eval(ix, e, (explain || as_json) ? &from : NULL, &ee);
	if (as_json) {
		json_t *j = v ? json_pack("{s:o,s:n,s:o}", "value", v, "error", "from", from ? from : json_array()) :
		    json_pack("{s:n,s:s,s:i}", "value", "error", ee.msg, "position", ee.pos);
		json_dumpf(j, stdout, JSON_COMPACT | JSON_ENCODE_ANY);
		putchar('\n');
		json_decref(j);
		rc = v ? 0 : 1;
	} else if (!v) {
		cli_expr_error(src, &ee);
	} else {
		if (json_is_string(v))
			printf("%s\n", json_string_value(v));
		else {
			json_dumpf(v, stdout, JSON_COMPACT | JSON_ENCODE_ANY);
			putchar('\n');
		}
		if (explain && from) {
			size_t i;
			json_t *it;
			json_array_foreach(from, i, it)
				printf("  from frame %" JSON_INTEGER_FORMAT ": %s\n", json_integer_value(json_object_get(it, "frame")),
				    json_string_value(json_object_get(it, "field")));
		}
		json_decref(v);
		json_decref(from);
		rc = 0;
	}
	tq_findex_free(ix);
out:
	tq_capture_free(cap);
	tq_expr_free(e);
	return rc;
}
