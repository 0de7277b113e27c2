/*
 * Kernel mm knobs a run sets (`--mm key=value`) and puts back. The keys are
 * the names meta.json's "mm" object records them under, so what a run asked
 * for, what was in force and what compare lists are one vocabulary.
 *
 * Every exit path of the driver puts the old values back; a driver killed
 * with SIGKILL cannot, so the old values are first written to
 * runstatus_dir()/mm-<pid>.json and the next run (or `stallbench doctor`)
 * restores what a dead driver left.
 */
#ifndef STALLBENCH_MMKNOB_H
#define STALLBENCH_MMKNOB_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define MM_MAX_SET 16

struct mm_set {
	unsigned int n;
	struct {
		int knob;		/* index in the knob table */
		char value[64];		/* as asked */
		char old[128];		/* as read before it was set */
		bool applied;
	} s[MM_MAX_SET];
};

/* Adds "key=value" (checked against the knob's grammar, not the kernel's).
 * 0, or -EINVAL with a one-line msg. */
int mm_parse(struct mm_set *m, const char *kv, char *msg, size_t len);
/* The keys and their values' grammar, one per line, for --help. */
void mm_help(FILE *f);
/* Whether every knob's file exists here. 0, or -ENOENT with msg (cannot run here). */
int mm_check(const struct mm_set *m, char *msg, size_t len);
/* Records the old values (mm-<pid>.json) and sets the new ones. On a value
 * the kernel refuses, puts back what was set and returns -EINVAL with msg;
 * other failures -errno with msg. */
int mm_apply(struct mm_set *m, char *msg, size_t len);
/* Puts back the old values and removes the record. Safe to call twice. */
void mm_restore(struct mm_set *m);
/* Restores what drivers that are gone left set. Returns how many records;
 * prints one line on stderr each. -EBUSY with msg when a live driver holds
 * knobs (two runs must not set them at once) and busy_fails is set. */
int mm_reap_stale(bool busy_fails, char *msg, size_t len);
/* {"key": "value"} of what was asked, for meta.json. */
json_t *mm_json(const struct mm_set *m);
#endif
