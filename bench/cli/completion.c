/*
 * stallbench completion: prints the bash completion script, written from the
 * binary's own lists so it cannot drift from them: the command table, the
 * workload registry with each workload's options table, and every command's
 * --help text (the options a user is told about are the ones completed; an
 * option followed by a|b|c completes those words, one followed by DIR a
 * directory). CMake runs it at build time and installs the result under
 * share/bash-completion/completions.
 */
#include <ctype.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cmds.h"
#include "workload.h"

#define MAX_OPTS 96

/* One option as the help text shows it. */
struct hopt {
	char name[48];
	char vals[160];		/* "@none" (takes a value), "@dir", "a b c", "" (a flag) */
};

struct hcmd {
	struct hopt opt[MAX_OPTS];
	int n;
	char pos[160];		/* choices of the first positional word ("size duration") */
	bool dirs;		/* positional words are directories */
};

/* The command's --help output, as its user sees it. NULL on failure. */
static char *help_text(const struct cmd *c)
{
	char *hv[] = { (char *)c->name, (char *)"--help", NULL };
	int fd = memfd_create("sb-help", 0), save;
	char *buf;
	off_t n;

	if (fd < 0)
		return NULL;
	fflush(stdout);
	save = dup(1);
	if (save < 0 || dup2(fd, 1) < 0) {
		close(fd);
		return NULL;
	}
	c->fn(2, hv);
	fflush(stdout);
	dup2(save, 1);
	close(save);
	n = lseek(fd, 0, SEEK_END);
	buf = n >= 0 ? calloc(1, (size_t)n + 1) : NULL;
	if (buf && pread(fd, buf, (size_t)n, 0) != n) {
		free(buf);
		buf = NULL;
	}
	close(fd);
	return buf;
}

static struct hopt *get_opt(struct hcmd *h, const char *name, size_t len)
{
	for (int i = 0; i < h->n; i++)
		if (strlen(h->opt[i].name) == len && !strncmp(h->opt[i].name, name, len))
			return &h->opt[i];
	if (h->n == MAX_OPTS || len >= sizeof(h->opt[0].name))
		return NULL;
	snprintf(h->opt[h->n].name, sizeof(h->opt[0].name), "%.*s", (int)len, name);
	h->opt[h->n].vals[0] = 0;
	return &h->opt[h->n++];
}

/* What follows an option in the help text: a|b|c -> "a b c", a METAVAR -> "@none"
 * ("@dir" when it names a directory), anything else: a flag (""). */
static void value_kind(const char *p, char *out, size_t len)
{
	size_t n = 0;

	out[0] = 0;
	if (*p != ' ' && *p != '=')
		return;
	p++;
	while (p[n] && (islower((unsigned char)p[n]) || p[n] == '|'))
		n++;
	if (n && memchr(p, '|', n) && !isalnum((unsigned char)p[n])) {
		snprintf(out, len, "%.*s", (int)n, p);
		for (char *q = out; *q; q++)
			if (*q == '|')
				*q = ' ';
		return;
	}
	for (n = 0; isupper((unsigned char)p[n]) || p[n] == '_'; n++)
		;
	if (n && !islower((unsigned char)p[n]))
		snprintf(out, len, "%s", memmem(p, n, "DIR", 3) ? "@dir" : "@none");
}

/* Collects the --options of a help text, up to a line "workloads:" (run lists
 * the workloads' options after it; they come from the registry instead). */
static void scan_help(const char *text, struct hcmd *h)
{
	const char *end = strstr(text, "\nworkloads:\n");
	char word[160];

	if (!end)
		end = text + strlen(text);
	/* "usage: stallbench CMD a|b ...": the first word's choices */
	if (sscanf(text, "usage: stallbench %*s %158s", word + 1) == 1) {
		word[0] = ' ';
		value_kind(word, h->pos, sizeof(h->pos));
		if (h->pos[0] == '@')
			h->pos[0] = 0;
		h->dirs = strstr(word, "DIR") != NULL;
	}
	for (const char *p = text; p < end; p++) {
		const char *s;
		struct hopt *o;
		char vk[160];

		if (p[0] != '-' || p[1] != '-' || !islower((unsigned char)p[2]))
			continue;
		if (p > text && !strchr(" [(,|", p[-1]))
			continue;
		for (s = p + 2; islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '-'; s++)
			;
		o = get_opt(h, p + 2, (size_t)(s - p - 2));
		value_kind(s, vk, sizeof(vk));
		/* the same option shown twice: choices beat a metavar, a metavar a flag */
		if (o && vk[0] && (!o->vals[0] || (o->vals[0] == '@' && vk[0] != '@')))
			snprintf(o->vals, sizeof(o->vals), "%s", vk);
		p = s - 1;
	}
}

static void print_opts(const char *indent, const struct hcmd *h)
{
	printf("%sopts=\"$opts", indent);
	for (int i = 0; i < h->n; i++)
		printf(" --%s", h->opt[i].name);
	printf("\"\n");
}

/* case arms for the previous word: what an option's value completes to. */
static void print_vals(const struct hcmd *h)
{
	for (int i = 0; i < h->n; i++)
		if (h->opt[i].vals[0])
			printf("\t\t--%s) vals=\"%s\" ;;\n", h->opt[i].name, h->opt[i].vals);
}

static void print_workloads(void)
{
	printf("\t\tfor ((i = 3; i < COMP_CWORD; i++)); do\n"
	       "\t\t\t[[ ${COMP_WORDS[i-1]} == --workload ]] || continue\n"
	       "\t\t\tcase ${COMP_WORDS[i]} in\n");
	for (int i = 0; workloads[i]; i++) {
		printf("\t\t\t%s) opts=\"$opts", workloads[i]->name);
		for (const struct wl_opt *o = workloads[i]->opts; o->name; o++)
			printf(" --%s", o->name);
		printf("\" ;;\n");
	}
	printf("\t\t\tesac\n\t\tdone\n\t\tcase $prev in\n\t\t--workload) vals=\"");
	for (int i = 0; workloads[i]; i++)
		printf("%s%s", i ? " " : "", workloads[i]->name);
	printf("\" ;;\n");
	/* every workload option takes a value */
	for (int i = 0; workloads[i]; i++)
		for (const struct wl_opt *o = workloads[i]->opts; o->name; o++)
			printf("\t\t--%s) vals=\"%s\" ;;\n", o->name,
			       o->type == WOPT_BOOL ? "yes no" :
			       strstr(o->name, "dir") ? "@dir" : "@none");
}

static void usage(FILE *f)
{
	fputs("usage: stallbench completion [bash]\n"
	      "  print the bash completion script (commands, their options and values,\n"
	      "  workloads and each workload's options); source it, or install it as\n"
	      "  share/bash-completion/completions/stallbench\n", f);
}

int cmd_completion(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct hcmd *h;
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return 0;
		}
		fprintf(stderr, "completion: %s: unknown option (see --help)\n", argv[optind - 1]);
		return 2;
	}
	if (argc - optind > 1 || (optind < argc && strcmp(argv[optind], "bash"))) {
		fprintf(stderr, "completion: '%s': only bash is supported\n", argv[optind]);
		return 2;
	}
	h = calloc(sb_nr_cmds, sizeof(*h));
	if (!h)
		return 1;
	for (size_t i = 0; i < sb_nr_cmds; i++) {
		char *t = help_text(&sb_cmds[i]);

		if (!t) {
			fprintf(stderr, "completion: cannot read %s --help\n", sb_cmds[i].name);
			free(h);
			return 1;
		}
		scan_help(t, &h[i]);
		free(t);
	}
	printf("# bash completion for stallbench, written by `stallbench completion`\n"
	       "# from the binary's command table, workload registry and --help texts.\n"
	       "_stallbench()\n{\n"
	       "\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
	       "\tlocal cmd=${COMP_WORDS[1]} opts=\"--help\" vals=\"\" pos=\"\" dirs=0 i\n"
	       "\tlocal cmds=\"");
	for (size_t i = 0; i < sb_nr_cmds; i++)
		printf("%s ", sb_cmds[i].name);
	printf("help\"\n\tCOMPREPLY=()\n"
	       "\tif ((COMP_CWORD == 1)); then\n"
	       "\t\tCOMPREPLY=($(compgen -W \"$cmds --help --version\" -- \"$cur\"))\n"
	       "\t\treturn\n\tfi\n"
	       "\tcase $cmd in\n"
	       "\thelp)\n\t\t((COMP_CWORD == 2)) && COMPREPLY=($(compgen -W \"$cmds\" -- \"$cur\"))\n"
	       "\t\treturn ;;\n");
	for (size_t i = 0; i < sb_nr_cmds; i++) {
		printf("\t%s)\n", sb_cmds[i].name);
		print_opts("\t\t", &h[i]);
		if (h[i].pos[0])
			printf("\t\tpos=\"%s\"\n", h[i].pos);
		if (h[i].dirs)
			printf("\t\tdirs=1\n");
		if (!strcmp(sb_cmds[i].name, "run"))
			print_workloads();
		else
			printf("\t\tcase $prev in\n");
		print_vals(&h[i]);
		printf("\t\tesac ;;\n");
	}
	printf("\t*) return ;;\n\tesac\n"
	       "\tcase $vals in\n"
	       "\t@dir) COMPREPLY=($(compgen -d -- \"$cur\")); return ;;\n"
	       "\t@none) return ;;\n"
	       "\t?*) COMPREPLY=($(compgen -W \"$vals\" -- \"$cur\")); return ;;\n"
	       "\tesac\n"
	       "\tif [[ -n $pos && $COMP_CWORD == 2 && $cur != -* ]]; then\n"
	       "\t\tCOMPREPLY=($(compgen -W \"$pos\" -- \"$cur\"))\n"
	       "\telif [[ $cur == -* || $dirs == 0 ]]; then\n"
	       "\t\tCOMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
	       "\telse\n"
	       "\t\tCOMPREPLY=($(compgen -d -- \"$cur\"))\n"
	       "\tfi\n"
	       "}\ncomplete -F _stallbench stallbench\n");
	free(h);
	return 0;
}
