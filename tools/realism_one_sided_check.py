"""Round 35 of docs/realism.md: the textured style with `one_sided_gain=0` against the adopted style: the realism faces of populations 1 and 3 (pixels and labels must be identical) and how much the benchmark's contempt test faces change.

    python tools/realism_one_sided_check.py   # writes docs/realism_texture/c35/pixels.json
"""
import hashlib, sys, numpy as np
from dataclasses import replace
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent))
import emoxnet.data.synthetic as S
from realism_drawing_search import temporary_style
cand = replace(S.STYLES['textured'], one_sided_gain=0.0)
out = {}
for seed in (1, 3):
    a = S.realism_faces('textured', 60, seed)
    with temporary_style(cand) as name: b = S.realism_faces(name, 60, seed)
    out[seed] = dict(same_pixels=bool(np.array_equal(a[0], b[0])), same_labels=bool(np.array_equal(a[1], b[1])), n=len(a[0]),
                     md5=hashlib.md5(a[0].tobytes()).hexdigest(), md5_candidate=hashlib.md5(b[0].tobytes()).hexdigest())
    print(seed, out[seed], flush=True)
# contempt: how much the drawing changes on the benchmark's contempt faces
cfg = S.SynthConfig(n_subjects=6, seed=0, style='textured')
d0 = S.generate(cfg)
with temporary_style(cand) as name: d1 = S.generate(replace(cfg, style=name))
for s in ('test',):
    m = d0[s].meta; c = (m['category'] == 'contempt').to_numpy()
    diff = np.abs(d0[s].images.astype(int) - d1[s].images.astype(int)).reshape(len(c), -1).mean(1)
    print('contempt faces', int(c.sum()), 'mean |diff|', round(float(diff[c].mean()), 2), 'others', round(float(diff[~c].mean()), 3))
    out['benchmark_test_seed0_6_subjects'] = dict(contempt_faces=int(c.sum()), contempt_mean_abs_diff=round(float(diff[c].mean()), 2), other_faces=int((~c).sum()), other_mean_abs_diff=round(float(diff[~c].mean()), 3))
from emoxnet.core import code_version, save_json
out['code_version'] = code_version(); out['generator_md5'] = S.generator_md5('textured'); out['candidate'] = {'one_sided_gain': 0.0}
save_json(out, 'docs/realism_texture/c35/pixels.json')
