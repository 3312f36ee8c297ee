#!/usr/bin/env bash
# usage: unchanged.sh LABEL CMD...  -- run CMD and fail if it changed any file under nbs/, emoxnet/ or README.md. (gradio's stubs, emoxnet/*.pyi, which a running demo writes and git ignores, are not compared)
set -euo pipefail
label=$1; shift
snap() { find nbs emoxnet README.md -type f -not -path '*/__pycache__/*' -not -path '*/.ipynb_checkpoints/*' -not -name '*.pyi' -print0 2>/dev/null | sort -z | xargs -0 md5sum; }
before=$(snap)
"$@" >/dev/null
after=$(snap)
if [ "$before" != "$after" ]; then
  echo "FAIL: $label changed files (run 'make export' and commit):"
  diff <(echo "$before") <(echo "$after") || true
  exit 1
fi
echo "ok: $label leaves no diff"
