/*
 * unpack.c - an INGInious task uploaded as an archive of its folder (zip,
 * or tar compressed with gzip, bzip2 or xz, as libarchive reads them),
 * unpacked into a private temporary folder and imported from there.
 *
 * The archive is hostile: only directories and regular files are made,
 * each under the temporary folder (a name that is absolute or climbs out
 * with ".." refuses the archive; links, devices and the like are left out,
 * said in the report), never over another file, with at most MAX_ENTRIES
 * entries and MAX_UNPACKED bytes in all, whatever the archive claims.  The
 * temporary folder is removed before returning, whatever happened.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "import.h"

#define MAX_ENTRIES  4096
#define MAX_UNPACKED (320u << 20)     /* a 256 MiB capture and the rest of a task */
#define MAX_DEPTH    16

struct unpack {
	const char *root;            /* the temporary folder */
	const char *name;            /* the archive's, for the report */
	struct tq_sbuf *rep;
	char *err;
	size_t errlen;
	size_t total;                /* bytes written so far */
	unsigned skipped;
};

static int
fail(struct unpack *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
fail(struct unpack *u, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(u->err, u->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * The entry's name made a path under the root, in out: "./", "." and empty
 * components dropped.  1 to unpack it, 0 to leave it out (macOS's metadata,
 * the archive's own top), -1 with the error set (absolute, "..", too deep).
 */
static int
entry_path(struct unpack *u, const char *name, char *out, size_t len)
{
	if (!name || !*name)
		return fail(u, "an entry of the archive has no name");
	if (name[0] == '/')
		return fail(u, "the archive's entry '%.200s' is an absolute path: refused", name);
	size_t n = (size_t)snprintf(out, len, "%s", u->root);
	int depth = 0;
	for (const char *p = name; *p;) {
		const char *e = strchr(p, '/');
		size_t k = e ? (size_t)(e - p) : strlen(p);
		if (k == 2 && !memcmp(p, "..", 2))
			return fail(u, "the archive's entry '%.200s' climbs out of its folder with '..': refused", name);
		if (k && !(k == 1 && *p == '.')) {
			if ((depth == 0 && k == 8 && !memcmp(p, "__MACOSX", 8)) || (k >= 2 && !memcmp(p, "._", 2)))
				return 0;
			if (++depth > MAX_DEPTH)
				return fail(u, "the archive's entry '%.200s' is more than %d folders deep", name, MAX_DEPTH);
			if (k > 255 || n + 1 + k + 1 > len)
				return fail(u, "the archive's entry '%.200s' has too long a name", name);
			out[n++] = '/';
			memcpy(out + n, p, k);
			out[n += k] = '\0';
		}
		p += k + (e != NULL);
	}
	return depth > 0;
}

/* Makes the folders of path below the root (the last component too when whole). */
static int
make_dirs(struct unpack *u, char *path, int whole)
{
	size_t rl = strlen(u->root);
	for (char *p = path + rl + 1;; p++) {
		if (*p != '/' && *p)
			continue;
		char c = *p;
		if (!c && !whole)
			return 0;
		*p = '\0';
		int rc = mkdir(path, 0700);
		struct stat sb;
		/* nothing but folders and files is ever made here: an existing name is one of those */
		if (rc != 0 && !(errno == EEXIST && lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode))) {
			int e = errno;
			*p = c;
			return fail(u, "'%s': %s", path + rl + 1, e == EEXIST ? "a file and a folder of this name" : strerror(e));
		}
		*p = c;
		if (!c)
			return 0;
	}
}

/* The entry's bytes into a new file at path. */
static int
write_entry(struct unpack *u, struct archive *ar, const char *path)
{
	const char *shown = path + strlen(u->root) + 1;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return fail(u, "'%s': %s", shown, errno == EEXIST ? "the archive holds it twice" : strerror(errno));
	char buf[65536];
	for (;;) {
		la_ssize_t k = archive_read_data(ar, buf, sizeof(buf));
		if (k == 0)
			break;
		if (k < 0) {
			close(fd);
			return fail(u, "'%s' cannot be read from the archive: %s", shown, archive_error_string(ar));
		}
		if ((u->total += (size_t)k) > MAX_UNPACKED) {
			close(fd);
			return fail(u, "the archive unpacks to more than %u MiB: not one task", MAX_UNPACKED >> 20);
		}
		for (size_t off = 0; off < (size_t)k;) {
			ssize_t w = write(fd, buf + off, (size_t)k - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				int e = errno;
				close(fd);
				return fail(u, "'%s': %s", shown, strerror(w < 0 ? e : EIO));
			}
			off += (size_t)w;
		}
	}
	if (close(fd) != 0)
		return fail(u, "'%s': %s", shown, strerror(errno));
	return 0;
}

static int
unpack_all(struct unpack *u, const void *data, size_t len)
{
	struct archive *ar = archive_read_new();
	if (!ar)
		return fail(u, "out of memory");
	/* the formats a task folder comes in, and no more: every format read is code an upload reaches */
	archive_read_support_filter_gzip(ar);
	archive_read_support_filter_bzip2(ar);
	archive_read_support_filter_xz(ar);
	archive_read_support_format_zip(ar);
	archive_read_support_format_tar(ar);
	int rc = -1;
	if (archive_read_open_memory(ar, data, len) != ARCHIVE_OK) {
		fail(u, "not an archive tracequiz reads (zip, or tar with or without gzip, bzip2 or xz): %s",
		    archive_error_string(ar));
		goto out;
	}
	struct archive_entry *e;
	unsigned entries = 0;
	int r;
	while ((r = archive_read_next_header(ar, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
		if (++entries > MAX_ENTRIES) {
			fail(u, "the archive has more than %d entries: not one task", MAX_ENTRIES);
			goto out;
		}
		const char *name = archive_entry_pathname_utf8(e);
		if (!name)
			name = archive_entry_pathname(e);
		char path[4096];
		int want = entry_path(u, name, path, sizeof(path));
		if (want < 0)
			goto out;
		mode_t type = archive_entry_filetype(e);
		if (!want)
			continue;
		if (type == AE_IFDIR) {
			if (make_dirs(u, path, 1) != 0)
				goto out;
		} else if (type == AE_IFREG && !archive_entry_hardlink(e)) {
			if (make_dirs(u, path, 0) != 0 || write_entry(u, ar, path) != 0)
				goto out;
		} else {
			if (!u->skipped)
				tq_sbuf_printf(u->rep, "# Unpacking %s\n\n", u->name);
			if (u->skipped++ < 10)
				tq_sbuf_printf(u->rep, "- `%s` in the archive is %s: left out\n", path + strlen(u->root) + 1,
				    type == AE_IFLNK || archive_entry_hardlink(e) ? "a link" : "not a file nor a folder");
		}
	}
	if (r != ARCHIVE_EOF) {
		fail(u, "the archive is damaged: %s", archive_error_string(ar));
		goto out;
	}
	rc = 0;
out:
	archive_read_free(ar);
	return rc;
}

static int
remove_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

static int
has_task(const char *dir)
{
	char p[4400];
	struct stat sb;
	if ((size_t)snprintf(p, sizeof(p), "%s/task.yaml", dir) >= sizeof(p))
		return 0;
	return lstat(p, &sb) == 0 && S_ISREG(sb.st_mode);
}

/*
 * The task's folder in the unpacked tree, in dir, and its name in shown:
 * the top when task.yaml is there, else the one folder at the top that
 * holds one.
 */
static int
find_task(struct unpack *u, const char *name, char *dir, size_t len, char *shown, size_t slen)
{
	snprintf(dir, len, "%s", u->root);
	snprintf(shown, slen, "%s", name);
	if (has_task(u->root))
		return 0;
	struct dirent **list = NULL;
	int n = scandir(u->root, &list, NULL, alphasort);
	if (n < 0)
		return fail(u, "%s: %s", u->root, strerror(errno));
	int tasks = 0;
	char names[512] = "";
	for (int i = 0; i < n; i++) {
		char sub[4200];
		snprintf(sub, sizeof(sub), "%s/%s", u->root, list[i]->d_name);
		if (list[i]->d_name[0] != '.' && has_task(sub)) {
			if (!tasks++) {
				snprintf(dir, len, "%s", sub);
				snprintf(shown, slen, "%s:%s", name, list[i]->d_name);
			}
			size_t k = strlen(names);
			if (k < sizeof(names) - 64)
				snprintf(names + k, sizeof(names) - k, "%s%s", k ? ", " : "", list[i]->d_name);
		}
		free(list[i]);
	}
	free(list);
	if (tasks == 1)
		return 0;
	if (!tasks)
		return fail(u, "%s: no task.yaml at the top of the archive nor in a folder at its top: not an INGInious task",
		    name);
	return fail(u, "%s holds %d tasks (%s): upload one task folder at a time", name, tasks, names);
}

void
tq_remove_tree(const char *dir)
{
	nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

int
tq_import_inginious_archive(const void *data, size_t len, const struct tq_archive_opts *o, const char *outdir,
    struct tq_sbuf *report, char *err, size_t errlen)
{
	const char *name = o->name;
	char *task = o->task;
	size_t tasklen = o->tasklen;
	err[0] = '\0';
	if (tasklen)
		task[0] = '\0';
	const char *tmp = o->tmpdir ? o->tmpdir : getenv("TMPDIR");
	char root[1024];
	snprintf(root, sizeof(root), "%s/tracequiz-import-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(root)) {
		snprintf(err, errlen, "a temporary folder for the archive: %s", strerror(errno));
		return -1;
	}
	struct unpack u = { root, name, report, err, errlen, 0, 0 };
	char dir[4200], shown[1024];
	int rc = -1;
	if (unpack_all(&u, data, len) == 0 && find_task(&u, name, dir, sizeof(dir), shown, sizeof(shown)) == 0) {
		if (u.skipped)
			tq_sbuf_puts(report, "\n");
		rc = tq_import_inginious(dir, shown, o->lim, outdir, report, err, errlen);
		const char *colon = strchr(shown + strlen(name), ':');
		if (tasklen) {
			snprintf(task, tasklen, "%s", colon ? colon + 1 : name);
			char *dot = colon ? NULL : strchr(task, '.');
			if (dot && dot != task)
				*dot = '\0';
		}
	} else if (strncmp(err, name, strlen(name))) {
		/* the error names the archive it is about */
		char inner[1024];
		snprintf(inner, sizeof(inner), "%s", err);
		snprintf(err, errlen, "%s: %s", name, inner);
	}
	tq_remove_tree(root);
	return rc;
}
