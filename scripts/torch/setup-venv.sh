#!/usr/bin/env bash
# Creates .venv-torch (PyTorch 2.13 CPU, transformers 5.17, peft, accelerate) from wheels on disk,
# with no network. Idempotent: does nothing when the venv already has these versions.
# Wheel folders: $HBMSCOPE_WHEELS (colon-separated) or /opt/wheels and /opt/pypi/files.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=.venv-torch
want="2.13.0+cpu 5.17.0 0.21.0"
have() {
  "$venv/bin/python" -c 'import torch, transformers, peft, accelerate; print(torch.__version__, transformers.__version__, peft.__version__)' 2>/dev/null
}
if [ -x "$venv/bin/python" ] && [ "$(have)" = "$want" ]; then
  echo "setup-venv: $venv ready (torch transformers peft: $want)"
  exit 0
fi
links=()
IFS=: read -r -a dirs <<< "${HBMSCOPE_WHEELS:-/opt/wheels:/opt/pypi/files}"
for d in "${dirs[@]}"; do [ -d "$d" ] && links+=(--find-links "$d"); done
if [ ${#links[@]} -eq 0 ]; then
  echo "setup-venv: no wheel folder found (looked in ${HBMSCOPE_WHEELS:-/opt/wheels:/opt/pypi/files}); set HBMSCOPE_WHEELS" >&2
  exit 1
fi
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --no-index "${links[@]}" "torch==2.13.0+cpu" "transformers==5.17.0" "peft==0.21.0" accelerate
if [ "$(have)" != "$want" ]; then
  echo "setup-venv: $venv has '$(have)', expected '$want'" >&2
  exit 1
fi
echo "setup-venv: installed $venv (torch transformers peft: $want)"
