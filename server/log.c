/*
 * log.c - the server's own messages on stderr, where journald or a
 * terminal reads them.
 *
 * A message is a line "tracequiz: MESSAGE"; with --log-json it is a JSON
 * object, {"time", "level", "msg"} and what the caller adds (the request's
 * method, path and status), the form of the access log, for a log shipper
 * to read.  Under systemd (JOURNAL_STREAM set: stderr is the journal) every
 * line begins with its syslog priority, "<3>" for an error, which journald
 * strips and keeps as the entry's PRIORITY: `journalctl -p err -u tracequiz`
 * lists the errors alone.  One write() a line: lines of several threads do
 * not mix.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server.h"

static int as_json, journal;

static const char *const level_names[] = { [TQ_LOG_ERR] = "error", [TQ_LOG_WARNING] = "warning",
	[TQ_LOG_NOTICE] = "notice", [TQ_LOG_INFO] = "info" };

void
tq_log_setup(int json)
{
	as_json = json;
	journal = getenv("JOURNAL_STREAM") != NULL;
}

/* The priority prefix journald reads, when stderr is the journal. */
static void
prefix(struct tq_sbuf *b, int level)
{
	if (journal)
		tq_sbuf_printf(b, "<%d>", level);
}

static void
emit(struct tq_sbuf *b)
{
	if (!b->err)
		fwrite(b->s, 1, b->len, stderr);
	tq_sbuf_free(b);
}

/* The fields every JSON line begins with: {"time":...,"level":..., */
static void
json_head(struct tq_sbuf *b, int level)
{
	char when[40];
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	tq_sbuf_printf(b, "{\"time\":\"%s.%03ldZ\",\"level\":\"%s\",", when, ts.tv_nsec / 1000000, level_names[level]);
}

static void
vlog(int level, const struct tq_log_request *rq, const char *fmt, va_list ap)
{
	char msg[2048];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	size_t n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = '\0';
	struct tq_sbuf b;
	tq_sbuf_init(&b, 4096);
	prefix(&b, level);
	if (as_json) {
		json_head(&b, level);
		if (rq) {
			tq_sbuf_puts(&b, "\"method\":");
			tq_json_string(&b, rq->method, strlen(rq->method));
			tq_sbuf_puts(&b, ",\"path\":");
			tq_json_string(&b, rq->path, strlen(rq->path));
			tq_sbuf_printf(&b, ",\"status\":%u,", rq->status);
		}
		tq_sbuf_puts(&b, "\"msg\":");
		tq_json_string(&b, msg, n);
		tq_sbuf_puts(&b, "}\n");
	} else if (rq) {
		tq_sbuf_printf(&b, "tracequiz: %s %s: %u %s\n", rq->method, rq->path, rq->status, msg);
	} else {
		tq_sbuf_printf(&b, "tracequiz: %s\n", msg);
	}
	emit(&b);
}

void
tq_log(int level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(level, NULL, fmt, ap);
	va_end(ap);
}

void
tq_log_request(int level, const struct tq_log_request *rq, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(level, rq, fmt, ap);
	va_end(ap);
}

void
tq_log_line(int level, const char *line, size_t len)
{
	struct tq_sbuf b;
	tq_sbuf_init(&b, len + 8);
	prefix(&b, level);
	tq_sbuf_put(&b, line, len);
	emit(&b);
}
