/*
 * stallbench parse size|duration VALUE...: the one grammar for the values
 * users type, for the shell scripts (run.sh, vm/sweep, vm/run) to validate
 * through, so a size means the same everywhere. Prints each value in bytes
 * or nanoseconds, one a line; the first bad one is one line on stderr and
 * exit 2.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "parse.h"

int cmd_parse(int argc, char **argv)
{
	int (*fn)(const char *, uint64_t *, char *, size_t) = NULL;
	char msg[256];
	int i;

	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: stallbench parse size|duration VALUE...\n"
		       "  each VALUE in bytes or nanoseconds, one a line; a bad one: exit 2\n");
		return 0;
	}
	if (argc >= 2 && !strcmp(argv[1], "size"))
		fn = parse_size;
	else if (argc >= 2 && !strcmp(argv[1], "duration"))
		fn = parse_duration;
	if (!fn || argc < 3) {
		fprintf(stderr, "usage: stallbench parse size|duration VALUE...\n");
		return 2;
	}
	for (i = 2; i < argc; i++) {
		uint64_t v;

		if (fn(argv[i], &v, msg, sizeof(msg)) < 0) {
			fprintf(stderr, "%s\n", msg);
			return 2;
		}
		printf("%" PRIu64 "\n", v);
	}
	return 0;
}
