#!/usr/bin/env python3
"""Lists the buffers live at the peak of a recorded trace, largest first, as a Markdown table.

    python3 scripts/torch/peak-tensors.py packages/model/test/fixtures/torch/NAME.trace.json [--top N]

Needs no torch: it reads the fixture only. Buffers of the same op, scope tail, shape, dtype and
category are grouped (per layer they repeat), with their count.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import OrderedDict


def live_at_peak(trace: dict) -> list[dict]:
    at = trace["meta"]["peakEvent"]
    live: dict = {}
    for e in trace["events"][: at + 1]:
        if e["kind"] == "alloc":
            live[e["buffer"]] = trace["buffers"][e["buffer"]]
        else:
            live.pop(e["buffer"])
    return list(live.values())


def group_key(b: dict) -> tuple:
    scope = b.get("scope", "")
    parts = scope.split("/")[1:]  # the phase is its own column
    # Drop per-instance numbers of modules so that layer 0 and layer 1 group together.
    tail = "/".join(p.rsplit("_", 1)[0] if p.rsplit("_", 1)[-1].isdigit() else p for p in parts[-2:])
    holder = b.get("holder", "")
    if holder.startswith(("weight ", "optimizer state ")):
        holder = holder.split(" ")[0]
    return (b["phase"], b.get("op"), tail if not holder else "", str(b.get("shape")), b.get("dtype"), b["category"], b.get("torchCategory"), b["bytes"], holder)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("fixture")
    ap.add_argument("--top", type=int, default=20)
    args = ap.parse_args(argv)
    trace = json.load(open(args.fixture))
    meta = trace["meta"]
    live = live_at_peak(trace)
    groups: "OrderedDict[tuple, int]" = OrderedDict()
    for b in sorted(live, key=lambda b: -b["bytes"]):
        k = group_key(b)
        groups[k] = groups.get(k, 0) + 1
    total = sum(b["bytes"] for b in live)
    by_cat: dict = {}
    for b in live:
        by_cat[b["category"]] = by_cat.get(b["category"], 0) + b["bytes"]
    print(f"**{meta['case']['name']}**: peak {meta['peakBytes']} B in {meta['peakPhase']} (event {meta['peakEvent']}); "
          f"live {total} B = " + ", ".join(f"{c} {v}" for c, v in sorted(by_cat.items(), key=lambda x: -x[1])))
    print()
    print("| n | bytes each | total | category (torch) | dtype | shape | op | made in | held as |")
    print("| --: | --: | --: | --- | --- | --- | --- | --- | --- |")
    rows = sorted(groups.items(), key=lambda kv: -kv[0][7] * kv[1])
    for (phase, op, tail, shape, dtype, cat, tcat, nbytes, holder), n in rows[: args.top]:
        print(f"| {n} | {nbytes} | {n * nbytes} | {cat} ({tcat}) | {dtype} | {shape} | {op} | {phase}{'/' + tail if tail else ''} | {holder} |")
    rest = rows[args.top:]
    if rest:
        print(f"| {sum(n for _, n in rest)} more | | {sum(k[7] * n for k, n in rest)} | | | | | | |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
