"""Distributed training: `emoxnet train` under torchrun with 2 CPU processes (gloo) writes the same files, with
the same keys, as a single-process run; only the main process writes; evaluation covers every test image once."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from emoxnet.core import load_json

LAUNCHER = """
import sys
from emoxnet import cli
cli.COMMANDS.setdefault('train', ('emoxnet.train', 'train a model'))  # until the CLI table lists it
sys.exit(cli.main())
"""
# eval batch 24 on 64 images and 2 processes: Accelerate pads the last round with duplicates, gather_for_metrics drops them
ARGS = ['train', '--data', 'toy', '--arch', 'test_convnext', '--size', '32', '--epochs', '2', '--batch-size', '16',
        '--eval-batch-size', '24', '--device', 'cpu', '--no-progress', '--checkpoint-every', '3']


def _env():
    return {**os.environ, 'OMP_NUM_THREADS': '1', 'PYTHONUNBUFFERED': '1', 'CUDA_VISIBLE_DEVICES': ''}


def _run(cmd, cwd):
    r = subprocess.run(cmd, cwd=cwd, env=_env(), capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, f"{' '.join(map(str, cmd))}\nstdout:\n{r.stdout[-3000:]}\nstderr:\n{r.stderr[-5000:]}"
    return r


def _torchrun():
    exe = Path(sys.executable).with_name('torchrun')
    return [str(exe)] if exe.exists() else [sys.executable, '-m', 'torch.distributed.run']


@pytest.fixture(scope='module')
def runs(tmp_path_factory):
    d = tmp_path_factory.mktemp('dist')
    (d / 'launch.py').write_text(LAUNCHER)
    _run([sys.executable, 'launch.py', *ARGS, '--out', 'single'], d)
    r = _run([*_torchrun(), '--standalone', '--nproc_per_node', '2', 'launch.py', *ARGS, '--out', 'multi'], d)
    return d / 'single', d / 'multi', r


def _keys(x):
    "Nested key structure of a JSON value (dict keys recursively, list element structure of the first item)."
    if isinstance(x, dict): return {k: _keys(v) for k, v in x.items()}
    if isinstance(x, list) and x and isinstance(x[0], dict): return [_keys(x[0])]
    return type(x).__name__ if x is not None else None


def test_same_files(runs):
    single, multi, _ = runs
    files = lambda p: sorted(str(f.relative_to(p)) for f in p.rglob('*'))
    assert files(single) == files(multi)
    assert sorted(f.name for f in multi.iterdir()) == ['checkpoint', 'confusion.png', 'curves.png', 'history.json', 'last', 'metrics.json']
    assert not [f for f in multi.rglob('*') if f.name.startswith('.')]   # no temp or half-written leftovers


def test_same_keys(runs):
    single, multi, _ = runs
    for f in ['metrics.json', 'history.json', 'checkpoint/config.json', 'last/state.json']:
        a, b = load_json(single / f), load_json(multi / f)
        if f == 'last/state.json':   # the generators of the processes after the first: none in one process
            assert a.pop('rng_processes') == [] and len(b.pop('rng_processes')) == 1
        assert _keys(a) == _keys(b), f


def test_multi_process_really_ran(runs):
    single, multi, r = runs
    ms, mm = load_json(single / 'metrics.json'), load_json(multi / 'metrics.json')
    assert ms['num_processes'] == 1 and mm['num_processes'] == 2
    # each process trains on half of the 256 images per epoch: 8 steps of 16 (vs 16 steps single-process)
    assert ms['steps'] == 2 * 16 and mm['steps'] == 2 * 8
    assert r.stdout.count('test accuracy') == 1   # one summary line: only the main process reports


def test_evaluation_covers_every_image_once(runs):
    _, multi, _ = runs
    m = load_json(multi / 'metrics.json')
    for split in ('valid', 'test'):
        rep = m[split]
        assert rep['n'] == m['data']['sizes'][split] == 64
        assert sum(map(sum, rep['confusion'])) == 64
        assert sum(c['support'] for c in rep['per_class'].values()) == 64


def test_checkpoint_loads(runs):
    from emoxnet.models import load_checkpoint
    from emoxnet.train import evaluate, toy_splits
    _, multi, _ = runs
    model, cfg, info = load_checkpoint(multi / 'checkpoint')
    rep, _ = evaluate(model, toy_splits()['test'])
    assert rep['n'] == 64 and abs(rep['accuracy'] - info['metrics']['test']['accuracy']) < 1e-6


LOSS_SCRIPT = """
import json, os, sys, torch
from torch import nn
import torch.nn.functional as F
from emoxnet.models import ModelConfig
from emoxnet.train import Loss, TrainConfig, fit, toy_splits

class ScaledCE(nn.Module, Loss):
    "Cross-entropy of logits times a learned temperature: a loss with a parameter of its own, outside the model's DDP wrapper."
    def __init__(self): nn.Module.__init__(self); self.scale = nn.Parameter(torch.ones(()))
    def __call__(self, z, y, batch, step): return F.cross_entropy(z * self.scale, y)

data = toy_splits(n_train=96, n_valid=32, n_test=32, size=32, seed=1)
loss = ScaledCE()
fit(ModelConfig('test_convnext', data.classes, in_chans=1, input_size=32), data,
    TrainConfig(epochs=1, batch_size=8, lr=0.05, device='cpu', progress=False, augment=True), None, loss=loss)
with open(sys.argv[1] + '.' + os.environ['RANK'], 'w') as f: json.dump(loss.scale.item(), f)
if torch.distributed.is_initialized(): torch.distributed.destroy_process_group()   # gloo's threads left at exit can abort the process (exit -6)
"""


def test_a_loss_with_parameters_trains_the_same_on_every_process(tmp_path):
    "A loss's own parameters (ArcFace's class centres, learned task weights) get their gradients averaged over the processes, as DDP does the model's: every process ends with the same values."
    (tmp_path / 'loss.py').write_text(LOSS_SCRIPT)
    _run([*_torchrun(), '--standalone', '--nproc_per_node', '2', 'loss.py', str(tmp_path / 'scale')], tmp_path)
    a, b = (load_json(tmp_path / f'scale.{r}') for r in (0, 1))
    assert a != 1.0 and a == b, (a, b)


def test_a_finished_run_resumes_in_another_number_of_processes(runs, tmp_path):
    "A finished run only re-reports: resumed in 1 process, its state saved by 2 adds up by the steps per epoch it recorded (it was refused as 'edited or damaged')."
    import shutil
    shutil.copytree(runs[1], tmp_path / 'run'); (tmp_path / 'launch.py').write_text(LAUNCHER)
    r = _run([sys.executable, 'launch.py', *ARGS, '--out', 'run', '--resume'], tmp_path)
    assert 'resuming from' in r.stdout and 'all 2 epochs done' in r.stdout, r.stdout[-2000:]

def test_resume_in_another_number_of_processes_is_refused(tmp_path):
    "The position in an epoch and the schedule count batches per process: a run stopped in 2 processes resumes in 2, not 1."
    (tmp_path / 'launch.py').write_text(LAUNCHER)
    _run([*_torchrun(), '--standalone', '--nproc_per_node', '2', 'launch.py', *ARGS, '--out', 'run', '--max-steps', '3'], tmp_path)
    r = subprocess.run([sys.executable, 'launch.py', *ARGS, '--out', 'run', '--resume'], cwd=tmp_path, env=_env(), capture_output=True, text=True, timeout=600)
    assert r.returncode != 0 and 'cannot resume, the run was started in 2 processes and this one has 1: resume it with 2' in r.stderr, r.stderr[-2000:]


RNG_SCRIPT = """
import json, os, sys, torch
from emoxnet.models import ModelConfig
from emoxnet.train import Callback, TrainConfig, fit, toy_splits

class Draw(Callback):
    "In each forward pass (as dropout does), each process draws from torch's generator (process 1 twice as much, so the two generators part) and keeps its draws."
    def __init__(self): self.seen = []
    def after_pred(self): self.seen.append([self.state.step + 1, torch.rand(1 + int(os.environ['RANK'])).tolist()])

out, max_steps = sys.argv[1], int(sys.argv[2])
data = toy_splits(n_train=96, n_valid=32, n_test=32, size=32, seed=1)
d = Draw()
fit(ModelConfig('test_convnext', data.classes, in_chans=1, input_size=32), data,
    TrainConfig(epochs=1, batch_size=8, device='cpu', progress=False, max_steps=max_steps or None), out, callbacks=[d], resume=True)
with open(f"{out}.{os.environ['RANK']}.{max_steps}", 'w') as f: json.dump(d.seen, f)
if torch.distributed.is_initialized(): torch.distributed.destroy_process_group()   # as LOSS_SCRIPT
"""


def test_resume_restores_every_process_generators(tmp_path):
    "Each process draws its own random numbers (dropout, augmentation): a run stopped and resumed in 2 processes draws, on each, what the uninterrupted run drew."
    (tmp_path / 'rng.py').write_text(RNG_SCRIPT)
    run = lambda out, steps: _run([*_torchrun(), '--standalone', '--nproc_per_node', '2', 'rng.py', out, str(steps)], tmp_path)
    run('whole', 0); run('cut', 3); run('cut', 0)
    for rank in (0, 1):
        whole, resumed = (load_json(tmp_path / f'{o}.{rank}.0') for o in ('whole', 'cut'))
        assert [s for s, _ in resumed] == [4, 5, 6] and resumed == whole[3:], (rank, whole, resumed)
    first = load_json(tmp_path / 'cut.1.3')
    assert first == load_json(tmp_path / 'whole.1.0')[:3] and first != load_json(tmp_path / 'cut.0.3')
    assert load_json(tmp_path / 'whole.0.0')[0][1][0] != first[0][1][0]   # each process its own stream from the first draw (the same dropout masks on both, before)
    rows = [[{k: r[k] for k in ('epoch', 'step', 'train_loss', 'train_acc')} for r in load_json(tmp_path / o / 'history.json')] for o in ('whole', 'cut')]
    assert len(rows[0]) == len(rows[1]) and all(a.keys() == b.keys() and all(abs(a[k] - b[k]) < 1e-9 for k in a) for a, b in zip(*rows)), rows
    # the epoch resumed mid-way counts every process's part of it once (the main one's was counted twice, the other's lost); added in another order: equal to float rounding


def test_a_train_split_under_one_global_batch_is_refused(tmp_path):
    "Accelerate fills a round of batches the train split cannot fill with repeated images, which are trained on: refused, with the batch size that works."
    import numpy as np
    from PIL import Image
    (tmp_path / 'launch.py').write_text(LAUNCHER)
    for c in ('happy', 'sad'):   # a folder of one split: the test split held out of it is announced, by the main process only
        (tmp_path / 'faces' / c).mkdir(parents=True)
        for i in range(10): Image.fromarray(np.random.default_rng(i).integers(0, 255, (32, 32), dtype=np.uint8)).save(tmp_path / 'faces' / c / f'{i}.png')
    args = [a if a != 'toy' else str(tmp_path / 'faces') for a in ARGS]
    r = subprocess.run([*_torchrun(), '--standalone', '--nproc_per_node', '2', 'launch.py', *args, '--format', 'imagefolder', '--batch-size', '400', '--out', 'big'],
                       cwd=tmp_path, env=_env(), capture_output=True, text=True, timeout=600)
    assert r.returncode != 0 and 'fewer than one batch of 400 on each of 2 processes' in r.stderr and 'use a batch size of at most' in r.stderr, r.stderr[-3000:]
    assert r.stdout.count('held out as test') == 1, r.stdout   # once, not once per process


def test_two_processes_train_as_one_with_the_global_batch(tmp_path):
    "With a model without batch norm, 2 processes of batch 16 see the batches one process of batch 32 sees, augmented the same way in every epoch: the same losses. Accelerate's sharded loader set only the sampler's epoch, so under torchrun every epoch was augmented as the first (epoch 2's train loss differed)."
    (tmp_path / 'launch.py').write_text(LAUNCHER)
    args = [a for a in ARGS if a not in ('--checkpoint-every', '3')]
    one = [*args, '--batch-size', '32', '--out', 'one']
    _run([sys.executable, 'launch.py', *one], tmp_path)
    _run([*_torchrun(), '--standalone', '--nproc_per_node', '2', 'launch.py', *args, '--out', 'two'], tmp_path)
    a, b = (load_json(tmp_path / d / 'history.json') for d in ('one', 'two'))
    assert len(a) == len(b) == 2
    for ra, rb in zip(a, b):
        for k in ('train_loss', 'train_acc', 'valid_loss'): assert abs(ra[k] - rb[k]) < 1e-4, (k, a, b)
