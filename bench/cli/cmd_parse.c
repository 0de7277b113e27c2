/*
 * stallbench parse size|duration VALUE...: the one grammar for the values
 * users type, for the shell scripts (run.sh, vm/sweep, vm/run) to validate
 * through, so a size means the same everywhere. Prints each value in bytes
 * or nanoseconds, one a line; the first bad one is one line on stderr and
 * exit 2.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "parse.h"

static void usage(FILE *f)
{
	fputs("usage: stallbench parse size|duration VALUE...\n"
	      "  each VALUE in bytes (size: 4096, 64K, 1.5G, 128MiB) or nanoseconds\n"
	      "  (duration: 500ms, 10s, 2m), one a line; the first bad one is one\n"
	      "  line on stderr and exit 2\n", f);
}

int cmd_parse(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int (*fn)(const char *, uint64_t *, char *, size_t) = NULL;
	char msg[256];
	int i, c;

	optind = 0;	/* a fresh getopt scan: main may have used it */
	opterr = 0;
	/* "+": options end at the first word, so "-1" is a VALUE (and refused) */
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return 0;
		}
		fprintf(stderr, "parse: %s: unknown option (see --help)\n", argv[optind - 1]);
		return 2;
	}
	if (optind < argc && !strcmp(argv[optind], "size"))
		fn = parse_size;
	else if (optind < argc && !strcmp(argv[optind], "duration"))
		fn = parse_duration;
	if (!fn || argc - optind < 2) {
		fprintf(stderr, "usage: stallbench parse size|duration VALUE... (see --help)\n");
		return 2;
	}
	for (i = optind + 1; i < argc; i++) {
		uint64_t v;

		if (fn(argv[i], &v, msg, sizeof(msg)) < 0) {
			fprintf(stderr, "%s\n", msg);
			return 2;
		}
		printf("%" PRIu64 "\n", v);
	}
	return 0;
}
