#!/usr/bin/env python3
"""Regenerates every recorded fixture, or checks that a few still record the same (CI).

    .venv-torch/bin/python scripts/torch/record-all.py            # all of cases.json and cases-holdout.json
    .venv-torch/bin/python scripts/torch/record-all.py NAME ...   # only these cases
    .venv-torch/bin/python scripts/torch/record-all.py --check    # CI: CHECK_CASES afresh vs the committed fixtures

Each case runs in its own Python process (record.py), so no allocation, seed or global setting of
one case leaks into the next; --jobs of them at a time. Prints a table: name, peak bytes, peak
phase, wall seconds. --check exits 1 when a fresh recording differs from its fixture in anything
but event times (which are wall-clock and vary), or when a fixture is missing.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from record import FIXTURES, fixture_path, load_cases  # noqa: E402

CHECK_CASES = ["llama-gqa-fp32-eager", "llama-lora-fp32-eager", "gpt2-fp32-sdpa-dropout-loop"]
"""Recorded afresh by --check: fp32 only (bf16 matmuls on CPU may pick ISA-dependent kernels), one
Llama, one LoRA with its adapters, one GPT-2 with dropout and the drop-out loop; about 15 s each."""

MAX_FIXTURE_BYTES = 1_000_000


def run_one(case: dict, holdout: bool, out: Path) -> dict:
    t0 = time.time()
    p = subprocess.run(
        [sys.executable, str(HERE / "record.py"), "--case", json.dumps(case), "--out", str(out), "--summary"],
        capture_output=True, text=True,
    )
    if p.returncode != 0:
        err = "\n".join(l for l in p.stderr.splitlines() if not l.startswith("USDT:"))
        return {"name": case["name"], "error": err.strip().splitlines()[-1] if err.strip() else f"exit {p.returncode}", "stderr": err}
    summary = json.loads(p.stdout.strip().splitlines()[-1])
    summary["wallSeconds"] = round(time.time() - t0, 1)
    summary["bytes"] = out.stat().st_size
    return summary


def comparable(trace: dict) -> dict:
    """A trace without its event times: everything a fresh recording must reproduce exactly."""
    return {**trace, "events": [{k: v for k, v in e.items() if k != "time"} for e in trace["events"]]}


def first_difference(a: dict, b: dict) -> str:
    if a["meta"].get("peakBytes") != b["meta"].get("peakBytes") or a["meta"].get("peakPhase") != b["meta"].get("peakPhase"):
        return f"peak {a['meta'].get('peakBytes')} B in {a['meta'].get('peakPhase')} (fixture) vs {b['meta'].get('peakBytes')} B in {b['meta'].get('peakPhase')} (fresh)"
    for key in ("buffers", "events", "marks"):
        xs, ys = a[key], b[key]
        for i, (x, y) in enumerate(zip(xs, ys)):
            if x != y:
                return f"{key}[{i}]: fixture {json.dumps(x)} vs fresh {json.dumps(y)}"
        if len(xs) != len(ys):
            return f"{key}: fixture has {len(xs)}, fresh {len(ys)}"
    for k in sorted(set(a["meta"]) | set(b["meta"])):
        if a["meta"].get(k) != b["meta"].get(k):
            return f"meta.{k}: fixture {json.dumps(a['meta'].get(k))[:200]} vs fresh {json.dumps(b['meta'].get(k))[:200]}"
    return "?"


def table(rows: list[dict]) -> None:
    print(f"{'case':<48} {'peak bytes':>12} {'peak phase':<10} {'start bytes':>12} {'events':>7} {'fixture':>9} {'wall s':>7}")
    for r in rows:
        if "error" in r:
            print(f"{r['name']:<48} FAILED: {r['error']}")
        else:
            print(f"{r['name']:<48} {r['peakBytes']:>12} {r['peakPhase']:<10} {r['startBytes']:>12} {r['events']:>7} {r['bytes']:>9} {r['wallSeconds']:>7}")


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("names", nargs="*", help="record only these cases (default: all)")
    ap.add_argument("--check", action="store_true", help=f"record {', '.join(CHECK_CASES)} afresh and compare with the fixtures")
    ap.add_argument("--jobs", type=int, default=2, help="cases recorded at once (default 2)")
    args = ap.parse_args(argv)
    main_cases = load_cases([HERE / "cases.json"])
    holdout = load_cases([HERE / "cases-holdout.json"])
    every = [(c, False) for c in main_cases] + [(c, True) for c in holdout]
    by_name = {c["name"]: (c, h) for c, h in every}
    if len(by_name) != len(every):
        print("record-all.py: case names must be unique across cases.json and cases-holdout.json", file=sys.stderr)
        return 2
    names = CHECK_CASES if args.check else args.names or [c["name"] for c, _ in every]
    unknown = [n for n in names if n not in by_name]
    if unknown:
        print(f"record-all.py: no such case: {', '.join(unknown)}", file=sys.stderr)
        return 2
    t0 = time.time()
    with tempfile.TemporaryDirectory() as tmp:
        def job(name: str) -> dict:
            case, h = by_name[name]
            out = Path(tmp) / f"{name}.trace.json" if args.check else fixture_path(name, h)
            out.parent.mkdir(parents=True, exist_ok=True)
            r = run_one(case, h, out)
            if args.check and "error" not in r:
                committed = fixture_path(name, h)
                if not committed.exists():
                    r["drift"] = f"no committed fixture {committed.relative_to(FIXTURES.parents[3])}"
                else:
                    a, b = json.loads(committed.read_text()), json.loads(out.read_text())
                    if comparable(a) != comparable(b):
                        r["drift"] = first_difference(comparable(a), comparable(b))
            return r

        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            rows = list(pool.map(job, names))
    table(rows)
    failed = [r for r in rows if "error" in r]
    for r in failed:
        print(f"\n{r['name']}:\n{r['stderr']}", file=sys.stderr)
    big = [r for r in rows if r.get("bytes", 0) > MAX_FIXTURE_BYTES]
    for r in big:
        print(f"record-all.py: {r['name']}: fixture is {r['bytes']} bytes, over {MAX_FIXTURE_BYTES}: reduce its dims", file=sys.stderr)
    drifted = [r for r in rows if "drift" in r]
    for r in drifted:
        print(f"record-all.py --check: {r['name']} drifted from its fixture: {r['drift']}", file=sys.stderr)
    took = time.time() - t0
    if args.check:
        ok = not failed and not drifted
        print(f"torch fixtures: {len(rows) - len(failed) - len(drifted)} of {len(rows)} recorded afresh match ({took:.0f} s)")
        return 0 if ok else 1
    print(f"recorded {len(rows) - len(failed)} of {len(rows)} cases in {took:.0f} s")
    return 1 if failed or big else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
