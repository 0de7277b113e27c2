/*
 * The result schema's facts shared by the writer (runner, resultio) and the
 * readers (resread): what one place must say for both. The stall kinds are
 * in stallkind.h, the rounds' sources in roundsrc.h.
 */
#ifndef STALLBENCH_SCHEMA_H
#define STALLBENCH_SCHEMA_H

#include "stallkind.h"

/*
 * meta.json and summary.json carry it as "format_version": the runner writes
 * this one, readers refuse a newer one (an absent one is 1: the results
 * written before it was recorded). Bump it when a reader of the old version
 * would misread the new files.
 */
#define RESULT_FORMAT_VERSION	1

#endif
