/* libFuzzer target: the parsers of user input (sizes, durations, numbers,
 * booleans) and errno names must never crash, and what they accept must be
 * consistent (a size printed without a fraction parses back to itself). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stdbool.h>
#include "parse.h"
#include "rows.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[256], msg[256], buf[64];
	uint64_t v;
	bool b;
	double d;
	int e;

	if (size >= sizeof(s))
		size = sizeof(s) - 1;
	memcpy(s, data, size);
	s[size] = 0;
	if (!parse_size(s, &v, msg, sizeof(msg))) {
		uint64_t w;

		fmt_size(v, buf, sizeof(buf));
		/* fmt_size rounds for display; where it prints no fraction it
		 * must be exact and parse back to the same value. */
		if (!strchr(buf, '.') && (parse_size(buf, &w, msg, sizeof(msg)) || w != v))
			abort();
	}
	parse_duration(s, &v, msg, sizeof(msg));
	parse_uint(s, 0, UINT64_MAX, &v, msg, sizeof(msg));
	parse_bool(s, &b, msg, sizeof(msg));
	parse_double(s, &d, msg, sizeof(msg));
	errno_from_name(s, &e);
	return 0;
}
