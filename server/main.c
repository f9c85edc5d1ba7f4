/*
 * main.c - the tracequiz program: its usage and its subcommands, each in
 * the file of its kind: cli_dissect.c (dissect), cli_trace.c (follow,
 * eval), cli_exercise.c (key, grade, suggest, import, export), serve.c
 * (serve, user, token), rekey.c.
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

void
cli_usage(FILE *fp)
{
	fputs("usage: tracequiz dissect FILE [--format list|text|pdml|json] [--frame N | --frames A-B] [-Y FILTER]\n"
	    "                        [-d RULE]...\n"
	    "       tracequiz follow FILE tcp.stream==N|udp.stream==N|'tcp.stream==N && http2.streamid==S'\n"
	    "                       [--format ascii|hex|raw] [-d RULE]...\n"
	    "       tracequiz eval FILE EXPRESSION [--explain] [--json] [-d RULE]...\n"
	    "       tracequiz key EXERCISE [--trace CAPTURE] [--json]\n"
	    "       tracequiz grade EXERCISE ANSWERS.json [--trace CAPTURE] [--json]\n"
	    "       tracequiz variant EXERCISE (--student NAME [--slug SLUG] | --variant K) -o OUT.pcap\n"
	    "       tracequiz variants EXERCISE [--check] [--out DIR] [--json]\n"
	    "       tracequiz serve [--listen ADDR:PORT] [--db FILE] [--www DIR] [--seed DIR] [limits: doc/security.md]\n"
	    "       tracequiz user add NAME --role student|instructor|admin [--db FILE]\n"
	    "       tracequiz token add NAME [--scope admin|read|grade] [--course SLUG]... [--days N] [--db FILE]\n"
	    "       tracequiz rekey [--db FILE] [--dry-run | --apply]\n"
	    "       tracequiz backup [--db FILE] OUT\n"
	    "       tracequiz lti add --issuer URL --client-id ID --auth-url URL --token-url URL --jwks-url URL\n"
	    "                 --deployment ID... [--db FILE]   |   tracequiz lti list [--db FILE]\n"
	    "       tracequiz lti rotate-key [--keep-days N] [--db FILE]\n"
	    "       tracequiz routes\n"
	    "       tracequiz import inginious TASKDIR|TASK.zip OUTDIR\n"
	    "       tracequiz export inginious EXERCISE OUTDIR\n"
	    "       tracequiz suggest CAPTURE ANSWER | EXERCISE QUESTION [--answer TEXT] [--prompt TEXT] [--max N]\n"
	    "       tracequiz --version\n"
	    "\n"
	    "dissect   print a capture as tshark does: the packet list (default), the tree\n"
	    "          (text, as tshark -V), PDML (as tshark -T pdml) or the browser's JSON;\n"
	    "          -d/--decode-as tcp.port==2222,ssh decodes a port as a protocol (tshark -d);\n"
	    "          -Y/--display-filter FILTER prints only the frames it matches (tshark -2 -Y)\n"
	    "follow    what the two ends of a TCP, UDP or HTTP/2 stream sent each other, in order\n"
	    "          (tshark -qz follow,tcp,ascii,N; follow,http2,ascii,N,S)\n"
	    "eval      the value of an answer-key expression on a capture (doc/expressions.md);\n"
	    "          --explain also prints the frames and fields it came from\n"
	    "key       each question's key, computed on the exercise's capture or another one\n"
	    "grade     grade answers ({\"q1\": \"...\", ...}, a file or - for stdin)\n"
	    "variant   the trace a student is dealt (doc/variants.md), or variant K\n"
	    "variants  every variant of an exercise: --out writes them, --check dissects each,\n"
	    "          compares its fields with the original's, computes its keys and says\n"
	    "          which questions the variants protect\n"
	    "rekey     list the exercises whose keys this version computes differently from\n"
	    "          the keys frozen in the database; --apply stores the new ones\n"
	    "backup    a consistent copy of the database in OUT, while the server runs\n"
	    "lti       registers a learning platform (LMS) for LTI 1.3 launches; lists them\n"
	    "routes    the server's route table: method, path, who may call it\n"
	    "import    an INGInious task (its folder, or the folder as a zip or tar.gz) made an\n"
	    "          exercise folder, with a report of what was mapped and what needs the\n"
	    "          instructor;\n"
	    "          export writes an exercise as an INGInious task (task.yaml, PDML)\n"
	    "suggest   the key expressions whose value on the trace is a literal answer, best first\n",
	    fp);
}

/* Adds one -d rule to o; 0, or 2 (a usage error) after saying what was wrong. */
int
cli_add_decode_as(struct tq_open_opts *o, struct tq_decode_as *rules, const char *rule)
{
	char err[400];
	if (o->ndecode_as >= TQ_MAX_DECODE_AS) {
		fprintf(stderr, "tracequiz: at most %d decode-as rules\n", TQ_MAX_DECODE_AS);
		return 2;
	}
	if (tq_decode_as_parse(rule, &rules[o->ndecode_as], err, sizeof(err)) != 0) {
		fprintf(stderr, "tracequiz: %s\n", err);
		return 2;
	}
	o->decode_as = rules;
	o->ndecode_as++;
	return 0;
}

/* Parses "N" or "A-B" into a 1-based inclusive range; 0 on success. */
int
cli_parse_range(const char *s, uint32_t *a, uint32_t *b, int allow_range)
{
	char *end;
	errno = 0;
	unsigned long x = strtoul(s, &end, 10);
	if (errno || end == s || x == 0 || x > UINT32_MAX)
		return -1;
	unsigned long y = x;
	if (*end == '-' && allow_range) {
		const char *t = end + 1;
		y = strtoul(t, &end, 10);
		if (errno || end == t || y < x || y > UINT32_MAX)
			return -1;
	}
	if (*end)
		return -1;
	*a = (uint32_t)x;
	*b = (uint32_t)y;
	return 0;
}


/* Prints an expression error with a caret under the place it names. */
void
cli_expr_error(const char *src, const struct tq_expr_error *e)
{
	fprintf(stderr, "tracequiz: %s\n", e->msg);
	if (e->pos < 0 || !src || strchr(src, '\n'))
		return;
	size_t len = strlen(src);
	size_t pos = (size_t)e->pos <= len ? (size_t)e->pos : len;
	fprintf(stderr, "  %s\n  %*s^\n", src, (int)pos, "");
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		cli_usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("tracequiz %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		cli_usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "dissect"))
		return cmd_dissect(argc - 1, argv + 1);
	if (!strcmp(argv[1], "follow"))
		return cmd_follow(argc - 1, argv + 1);
	if (!strcmp(argv[1], "eval"))
		return cmd_eval(argc - 1, argv + 1);
	if (!strcmp(argv[1], "serve"))
		return cmd_serve(argc - 1, argv + 1);
	if (!strcmp(argv[1], "user"))
		return cmd_user(argc - 1, argv + 1);
	if (!strcmp(argv[1], "token"))
		return cmd_token(argc - 1, argv + 1);
	if (!strcmp(argv[1], "key"))
		return cmd_key_or_grade(argc - 1, argv + 1, 0);
	if (!strcmp(argv[1], "grade"))
		return cmd_key_or_grade(argc - 1, argv + 1, 1);
	if (!strcmp(argv[1], "variant"))
		return cmd_variant(argc - 1, argv + 1);
	if (!strcmp(argv[1], "variants"))
		return cmd_variants(argc - 1, argv + 1);
	if (!strcmp(argv[1], "routes") && argc == 2) {
		routes_print(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "backup"))
		return cmd_backup(argc - 1, argv + 1);
	if (!strcmp(argv[1], "lti"))
		return cmd_lti(argc - 1, argv + 1);
	if (!strcmp(argv[1], "rekey"))
		return cmd_rekey(argc - 1, argv + 1);
	if (!strcmp(argv[1], "import") || !strcmp(argv[1], "export"))
		return cmd_import(argc - 1, argv + 1);
	if (!strcmp(argv[1], "suggest"))
		return cmd_suggest(argc - 1, argv + 1);
	fprintf(stderr, "tracequiz: unknown command '%s'\n", argv[1]);
	cli_usage(stderr);
	return 2;
}
