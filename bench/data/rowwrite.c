/* The CSV rows of a result as the runner writes them: ops.csv, stalls.csv
 * and offcpu.csv, each a header and one row per call, from rows.h's structs
 * through columns.h's tables. */
#include "rowwrite.h"

#include <stdio.h>

/* One header line from a table of names. */
static void put_header(FILE *f, const char *const *names, int n)
{
	for (int c = 0; c < n; c++)
		fprintf(f, "%s%s", c ? "," : "", names[c]);
	fputc('\n', f);
}

void rr_ops_header(FILE *f)
{
	static const char *const names[SB_OC_NR] = {
#define X(e, n, r) [SB_OC_##e] = n,
		SB_OPS_HEAD_COLS(X)
		SB_OPS_TAIL_COLS(X)
#undef X
#define X(e, n, r) [SB_OC_SRC0 + RSRC_##e] = n,
		SB_ROUND_SRCS(X)
#undef X
	};

	put_header(f, names, SB_OC_NR);
}

static void put_op_col(FILE *f, int c, const struct rr_op *o)
{
	char fl[128];

	if (c >= SB_OC_SRC0 && c <= SB_OC_SRC_END) {
		if (o->have_src[c - SB_OC_SRC0])
			fprintf(f, "%llu", (unsigned long long)o->src[c - SB_OC_SRC0]);
		return;
	}
	switch ((enum sb_ops_col)c) {
	case SB_OC_T_START: fprintf(f, "%llu", (unsigned long long)o->t_start_ns); break;
	case SB_OC_TID: fprintf(f, "%u", o->tid); break;
	case SB_OC_WORKER: fprintf(f, "%d", o->worker); break;
	case SB_OC_NODE: fprintf(f, "%d", o->node); break;
	case SB_OC_WORKLOAD: fputs(o->workload, f); break;
	case SB_OC_OP: fputs(o->op, f); break;
	case SB_OC_LATENCY: fprintf(f, "%llu", (unsigned long long)o->latency_ns); break;
	case SB_OC_ERRNO: fputs(o->err && *o->err ? o->err : "0", f); break;
	case SB_OC_STALL: fprintf(f, "%llu", (unsigned long long)o->stall_ns); break;
	case SB_OC_ROUNDS: fprintf(f, "%llu", (unsigned long long)o->reclaim_rounds); break;
	case SB_OC_BYTES: fprintf(f, "%llu", (unsigned long long)o->bytes); break;
	case SB_OC_KERNEL: fprintf(f, "%llu", (unsigned long long)o->kernel_ns); break;
	case SB_OC_FLAGS: fputs(opflags_str(o->flags, fl, sizeof(fl)), f); break;
	case SB_OC_LANDED: fprintf(f, "%d", o->landed_node); break;
	case SB_OC_CPU:
		if (o->have_sched)
			fprintf(f, "%llu", (unsigned long long)o->cpu_ns);
		break;
	case SB_OC_RUNQ:
		if (o->have_sched)
			fprintf(f, "%llu", (unsigned long long)o->runq_ns);
		break;
	default:	/* the source columns, above */
		break;
	}
}

void rr_write_op(FILE *f, const struct rr_op *o)
{
	for (int c = 0; c < SB_OC_NR; c++) {
		if (c)
			fputc(',', f);
		put_op_col(f, c, o);
	}
	fputc('\n', f);
}

void rr_stalls_header(FILE *f)
{
	static const char *const names[SB_SC_NR] = {
#define X(e, n, r) [SB_SC_##e] = n,
		SB_STALLS_COLS(X)
#undef X
	};

	put_header(f, names, SB_SC_NR);
}

static void put_stall_col(FILE *f, enum sb_stalls_col c, const struct rr_stall *s)
{
	switch (c) {
	case SB_SC_T_START: fprintf(f, "%llu", (unsigned long long)s->t_start_ns); break;
	case SB_SC_TID: fprintf(f, "%u", s->tid); break;
	case SB_SC_CPU: fprintf(f, "%d", s->cpu); break;
	case SB_SC_KIND: fputs(s->kind_name, f); break;
	case SB_SC_DURATION: fprintf(f, "%llu", (unsigned long long)s->duration_ns); break;
	case SB_SC_RECLAIMED: fprintf(f, "%lld", (long long)s->nr_reclaimed); break;
	case SB_SC_ORDER: fprintf(f, "%d", s->order); break;
	case SB_SC_GFP: fputs(s->gfp ? s->gfp : "", f); break;
	case SB_SC_SCOPE: fputs(s->scope ? s->scope : "run", f); break;
	case SB_SC_NOTE: fputs(s->note ? s->note : "", f); break;
	case SB_SC_REASON: fputs(s->reason ? s->reason : "", f); break;
	case SB_SC_NR: break;
	}
}

void rr_write_stall(FILE *f, const struct rr_stall *s)
{
	for (int c = 0; c < SB_SC_NR; c++) {
		if (c)
			fputc(',', f);
		put_stall_col(f, (enum sb_stalls_col)c, s);
	}
	fputc('\n', f);
}

void rr_offcpu_header(FILE *f)
{
	static const char *const names[SB_FC_NR] = {
#define X(e, n, r) [SB_FC_##e] = n,
		SB_OFFCPU_COLS(X)
#undef X
	};

	put_header(f, names, SB_FC_NR);
}

void rr_write_offcpu(FILE *f, const struct rr_offcpu *o)
{
	for (int c = 0; c < SB_FC_NR; c++) {
		if (c)
			fputc(',', f);
		switch ((enum sb_offcpu_col)c) {
		case SB_FC_WORKLOAD: fputs(o->workload, f); break;
		case SB_FC_OP: fputs(o->op, f); break;
		case SB_FC_SITE: fputs(o->site, f); break;
		case SB_FC_WAKER: fputs(o->waker ? o->waker : "", f); break;
		case SB_FC_SLEEPS: fprintf(f, "%llu", (unsigned long long)o->sleeps); break;
		case SB_FC_NS: fprintf(f, "%llu", (unsigned long long)o->sleep_ns); break;
		case SB_FC_OPS: fprintf(f, "%llu", (unsigned long long)o->ops); break;
		case SB_FC_NR: break;
		}
	}
	fputc('\n', f);
}

void rr_oncpu_header(FILE *f)
{
	static const char *const names[SB_NC_NR] = {
#define X(e, n, r) [SB_NC_##e] = n,
		SB_ONCPU_COLS(X)
#undef X
	};

	put_header(f, names, SB_NC_NR);
}

void rr_write_oncpu(FILE *f, const struct rr_oncpu *o)
{
	for (int c = 0; c < SB_NC_NR; c++) {
		if (c)
			fputc(',', f);
		switch ((enum sb_oncpu_col)c) {
		case SB_NC_WORKLOAD: fputs(o->workload, f); break;
		case SB_NC_OP: fputs(o->op, f); break;
		case SB_NC_SITE: fputs(o->site, f); break;
		case SB_NC_SAMPLES: fprintf(f, "%llu", (unsigned long long)o->samples); break;
		case SB_NC_OPS: fprintf(f, "%llu", (unsigned long long)o->ops); break;
		case SB_NC_NR: break;
		}
	}
	fputc('\n', f);
}
