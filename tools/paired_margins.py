"""Paired test noise of the students' margins: `KD − scratch` and `KD − LS` on the same faces, with their standard error.

The three students of one seed are scored on the same validation and test faces, so the noise of a margin is that of a
paired difference: it grows with the share of faces on which exactly one of the two students is right. For every
`SEED_DIR/students/{kd,scratch,ls}/checkpoint` given, prints one JSON line per seed, split and margin, then one line of test accuracies per seed.

    python tools/paired_margins.py runs/emoxnet/synthfacs/seed0 runs/emoxnet/synthfacs/seed1 ...

Used for the noise table of `docs/results.md` (the experiment's data from `ExperimentConfig()`; for a run made with `selection='split'`,
its record says so, valid is the students' half of the validation split; 1 torch thread). Besides
valid and test it scores `test_benchmark`: the test faces of the benchmark's own 200 subjects (the 960 faces the test
split had before `extra_test` added held-out subjects), so runs on both test splits can be compared.
"""
import json
import numpy as np, torch
from emoxnet.distill import ExperimentConfig, selection_splits
from emoxnet.data.synthetic import SynthConfig
from emoxnet.models import load_checkpoint
from emoxnet.data.core import split_md5
from emoxnet.train import predict_logits
from emoxnet.ensemble import load_ensemble, ensemble_member_logits

def correct(model, ds) -> np.ndarray:
    "Whether the model's top class is the face's label, per face."
    return predict_logits(model, ds).argmax(1).numpy() == ds.targets   # the hard (majority) label of each face

STUDENTS, SPLITS = ('kd', 'scratch', 'ls'), ('valid', 'test', 'test_benchmark')

def student_correct(seed_dir: str, splits) -> dict:
    "Per split and student of one seed: whether its top class is the face's label (each student scored once per split)."
    models = {v: load_checkpoint(f'{seed_dir}/students/{v}/checkpoint')[0] for v in STUDENTS}   # each loaded once
    return {s: {v: correct(models[v], splits[s]) for v in STUDENTS} for s in SPLITS}

def margins(seed_dir: str, ok: dict) -> list[dict]:
    "The paired margins `kd-scratch`, `kd-ls` per split, with their standard error, from `student_correct`'s table."
    out = []
    for split in SPLITS:
        for base in ('scratch', 'ls'):
            d = ok[split]['kd'].astype(float) - ok[split][base]
            out.append(dict(run=seed_dir, split=split, margin=f'kd-{base}', points=round(100 * d.mean(), 2), n=len(d),
                            one_right_pct=round(100 * (d != 0).mean(), 1), se_points=round(100 * d.std(ddof=1) / np.sqrt(len(d)), 2)))
    return out

def accuracies(seed_dir: str, splits, ok: dict) -> dict:
    "Test accuracy (%) of the ensemble (its chosen rule), each member and each student, on `test` and `test_benchmark`."
    ens = load_ensemble(f'{seed_dir}/ensemble'); out = {'run': seed_dir, 'rule': ens.rule}
    for split in ('test', 'test_benchmark'):
        ds = splits[split]; y = torch.as_tensor(ds.targets)
        with torch.no_grad(): z = ensemble_member_logits(ens, ds)
        acc = lambda logits: round(100 * float((logits.argmax(1) == y).float().mean()), 2)
        out[split] = {'n': len(ds), 'ensemble': acc(ens.combiner(z)), **{n: acc(z[:, j]) for j, n in enumerate(ens.names)},
                      **{v: round(100 * float(ok[split][v].mean()), 2) for v in STUDENTS}}
    return out

def run_splits(seed_dir: str, data, test_benchmark) -> dict:
    "The splits a run's students were read on: its record's `selection` ('split': the students' half of the validation split, at the run's seed)."
    m = json.load(open(f'{seed_dir}/metrics.json')); c = m.get('config') or {}
    students = selection_splits(data, c.get('selection', 'shared'), c.get('seed', 0))[1]
    want = ((m.get('data') or {}).get('valid_halves') or {}).get('students', {}).get('md5')
    if want and want != (got := split_md5(students['valid'])): raise SystemExit(f"{seed_dir}: the students' validation half is {got} here, {want} in its record: other data")
    return {**students.splits, 'test_benchmark': test_benchmark}

if __name__ == '__main__':
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('seed_dirs', nargs='+', metavar='SEED_DIR', help='a distillation run folder holding students/{kd,scratch,ls}/checkpoint')
    args = ap.parse_args()
    torch.set_num_threads(1)
    cfg = ExperimentConfig(); data = cfg.load_data(); test = data['test']
    bench = test.subset(np.flatnonzero(test.meta['subject'].to_numpy() <= SynthConfig(**cfg.synth).n_subjects))
    for seed_dir in args.seed_dirs:
        splits = run_splits(seed_dir, data, bench)   # a selection='split' run: valid is its students' half
        ok = student_correct(seed_dir, splits)
        for row in margins(seed_dir, ok): print(json.dumps(row))
        print(json.dumps(accuracies(seed_dir, splits, ok)))
