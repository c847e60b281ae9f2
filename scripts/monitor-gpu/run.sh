#!/usr/bin/env bash
# Estimate, then watch, for real: a short PyTorch training run (step.py) under `hbmscope monitor`
# with --expect, on a machine with an NVIDIA GPU. Writes to $OUT (default out/monitor-gpu):
# estimate.json, run.trace.json, run.svg, monitor.json (nvidia-smi against the estimate),
# memory.jsonl, torch.json and torch.svg (PyTorch's max_memory_reserved against the estimate
# without the CUDA context), and prints the error of each.
#
#   bash scripts/monitor-gpu/run.sh                 # GPU 0, batch 8, seq 1024, 5 steps
#   GPU=1 BATCH=4 SEQ=512 STEPS=3 PYTHON=.venv/bin/python bash scripts/monitor-gpu/run.sh
#
# Needs: Node 20 and `pnpm install` done in the repository; Python with a CUDA build of torch and
# transformers (PYTHON, default python3).
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-out/monitor-gpu}
PYTHON=${PYTHON:-python3}
GPU=${GPU:-0}
BATCH=${BATCH:-8}
SEQ=${SEQ:-1024}
STEPS=${STEPS:-5}
# What step.py runs, as estimate flags: GPT-2 medium, fp32, AdamW, SDPA attention (no S x S
# matrix is kept: flash for the estimator), no checkpointing.
FLAGS="--model gpt2-medium --method full --precision fp32 --optimizer adamw --attention flash --checkpointing none --batch $BATCH --seq $SEQ"

command -v nvidia-smi >/dev/null || { echo "run.sh: nvidia-smi is not on PATH; run this on a machine with an NVIDIA GPU" >&2; exit 1; }
"$PYTHON" -c "import torch, transformers; assert torch.cuda.is_available(), 'torch.cuda.is_available() is False'" ||
  { echo "run.sh: $PYTHON needs a CUDA build of torch and transformers" >&2; exit 1; }
mkdir -p "$OUT"
rm -f "$OUT/memory.jsonl"

pnpm --silent hbmscope estimate $FLAGS --json > "$OUT/estimate.json"
# nvidia-smi numbers GPUs in PCI bus order; make CUDA agree, and show the step only GPU $GPU.
status=0
CUDA_DEVICE_ORDER=PCI_BUS_ID CUDA_VISIBLE_DEVICES=$GPU pnpm --silent hbmscope monitor --interval 100ms --gpus "$GPU" \
  --expect "$OUT/estimate.json" --out "$OUT/run.trace.json" --svg "$OUT/run.svg" --json \
  -- "$PYTHON" scripts/monitor-gpu/step.py --batch "$BATCH" --seq "$SEQ" --steps "$STEPS" --jsonl "$OUT/memory.jsonl" \
  > "$OUT/monitor.json" || status=$?
pnpm --silent hbmscope monitor --from "$OUT/memory.jsonl" --expect "$OUT/estimate.json" --svg "$OUT/torch.svg" --json > "$OUT/torch.json"

node -e '
const fs = require("fs");
const out = process.argv[1];
const gib = (b) => (b / 2 ** 30).toFixed(2) + " GiB";
for (const [file, what] of [["monitor.json", "nvidia-smi used vs estimate total"], ["torch.json", "max_memory_reserved vs estimate without overhead"]]) {
  const r = JSON.parse(fs.readFileSync(`${out}/${file}`, "utf8"));
  for (const g of r.gpus) console.log(`${what}: GPU ${g.device} observed ${gib(g.observedPeak)}, predicted ${gib(g.predictedPeak)}, error ${(100 * g.error).toFixed(1)}%`);
}
' "$OUT"
exit $status
