#!/usr/bin/env bash
# Packs the five packages as they would be published, installs the tarballs with npm into a fresh
# project (dependencies from the npm registry, nothing else), and uses them as an npm user would:
# `hbmscope --version` and an `estimate`, each package imported from plain Node ESM, a consumer
# type-checked with moduleResolution nodenext, and the CLI run with @tensorflow/* removed (only
# `profile` and `compare-attention` need it). Prints the installed size and startup times.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
packages=(@hbmscope/core @hbmscope/model @hbmscope/tfjs @hbmscope/viz @hbmscope/report @hbmscope/cli)
fail() { echo "pack check: $*" >&2; exit 1; }

# prepack builds each package (model also copies the docs it cites); pnpm packs in dependency order.
(cd "$root" && pnpm -r pack --pack-destination "$work/tarballs" >/dev/null)
[ "$(ls "$work"/tarballs/*.tgz | wc -l)" = 6 ] || fail "expected 6 tarballs, got: $(ls "$work/tarballs")"
for t in "$work"/tarballs/*.tgz; do
  tar -tzf "$t" > "$work/list"
  tar -xzf "$t" -O package/package.json > "$work/manifest"
  if grep -q '"source"' "$work/manifest"; then fail "$(basename "$t") publishes the source export condition"; fi
  grep -q '^package/LICENSE$' "$work/list" || fail "$(basename "$t") has no LICENSE"
  if grep -qE '^package/(src|test)/|\.map$' "$work/list"; then fail "$(basename "$t") ships src/, test/ or source maps"; fi
done

app="$work/app"
mkdir -p "$app" && cd "$app"
echo '{ "name": "hbmscope-pack-check", "private": true, "type": "module" }' > package.json
npm install --no-audit --no-fund --prefer-offline --loglevel=error "$work"/tarballs/*.tgz >/dev/null
[ -e node_modules/core-js ] && fail "core-js is installed"
# The report's page ships bundled (dist/page.js): no esbuild, and no build script, for a user.
[ -e node_modules/esbuild ] && fail "esbuild is installed (the report page should ship bundled)"
bin=node_modules/.bin/hbmscope
total=$(du -sb node_modules | cut -f1)
tf=$(du -sb node_modules/@tensorflow | cut -f1)
echo "pack check: installed size $(( total / 1000000 )) MB ($total bytes; @tensorflow/* $(( tf / 1000000 )) MB)"
[ "$total" -le 80000000 ] || fail "installed size $total bytes is over 80 MB"

[ "$("$bin" --version)" = "$(node -p "require('$root/packages/cli/package.json').version")" ] || fail "hbmscope --version"
"$bin" estimate --model llama-2-7b --method qlora --attention flash --gpu "RTX 4090" --json > estimate.json
node -e 'const r = JSON.parse(require("fs").readFileSync("estimate.json", "utf8")); if (r.fits !== true || !(r.total > 0)) process.exit(1)' || fail "estimate --json"

# Each package from plain Node ESM (no TypeScript, no source condition).
# (The /testing entries need the optional peer fast-check and are left out.)
node --input-type=module -e "
for (const p of ['@hbmscope/core', '@hbmscope/model', '@hbmscope/tfjs/config', '@hbmscope/tfjs', '@hbmscope/viz', '@hbmscope/report', '@hbmscope/cli']) {
  const m = await import(p);
  if (Object.keys(m).length === 0) throw new Error(p + ' exports nothing');
}
const { gpu } = await import('@hbmscope/model');
if (gpu('RTX 4090').bytes !== 24564 * 2 ** 20) throw new Error('gpu');
" > imports.out 2>&1 || { cat imports.out; fail "importing the packages from Node ESM"; }

# A consumer type-checked as a published package is: nodenext, strict, library .d.ts checked too.
cat > consumer.ts <<'TS'
import { parseTrace, replay, cachingAllocator, formatBytes, type Trace } from "@hbmscope/core";
import { estimate, preset, defaultSetup, gpu, usableBytes, type Estimate } from "@hbmscope/model";
import { breakdownChart } from "@hbmscope/viz";
import { stepConfig } from "@hbmscope/tfjs/config";
import type { profileStep } from "@hbmscope/tfjs";
import { main, type Io } from "@hbmscope/cli";
const e: Estimate = estimate(preset("llama-2-7b"), defaultSetup);
const t: Trace = parseTrace({ format: "hbmscope.trace", version: 1, buffers: [], events: [] });
const io: Io = { stdout: () => {}, stderr: () => {}, cwd: "." };
const svg: string = breakdownChart([{ label: "x", parts: [{ name: "weights", bytes: e.total }] }], { tiers: [gpu("24GB")] }).svg;
export const all = [formatBytes(usableBytes("H100")), replay(t, cachingAllocator()).peaks, stepConfig({}).seq, svg.length, main, io] as const;
export type P = typeof profileStep;
TS
cat > tsconfig.json <<'JSON'
{ "compilerOptions": { "module": "nodenext", "moduleResolution": "nodenext", "target": "es2022", "strict": true, "noEmit": true, "skipLibCheck": false }, "files": ["consumer.ts"] }
JSON
node "$root/node_modules/typescript/bin/tsc" -p tsconfig.json || fail "the consumer does not type-check"

# Startup: median of 5 runs, next to plain node.
ms() { local a=(); for _ in 1 2 3 4 5; do local s=$(date +%s%N); "$@" >/dev/null 2>&1 || true; a+=($(( ($(date +%s%N) - s) / 1000000 ))); done; printf '%s\n' "${a[@]}" | sort -n | sed -n 3p; }
echo "pack check: startup (median of 5): node -e 0 $(ms node -e 0) ms, hbmscope --version $(ms "$bin" --version) ms, hbmscope estimate $(ms "$bin" estimate --model llama-2-7b --gpu "RTX 4090") ms"

# Without TensorFlow.js: every command but profile and compare-attention works.
rm -rf node_modules/@tensorflow
"$bin" estimate --model llama-2-7b --method qlora --attention flash --gpu "RTX 4090" > /dev/null || fail "estimate without @tensorflow/*"
"$bin" simulate --model gpt2-small --batch 1 --seq 128 --out step.json > /dev/null || fail "simulate without @tensorflow/*"
"$bin" inspect step.json > /dev/null || fail "inspect without @tensorflow/*"
"$bin" report step.json -o report.html > /dev/null || fail "report without @tensorflow/* (and without esbuild)"
grep -q 'id="hbmscope-summary"' report.html || fail "report.html has no summary element"
set +e
"$bin" profile --seq 16 > /dev/null 2> profile.err
code=$?
set -e
[ "$code" = 1 ] && grep -q "npm i @tensorflow/tfjs-core@4.22.0" profile.err || fail "profile without @tensorflow/* should say what to install, got $code: $(cat profile.err)"
echo "pack check: passed (6 packages; estimate, simulate, inspect and report run without @tensorflow/*; profile says: $(cat profile.err))"
