"""Round 20 of docs/realism.md: the textured style's *drawing* parameters searched against a teacher, not the judges.

Rounds 10-19 learned a texture (AU shading maps and sub-pixel warps) on a fixed drawing, and plateaued. The drawing's own
numbers (how far each AU moves the face: `RenderStyle.au_gain`; the mouth, brow, lid and crease shapes: `square`,
`brow_v`, `lip_raise`, ...) were set by hand in rounds 2-8. They change geometry the texture cannot: a face-like drawing
by construction, whatever the values. This tool searches them, one at a time (coordinate search), against a real-trained
expression model that is not a judge, on the dev population:

- objective: the *search teacher*'s (default `fer_cnn`; several: their mean) mean probability of the panel's majority
  label, averaged per class so that each of the 7 FER2013 classes counts the same, as in the realism score; on
  population 3 (`--subjects`, default 60 subjects, 840 faces; the realism score's benchmark conditions). It is a smooth stand-in for mean
  per-class recall. A log-probability was tried first and dropped: `fer_cnn` almost never reads disgust, and the tail of
  its disgust probabilities, around 1e-6, ruled that mean. Common random numbers: every candidate draws the same people,
  AUs, poses and degradations, so a difference between two candidates is the drawing's alone;
- a step is kept only when it raises the objective by more than `--min-gain`;
- a search starts from the base style, or with `--start DIR` from an earlier search's found drawing (recorded in
  `best.json` as `start`);
- every evaluation is logged (`DIR/search.jsonl`, with its teacher), the best parameters and the base's are written to
  `DIR/best.json`; a search started again in the same folder replays the logged evaluations of the same teacher and population size.

    python tools/realism_drawing_search.py --out runs/realism_drawing/d1 [--passes 2] [--step 0.3] [--teacher fer_cnn]
    python tools/realism_drawing_search.py --out runs/realism_drawing/d2 --passes 1 --teacher faceapi_expression,fer_cnn
    python tools/realism_drawing_search.py --out runs/realism_drawing/d3 --start runs/realism_drawing/d2 --passes 1 --step 0.15 --teacher ...
    python tools/realism_drawing_search.py --validate runs/realism_drawing/d1 [--seed 4]
    python tools/realism_drawing_search.py --out runs/realism_drawing/onset --grid '[{"gain_onset": [0.1, 0.3]}, ...]' --teacher ...

Round 25 added the framing (`zoom`, `widen`, `centre_y`) to the searched numbers: 34 with the 14 gains; a drawing found
before it is drawn with the base's framing.

`--grid` (round 22) reads a given list of drawings instead of searching: each a dict of numbers set on the base style
(or on `--start`'s drawing), `gain_onset` among them, which the coordinate search leaves alone; every reading is
logged in `DIR/grid.jsonl` and the best by the objective goes to `DIR/best.json`, as a search's does. Round 31 added
more numbers that only a grid sets (`GRID_ONLY`): `mobility`, `lowres`, `lowres_scale` and `rest_spread`; a
single-candidate grid makes a best.json for `tools/style_calibration.py --drawing`. Round 32 added the resting face's
geometry, `shift_<name>` for each entry of the style's `geom_shift` (`shift_rest_corner`, `shift_brow_gap`, ...), grid-only too.

`--intensity LO HI` (round 32) reads the faces at another expression intensity range than the benchmark's 0.25-1, for a
search, a grid or `--validate`; it is recorded in `best.json`, in every logged row and in the validation files, and a
log replays only the rows of the same range.

`--validate` scores the base and the found drawing with the teachers (`--validate-teachers`, default `faceapi_expression,fer_cnn`) on another
population (default 4: no search choice used it), realism-score style (mean per-class recall); it writes
`DIR/validate_seed{N}.json` and `DIR/preview.png` (base left, found right). `--drawing DIR/best.json` in
tools/realism_judging.py then measures the found drawing with the judges. docs/img/realism_drawing_r20.png is

    python tools/realism_drawing_search.py --figure docs/img/realism_drawing_r20.png docs/realism_texture/d1 docs/realism_texture/d2

The judges never run here.
"""
import argparse, contextlib, hashlib, json, sys, time
from dataclasses import replace
from pathlib import Path
import numpy as np
import emoxnet.data.synthetic as S
sys.path.insert(0, str(Path(__file__).resolve().parent))
from realism_judging import zoo_model
from emoxnet.core import code_version, save_json

BASE = 'textured'                      # the adopted style: round 17's drawing in rounds 20-23, round 24's since (`--validate` compares with
                                       # today's; a search's best.json records its base's numbers under `base`)
SEARCH_SEED, N_SUBJECTS = 3, 60
BENCH_INTENSITY = S.SynthConfig().intensity   # the benchmark's intensity range (0.25-1); round 32 searched under 0.15-1 (`--intensity`)
GAIN_RANGE = (0.4, 2.5)                # an AU drawn at 0.4x to 2.5x its true size (the drawing clips at 2); round 20's
                                       # searches ran with 0.7, above AU7's 0.6: AU7 could only grow there
FIELDS = ('lips_part', 'lip_raise', 'teeth', 'iris', 'eye_shadow', 'square', 'brow_v', 'lid_drop', 'lip_down', 'lip_sides',
          'au9_cheek', 'furrow', 'brow_tone', 'lip_tone', 'mouth_line', 'relief', 'soften',
          'zoom', 'widen', 'centre_y')  # round 25: the framing (set by eye in rounds 3-5, never searched), in face coordinates the texture follows
FIELD_MAX = dict(eye_shadow=0.9, lid_drop=0.6, brow_tone=0.9, lip_tone=0.9, au9_cheek=1.0,   # fractions; the other fields are unbounded above,
                 square=1.2,   # ... but `square` > 1.25 turns the lip gap's exponent negative (NaN mouths)
                 zoom=1.4, widen=1.5, centre_y=0.4)   # bounded above only (steps are multiplicative): zoom 1.45 cut forehead and chin (round 3); a larger centre_y puts the face higher

GRID_ONLY = ('gain_onset', 'mobility', 'lowres', 'lowres_scale', 'rest_spread', 'one_sided_gain')   # numbers `--grid` sets and the search leaves alone: round 22's gain
                                                                                   # onset; round 31's movement size per person, low-resolution round trip, resting faces; round 35's one-sided part
SHIFT = 'shift_'    # round 32: grid-only numbers `shift_<name>` for the entries of the style's `geom_shift` (the resting face's geometry)

def grid_only(name: str) -> bool:
    "Whether a drawing number is set only by grids (`GRID_ONLY`, the `geom_shift` entries), never stepped by the search."
    return name in GRID_ONLY or name.startswith(SHIFT)

PRE_ONSET = S.STYLES['vivid'].gain_onset   # every drawing's gain onset before round 22: the drawings found then (d1-d3) carry none

def parameters(st: S.RenderStyle) -> dict:
    "A style's drawing numbers: `gain_<AU>` for each AU of `au_gain` and the shape fields `FIELDS` (searched), and `GRID_ONLY`'s and `shift_<name>` for each `geom_shift` entry (set by `--grid`, never stepped)."
    number = lambda v: [float(x) for x in v] if isinstance(v, tuple) else float(v)
    return {**{f'gain_{a}': float(g) for a, g in st.au_gain.items()}, **{f: float(getattr(st, f)) for f in FIELDS},
            **{f: number(getattr(st, f)) for f in GRID_ONLY}, **{SHIFT + k: float(v) for k, v in st.geom_shift.items()}}

def style_from(params: dict, base: str = BASE) -> S.RenderStyle:
    "`base` with `params` (as `parameters` names them) set."
    st = S.STYLES[base]
    gains = {a: params.get(f'gain_{a}', g) for a, g in st.au_gain.items()}
    grid = {f: tuple(float(x) for x in params[f]) if isinstance(getattr(st, f), tuple) else float(params[f])   # `found_params` gives drawings found
            for f in GRID_ONLY if f in params}                                                              # before round 22 the onset of their day
    shift = {k: float(params.get(SHIFT + k, v)) for k, v in st.geom_shift.items()}
    return replace(st, name=f'{base}-search', au_gain=gains, geom_shift=shift, **grid, **{f: params[f] for f in FIELDS if f in params})

def clip_param(name: str, v: float) -> float:
    "A candidate value within its range: gains in `GAIN_RANGE`, fields at most `FIELD_MAX` (steps are multiplicative, so never 0)."
    return float(np.clip(v, *GAIN_RANGE)) if name.startswith('gain_') else float(min(v, FIELD_MAX.get(name, np.inf)))

@contextlib.contextmanager
def temporary_style(st: S.RenderStyle, name: str = '_search'):
    "`st` registered in `S.STYLES` as `name` for the block (generate and preview_grid take a style's name), removed after it whatever happens."
    S.STYLES[name] = st
    try: yield name
    finally: S.STYLES.pop(name, None)

def faces(st: S.RenderStyle, seed: int = SEARCH_SEED, n_subjects: int = N_SUBJECTS, intensity: tuple = BENCH_INTENSITY) -> tuple[np.ndarray, np.ndarray]:
    "The realism score's faces (benchmark conditions, expressions at `intensity`) of population `seed` drawn in style `st`: `(images, majority labels)`."
    with temporary_style(st) as name: images, truth, _ = S.realism_faces(name, n_subjects, seed, tuple(intensity))
    return images, truth

def read(model, images: np.ndarray, truth: np.ndarray, keep_labels: bool = False) -> dict:
    "A teacher's reading of labelled faces: per-class mean probability of the label, averaged over classes (`prob`), recall and mean recall (%); with `keep_labels`, each face's label under `labels`."
    labels, probs = model.predict_faces(list(images))
    probs, labels = np.asarray(probs, np.float64), np.asarray(labels)
    idx = np.array([model.classes.index(c) for c in truth])
    p = probs[np.arange(len(truth)), idx]
    cls = [c for c in S.FER2013_CLASSES if (truth == c).any()]
    recall = {c: round(100 * r, 1) for c, r in S.class_recall(truth, labels).items() if c in cls}
    return dict(prob=float(np.mean([p[truth == c].mean() for c in cls])), recall=recall, score=round(float(np.mean(list(recall.values()))), 1)) | (
        dict(labels=labels) if keep_labels else {})

def read_all(models: dict, images: np.ndarray, truth: np.ndarray) -> dict:
    "`read` by several teachers (name -> model): the mean of their `prob` and `score`, and each one's recall under `recall`."
    rs = {n: read(m, images, truth) for n, m in models.items()}
    if len(rs) == 1: return next(iter(rs.values()))
    return dict(prob=float(np.mean([r['prob'] for r in rs.values()])), score=round(float(np.mean([r['score'] for r in rs.values()])), 1),
                recall={n: r['recall'] for n, r in rs.items()})

def drawing_key(params: dict) -> str:
    "One string per drawing (its numbers, sorted): how a search or grid started again finds what it logged."
    return json.dumps(sorted(params.items()))

def logged(log: Path, teacher: str, n_subjects: int, intensity: tuple = BENCH_INTENSITY) -> list[dict]:
    "The readings `log` (a search's or grid's .jsonl) holds for this teacher, population size and intensity range (rounds 20-21's rows name no size: 60 subjects; rows before round 32 name no range: 0.25-1)."
    rows = [json.loads(l) for l in log.read_text().splitlines()] if log.exists() else []
    return [r for r in rows if r.get('teacher') == teacher and r.get('n_subjects', N_SUBJECTS) == n_subjects
            and tuple(r.get('intensity', BENCH_INTENSITY)) == tuple(intensity)]

def search(out: Path, teacher: str = 'fer_cnn', passes: int = 2, step: float = 0.3, min_gain: float = 0.002, start: Path | None = None,
           n_subjects: int = N_SUBJECTS, intensity: tuple = BENCH_INTENSITY) -> dict:
    "Coordinate search of `parameters` from the base style (or `start`: a search folder's found drawing) against `teacher` (several: comma-separated, their mean): each value times and divided by (1 + step), step halved each pass; writes `out`."
    out.mkdir(parents=True, exist_ok=True)
    models, base = {t: zoo_model(t) for t in teacher.split(',')}, parameters(S.STYLES[BASE])
    log = out / 'search.jsonl'                       # a search started again replays the evaluations it logged for this teacher and size
    done = {drawing_key({**base, **r['changed']}): r for r in logged(log, teacher, n_subjects, intensity)}
    def evaluate(params, what):
        if drawing_key(params) in done: return {k: done[drawing_key(params)][k] for k in ('prob', 'recall', 'score')}
        t = time.time(); r = read_all(models, *faces(style_from(params), n_subjects=n_subjects, intensity=intensity))
        row = dict(what=what, teacher=teacher, n_subjects=n_subjects, intensity=list(intensity), changed={k: v for k, v in params.items() if v != base[k]}, seconds=round(time.time() - t, 1), **r)
        with open(log, 'a') as f: f.write(json.dumps(row) + '\n')
        print(f"{what:28s} prob {r['prob']:.4f} recall {r['score']:5.1f} {r['recall']}", flush=True)
        return r
    best, cur = evaluate(base, 'base'), dict(base)
    res = dict(code_version=code_version(), base_style=BASE, teacher=teacher, seed=SEARCH_SEED, n_subjects=n_subjects, intensity=list(intensity), passes=passes,
               step=step, min_gain=min_gain, base=dict(params=base, **best), start=str(start) if start else None)
    if start: cur = {**base, **found_params(start)}; best = evaluate(cur, 'start')
    for k in range(passes):
        s = step / 2 ** k
        for name in (n for n in base if not grid_only(n)):
            trials = {v: None for v in (clip_param(name, cur[name] * (1 + s)), clip_param(name, cur[name] / (1 + s))) if v != cur[name]}
            for v in trials: trials[v] = evaluate({**cur, name: v}, f'pass {k + 1} {name}={v:.3g}')
            if not trials: continue
            v, r = max(trials.items(), key=lambda kv: kv[1]['prob'])
            if r['prob'] > best['prob'] + min_gain: cur, best = {**cur, name: v}, r
            save_json(dict(res, best=dict(params=cur, changed={n: x for n, x in cur.items() if x != base[n]}, **best)), out / 'best.json')
    return cur

def grid(out: Path, teacher: str, candidates: list, n_subjects: int = N_SUBJECTS, start: Path | None = None, intensity: tuple = BENCH_INTENSITY) -> dict:
    "Round 22: each of `candidates` (dicts of numbers set on the base style, or on `start`'s found drawing) read by `teacher` (comma-separated: their mean); logs each in `out/grid.jsonl` (started again, it replays what it logged for this teacher and size), the best by the objective in `best.json`."
    out.mkdir(parents=True, exist_ok=True)
    models, origin, base = {t: zoo_model(t) for t in teacher.split(',')}, found_params(start) if start else {}, parameters(S.STYLES[BASE])
    rows, version = [], code_version()                # the code the run starts with (a commit while it runs changes nothing it uses)
    done = {drawing_key(r['params']): r for r in logged(out / 'grid.jsonl', teacher, n_subjects, intensity)}   # a grid started again replays its log
    for c in candidates:
        t, params = time.time(), {**base, **origin, **c}
        if drawing_key(params) in done: rows.append(dict(done[drawing_key(params)], set=c)); continue
        r = read_all(models, *faces(style_from(params), n_subjects=n_subjects, intensity=intensity))
        rows.append(dict(set=c, params=params, teacher=teacher, n_subjects=n_subjects, intensity=list(intensity), seconds=round(time.time() - t, 1), **r))
        with open(out / 'grid.jsonl', 'a') as f: f.write(json.dumps(rows[-1]) + '\n')
        print(f"{json.dumps(c):40s} prob {r['prob']:.4f} recall {r['score']:5.1f} {r['recall']}", flush=True)
    best = max(rows, key=lambda r: r['prob'])
    res = dict(code_version=version, base_style=BASE, start=str(start) if start else None, teacher=teacher, seed=SEARCH_SEED,
               n_subjects=n_subjects, intensity=list(intensity), candidates=candidates, base=dict(params=base), best=dict(best, changed={k: v for k, v in best['params'].items() if v != base[k]}))
    save_json(res, out / 'best.json')
    return res

def panels(param_sets: list, path: Path, subjects=range(1, 7), size: int = 96):
    "Grid: one row per FER2013 class at apex (frontal, clean, population 3), one panel of `subjects` per drawing in `param_sets`, side by side."
    from PIL import Image
    grids = []
    for p in param_sets:
        with temporary_style(style_from(p)) as name:
            grids.append(S.preview_grid(S.FER2013_CLASSES, tuple(subjects), (1.0,), size, seed=SEARCH_SEED, style=name))
    gap = np.full((grids[0].shape[0], 8, 3), 255, np.uint8)
    Image.fromarray(np.concatenate([x for g in grids for x in (gap, g)][1:], 1)).save(path)

def found_params(path: Path) -> dict:
    "The drawing a search or grid found (`path`: its folder or its `best.json`); one found before round 22 gets the onset it was drawn with."
    path = Path(path) / 'best.json' if Path(path).is_dir() else Path(path)
    return {'gain_onset': list(PRE_ONSET), **json.loads(path.read_text())['best']['params']}

def drawing_style(path: str, style: str = BASE) -> tuple:
    "The textured style with the drawing of `path` (a search's or grid's best.json) for another tool: `(context registering it while open, yielding its name; what the tool records: the drawing, its numbers and their md5)`."
    if style != BASE: raise SystemExit(f"--drawing changes the {BASE} style's drawing: use it with --style {BASE}")
    params = found_params(path); st = style_from(params, style)
    return temporary_style(st, st.name), dict(drawing=str(path), drawing_params=params, drawn_style=st.name,   # generator_md5 is the base style's: the params are the difference
                                              drawing_md5=hashlib.md5(drawing_key(params).encode()).hexdigest())

VALIDATION_TEACHERS = 'faceapi_expression,fer_cnn'   # rounds 20-29; round 30 adds pyfeat_fex

def validate(folder: Path, seed: int = 4, teachers: str = VALIDATION_TEACHERS, intensity: tuple = BENCH_INTENSITY) -> dict:
    "The base and the found drawing read by the teachers (comma-separated) on population `seed` at `intensity` (mean per-class recall and probability); writes `validate_seed{seed}.json` and `preview.png` (base left)."
    found, teachers = found_params(folder), {t: zoo_model(t) for t in teachers.split(',')}
    res = dict(code_version=code_version(), seed=seed, n_subjects=N_SUBJECTS, intensity=list(intensity), params=found, scores={})
    for what, params in (('base', parameters(S.STYLES[BASE])), ('found', found)):
        images, truth = faces(style_from(params), seed, intensity=intensity)
        for t, model in teachers.items():
            res['scores'][f'{what} {t}'] = r = read(model, images, truth)
            print(what, t, r['score'], r['recall'], round(r['prob'], 4), flush=True)
    save_json(res, folder / f'validate_seed{seed}.json')
    panels([parameters(S.STYLES[BASE]), found], folder / 'preview.png')
    return res

def main():
    ap = argparse.ArgumentParser(description="round 20: coordinate search of the textured style's drawing against a teacher")
    ap.add_argument('--out', help='folder for search.jsonl and best.json')
    ap.add_argument('--teacher', default='fer_cnn', help='the search teacher (a zoo model that is not a judge; several, comma-separated: their mean)')
    ap.add_argument('--passes', type=int, default=2); ap.add_argument('--step', type=float, default=0.3)
    ap.add_argument('--subjects', type=int, default=N_SUBJECTS, help="the search population's size (14 faces each)")
    ap.add_argument('--start', help='a search folder: start from its found drawing instead of the base')
    ap.add_argument('--min-gain', type=float, default=0.002, help='least rise of the objective (mean probability) for a step to be kept')
    ap.add_argument('--threads', type=int, default=1, help="torch threads for the teachers (the drawing itself runs on one)")
    ap.add_argument('--grid', help="round 22: a JSON list of drawings to read, each a dict of numbers set on the base style (or on --start's drawing), e.g. '[{\"gain_onset\": [0.1, 0.3]}]'")
    ap.add_argument('--validate', help='a search folder: the teachers (--validate-teachers) on another population, base against found')
    ap.add_argument('--seed', type=int, default=4, help="--validate's population")
    ap.add_argument('--validate-teachers', default=VALIDATION_TEACHERS, help="--validate's teachers, comma-separated")
    ap.add_argument('--intensity', nargs=2, type=float, default=BENCH_INTENSITY, metavar=('LO', 'HI'),
                    help="the faces' expression intensity range for a search, a grid or --validate (round 32: 0.15 1; default the benchmark's 0.25 1)")
    ap.add_argument('--figure', nargs='+', metavar=('PNG', 'FOLDER'), help='PNG, then search folders: the base and each found drawing, 3 subjects at 72 px')
    a = ap.parse_args()
    judges = sorted(set(a.teacher.split(',') + a.validate_teachers.split(',')) & set(S.REALISM_JUDGES))
    if judges: raise SystemExit(f"{', '.join(judges)}: the realism score's judges must not steer the renderer, nor choose what reaches them")
    if a.figure: return panels([parameters(S.STYLES[BASE])] + [found_params(f) for f in a.figure[1:]], Path(a.figure[0]), (1, 2, 3), 72)
    import torch; torch.set_num_threads(a.threads)
    if a.validate: return validate(Path(a.validate), a.seed, a.validate_teachers, tuple(a.intensity))
    if not a.out: raise SystemExit('--out DIR is needed for a search')
    if a.grid: return grid(Path(a.out), a.teacher, json.loads(a.grid), a.subjects, Path(a.start) if a.start else None, tuple(a.intensity))
    search(Path(a.out), a.teacher, a.passes, a.step, a.min_gain, Path(a.start) if a.start else None, a.subjects, tuple(a.intensity))

if __name__ == '__main__': main()
