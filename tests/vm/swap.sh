#!/bin/bash
# Swap and zswap in the lab (6.12): vm/run --swap puts a swap file on the lab
# disk; the same anonymous overfill that memory.max answers with an OOM kill
# without swap (vm_mm_settings) now swaps out instead: no kill, swap-outs on
# the timeline (pswpout) and in the group (memcg_swap); `--mm zswap=y` puts
# zswap in front of it for the run (in force, recorded, put back).
NEED_SB=1
. "$(dirname "$0")/lib.sh"
cat > "$RES/guest.sh" <<G
R=\$1
echo swaps=\$(grep -c swapfile /proc/swaps)
echo zswap_before=\$(cat /sys/module/zswap/parameters/enabled)
for z in n y; do
	$BIN run --duration 4s --grace 30s --cap 48M --mm zswap=\$z \\
		--workload memhog --hog-size 96M --chunk 4M --out \$R/z\$z > \$R/z\$z.log 2>&1
	echo z\${z}_rc=\$?
done
echo zswap_after=\$(cat /sys/module/zswap/parameters/enabled)
G
run_guest 400 --swap 256M
O=$RES/vm.out
[ "$(val "$O" swaps)" = 1 ] || fail "no swap file active in the guest ($(val "$O" swaps))"
for z in n y; do
	[ "$(val "$O" z${z}_rc)" = 0 ] || fail "zswap=$z run: exit $(val "$O" z${z}_rc): $(tail -n 3 "$RES/z$z.log")"
done
[ "$(val "$O" zswap_after)" = "$(val "$O" zswap_before)" ] || fail "zswap not put back: $(val "$O" zswap_before) -> $(val "$O" zswap_after)"
python3 - "$RES" <<'PY' || fail "see above"
import csv, json, sys
R = sys.argv[1]
for z, want in (("n", "N"), ("y", "Y")):
    d = "%s/z%s" % (R, z)
    s, m = json.load(open(d + "/summary.json")), json.load(open(d + "/meta.json"))
    tl = list(csv.DictReader(open(d + "/timeline.csv")))
    assert m["mm"]["zswap"] == want, (z, m["mm"]["zswap"])
    assert m["mm"]["swap_total_bytes"] > 0, m["mm"]["swap_total_bytes"]
    assert s["oom_kills"] == 0, "zswap=%s: with swap the 96M hog in 48M was OOM-killed" % z
    pout = max(int(r["pswpout"] or 0) for r in tl)
    sw = max(int(r["memcg_swap"] or 0) for r in tl)
    assert sw > 16 << 20, "zswap=%s: the group never had 16M in swap (%d)" % (z, sw)
    if z == "n":
        assert pout > 4096, "no swap-outs on the timeline (%d)" % pout
    print("zswap=%s: group swap peak %dM, pswpout %d, OOM kills 0" % (z, sw >> 20, pout))
PY
pass "swap absorbs what memory.max would kill; zswap set for the run and put back"
