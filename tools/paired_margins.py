"""Paired test noise of the students' margins: `KD − scratch` and `KD − LS` on the same faces, with their standard error.

The three students of one seed are scored on the same validation and test faces, so the noise of a margin is that of a
paired difference: it grows with the share of faces on which exactly one of the two students is right. For every
`SEED_DIR/students/{kd,scratch,ls}/checkpoint` given, prints one JSON line per seed, split and margin.

    python tools/paired_margins.py runs/emoxnet/synthfacs/seed0 runs/emoxnet/synthfacs/seed1 ...

Used for the noise table of `docs/results.md` (benchmark data from `ExperimentConfig()`; 1 torch thread).
"""
import sys, json
import numpy as np, torch
from emoxnet.distill import ExperimentConfig
from emoxnet.models import load_checkpoint
from emoxnet.train import predict_logits

def correct(ckpt, ds) -> np.ndarray:
    "Whether the checkpoint's top class is the face's label, per face."
    model, _, _ = load_checkpoint(ckpt)
    return predict_logits(model, ds).argmax(1).numpy() == ds.targets   # the hard (majority) label of each face

def margins(seed_dir: str, splits) -> list[dict]:
    out = []
    for split in ('valid', 'test'):
        ok = {v: correct(f'{seed_dir}/students/{v}/checkpoint', splits[split]) for v in ('kd', 'scratch', 'ls')}
        for base in ('scratch', 'ls'):
            d = ok['kd'].astype(float) - ok[base]
            out.append(dict(run=seed_dir, split=split, margin=f'kd-{base}', points=round(100 * d.mean(), 2), n=len(d),
                            one_right_pct=round(100 * (d != 0).mean(), 1), se_points=round(100 * d.std(ddof=1) / np.sqrt(len(d)), 2)))
    return out

if __name__ == '__main__':
    torch.set_num_threads(1)
    splits = ExperimentConfig().load_data()
    for seed_dir in sys.argv[1:]:
        for row in margins(seed_dir, splits): print(json.dumps(row))
