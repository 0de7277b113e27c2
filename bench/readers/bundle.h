/*
 * The results bundle's page: one self-contained index.html for a
 * comparison folder (what vm/sweep or run.sh --hosts leaves: the letter,
 * its appendix, compare.json of every point, plots/POINT/ SVGs). The
 * letter's verdict and tables are rendered by the letter's own renderer
 * (compare_letter.c) from compare.json, so the page carries the letter's
 * numbers; every figure is inlined as SVG (ids made unique per figure),
 * nothing is fetched: the page opens offline.
 */
#ifndef STALLBENCH_BUNDLE_H
#define STALLBENCH_BUNDLE_H

#include <stddef.h>
#include <stdio.h>

/* Writes the page of comparison folder dir to f. 0, or -errno with msg set. */
int bundle_page(FILE *f, const char *dir, char *msg, size_t len);

#endif
