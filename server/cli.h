/* cli.h - what the command line's files share (main.c, cli_*.c). */
#ifndef TQ_CLI_H
#define TQ_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "../analysis/tq.h"

/* The usage text, on fp. */
void cli_usage(FILE *fp);
/* Adds one -d rule to o; 0, or 2 (a usage error) after saying what was wrong. */
int cli_add_decode_as(struct tq_open_opts *o, struct tq_decode_as *rules, const char *rule);
/* N or N-M (allow_range) into *a and *b; 0 or -1. */
int cli_parse_range(const char *s, uint32_t *a, uint32_t *b, int allow_range);
/* An expression's error, with a caret under its place, on stderr. */
void cli_expr_error(const char *src, const struct tq_expr_error *e);

int cmd_dissect(int argc, char **argv);
int cmd_follow(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_suggest(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_key_or_grade(int argc, char **argv, int grade);
int cmd_variant(int argc, char **argv);
int cmd_variants(int argc, char **argv);

#endif
