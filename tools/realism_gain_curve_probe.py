"""Round 28 of docs/realism.md (a dev reading only, nothing adopted): a concave drawn-intensity curve for the textured style.

The `textured` style draws each gained AU at `gain x intensity` (`RenderStyle.drawn`). Real faces may show more of a weak
expression than a straight line gives; the probe draws each gained AU at `gain x intensity ** p` instead (p < 1 lifts
weak intensities, apex unchanged) and reads population 3 (the search population, benchmark conditions) with the two
teachers, `faceapi_expression` and `fer_cnn`, never the judges. The labels, people, poses and degradations are the same
random numbers for every p.

    python tools/realism_gain_curve_probe.py --p 1,0.85,0.75,0.6 --out docs/realism_texture/gain_curve/probe_seed3.json
"""
import argparse, contextlib, sys, time
from dataclasses import replace
from pathlib import Path
import numpy as np
import emoxnet.data.synthetic as S
sys.path.insert(0, str(Path(__file__).resolve().parent))
from realism_drawing_search import faces, read_all
from realism_judging import zoo_model
from emoxnet.core import code_version, save_json

@contextlib.contextmanager
def gain_curve(p: float):
    "Within the block, styles named '_curve' draw each gained AU (gain > 1) at intensity ** p before the gain; other styles as they are."
    orig = S.RenderStyle.drawn
    def drawn(self, left, right):
        if self.name != '_curve' or p == 1: return orig(self, left, right)
        g = np.ones(len(S.AUS), np.float32)
        for a, k in self.au_gain.items(): g[S.AU_INDEX[a]] = k
        bend = lambda a: np.where(g > 1, np.clip(a, 0, None) ** p, a).astype(np.float32)
        return orig(self, bend(left), bend(right))
    S.RenderStyle.drawn = drawn
    try: yield replace(S.STYLES['textured'], name='_curve')
    finally: S.RenderStyle.drawn = orig

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--p', default='1,0.85,0.75,0.6'); ap.add_argument('--seed', type=int, default=3); ap.add_argument('--out', type=Path, required=True)
    a = ap.parse_args()
    models, rows, version = {t: zoo_model(t) for t in ('faceapi_expression', 'fer_cnn')}, [], code_version()
    for p in (float(x) for x in a.p.split(',')):
        t = time.time()
        with gain_curve(p) as st: r = read_all(models, *faces(st, seed=a.seed))
        rows.append(dict(p=p, objective=round(r['prob'], 4), teachers_mean_recall=r['score'], recall=r['recall'], seconds=round(time.time() - t, 1)))
        print(rows[-1], flush=True)
    save_json(dict(code_version=version, seed=a.seed, n_subjects=60, base_style='textured', rows=rows), a.out)

if __name__ == '__main__': main()
