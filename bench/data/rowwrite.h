/*
 * ops.csv, stalls.csv, offcpu.csv and oncpu.csv, written from rows.h's structs through
 * columns.h's tables: the header, then one row per call. A row's strings
 * must not hold ',' or a newline. Pure data.
 */
#ifndef STALLBENCH_ROWWRITE_H
#define STALLBENCH_ROWWRITE_H

#include <stdio.h>

#include "rows.h"

void rr_ops_header(FILE *f);
void rr_write_op(FILE *f, const struct rr_op *op);
void rr_stalls_header(FILE *f);
void rr_write_stall(FILE *f, const struct rr_stall *s);
void rr_offcpu_header(FILE *f);
void rr_write_offcpu(FILE *f, const struct rr_offcpu *o);
void rr_oncpu_header(FILE *f);
void rr_write_oncpu(FILE *f, const struct rr_oncpu *o);

#endif
