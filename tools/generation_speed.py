"""SynthFACS generation speed per render style, as docs/realism.md reports it.

Usage: OMP_NUM_THREADS=1 python tools/generation_speed.py [--styles flat,vivid,textured] [--repeats 2] [--out FILE.json]
Runs `bench_generation(10_000, style=...)` for each style, `--repeats` times in turn (so slow spells of a shared machine
show as spread, not as a style's cost), with one torch thread; records wall and process CPU seconds (CPU time includes
the libraries' helper threads), each style's `generator_md5`, the code version and the machine.
"""
import argparse, time
import torch
import emoxnet.data.synthetic as S
from emoxnet.bench import machine_info
from emoxnet.core import code_version, save_json

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--styles', default='flat,vivid,textured', help='comma-separated render styles (STYLES)')
    ap.add_argument('--repeats', type=int, default=2, help='runs of each style, interleaved')
    ap.add_argument('--out', help='JSON file for the results (written atomically)')
    a = ap.parse_args()
    torch.set_num_threads(1)
    styles = a.styles.split(',')
    out = dict(code_version=code_version(), machine=machine_info(), when=time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime()),
               generator_md5={s: S.generator_md5(s) for s in styles}, runs=[])
    for rep in range(a.repeats):
        for s in styles:
            c0 = time.process_time(); b = S.bench_generation(10_000, style=s)
            out['runs'].append(dict(b, repeat=rep, cpu_seconds=round(time.process_time() - c0, 1))); print(out['runs'][-1], flush=True)
    if a.out: save_json(out, a.out)

if __name__ == '__main__': main()
