#!/usr/bin/env bash
# The workspace's checks on a CUDA GPU, for a machine that has one (CI has none): run from the repository root.
#   1. the GPU tests (tests/test_gpu.py: mixed-precision resume, GPU vs CPU readings, Grad-CAM) and the training,
#      distillation and ensemble tests with the GPU visible (device 'auto' -> cuda, amp 'auto' -> bf16);
#   2. the default distillation experiment (nbs/distill.ipynb's parameters, seed 0) on the GPU, timed.
# Output: OUT (default gpu_out/): pytest.log, distill.log, gpu_util.csv (every 10 s), distill_runs.tgz (every JSON the experiment wrote).
# Missing Python packages may be given as wheels in .whl/ (installed into /tmp/site, nothing else touched).
# Usage: bash tools/gpu_check.sh [distill_seconds (default 330; 0: the tests only)]
set -uo pipefail
OUT=${OUT:-gpu_out}; mkdir -p "$OUT"
if compgen -G ".whl/*.whl" > /dev/null; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit 1
  export PYTHONPATH=/tmp/site
fi
export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH} PYTHONUNBUFFERED=1
nvidia-smi -L
python3 -c "import torch, timm, accelerate; print('torch', torch.__version__, 'timm', timm.__version__, 'accelerate', accelerate.__version__, 'cuda', torch.cuda.is_available(), torch.cuda.get_device_name() if torch.cuda.is_available() else '')"
git log -1 --format='code %h %s' 2>/dev/null || true

t0=$SECONDS
timeout 240 python3 -m pytest -q -p no:cacheprovider -rs tests/test_gpu.py tests/test_resume.py tests/test_distill.py \
  tests/test_ensemble_hetero.py tests/test_models_checkpoint.py 2>&1 | tee "$OUT/pytest.log" | tail -40
echo "[gpu_check] tests: rc ${PIPESTATUS[0]}, $((SECONDS - t0)) s"
[ "${1:-330}" = 0 ] && exit 0   # 0: the tests only

t0=$SECONDS; run=/tmp/gpu_distill
nvidia-smi --query-gpu=timestamp,utilization.gpu,memory.used --format=csv -l 10 > "$OUT/gpu_util.csv" 2>&1 &
timeout "${1:-330}" python3 -c "
import sys, torch
from emoxnet.distill import ExperimentConfig, run_experiment
cfg = ExperimentConfig(seed=0, out_dir=sys.argv[1])
print('device', torch.cuda.get_device_name() if torch.cuda.is_available() else 'cpu', 'config', cfg.to_dict())
run_experiment(cfg)" "$run" > "$OUT/distill.log" 2>&1
rc=$?; kill %1 2>/dev/null; tr '\r' '\n' < "$OUT/distill.log" | grep -v '^epoch .*it/s' | tail -40
echo "[gpu_check] distill: rc $rc, $((SECONDS - t0)) s"
(cd /tmp && find gpu_distill -name '*.json' | tar czf - -T -) > "$OUT/distill_runs.tgz" 2>/dev/null || true
