"""Probe candidate EmoXNet members / students on the default SynthFACS benchmark (validation only).

Each job trains one architecture with the distillation experiment's member recipe (`ExperimentConfig().member_train()`:
AdamW, cosine schedule, light augmentation, batch 32) for the given epochs and prints one JSON line: the validation
accuracy after every epoch, the best, and the wall time. Test is never read.

    python tools/probe_members.py resnet10t_slim:20,mini_xception:20,densenet_mini:20 OUT_TAG [THREADS]

Runs go to runs/probe/OUT_TAG/ARCH_EPOCHS_LR (resumable). Used to choose the defaults of `docs/results.md`.
"""
import time, json
from emoxnet.data.experiment import resolve_path
from emoxnet.distill import ExperimentConfig
from emoxnet.models import ModelConfig
from emoxnet.train import fit

def main(jobs: str, tag: str, threads: int = 2):
    ec = ExperimentConfig(threads=threads)
    splits = ec.load_data()
    for job in jobs.split(','):
        arch, epochs, *lr = job.split(':')
        cfg = ec.member_train(); cfg.epochs = int(epochs); cfg.lr = float(lr[0]) if lr else ec.member_lr; cfg.progress = False
        t = time.time()
        res = fit(ModelConfig(arch, splits.classes, ec.in_chans, ec.input_size), splits, cfg,
                  resolve_path(f'runs/probe/{tag}/{arch}_{cfg.epochs}_{cfg.lr}'), resume=True)
        curve = [round(r['valid_acc'], 4) for r in res['history'] if 'valid_acc' in r]
        print(json.dumps({'arch': arch, 'epochs': cfg.epochs, 'lr': cfg.lr, 'threads': threads, 'time_s': round(time.time() - t),
                          'valid_curve': curve, 'best_valid': max(curve)}), flush=True)

if __name__ == '__main__':
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('jobs', help='comma-separated ARCH:EPOCHS[:LR] jobs, e.g. resnet10t_slim:20,mini_xception:20')
    ap.add_argument('tag', metavar='OUT_TAG', help='runs go to runs/probe/OUT_TAG/ARCH_EPOCHS_LR (resumable)')
    ap.add_argument('threads', nargs='?', type=int, default=2, help='torch CPU threads (default 2)')
    a = ap.parse_args()
    main(a.jobs, a.tag, a.threads)
