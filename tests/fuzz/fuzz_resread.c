/* libFuzzer target: the result readers (used by report/compare/plot on
 * directories from any machine) against arbitrary file contents. The first
 * byte picks the file the rest of the input becomes; the others stay valid. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <sys/stat.h>
#include "resread.h"

static char dir[64];

static const char meta[] = "{\"status\":\"complete\",\"kernel\":{\"release\":\"6.1\",\"cmdline\":\"\"},"
	"\"mm\":{},\"params\":{},\"cgroup\":{\"version\":2,\"cap_bytes\":1}}";
static const char summary[] = "{\"status\":\"complete\",\"ops\":{},\"stalls\":{},\"lost_events\":0}";
static const char ops[] = "t_start_ns,tid,worker,node,workload,op,latency_ns,errno,stall_ns,"
	"reclaim_rounds,bytes,kernel_ns,flags,landed_node\n1,2,0,-1,w,o,5,0,0,0,1,0,,-1\n";

static void put(const char *name, const void *data, size_t len)
{
	char p[128];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	if (!f)
		abort();
	fwrite(data, 1, len, f);
	fclose(f);
}

static int on_op(void *a, const struct rr_op *o) { (void)a; (void)o; return 0; }
static int on_stall(void *a, const struct rr_stall *s) { (void)a; (void)s; return 0; }
static int on_tick(void *a, const struct rr_tick *t) { (void)a; (void)t; return 0; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const files[] = { "meta.json", "summary.json", "ops.csv",
					     "stalls.csv", "timeline.csv" };
	struct rr_dir d;
	char msg[512];
	unsigned int which;

	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "/tmp/sbfuzz.%d", (int)getpid());
		if (mkdir(dir, 0700) && errno != EEXIST)
			abort();
	}
	if (!size)
		return 0;
	which = data[0] % 5;
	put("meta.json", meta, sizeof(meta) - 1);
	put("summary.json", summary, sizeof(summary) - 1);
	put("ops.csv", ops, sizeof(ops) - 1);
	put("stalls.csv", "", 0);
	put("timeline.csv", "t_ns\n", 5);
	put(files[which], data + 1, size - 1);
	for (unsigned int flags = 0; flags <= RR_ALLOW_INCOMPLETE; flags += RR_ALLOW_INCOMPLETE) {
		if (rr_open(dir, flags, &d, msg, sizeof(msg)))
			continue;
		rr_read_ops(&d, on_op, NULL, NULL, msg, sizeof(msg));
		rr_read_stalls(&d, on_stall, NULL, NULL, msg, sizeof(msg));
		rr_read_timeline(&d, on_tick, NULL, NULL, msg, sizeof(msg));
		rr_close(&d);
	}
	return 0;
}
