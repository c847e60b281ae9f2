#!/usr/bin/env bash
# Sets up the notebook path from a fresh machine (Debian/Ubuntu): Jupyter from apt, Deno from npm
# (the `deno` devDependency, binary in @deno/linux-x64-glibc), and Deno's Jupyter kernel registered
# as "deno" in ~/.local/share/jupyter/kernels/deno. Idempotent: installs only what is missing.
# No build step: examples/notebooks/deno.json maps @hbmscope/* to the packages' src/ (import map).
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=(jupyter-notebook python3-nbconvert python3-nbclient jupyter-client python3-ipykernel jupyter-nbconvert)

have_jupyter() {
  command -v jupyter >/dev/null 2>&1 &&
    jupyter nbconvert --version >/dev/null 2>&1 &&
    # The interpreter Jupyter runs on (Debian's), not whatever python3 is first on PATH (pyenv).
    "$(sed -n '1s/^#! *//p' "$(command -v jupyter)" | cut -d' ' -f1)" -c 'import nbclient' >/dev/null 2>&1
}

if have_jupyter; then
  echo "notebooks:setup: Jupyter present (nbconvert $(jupyter nbconvert --version))"
else
  sudo=""
  if [ "$(id -u)" != "0" ]; then
    command -v sudo >/dev/null 2>&1 || {
      echo "notebooks:setup: not root and no sudo; install as root: apt-get install -y ${apt_packages[*]}" >&2
      exit 1
    }
    sudo="sudo"
  fi
  echo "notebooks:setup: installing ${apt_packages[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if ! $sudo apt-get install -y "${apt_packages[@]}"; then
    # A fresh image often has no package lists yet.
    $sudo apt-get update
    $sudo apt-get install -y "${apt_packages[@]}"
  fi
  have_jupyter || { echo "notebooks:setup: Jupyter still missing after apt-get" >&2; exit 1; }
fi

deno=node_modules/.bin/deno
if [ ! -x "$deno" ]; then
  echo "notebooks:setup: installing the workspace (deno comes from npm)"
  pnpm install --frozen-lockfile
fi
echo "notebooks:setup: $("$deno" --version | head -1)"

# --force: point the "deno" kernel at this checkout's deno (a kernel left by an older install would
# otherwise be used, with whatever version it has).
"$deno" jupyter --install --force
jupyter kernelspec list | grep -E '^\s*deno\s' >/dev/null || {
  echo "notebooks:setup: the deno kernel is not registered (jupyter kernelspec list)" >&2
  exit 1
}
echo "notebooks:setup: ready. Open one with: jupyter notebook examples/notebooks/quickstart.ipynb"
