/*
 * Tracepoint layouts from tracefs format files, decoded with libtraceevent.
 * Nothing here knows an offset: every field is looked up by name in the
 * format file of the kernel at hand (the running one, or a copied tracefs
 * tree such as the test fixtures), because layouts differ between kernels.
 */
#ifndef STALLBENCH_TPDECODE_H
#define STALLBENCH_TPDECODE_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

struct tep_event;
struct tep_format_field;
struct tpdecode;

/* One field of one event, resolved once; a zero size means "absent". */
struct tpd_field {
	const struct tep_format_field *f;
	uint32_t offset;
	uint32_t size;
	bool is_signed;
};

/* One flag table (a __print_flags of the print fmt): value/name pairs in print order. */
struct tpd_flags {
	size_t n;
	uint64_t *val;
	char **name;
};

/* Opens the tracefs tree at root (NULL: the running kernel's, mounted if needed). 0 or -errno. */
int tpd_open(const char *root, struct tpdecode **out, char *errmsg, size_t len);
/* The directory the layouts come from. */
const char *tpd_root(const struct tpdecode *d);
/* Loads sys:name; 0 and *ev, -ENOENT if this kernel lacks it, other -errno on a bad format. */
int tpd_event(struct tpdecode *d, const char *sys, const char *name, struct tep_event **ev);
/* The loaded event with this id (common_type), or NULL. */
struct tep_event *tpd_event_by_id(struct tpdecode *d, int id);
/* The event's tracepoint id. */
int tpd_event_id(const struct tep_event *ev);
/* Resolves a field by name: 0, or -ENOENT (f->size is then 0). */
int tpd_field(const struct tep_event *ev, const char *name, struct tpd_field *f);
/* Reads a numeric field from a raw record of len bytes, sign-extended when signed; 0 or -ERANGE/-ENOENT. */
int tpd_read(const struct tpd_field *f, const void *raw, size_t len, int64_t *out);
/* Collects the __print_flags table the print fmt applies to field; 0, -ENOENT (none), -ENOMEM. */
int tpd_flags_of(const struct tep_event *ev, const char *field, struct tpd_flags *fl);
void tpd_flags_free(struct tpd_flags *fl);
/*
 * Names val as the kernel prints it ("GFP_KERNEL|__GFP_NOFAIL", rest in hex, "none" for 0).
 * Returns the length it wanted (truncated like snprintf).
 */
size_t tpd_flags_str(const struct tpd_flags *fl, uint64_t val, char *buf, size_t len);
/* Copies a __data_loc / fixed char[] field as a string; 0 or -ENOENT/-ERANGE. */
int tpd_read_str(const struct tpd_field *f, const void *raw, size_t len, char *buf, size_t buflen);
void tpd_close(struct tpdecode *d);

#endif
