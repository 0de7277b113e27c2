/*
 * Writes a synthetic result directory in the runner's format, with a known
 * latency distribution: log-normal latencies per op, scaled by --scale.
 * The same --seed draws the same random sequence whatever the scale, so
 * "--seed 1 --scale 1.5" is exactly "--seed 1" with every latency x1.5: the
 * comparison's percentages are known. --run-effect S models what real
 * repetitions show: the whole run's latencies, rounds and stalls scaled by
 * one factor exp(S * N(0,1)) drawn from the seed (a run's own conditions),
 * so ops of one run are not independent of each other. --sleep-scale S
 * writes where each op's time went (ops.csv cpu_ns, runq_ns; without it they
 * are empty, not measured): asleep 0.25 * S of its latency (all of it from
 * S = 4), of the rest two thirds on a CPU and one third waiting for one. So
 * time asleep per call is 0.25 * S times the mean latency, and with the same
 * seed "--sleep-scale 2" is "--sleep-scale 1" with every op asleep twice as
 * long at the same latency; --sleep-op OP:S gives op OP its own S (the
 * others keep --sleep-scale's). --op-every OP:K writes op OP in every K-th
 * round only (its draws are made all the same: the others' rows do not
 * move). Options also produce the broken directories the reader must refuse.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "resultio.h"
#include "stats.h"
#include <jansson.h>
#include "rfile.h"
#include "rowwrite.h"

static uint64_t rs;

static uint64_t rnd(void)
{
	/* splitmix64: small, good enough for test data */
	uint64_t z = (rs += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static double unif(void)
{
	return ((double)(rnd() >> 11) + 0.5) * 0x1.0p-53;
}

static double gauss(void)
{
	double u1 = unif(), u2 = unif();

	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

static FILE *open_in(const char *dir, const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "gen_result: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	return f;
}

static void usage(void)
{
	fputs("usage: gen_result OUTDIR [--seed N] [--scale X] [--n N] [--release R]\n"
	      "  [--cmdline C] [--lru-gen V] [--thp V] [--status S] [--nodes K]\n"
	      "  [--oom-kills K] [--no-summary] [--no-meta] [--truncate] [--bad-number]\n"
	      "  [--long-line] [--few-fields] [--ops-only] [--cap BYTES] [--mix M]\n"
	      "  [--summary-hists] [--zstd] [--spread-nodes K] [--drift X]\n"
	      "  [--psi-spike K] [--sleep-scale S] [--sleep-op OP:S]... [--op-every OP:K]...\n"
	      "  --cap: cgroup cap_bytes; --mix: truncate-storm's mix option; --psi-spike K:\n"
	      "  K ticks whose PSI some total grows by more than the tick (>100%%);\n"
	      "  --sleep-scale S: cpu_ns, runq_ns written, asleep 0.25 * S of each latency;\n"
	      "  --sleep-op OP:S: op OP (ftruncate, punch, unlink_close, alloc) with its own S;\n"
	      "  --op-every OP:K: op OP in every K-th round only\n"
	      "  --zstd: ops.csv.zst, stalls.csv.zst through the runner's writer (rfile.h);\n"
	      "  --spread-nodes K: from round K on, each op on every node in turn (before\n"
	      "  it, on its worker's node alone); --drift X: latencies x(1 + X k/n) in round k\n",
	      stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	const char *dir = NULL, *release = "6.1.0-56-amd64", *lru = "0x0000", *thp = "always";
	const char *status = "complete";
	const char *cmdline = "BOOT_IMAGE=/boot/vmlinuz root=/dev/vda ro console=ttyS0";
	const char *mix = "ftruncate=1,truncate=1,punch=1,unlink=1";
	uint64_t seed = 1, n = 2000, oom = 0, cap = 67108864, spike = 0;
	double scale = 1.0, run_effect = 0.0, sleep_scale = -1.0;	/* < 0: not measured */
	double drift = 0.0, op_sleep[4] = { -1, -1, -1, -1 };	/* < 0: sleep_scale */
	uint64_t op_every[4] = { 1, 1, 1, 1 };
	int nodes = 2, no_summary = 0, no_meta = 0, truncate = 0, bad_number = 0;
	int long_line = 0, few_fields = 0, ops_only = 0, hists = 0, zstd = 0, i;
	uint64_t spread = UINT64_MAX;
	struct rfile *zf = NULL, *zfs = NULL;
	struct hist lat_h[4] = { { 0 } }, stall_h[4] = { { 0 } }, rounds_h[4] = { { 0 } };
	uint64_t enomem[4] = { 0 }, stalled[4] = { 0 };
	static const char *const ops[] = { "ftruncate", "punch", "unlink_close" };
	const uint64_t t0 = 1000000000ull, dur = 10000000000ull;
	uint64_t row = 0, k;
	FILE *f, *fs;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (a[0] != '-') {
			dir = a;
			continue;
		}
		if (!strcmp(a, "--no-summary")) { no_summary = 1; continue; }
		if (!strcmp(a, "--no-meta")) { no_meta = 1; continue; }
		if (!strcmp(a, "--truncate")) { truncate = 1; continue; }
		if (!strcmp(a, "--bad-number")) { bad_number = 1; continue; }
		if (!strcmp(a, "--long-line")) { long_line = 1; continue; }
		if (!strcmp(a, "--few-fields")) { few_fields = 1; continue; }
		if (!strcmp(a, "--ops-only")) { ops_only = 1; continue; }
		if (!strcmp(a, "--summary-hists")) { hists = 1; continue; }
		if (!strcmp(a, "--zstd")) { zstd = 1; continue; }
		if (!v)
			usage();
		i++;
		if (!strcmp(a, "--seed")) seed = strtoull(v, NULL, 0);
		else if (!strcmp(a, "--scale")) scale = strtod(v, NULL);
		else if (!strcmp(a, "--n")) n = strtoull(v, NULL, 0);
		else if (!strcmp(a, "--release")) release = v;
		else if (!strcmp(a, "--cmdline")) cmdline = v;
		else if (!strcmp(a, "--lru-gen")) lru = v;
		else if (!strcmp(a, "--thp")) thp = v;
		else if (!strcmp(a, "--status")) status = v;
		else if (!strcmp(a, "--nodes")) nodes = atoi(v);
		else if (!strcmp(a, "--oom-kills")) oom = strtoull(v, NULL, 0);
		else if (!strcmp(a, "--cap")) cap = strtoull(v, NULL, 0);
		else if (!strcmp(a, "--mix")) mix = v;
		else if (!strcmp(a, "--psi-spike")) spike = strtoull(v, NULL, 0);
		else if (!strcmp(a, "--run-effect")) run_effect = strtod(v, NULL);
		else if (!strcmp(a, "--sleep-scale")) sleep_scale = strtod(v, NULL);
		else if (!strcmp(a, "--spread-nodes")) spread = strtoull(v, NULL, 0);
		else if (!strcmp(a, "--drift")) drift = strtod(v, NULL);
		else if ((!strcmp(a, "--sleep-op") || !strcmp(a, "--op-every")) && strchr(v, ':')) {
			/* OP: the truncate-storm ops (ops[]), then the alloc, as the rows go */
			size_t len = (size_t)(strchr(v, ':') - v);
			int o;

			for (o = 0; o < 4; o++)
				if (strlen(o < 3 ? ops[o] : "alloc") == len &&
				    !strncmp(v, o < 3 ? ops[o] : "alloc", len))
					break;
			if (o == 4)
				usage();
			if (!strcmp(a, "--sleep-op"))
				op_sleep[o] = strtod(strchr(v, ':') + 1, NULL);
			else if (!(op_every[o] = strtoull(strchr(v, ':') + 1, NULL, 0)))
				usage();
		}
		else usage();
	}
	if (!dir || nodes < 1)
		usage();
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "gen_result: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	/* The run's own factor, from a stream apart from the ops' draws. */
	if (run_effect > 0.0) {
		rs = seed ^ 0x5a5a5a5a5a5a5a5aull;
		scale *= exp(run_effect * gauss());
	}
	rs = seed;

	if (!no_meta) {
		f = open_in(dir, "meta.json");
		fprintf(f, "{\"tool\":{\"version\":\"0.1.0\",\"git\":\"test\"},\n"
			" \"kernel\":{\"release\":\"%s\",\"cmdline\":\"%s\",\"version\":\"#1 SMP\"},\n"
			" \"host\":{\"name\":\"lab1\",\"cpus\":4},\n"
			" \"topology\":{\"nodes\":[", release, cmdline);
		for (i = 0; i < nodes; i++)
			fprintf(f, "%s{\"id\":%d,\"cpus\":\"%d-%d\",\"memory_bytes\":4294967296}",
				i ? "," : "", i, 2 * i, 2 * i + 1);
		fprintf(f, "],\"distances\":[[10]]},\n"
			" \"cgroup\":{\"version\":2,\"cap_bytes\":%llu},\n"
			" \"params\":{\"workloads\":[{\"name\":\"truncate-storm\","
			"\"options\":{\"mix\":\"%s\"}},"
			"{\"name\":\"vmalloc-nofail\",\"options\":{\"size\":\"64M\"}}],"
			"\"duration_ns\":%llu,\"workers\":4,\"node\":-1,\"cap_bytes\":%llu},\n"
			" \"mm\":{\"lru_gen\":\"%s\",\"thp_enabled\":\"%s\",\"thp_defrag\":\"madvise\","
			"\"init_on_alloc\":\"1\",\"init_on_free\":\"0\",\"swap_total_kb\":0,\"zswap\":\"N\","
			"\"swappiness\":\"60\",\"compaction_proactiveness\":\"20\","
			"\"min_free_kbytes\":\"67584\",\"watermark_scale_factor\":\"10\","
			"\"vmalloc_huge\":\"on\"},\n"
			" \"start_ns\":%llu,\"end_ns\":%llu,\"start_time\":\"2024-01-01T00:00:00Z\",\n"
			" \"format_version\":1, \"status\":\"%s\"}\n", (unsigned long long)cap, mix, (unsigned long long)dur, (unsigned long long)cap,
			lru, thp,
			(unsigned long long)t0, (unsigned long long)(t0 + dur), status);
		fclose(f);
	}

	if (zstd) {	/* the runner's own compressor: its level, window and block ends */
		if (rf_open(dir, "ops.csv", RF_ZSTD, 0, &zf) < 0 ||
		    rf_open(dir, "stalls.csv", RF_ZSTD, 0, &zfs) < 0) {
			fprintf(stderr, "gen_result: %s: cannot create its zstd files\n", dir);
			return 1;
		}
		f = rf_stream(zf);
		fs = rf_stream(zfs);
	} else {
		f = open_in(dir, "ops.csv");
		fs = open_in(dir, "stalls.csv");
	}
	/* the runner's own header and row writers (columns.h's tables) */
	rr_ops_header(f);
	rr_stalls_header(fs);
	/* 3 truncate-storm ops and 1 vmalloc-nofail op per round, n rounds. */
	for (k = 0; k < n; k++) {
		uint64_t t = t0 + k * (dur / n);

		for (i = 0; i < 4; i++) {
			int worker = i, node = (worker + (k >= spread ? (int)(k % 7) : 0)) % nodes;
			double z = gauss(), u = unif(), u2 = unif();
			double base = i < 3 ? 20000.0 * (1 + i) : 2e6;	/* ns */
			uint64_t lat = (uint64_t)llround(base * exp(0.6 * z) * scale *
							 (1.0 + drift * (double)k / (double)n));
			unsigned rounds = (unsigned)floor(-log(u) * 1.5 * scale);
			const char *err = (i == 1 && u2 < 0.002) ? "ENOMEM" : "0";
			const char *wl = i < 3 ? "truncate-storm" : "vmalloc-nofail";
			const char *op = i < 3 ? ops[i] : "alloc";
			uint64_t stall = rounds ? lat / 2 : 0;
			/* no draw here: the same seed, the same latencies, whatever S */
			double ss = op_sleep[i] >= 0 ? op_sleep[i] : sleep_scale;
			double share = ss < 0 ? 0 : fmin(0.25 * ss, 1.0);
			uint64_t busy = lat - (uint64_t)llround((double)lat * share);

			if (k % op_every[i])
				continue;	/* after the draws: the other ops' rows stay */

			row++;
			if (bad_number && row == 100) {
				fprintf(f, "%llu,%d,%d,%d,%s,%s,12x3,0,0,0,0,0,,%d",
					(unsigned long long)t, 100 + worker, worker, node, wl, op, node);
				/* the rest of the row's cells, empty: only latency is bad */
				for (int c = SB_OC_LANDED + 1; c < SB_OC_NR; c++)
					fputc(',', f);
				fputc('\n', f);
				continue;
			}
			if (few_fields && row == 50) {
				fprintf(f, "%llu,%d,%d\n", (unsigned long long)t, 100 + worker, worker);
				continue;
			}
			if (long_line && row == 70) {
				int j;

				fprintf(f, "%llu,%d,%d,%d,%s,", (unsigned long long)t, 100 + worker,
					worker, node, wl);
				for (j = 0; j < 20000; j++)
					fputc('x', f);
				fputs(",1,0,0,0,0,0,,0\n", f);
				continue;
			}
			if (hists && (hist_add(&lat_h[i], lat) < 0 || hist_add(&stall_h[i], stall) < 0 ||
				      hist_add(&rounds_h[i], rounds) < 0)) {
				fprintf(stderr, "gen_result: out of memory\n");
				return 1;
			}
			enomem[i] += strcmp(err, "0") != 0;
			stalled[i] += stall > 0;
			rr_write_op(f, &(struct rr_op){
				.t_start_ns = t, .tid = 100 + worker, .worker = worker, .node = node,
				.workload = wl, .op = op, .latency_ns = lat, .err = err,
				.stall_ns = stall, .reclaim_rounds = rounds,
				.bytes = i < 3 ? 65536ull : 67108864ull,
				.kernel_ns = i < 3 ? 0ull : lat * 9 / 10,
				.flags = i < 3 ? 0 : RR_OPF_MODULE | RR_OPF_HUGE, .landed_node = node,
				.have_sched = sleep_scale >= 0, .cpu_ns = busy * 2 / 3,
				.runq_ns = busy - busy * 2 / 3 });
			if (rounds && !ops_only)
				rr_write_stall(fs, &(struct rr_stall){
					.t_start_ns = t + 100, .tid = 100 + worker, .cpu = worker,
					.kind_name = i == 3 ? "direct" : "memcg", .duration_ns = stall,
					.nr_reclaimed = 32 * rounds, .order = i == 3 ? 0 : -1,
					.gfp = "GFP_KERNEL|__GFP_NOFAIL", .scope = "run" });
		}
		if (k % 10 == 0 && !ops_only)
			rr_write_stall(fs, &(struct rr_stall){
				.t_start_ns = t, .tid = 1, .cpu = 0, .kind_name = "compaction",
				.duration_ns = (uint64_t)llround(50000 * scale), .nr_reclaimed = -1,
				.order = 4, .gfp = "GFP_TRANSHUGE", .scope = "system" });
		if (zstd && (rf_flush(zf, false) < 0 || rf_flush(zfs, false) < 0))
			break;	/* rf_close reports it */
	}
	if (truncate)
		fputs("1234,100,0,0,truncate-storm,ftrun", f);
	if (zstd) {
		int e1 = rf_close(zf, false), e2 = rf_close(zfs, false);

		rf_free(zf);
		rf_free(zfs);
		if (e1 < 0 || e2 < 0) {
			fprintf(stderr, "gen_result: %s: writing its zstd files: %s\n", dir,
				strerror(-(e1 < 0 ? e1 : e2)));
			return 1;
		}
	} else {
		fclose(f);
		fclose(fs);
	}

	f = open_in(dir, "timeline.csv");
	fputs("t_ns,psi_some_avg10,psi_some_total_us,psi_full_total_us,cg_psi_some_total_us,"
	      "cg_psi_full_total_us,memcg_usage,memcg_high,memcg_max,memcg_oom,memcg_oom_kill,"
	      "allocstall,pgscan_direct,compact_stall\n", f);
	for (k = 0; k <= 100; k++) {
		uint64_t t = k * (dur / 100);
		double fill = k < 20 ? k / 20.0 : 1.0;
		/* a spike tick's some total grows 150 ms in a 100 ms tick: 150% */
		uint64_t extra = 150000 * (k < 50 ? 0 : (k - 50 < spike ? k - 50 + 1 : spike));

		fprintf(f, "%llu,%.2f,%llu,%llu,%llu,%llu,%llu,,67108864,0,%llu,%llu,%llu,%llu\n",
			(unsigned long long)t, 10.0 * fill * scale,
			(unsigned long long)(k * 20000 * scale * fill) + extra,
			(unsigned long long)(k * 5000 * scale * fill),
			(unsigned long long)(k * 30000 * scale * fill),
			(unsigned long long)(k * 8000 * scale * fill),
			(unsigned long long)(67108864.0 * 0.97 * fill),
			(unsigned long long)(k == 100 ? oom : 0), (unsigned long long)(k * 3),
			(unsigned long long)(k * 1000), (unsigned long long)k);
	}
	fclose(f);

	if (!no_summary && hists) {
		/* the runner's summary of each op (run_json.c's op_json): its
		 * histograms, for report's "~" percentiles */
		json_t *sum = json_pack("{s:i,s:s,s:i,s:[i,i,i,i],s:I,s:{},s:{s:{},s:{}}}",
					"format_version", 1, "status", status, "lost_events", 0,
					"lost_per_cpu", 0, 0, 0, 0, "oom_kills", (json_int_t)oom,
					"ops", "stalls", "run", "system");
		json_t *jops = json_object_get(sum, "ops");

		for (i = 0; i < 4; i++) {
			char name[64];
			struct dist d;
			json_t *o, *sd;

			snprintf(name, sizeof(name), "%s/%s", i < 3 ? "truncate-storm" : "vmalloc-nofail",
				 i < 3 ? ops[i] : "alloc");
			hist_dist(&stall_h[i], &d);
			sd = dist_json(&d);
			json_object_set_new(sd, "stalled_share", json_real(lat_h[i].count ?
				(double)stalled[i] / (double)lat_h[i].count : 0.0));
			hist_dist(&lat_h[i], &d);
			o = json_pack("{s:I,s:{},s:{},s:o,s:o}", "count", (json_int_t)lat_h[i].count,
				      "errors", "flags", "latency_ns", dist_json(&d), "stall_ns", sd);
			hist_dist(&rounds_h[i], &d);
			json_object_set_new(o, "reclaim_rounds", dist_json(&d));
			if (enomem[i])
				json_object_set_new(json_object_get(o, "errors"), "ENOMEM",
						    json_integer((json_int_t)enomem[i]));
			json_object_set_new(jops, name, o);
			hist_free(&lat_h[i]);
			hist_free(&stall_h[i]);
			hist_free(&rounds_h[i]);
		}
		f = open_in(dir, "summary.json");
		if (!sum || json_dumpf(sum, f, JSON_COMPACT) < 0 || fputc('\n', f) == EOF) {
			fprintf(stderr, "gen_result: %s: cannot write summary.json\n", dir);
			return 1;
		}
		fclose(f);
		json_decref(sum);
	} else if (!no_summary) {
		f = open_in(dir, "summary.json");
		fprintf(f, "{\"format_version\":1,\"status\":\"%s\",\"lost_events\":0,\"lost_per_cpu\":[0,0,0,0],"
			"\"oom_kills\":%llu,\"ops\":{},\"stalls\":{\"run\":{},\"system\":{}}}\n",
			status, (unsigned long long)oom);
		fclose(f);
	}
	return 0;
}
