"""Round 34 of docs/realism.md: the `textured` style under wider nuisance (pose, light, image quality), read by the teachers.

Each candidate changes only `Nuisance` fields of the benchmark's recipe (`NUISANCE_CANDIDATES`); the people, labels and
expressions are the same random numbers as far as the nuisance draws allow. The three teachers read population 3
(benchmark conditions otherwise); the judges never read anything here.

    python tools/realism_nuisance_probe.py --candidates benchmark,pose,light,pose_light,degrade --out docs/realism_texture/n34/teachers_seed3.json
"""
import argparse, sys, time
from pathlib import Path
import emoxnet.data.synthetic as S
sys.path.insert(0, str(Path(__file__).resolve().parent))
from realism_drawing_search import read_all
from realism_judging import zoo_model
from emoxnet.core import code_version, save_json

POSE, LIGHT = dict(yaw=35., pitch=20., roll=15.), dict(light=0.6, contrast=0.4, brightness=30.)
NUISANCE_CANDIDATES = dict(benchmark={}, pose=POSE, light=LIGHT, pose_light=POSE | LIGHT,
                           degrade=dict(blur=1.0, noise=10., jpeg=0.6, jpeg_quality=(30, 95)))
TEACHERS = ('faceapi_expression', 'fer_cnn', 'pyfeat_fex')

def nuisance(name: str) -> S.Nuisance:
    "The benchmark's `Nuisance()` with candidate `name`'s fields changed."
    if name not in NUISANCE_CANDIDATES: raise SystemExit(f"unknown candidate {name!r}: expected one of {', '.join(NUISANCE_CANDIDATES)}")
    return S.Nuisance(**NUISANCE_CANDIDATES[name])

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--candidates', default=','.join(NUISANCE_CANDIDATES)); ap.add_argument('--seed', type=int, default=3)
    ap.add_argument('--teachers', default=','.join(TEACHERS)); ap.add_argument('--out', type=Path, required=True)
    a = ap.parse_args()
    models, rows, version = {t: zoo_model(t) for t in a.teachers.split(',')}, [], code_version()
    for name in a.candidates.split(','):
        t, nz = time.time(), nuisance(name)
        images, truth, _ = S.realism_faces('textured', 60, a.seed, nuisance=nz)
        r = read_all(models, images, truth)
        rows.append(dict(candidate=name, nuisance=NUISANCE_CANDIDATES[name], objective=round(r['prob'], 4), teachers_mean_recall=r['score'],
                         recall=r['recall'], seconds=round(time.time() - t, 1)))
        print({k: rows[-1][k] for k in ('candidate', 'teachers_mean_recall', 'objective', 'seconds')}, flush=True)
        save_json(dict(code_version=version, seed=a.seed, n_subjects=60, style='textured', generator_md5=S.generator_md5('textured'), rows=rows), a.out)

if __name__ == '__main__': main()
