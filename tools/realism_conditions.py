"""What the benchmark's conditions cost the teachers' reading of a render style (docs/realism.md, round 21's context).

The realism score reads SynthFACS under the benchmark's conditions: intensities 0.25-1 and `Nuisance()` (head pose,
light, occluders, background clutter, blur/noise/JPEG, scale and shift jitter). This tool reads the same population
under each condition with one part taken away (or with the apex intensities, or the lab's nuisance), so that one can
see which part costs a reader most. Only the teachers read (`faceapi_expression`, `fer_cnn`): the judges never run here.

    python tools/realism_conditions.py --out docs/realism_texture/conditions_pop3.json [--style textured] [--seed 3]

Where the intensity range is unchanged, every condition draws the same people and expressions. A part is taken away
after each image's nuisance is drawn from the benchmark's ranges (`without`): every other part of every image stays
exactly as the benchmark drew it. The panel's labels stay too, except where the occluders change (without occluders,
and under the lab's nuisance, which has none): the panel sees what an occluder hides, and some labels change.
"""
import argparse, contextlib, sys, time
from dataclasses import replace
from pathlib import Path
from unittest import mock
import emoxnet.data.synthetic as S
sys.path.insert(0, str(Path(__file__).resolve().parent))
from realism_judging import CONDITIONS, zoo_model
from realism_drawing_search import read
from emoxnet.core import code_version, save_json

BENCH, APEX = (0.25, 1.0), CONDITIONS['apex_lab']['intensity']   # realism_faces' default; the judges' apex range
TEACHERS = ('faceapi_expression', 'fer_cnn')
PARTS = dict(pose=dict(yaw=0., pitch=0., roll=0.), yaw=dict(yaw=0.), pitch=dict(pitch=0.), roll=dict(roll=0.),
             light=dict(light=0., contrast=1., brightness=0.), occluders=dict(occluder=''), clutter=dict(clutter=0),
             degradations=dict(blur=0., noise=0., jpeg=0), framing=dict(scale=1., dx=0., dy=0.))   # the drawn values that take a part away

def conditions() -> dict:
    "name -> (intensity range, `Nuisance`, drawn values set afterwards): the benchmark, apex and lab variants, and the benchmark less one of `PARTS`."
    bench, lab = S.Nuisance(), CONDITIONS['apex_lab']['nuisance']
    return {'benchmark': (BENCH, bench, {}), 'apex intensity': (APEX, bench, {}), 'lab nuisance': (BENCH, lab, {}),
            'apex lab': (APEX, lab, {}), **{f'without {k}': (BENCH, bench, v) for k, v in PARTS.items()}}

@contextlib.contextmanager
def without(values: dict):
    "Within the block, every image's nuisance is drawn as before (the same random numbers), then `values` replace those drawn."
    draw = S.sample_nuisance
    with mock.patch.object(S, 'sample_nuisance', lambda rng, c: {**draw(rng, c), **values}): yield

def measure(style: str = 'textured', seed: int = 3, n_subjects: int = 60) -> list[dict]:
    "Each teacher's mean per-class recall and recall per class (%) on population `seed` in `style`, under each of `conditions()`."
    teachers, rows = {t: zoo_model(t) for t in TEACHERS}, []
    for name, (intensity, nuisance, values) in conditions().items():
        t = time.time()
        with without(values): images, truth, _ = S.realism_faces(style, n_subjects, seed, intensity, nuisance)
        reads = {k: read(m, images, truth) for k, m in teachers.items()}
        rows.append(dict(conditions=name, intensity=intensity, counts={c: int((truth == c).sum()) for c in S.FER2013_CLASSES},
                         **{k: dict(score=r['score'], recall=r['recall']) for k, r in reads.items()}, seconds=round(time.time() - t)))
        print(f"{name:24s}", '  '.join(f"{k} {r['score']:5.1f}" for k, r in reads.items()), flush=True)
    return rows

def main():
    ap = argparse.ArgumentParser(description="the teachers' reading of a render style under the benchmark's conditions, one part taken away at a time")
    ap.add_argument('--out', required=True); ap.add_argument('--style', default='textured')
    ap.add_argument('--seed', type=int, default=3); ap.add_argument('--subjects', type=int, default=60)
    ap.add_argument('--threads', type=int, default=2)
    a = ap.parse_args()
    import torch; torch.set_num_threads(a.threads)
    version = code_version()                       # the code that runs, not the commit when it ends
    rows = measure(a.style, a.seed, a.subjects)
    save_json(dict(code_version=version, style=a.style, seed=a.seed, n_subjects=a.subjects, teachers=TEACHERS, rows=rows), a.out)

if __name__ == '__main__': main()
