/*
 * stallbench bundle DIR [--link URL] [--out FILE]: one archive of a
 * comparison (what vm/sweep and run.sh --hosts leave in DIR): the letter,
 * its appendix, a self-contained index.html (bundle.c), the raw result
 * directories, and each kernel's kernel.lock, config and dmesg; tar with
 * zstd (or gzip). --link URL says in the letter where the bundle will be
 * ("Plots and data: URL"). Everything is checked before anything is
 * written; the archive appears whole (written beside, then renamed).
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bundle.h"

static void usage(FILE *f)
{
	fputs("usage: stallbench bundle DIR [--link URL] [--out FILE]\n"
	      "  DIR        a comparison folder (vm/sweep --out, run.sh --kernel ...):\n"
	      "             cover-letter.txt, cover-letter-full.txt, compare.json, plots/\n"
	      "  --link URL where the bundle will be published: the letter's last line\n"
	      "             becomes \"Plots and data: URL\"\n"
	      "  --out FILE the archive, .tar.zst (default DIR/stallbench-bundle.tar.zst)\n"
	      "             or .tar.gz / .tgz\n"
	      "writes DIR/index.html (tables and SVG figures inline, opens offline) and\n"
	      "the archive: the letter, the appendix, index.html, compare.json, plots/,\n"
	      "the raw result directories, each kernel's kernel.lock, config and dmesg\n", f);
}

/* "scheme://rest", no blank: a URL a mail reader links. */
static bool url_ok(const char *u)
{
	const char *s = strstr(u, "://");
	const char *p;

	if (!s || s == u || !s[3])
		return false;
	for (p = u; p < s; p++)
		if (!((*p >= 'a' && *p <= 'z') || (p > u && ((*p >= '0' && *p <= '9') ||
			strchr("+.-", *p)))))
			return false;
	for (p = s + 3; *p; p++)
		if (*p <= ' ' || *p == 0x7f)
			return false;
	return true;
}

static bool ends_with(const char *s, const char *t)
{
	size_t a = strlen(s), b = strlen(t);

	return a >= b && !strcmp(s + a - b, t);
}

/* Whether prog is an executable in PATH. */
static bool in_path(const char *prog)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];

	for (const char *p = path ? path : "/usr/bin:/bin"; *p;) {
		size_t l = strcspn(p, ":");

		snprintf(buf, sizeof(buf), "%.*s/%s", (int)l, p, prog);
		if (access(buf, X_OK) == 0)
			return true;
		p += l;
		p += *p == ':';
	}
	return false;
}

/* Writes text to path through path.tmp and a rename. 0 or -errno. */
static int write_atomic(const char *path, const char *text)
{
	char tmp[PATH_MAX];
	FILE *f;
	int ret = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return -errno;
	if (fputs(text, f) == EOF)
		ret = -EIO;
	if (fclose(f) != 0 && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path) < 0)
		ret = -errno;
	if (ret)
		unlink(tmp);
	return ret;
}

/*
 * The letter's link line set to "Plots and data: URL" (the last line that
 * starts so, or a new one at the end). 0 or -errno.
 */
static int set_link(const char *letter, const char *url)
{
	FILE *f = fopen(letter, "r");
	char *line = NULL, *out = NULL;
	size_t llen = 0, olen = 0, last = (size_t)-1, n = 0;
	FILE *o;
	int ret;

	if (!f)
		return -errno;
	/* first pass: which line is the link line */
	while (getline(&line, &llen, f) > 0) {
		if (!strncmp(line, "Plots and data:", 15))
			last = n;
		n++;
	}
	rewind(f);
	o = open_memstream(&out, &olen);
	if (!o) {
		fclose(f);
		free(line);
		return -ENOMEM;
	}
	for (n = 0; getline(&line, &llen, f) > 0; n++) {
		if (n == last)
			fprintf(o, "Plots and data: %s\n", url);
		else
			fputs(line, o);
	}
	if (last == (size_t)-1)
		fprintf(o, "\nPlots and data: %s\n", url);
	fclose(f);
	free(line);
	if (fclose(o) != 0) {
		free(out);
		return -ENOMEM;
	}
	ret = write_atomic(letter, out);
	free(out);
	return ret;
}

/* Runs argv, waits; its exit status, or -errno. */
static int run(char *const argv[])
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execvp(argv[0], argv);
		fprintf(stderr, "bundle: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0)
		return -errno;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

int cmd_bundle(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "link", required_argument, NULL, 'l' },
		{ "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *link = NULL, *out = NULL, *dir;
	char outbuf[PATH_MAX], tmp[PATH_MAX + 8], path[PATH_MAX], name[256], msg[512];
	char *page = NULL, *outdir, *odcopy, *dircopy, *base;
	size_t pagelen = 0;
	bool zst;
	struct stat sb;
	FILE *pf;
	int c, rc;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			link = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			fprintf(stderr, "bundle: %s: unknown option or missing value (see --help)\n",
				argv[optind - 1]);
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "bundle: one comparison folder, DIR (see --help)\n");
		return 2;
	}
	dir = argv[optind];
	snprintf(path, sizeof(path), "%s/cover-letter.txt", dir);
	if (stat(dir, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
		fprintf(stderr, "bundle: %s: not a directory\n", dir);
		return 2;
	}
	if (access(path, R_OK) < 0) {
		fprintf(stderr, "bundle: %s: no cover-letter.txt (not a comparison folder)\n", dir);
		return 2;
	}
	snprintf(path, sizeof(path), "%s/compare.json", dir);
	if (access(path, R_OK) < 0) {
		fprintf(stderr, "bundle: %s: no compare.json (a letter of one sweep has "
			"nothing compared to bundle)\n", dir);
		return 2;
	}
	if (link && !url_ok(link)) {
		fprintf(stderr, "bundle: --link '%s': not a URL (scheme://host/path, no blank)\n",
			link);
		return 2;
	}
	if (!out) {
		snprintf(outbuf, sizeof(outbuf), "%s/stallbench-bundle.tar.%s", dir,
			 in_path("zstd") ? "zst" : "gz");
		out = outbuf;
	}
	zst = ends_with(out, ".tar.zst");
	if (!zst && !ends_with(out, ".tar.gz") && !ends_with(out, ".tgz")) {
		fprintf(stderr, "bundle: --out %s: .tar.zst, .tar.gz or .tgz\n", out);
		return 2;
	}
	if (zst && !in_path("zstd")) {
		fprintf(stderr, "bundle: --out %s: no zstd here (apt-get install zstd, or "
			"--out FILE.tar.gz)\n", out);
		return 4;
	}
	odcopy = strdup(out);
	outdir = odcopy ? dirname(odcopy) : NULL;
	if (!outdir || stat(outdir, &sb) < 0 || !S_ISDIR(sb.st_mode) || access(outdir, W_OK) < 0) {
		fprintf(stderr, "bundle: --out %s: %s is not a writable directory\n", out,
			outdir ? outdir : "its folder");
		free(odcopy);
		return 2;
	}
	free(odcopy);
	/*
	 * The page in memory, twice: once before anything is written (a folder
	 * it cannot render writes nothing), once with the letter's new link.
	 */
	for (int pass = 0; pass < (link ? 2 : 1); pass++) {
		free(page);
		page = NULL;
		if (pass) {
			snprintf(path, sizeof(path), "%s/cover-letter.txt", dir);
			if ((rc = set_link(path, link)) < 0) {
				fprintf(stderr, "bundle: %s: %s\n", path, strerror(-rc));
				return 1;
			}
		}
		pf = open_memstream(&page, &pagelen);
		if (!pf) {
			fprintf(stderr, "bundle: out of memory\n");
			return 1;
		}
		rc = bundle_page(pf, dir, msg, sizeof(msg));
		fclose(pf);
		if (rc < 0) {
			fprintf(stderr, "bundle: %s\n", msg);
			free(page);
			return rc == -EINVAL ? 2 : 1;
		}
	}
	snprintf(path, sizeof(path), "%s/index.html", dir);
	rc = write_atomic(path, page);
	free(page);
	if (rc < 0) {
		fprintf(stderr, "bundle: %s: %s\n", path, strerror(-rc));
		return 1;
	}
	/*
	 * The archive: the folder as it is under one top directory named for
	 * it, less what is not a result (the tool copied into each kernel's
	 * folder for its guest, earlier archives).
	 */
	dircopy = realpath(dir, NULL);
	base = dircopy ? strrchr(dircopy, '/') : NULL;
	snprintf(name, sizeof(name), "stallbench-%s", base && base[1] ? base + 1 : "bundle");
	snprintf(tmp, sizeof(tmp), "%s.tmp", out);
	{
		/* the folder's entries one by one (not ".": the archive grows in it) */
		char transform[320], **targv = NULL;
		struct dirent **ents = NULL;
		int ne = scandir(dircopy ? dircopy : dir, &ents, NULL, alphasort), na = 0, i;

		targv = calloc((size_t)(ne > 0 ? ne : 0) + 16, sizeof(*targv));
		if (ne < 0 || !targv) {
			fprintf(stderr, "bundle: %s: %s\n", dir, strerror(ne < 0 ? errno : ENOMEM));
			free(targv);
			free(dircopy);
			return 1;
		}
		snprintf(transform, sizeof(transform), "--transform=s,^,%s/,", name);
		targv[na++] = "tar";
		targv[na++] = "-C";
		targv[na++] = dircopy ? dircopy : (char *)dir;
		targv[na++] = "--exclude=k*/tool";
		targv[na++] = transform;
		targv[na++] = zst ? "--zstd" : "--gzip";
		targv[na++] = "-cf";
		targv[na++] = tmp;
		for (i = 0; i < ne; i++) {
			const char *e = ents[i]->d_name;

			if (!strcmp(e, ".") || !strcmp(e, "..") || ends_with(e, ".tar.zst") ||
			    ends_with(e, ".tar.gz") || ends_with(e, ".tgz") || ends_with(e, ".tmp"))
				continue;
			targv[na++] = ents[i]->d_name;
		}
		targv[na] = NULL;
		rc = run(targv);
		for (i = 0; i < ne; i++)
			free(ents[i]);
		free(ents);
		free(targv);
	}
	free(dircopy);
	if (rc != 0) {
		fprintf(stderr, "bundle: tar failed (exit %d)\n", rc);
		unlink(tmp);
		return 1;
	}
	if (rename(tmp, out) < 0) {
		fprintf(stderr, "bundle: %s: %s\n", out, strerror(errno));
		unlink(tmp);
		return 1;
	}
	printf("%s\n", out);
	return 0;
}
