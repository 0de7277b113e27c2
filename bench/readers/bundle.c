/*
 * The results bundle's page (bundle.h): the letter as sent, its verdict
 * and tables as HTML from compare.json, every point's figures inlined as
 * SVG, the appendix, and the files the archive holds. No script, no
 * network: a browser opens it from the archive as it is.
 */
#include "bundle.h"
#include "compare.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The whole of a file, NUL-terminated; NULL with errno set. */
static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0, used = 0, r;

	if (!f)
		return NULL;
	for (;;) {
		if (cap - used < 65536) {
			char *nb = realloc(buf, cap + 65536 + 1);

			if (!nb) {
				free(buf);
				fclose(f);
				errno = ENOMEM;
				return NULL;
			}
			buf = nb;
			cap += 65536;
		}
		r = fread(buf + used, 1, cap - used, f);
		used += r;
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		free(buf);
		fclose(f);
		errno = EIO;
		return NULL;
	}
	fclose(f);
	buf[used] = '\0';
	if (n)
		*n = used;
	return buf;
}

/* A text file of dir as a <pre>, or a line saying it is not there. */
static void pre_file(FILE *f, const char *dir, const char *name, const char *id)
{
	char path[4096];
	char *t;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	t = slurp(path, NULL);
	if (!t) {
		fprintf(f, "<p>%s: not in this folder</p>\n", name);
		return;
	}
	fprintf(f, "<pre id=\"%s\">", id);
	cmp_html_esc(f, t);
	fputs("</pre>\n", f);
	free(t);
}

/*
 * One gnuplot SVG inline: its XML prolog dropped, every id (and each
 * reference to one: href='#x', url(#x)) prefixed with the figure's
 * number, so figures sharing a page never take each other's markers.
 */
static void inline_svg(FILE *f, const char *svg, int fig)
{
	const char *p = strstr(svg, "<svg");

	if (!p)
		return;
	while (*p) {
		if (!strncmp(p, "id='", 4) || !strncmp(p, "id=\"", 4)) {
			fprintf(f, "%.4sf%d_", p, fig);
			p += 4;
		} else if (!strncmp(p, "href='#", 7) || !strncmp(p, "href=\"#", 7)) {
			fprintf(f, "%.7sf%d_", p, fig);
			p += 7;
		} else if (!strncmp(p, "url(#", 5)) {
			fprintf(f, "url(#f%d_", fig);
			p += 5;
		} else {
			fputc(*p++, f);
		}
	}
	fputc('\n', f);
}

static int svg_only(const struct dirent *e)
{
	size_t n = strlen(e->d_name);

	return n > 4 && !strcmp(e->d_name + n - 4, ".svg");
}

/* Every figure of one point, in name order. Returns how many. */
static int point_figures(FILE *f, const char *dir, const char *point, int *fig)
{
	char path[4096];
	struct dirent **ents = NULL;
	int n, i, shown = 0;

	snprintf(path, sizeof(path), "%s/plots/%s", dir, point);
	n = scandir(path, &ents, svg_only, alphasort);
	for (i = 0; i < n; i++) {
		char file[4400];
		char *svg;

		snprintf(file, sizeof(file), "%s/%s", path, ents[i]->d_name);
		svg = slurp(file, NULL);
		if (svg && strstr(svg, "<svg")) {
			fputs("<figure class=\"fig\" data-name=\"", f);
			cmp_html_esc(f, point);
			fputc('/', f);
			cmp_html_esc(f, ents[i]->d_name);
			fputs("\">\n", f);
			inline_svg(f, svg, ++*fig);
			fputs("<figcaption>", f);
			cmp_html_esc(f, ents[i]->d_name);
			fputs("</figcaption></figure>\n", f);
			shown++;
		}
		free(svg);
		free(ents[i]);
	}
	free(ents);
	return shown;
}

int bundle_page(FILE *f, const char *dir, char *msg, size_t len)
{
	char path[4096];
	json_error_t je;
	json_t *root, *pts, *p, **models = NULL;
	const char **names = NULL;
	size_t n, i;
	int fig = 0, ret = 0;

	snprintf(path, sizeof(path), "%s/compare.json", dir);
	root = json_load_file(path, 0, &je);
	if (!root) {
		snprintf(msg, len, "%s: %s", path, je.text);
		return -EINVAL;
	}
	pts = json_object_get(root, "points");
	n = json_array_size(pts);
	models = calloc(n + 1, sizeof(*models));
	names = calloc(n + 1, sizeof(*names));
	if (!models || !names) {
		snprintf(msg, len, "out of memory");
		ret = -ENOMEM;
		goto out;
	}
	json_array_foreach(pts, i, p) {
		models[i] = json_object_get(p, "model");
		names[i] = json_string_value(json_object_get(p, "name"));
		if (!json_is_object(models[i]) || !names[i]) {
			snprintf(msg, len, "%s: point %zu has no name or model", path, i + 1);
			ret = -EINVAL;
			goto out;
		}
	}
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	      "<title>stallbench comparison</title>\n<style>\n"
	      "body{font-family:sans-serif;max-width:1000px;margin:1em auto;padding:0 1em}\n"
	      "pre{font-size:12px;background:#f6f6f6;padding:.5em;overflow-x:auto}\n"
	      "table.point{border-collapse:collapse;margin:1em 0;font-size:13px}\n"
	      "table.point caption{text-align:left;font-weight:bold}\n"
	      "table.point td,table.point th{border:1px solid #ccc;padding:2px 6px;"
	      "text-align:left;font-family:monospace;white-space:pre}\n"
	      "p.l2{margin:.2em 0 .2em 1.5em} p.l0{margin:.4em 0}\n"
	      "figure.fig{display:inline-block;width:480px;margin:.5em}\n"
	      "figure.fig svg{width:100%;height:auto;border:1px solid #ddd}\n"
	      "</style></head><body>\n<h1>stallbench comparison</h1>\n"
	      "<p>The letter as sent, its verdict and tables, every figure, the appendix. "
	      "The archive holds the raw result directories, each kernel's kernel.lock, "
	      "config and dmesg.</p>\n<h2 id=\"letter\">Cover letter</h2>\n", f);
	pre_file(f, dir, "cover-letter.txt", "cover-letter");
	fputs("<h2 id=\"tables\">Verdict and tables</h2>\n<div id=\"letter-tables\">\n", f);
	ret = cmp_print_letter_html(f, models, names, n, CMP_AA_RATE);
	fputs("</div>\n<h2 id=\"figures\">Figures</h2>\n", f);
	for (i = 0; i < n; i++) {
		fputs("<h3>", f);
		cmp_html_esc(f, names[i]);
		fputs("</h3>\n", f);
		if (!point_figures(f, dir, names[i], &fig))
			fputs("<p>no figure for this point</p>\n", f);
	}
	fputs("<h2 id=\"appendix\">Appendix: full tables and text figures</h2>\n"
	      "<details><summary>cover-letter-full.txt</summary>\n", f);
	pre_file(f, dir, "cover-letter-full.txt", "appendix-text");
	fputs("</details>\n</body></html>\n", f);
	if (ret == 0 && ferror(f))
		ret = -EIO;
	if (ret < 0)
		snprintf(msg, len, "writing the page: %s", strerror(-ret));
out:
	free(models);
	free(names);
	json_decref(root);
	return ret;
}
