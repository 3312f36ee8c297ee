"""Round 26 of docs/realism.md: the idle twitches drawn at their true size, the expression at its gained size.

Every SynthFACS face carries idle twitches (`SynthConfig.idle`: each AU fires at random at a true intensity up to 0.25).
The `textured` style draws every AU at its gained size from an intensity of 0.1 on (`gain_onset` (0, 0.1), round 22),
so a twitch is drawn as large as a weak expression. `expression_aus` draws the expression and the twitches apart and
takes their maximum; this probe keeps them apart in the drawing:

- the expression's AUs (the same call with `idle=0`, replaying the same random numbers) drawn by the style's
  `RenderStyle.drawn` (gains, onset, AU9's cheek);
- per AU where a twitch is larger than the expression: the larger of the gained expression and the twitch's true size;
- the labels, the true AUs, the people, poses and degradations exactly as the style draws them (the same random
  numbers both ways), so a difference between the two readings is the twitches' drawing alone.

It reads the realism score's faces (benchmark conditions) of a population both ways with the two teachers
(`faceapi_expression`, `fer_cnn`; never the judges) and writes `validate_seed{N}.json`, with each teacher's difference
and its paired 95 % subject-bootstrap interval (`recall_interval(..., baseline=...)`):

    python tools/realism_idle_probe.py --out docs/realism_texture/idle --seed 4 [--subjects 60] [--threads 2]
    python tools/realism_idle_probe.py --out docs/realism_texture/idle --preview
    python tools/realism_idle_probe.py --out docs/realism_texture/idle --neutral --seed 3 --subjects 120
"""
import argparse, contextlib, sys
from dataclasses import replace
from pathlib import Path
from unittest import mock
import numpy as np
import pandas as pd
import emoxnet.data.synthetic as S
sys.path.insert(0, str(Path(__file__).resolve().parent))
from realism_judging import zoo_model
from realism_drawing_search import read as read_one, temporary_style
from emoxnet.core import code_version, save_json

BASE, TEACHERS = 'textured', ('faceapi_expression', 'fer_cnn')

def drawn_apart(st: S.RenderStyle, true: np.ndarray, expr: np.ndarray) -> np.ndarray:
    "One side's drawn AUs: `expr` (the expression alone) as `st` draws it; where a twitch made `true` larger, the larger of that and the twitch's true size."
    gained = st.drawn(expr, expr)[0]
    return np.where(true > expr, np.maximum(gained, true), gained).astype(np.float32)

@contextlib.contextmanager
def twitches_at_true_size(st: S.RenderStyle):
    "Within the block, `S.generate` draws style `st` with each face's idle twitches at their true size (`drawn_apart`); yields the name to generate with."
    aus, render, last = S.expression_aus, S.render_face, {}
    def expression_aus(subj, category, intensity, rng, idle=0.1):
        replay = np.random.default_rng(); replay.bit_generator.state = rng.bit_generator.state   # the same numbers, no twitch fires
        left, right = aus(subj, category, intensity, rng, idle)
        last.update(true=(left, right), expr=aus(subj, category, intensity, replay, 0.0))
        return left, right
    def render_face(subj, left, right, nz, size=48, grey=True, rng=None, style='flat'):
        (l, r), (el, er) = last.pop('true'), last.pop('expr')
        if l is not left or r is not right: raise RuntimeError('render_face drew AUs that expression_aus did not just make')
        return render(subj, drawn_apart(st, left, el), drawn_apart(st, right, er), nz, size, grey, rng, style)
    plain = replace(st, au_gain={}, au9_cheek=0.0)      # draws the AUs it is given as they are: `drawn_apart` made them
    with temporary_style(plain, '_idle') as name, mock.patch.object(S, 'expression_aus', expression_aus), mock.patch.object(S, 'render_face', render_face):
        yield name

def read(model, images: np.ndarray, truth: np.ndarray) -> dict:
    "The search tool's `read`, and under `labels` the label read for each face (kept for the paired interval, not written)."
    plain, kept = model.predict_faces, {}
    def predict_faces(x):
        kept['labels'], probs = plain(x)
        return kept['labels'], probs
    with mock.patch.object(model, 'predict_faces', predict_faces): r = read_one(model, images, truth)
    return r | dict(labels=np.asarray(kept['labels']))

def probe(out: Path, seed: int, n_subjects: int = 60) -> dict:
    "The adopted style and the candidate (twitches at true size) read by both teachers on population `seed`; writes `out/validate_seed{seed}.json`."
    teachers = {t: zoo_model(t) for t in TEACHERS}
    base = S.realism_faces(BASE, n_subjects, seed)
    with twitches_at_true_size(S.STYLES[BASE]) as name: cand = S.realism_faces(name, n_subjects, seed)
    if not (base[1] == cand[1]).all(): raise RuntimeError('the two drawings gave different labels: the random numbers were not shared')
    res = dict(code_version=code_version(), seed=seed, n_subjects=n_subjects, base=BASE, n_images=len(base[1]),
               changed=round(float(np.mean([(a != b).any() for a, b in zip(base[0], cand[0])])), 3), scores={})
    truth, subjects, labels = base[1], np.arange(len(base[1])) // 14, {}       # `realism_faces` keeps each subject's 14 faces together
    for what, (images, _, _) in (('base', base), ('twitches at true size', cand)):
        for t, model in teachers.items():
            res['scores'][f'{what} {t}'] = r = read(model, images, truth)
            labels[what, t] = r.pop('labels')
            print(what, t, r['score'], r['recall'], round(r['prob'], 4), flush=True)
    for t in teachers:   # the candidate's score minus the base's, with its paired 95 % subject-bootstrap interval (points)
        diff = S.recall_interval(truth, labels['twitches at true size', t], subjects, baseline=labels['base', t])
        res['scores'][f'difference {t}'] = dict(score=round(res['scores'][f'twitches at true size {t}']['score'] - res['scores'][f'base {t}']['score'], 1),
                                                ci95=[round(100 * x, 1) for x in diff])
        print('difference', t, res['scores'][f'difference {t}'], flush=True)
    out.mkdir(parents=True, exist_ok=True)
    save_json(res, out / f'validate_seed{seed}.json')
    return res

def neutral_breakdown(out: Path, seed: int = 3, n_subjects: int = 120) -> dict:
    "Where the adopted style loses the faces the panel calls neutral, for each teacher: by category (neutral, or a weak expression) and by the largest twitch; writes `out/neutral_seed{seed}.json`."
    data = S.generate(S.SynthConfig(classes=S.FER2013_CLASSES, n_subjects=n_subjects, images_per_subject=14, seed=seed, style=BASE))
    meta, images = pd.concat([data[s].meta for s in data]), np.concatenate([data[s].images for s in data])
    label, cat = meta['majority'].to_numpy(), meta['category'].to_numpy()
    twitch, rest = meta[[f'au_{a}' for a in S.AUS]].to_numpy(float).max(1), (label == 'neutral') & (cat == 'neutral')
    groups = {'category neutral': rest, 'category neutral, no twitch': rest & (twitch == 0), 'category neutral, largest twitch < 0.1': rest & (twitch > 0) & (twitch < 0.1),
              'category neutral, largest twitch 0.1-0.18': rest & (twitch >= 0.1) & (twitch < 0.18), 'category neutral, largest twitch 0.18-0.25': rest & (twitch >= 0.18),
              'weak expression the panel calls neutral': (label == 'neutral') & (cat != 'neutral')}
    res = dict(code_version=code_version(), seed=seed, n_subjects=n_subjects, style=BASE, faces={g: int(m.sum()) for g, m in groups.items()}, neutral_recall={})
    for t in TEACHERS:
        read = np.asarray(zoo_model(t).predict_faces(list(images))[0])
        res['neutral_recall'][t] = {g: round(100 * float((read[m] == 'neutral').mean()), 1) for g, m in groups.items()}
        print(t, res['neutral_recall'][t], flush=True)
    out.mkdir(parents=True, exist_ok=True)
    save_json(res, out / f'neutral_seed{seed}.json')
    return res

def preview(path: Path, n: int = 8, size: int = 96):
    "Neutral faces of population 3 (the search population) carrying a twitch of at least 0.15: the adopted style above, the candidate below; `path` (png)."
    cfg = dict(classes=S.FER2013_CLASSES, n_subjects=12, images_per_subject=14, seed=3, size=size, style=BASE)
    base = S.generate(S.SynthConfig(**cfg))
    with twitches_at_true_size(S.STYLES[BASE]) as name: cand = S.generate(S.SynthConfig(**cfg | dict(style=name)))
    rows = []
    for data in (base, cand):
        meta, images = pd.concat([data[s].meta for s in data]), np.concatenate([data[s].images for s in data])
        twitch = meta[[f'au_{a}' for a in S.AUS]].to_numpy(float).max(1)
        rows.append(np.hstack(images[(meta['category'].to_numpy() == 'neutral') & (twitch >= 0.15)][:n]))
    fig = S.plot_grid(np.vstack(rows), ['adopted', 'twitches at true size'], title='neutral faces with an idle twitch (population 3)')
    S._save_fig(fig, path)

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--out', required=True, help='folder for validate_seed{N}.json')
    ap.add_argument('--seed', type=int, default=4, help='the population (3: the search population; 4, 5: validation)')
    ap.add_argument('--subjects', type=int, default=60, help='subjects, 14 faces each')
    ap.add_argument('--threads', type=int, default=1, help='torch threads for the teachers')
    ap.add_argument('--preview', action='store_true', help='only draw OUT/preview.png (neutral faces with a twitch, both ways)')
    ap.add_argument('--neutral', action='store_true', help="only the adopted style's neutral faces by twitch size (`neutral_breakdown`; --subjects 120 as in round 26)")
    a = ap.parse_args()
    if a.preview: return preview(Path(a.out) / 'preview.png')
    import torch; torch.set_num_threads(a.threads)
    if a.neutral: return neutral_breakdown(Path(a.out), a.seed, a.subjects)
    probe(Path(a.out), a.seed, a.subjects)

if __name__ == '__main__': main()
