"""Round 26 of docs/realism.md: the idle twitches drawn at their true size, the expression at its gained size.

Each AU of every SynthFACS face twitches at random with probability 0.1 (`SynthConfig.idle`), at a true intensity up to
0.25: about 6 faces in 7 carry a twitch. The `textured` style draws every AU at its gained size from an intensity of 0.1 on (`gain_onset` (0, 0.1), round 22),
so a twitch is drawn as large as a weak expression. `expression_aus` draws the expression and the twitches apart and
takes their maximum; this probe keeps them apart in the drawing:

- the expression's AUs (the same call with `idle=0`, replaying the same random numbers) drawn by the style's
  `RenderStyle.drawn` (gains, onset, AU9's cheek);
- per AU where a twitch is larger than the expression: the larger of the gained expression and the twitch's true size;
- the labels, the true AUs, the people, poses and degradations exactly as the style draws them (the same random
  numbers both ways), so a difference between the two readings is the twitches' drawing alone (the landmarks follow
  the drawn AUs, as they always do).

It reads the realism score's faces (benchmark conditions) of a population both ways with the two teachers
(`faceapi_expression`, `fer_cnn`; never the judges) and writes `validate_seed{N}.json`: each reading's score and each
teacher's difference, with their 95 % subject-bootstrap intervals (the difference's paired: `recall_interval(...,
baseline=...)`). `--neutral` breaks the neutral faces' recall down by twitch size, both ways; `--preview` draws faces.

    python tools/realism_idle_probe.py --out docs/realism_texture/idle --seed 4 [--subjects 60] [--threads 2]
    python tools/realism_idle_probe.py --out docs/realism_texture/idle --preview
    python tools/realism_idle_probe.py --out docs/realism_texture/idle --neutral --seed 3 --subjects 120
"""
import argparse, contextlib, sys, time
from dataclasses import replace
from pathlib import Path
from unittest import mock
import numpy as np
import pandas as pd
import emoxnet.data.synthetic as S
sys.path.insert(0, str(Path(__file__).resolve().parent))
from realism_judging import zoo_model
from realism_drawing_search import read, temporary_style
from emoxnet.core import code_version, save_json

BASE, TEACHERS, CANDIDATE = 'textured', ('faceapi_expression', 'fer_cnn'), '_idle'

def drawn_apart(st: S.RenderStyle, true: np.ndarray, expr: np.ndarray, subj: S.Subject | None = None) -> np.ndarray:
    "One side's drawn AUs: `expr` (the expression alone) as `st` draws it for `subj` (its `mobility`); where a twitch made `true` larger, the larger of that and the twitch's true size."
    gained = st.drawn(expr, expr, subj)[0]
    return np.where(true > expr, np.maximum(gained, true), gained).astype(np.float32)

@contextlib.contextmanager
def twitches_at_true_size(st: S.RenderStyle):
    "Within the block, `S.generate` with style `CANDIDATE` (yielded) draws `st` with each face's idle twitches at their true size (`drawn_apart`); other styles as they are."
    aus, render, last = S.expression_aus, S.render_face, {}
    def expression_aus(subj, category, intensity, rng, idle=0.1):
        replay = np.random.default_rng(); replay.bit_generator.state = rng.bit_generator.state   # the same numbers, no twitch fires
        left, right = aus(subj, category, intensity, rng, idle)
        last.update(true=(left, right), expr=aus(subj, category, intensity, replay, 0.0))
        return left, right
    def render_face(subj, left, right, nz, size=48, grey=True, rng=None, style='flat'):
        if style != CANDIDATE: return render(subj, left, right, nz, size, grey, rng, style)
        (l, r), (el, er) = last.pop('true'), last.pop('expr')
        if l is not left or r is not right: raise RuntimeError('render_face drew AUs that expression_aus did not just make')
        return render(subj, drawn_apart(st, left, el, subj), drawn_apart(st, right, er, subj), nz, size, grey, rng, style)
    plain = replace(st, au_gain={}, au9_cheek=0.0, mobility=0.0)   # draws the AUs it is given as they are: `drawn_apart` made them
    with temporary_style(plain, CANDIDATE) as name, mock.patch.object(S, 'expression_aus', expression_aus), mock.patch.object(S, 'render_face', render_face):
        yield name

def population(seed: int, n_subjects: int, size: int = 48) -> dict:
    "The realism score's faces of population `seed` (`realism_faces`' config and order, at `size`), drawn both ways: `{'base'|'candidate': (images, meta)}`."
    cfg = S.SynthConfig(classes=S.FER2013_CLASSES, n_subjects=n_subjects, images_per_subject=14, seed=seed, style=BASE, size=size)
    def drawn(style):
        data = S.generate(replace(cfg, style=style))
        return np.concatenate([data[s].images for s in data]), pd.concat([data[s].meta for s in data], ignore_index=True)
    out = {'base': drawn(BASE)}
    with twitches_at_true_size(S.STYLES[BASE]) as name: out['candidate'] = drawn(name)
    if not out['base'][1]['majority'].equals(out['candidate'][1]['majority']): raise RuntimeError('the two drawings gave different labels: the random numbers were not shared')
    return out

def resting_twitch(meta: pd.DataFrame) -> np.ndarray:
    "Each face's largest twitch where the category is neutral (every AU of such a face is a twitch), NaN elsewhere."
    return np.where(meta['category'].to_numpy() == 'neutral', meta[[f'au_{a}' for a in S.AUS]].to_numpy(float).max(1), np.nan)

def probe(out: Path, seed: int, n_subjects: int = 60) -> dict:
    "The adopted style and the candidate read by both teachers on population `seed`, each score and each difference with its 95 % subject-bootstrap interval; writes `out/validate_seed{seed}.json`."
    started, faces = time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime()), population(seed, n_subjects)
    meta = faces['base'][1]
    truth, subjects, labels = meta['majority'].to_numpy(), meta['subject'].to_numpy(), {}
    res = dict(code_version=code_version(), started=started, seed=seed, n_subjects=n_subjects, base=BASE, n_images=len(truth),
               changed=round(float(np.mean([(a != b).any() for a, b in zip(faces['base'][0], faces['candidate'][0])])), 3), scores={})
    for t in TEACHERS:
        model = zoo_model(t)
        for what, (images, _) in faces.items():
            r = read(model, images, truth, keep_labels=True)
            labels[what] = r.pop('labels')
            res['scores'][f'{what} {t}'] = r | dict(ci95=[round(100 * x, 1) for x in S.recall_interval(truth, labels[what], subjects)])
            print(what, t, r['score'], res['scores'][f'{what} {t}']['ci95'], r['recall'], round(r['prob'], 4), flush=True)
        diff = [S.class_recall(truth, labels[w]) for w in ('candidate', 'base')]   # unrounded, as the interval is
        res['scores'][f'difference {t}'] = dict(score=round(100 * (np.nanmean(list(diff[0].values())) - np.nanmean(list(diff[1].values()))), 1),
                                                ci95=[round(100 * x, 1) for x in S.recall_interval(truth, labels['candidate'], subjects, baseline=labels['base'])])
        print('difference', t, res['scores'][f'difference {t}'], flush=True)
    save_json(res, out / f'validate_seed{seed}.json')
    return res

def neutral_breakdown(out: Path, seed: int = 3, n_subjects: int = 120) -> dict:
    "Where each drawing loses the faces the panel calls neutral, for each teacher: by category (neutral, or a weak expression) and by the largest twitch; writes `out/neutral_seed{seed}.json`."
    faces = population(seed, n_subjects)
    meta = faces['base'][1]
    label, cat, twitch = meta['majority'].to_numpy(), meta['category'].to_numpy(), resting_twitch(meta)
    rest = (label == 'neutral') & (cat == 'neutral')
    groups = {'category neutral': rest, 'category neutral, no twitch': rest & (twitch == 0), 'category neutral, largest twitch < 0.1': rest & (twitch > 0) & (twitch < 0.1),
              'category neutral, largest twitch 0.1-0.18': rest & (twitch >= 0.1) & (twitch < 0.18), 'category neutral, largest twitch 0.18-0.25': rest & (twitch >= 0.18),
              'weak expression the panel calls neutral': (label == 'neutral') & (cat != 'neutral')}
    res = dict(code_version=code_version(), seed=seed, n_subjects=n_subjects, style=BASE, faces={g: int(m.sum()) for g, m in groups.items()}, neutral_recall={})
    for t in TEACHERS:
        model = zoo_model(t)
        for what, (images, _) in faces.items():
            said = np.asarray(model.predict_faces(list(images))[0])
            res['neutral_recall'][f'{what} {t}'] = {g: round(100 * float((said[m] == 'neutral').mean()), 1) for g, m in groups.items()}
            print(what, t, res['neutral_recall'][f'{what} {t}'], flush=True)
    save_json(res, out / f'neutral_seed{seed}.json')
    return res

def preview(path: Path, n: int = 8, size: int = 96):
    "Neutral faces of population 3 (the search population) carrying a twitch of at least 0.15: the adopted style above, the candidate below; `path` (png)."
    faces = population(3, 12, size)
    pick = resting_twitch(faces['base'][1]) >= 0.15
    fig = S.plot_grid(np.vstack([np.hstack(images[pick][:n]) for images, _ in faces.values()]), ['adopted', 'twitches at true size'],
                      title='neutral faces with an idle twitch (population 3)')
    S._save_fig(fig, path)

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--out', required=True, help='folder for validate_seed{N}.json')
    ap.add_argument('--seed', type=int, default=4, help='the population (3: the search population; 4, 5: validation)')
    ap.add_argument('--subjects', type=int, default=60, help='subjects, 14 faces each')
    ap.add_argument('--threads', type=int, default=1, help='torch threads for the teachers')
    ap.add_argument('--preview', action='store_true', help='only draw OUT/preview.png (neutral faces with a twitch, both ways)')
    ap.add_argument('--neutral', action='store_true', help="only both drawings' neutral faces by twitch size (`neutral_breakdown`; --subjects 120 as in round 26)")
    a = ap.parse_args()
    if a.preview: return preview(Path(a.out) / 'preview.png')
    import torch; torch.set_num_threads(a.threads)
    Path(a.out).mkdir(parents=True, exist_ok=True)
    if a.neutral: return neutral_breakdown(Path(a.out), a.seed, a.subjects)
    probe(Path(a.out), a.seed, a.subjects)

if __name__ == '__main__': main()
