/* Parsing of user-supplied sizes, durations and numbers, with messages that
 * say what was wrong and what would be right. Pure: no I/O. */
#ifndef STALLBENCH_PARSE_H
#define STALLBENCH_PARSE_H
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

/* "4096", "4K", "256M", "1G", "1.5G", "2T" (binary units) -> bytes. 0 or -EINVAL/-ERANGE, msg says why. */
int parse_size(const char *s, uint64_t *out, char *msg, size_t len);
/* "10s", "500ms", "2m", "100us", "1h", bare number = seconds -> ns. 0 or -errno. */
int parse_duration(const char *s, uint64_t *out, char *msg, size_t len);
/* Unsigned decimal in [min,max]. 0 or -errno. */
int parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out, char *msg, size_t len);
/* yes/no/true/false/on/off/1/0. 0 or -EINVAL. */
int parse_bool(const char *s, bool *out, char *msg, size_t len);
/* Finite double. 0 or -EINVAL. */
int parse_double(const char *s, double *out, char *msg, size_t len);
/* Formats bytes as "256M"/"1.5G" into buf; returns buf. */
const char *fmt_size(uint64_t bytes, char *buf, size_t len);
/* Formats ns as "12.3us"/"4.56ms"/"1.23s"; returns buf. */
const char *fmt_ns(double ns, char *buf, size_t len);
#endif
