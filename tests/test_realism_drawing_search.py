"""tools/realism_drawing_search.py, round 20 of docs/realism.md: the searched numbers map onto the textured style, stay in
their bounds, the coordinate search climbs its objective, and a search started again replays what it logged. A
stand-in teacher and stand-in faces replace the zoo's models and SynthFACS's drawing (no download, no rendering)."""
import json
from dataclasses import replace

import numpy as np
import pytest
import torch

import emoxnet.data.synthetic as S
from conftest import tool_module

@pytest.fixture(scope='module')
def ds(): return tool_module('realism_drawing_search')

@pytest.fixture(autouse=True)
def torch_threads():
    "The tools set torch's thread count in `main`: give the rest of the session its own back."
    n = torch.get_num_threads(); yield; torch.set_num_threads(n)

def test_parameters_round_trip(ds):
    "The base numbers give the textured style back (but its name); a changed gain or field lands where it should."
    st, p = S.STYLES['textured'], ds.parameters(S.STYLES['textured'])
    assert len(p) == len(st.au_gain) + len(ds.FIELDS) + len(ds.GRID_ONLY) + len(st.geom_shift) == 46 and p['gain_onset'] == [0.0, 0.1]   # 34 searched numbers (framing since round 25), 6 + 6 set by grids (round 35: one_sided_gain)
    assert replace(ds.style_from(p), name=st.name) == st
    moved = ds.style_from({**p, 'shift_rest_corner': -0.03}).geom_shift                 # round 32: the resting face's geometry, one entry at a time
    assert moved == {**st.geom_shift, 'rest_corner': -0.03} and st.geom_shift['rest_corner'] == -0.015
    assert sum(map(ds.grid_only, p)) == 12 and not ds.grid_only('gain_4')
    st2 = ds.style_from({**p, 'gain_4': 1.5, 'teeth': 0.2, 'zoom': 1.2})
    assert (st2.au_gain[4], st2.teeth, st2.zoom, st2.au_gain[1], st2.au_texture) == (1.5, 0.2, 1.2, st.au_gain[1], st.au_texture)

def test_bounds(ds):
    "Gains stay within GAIN_RANGE; `square` at most 1.2 (beyond 1.25 the lip gap's exponent turns negative); fractions below 1; the framing within a face crop."
    assert (ds.clip_param('gain_4', 9.), ds.clip_param('gain_7', 0.1)) == (2.5, 0.4)
    assert ds.clip_param('gain_7', 0.6 / 1.3) < 0.6           # every gain can be lowered (round 20 ran with a floor of 0.7, above vivid's AU7 0.6)
    assert (ds.clip_param('square', 1.3), ds.clip_param('lid_drop', 0.9), ds.clip_param('teeth', 0.5)) == (1.2, 0.6, 0.5)
    assert (ds.clip_param('zoom', 1.5), ds.clip_param('centre_y', 0.18 * 1.15)) == (1.4, pytest.approx(0.207))   # the framing (round 25)

class StandIn:
    "A teacher that reads a face's label with probability `teeth`-driven: it only sees the stand-in faces' mean grey."
    classes = S.FER2013_CLASSES
    def __init__(self): self.calls = 0
    def predict_faces(self, images):
        self.calls += 1
        m = np.array([im.mean() for im in images]) / 255          # the stand-in faces carry `teeth` as their grey
        k = len(self.classes)
        probs = np.full((len(images), k), 0.0); probs[:, 0] = m; probs[:, 1:] = (1 - m[:, None]) / (k - 1)
        return [self.classes[i] for i in probs.argmax(1)], probs

@pytest.fixture
def teacher(ds, monkeypatch):
    "The stand-in teacher as every zoo model, reading stand-in faces whose grey is the drawing's `teeth`."
    t = StandIn()
    monkeypatch.setattr(ds, 'zoo_model', lambda name: t)
    monkeypatch.setattr(ds, 'faces', lambda st, seed=3, n_subjects=60, intensity=(0.25, 1.): (np.full((4, 8, 8), 255 * min(st.teeth, 1.)), np.array([S.FER2013_CLASSES[0]] * 4)))
    return t

def test_search_climbs_and_replays(ds, tmp_path, teacher):
    "Only the number the objective depends on moves, up; a second run of the same search evaluates nothing new."
    found = ds.search(tmp_path, passes=1, step=0.3)
    base = ds.parameters(S.STYLES['textured'])
    assert found['teeth'] == pytest.approx(base['teeth'] * 1.3)
    assert {k for k in base if found[k] != base[k]} == {'teeth'}
    best = json.loads((tmp_path / 'best.json').read_text())
    assert best['best']['changed'] == {'teeth': found['teeth']} and best['best']['prob'] > best['base']['prob']
    n, rows = teacher.calls, (tmp_path / 'search.jsonl').read_text().splitlines()
    assert base['gain_10'] == base['gain_15'] == ds.GAIN_RANGE[1]         # AU10 and AU15 (round 30) sit at their bound: they can only shrink
    assert n == len(rows) == 1 + 2 * (len(base) - sum(map(ds.grid_only, base))) - 2 == 67   # the base, then each of the 34 numbers times and divided by 1.3 (not GRID_ONLY's), AU10 and AU15 only divided
    assert ds.search(tmp_path, passes=1, step=0.3) == found and teacher.calls == n
    ds.search(tmp_path, passes=1, step=0.3, n_subjects=120)              # another population size: nothing replayed
    assert teacher.calls == 2 * n
    ds.search(tmp_path, passes=1, step=0.3, intensity=(0.15, 1.))       # another intensity range (round 32): nothing replayed, and it is recorded
    assert teacher.calls == 3 * n
    assert json.loads((tmp_path / 'best.json').read_text())['intensity'] == [0.15, 1.]
    rows = [json.loads(l) for l in (tmp_path / 'search.jsonl').read_text().splitlines()]
    assert [r.get('intensity') for r in rows].count([0.15, 1.]) == n

def test_search_from_a_found_drawing(ds, tmp_path, teacher):
    "`start`: the search begins at an earlier search's found numbers (logged as `start`), and its result keeps them."
    base = ds.parameters(S.STYLES['textured'])
    (tmp_path / 'd').mkdir()
    (tmp_path / 'd' / 'best.json').write_text(json.dumps({'best': {'params': {**base, 'gain_9': 1.5, 'teeth': 0.2}}}))
    found = ds.search(tmp_path / 'e', passes=1, step=0.15, start=tmp_path / 'd')
    assert found['gain_9'] == 1.5 and found['teeth'] == pytest.approx(0.2 * 1.15)
    rows = [json.loads(l) for l in (tmp_path / 'e' / 'search.jsonl').read_text().splitlines()]
    assert [r['what'] for r in rows[:2]] == ['base', 'start'] and rows[1]['changed'] == {'gain_9': 1.5, 'teeth': 0.2}
    best = json.loads((tmp_path / 'e' / 'best.json').read_text())
    assert best['start'] == str(tmp_path / 'd') and best['best']['changed']['gain_9'] == 1.5

def test_judges_never_steer(ds, monkeypatch):
    "A realism judge named as the search teacher is refused before anything runs."
    monkeypatch.setattr(ds, 'search', lambda *a, **k: pytest.fail('the search ran with a judge as teacher'))
    monkeypatch.setattr('sys.argv', ['realism_drawing_search.py', '--out', 'x', '--teacher', 'fer_cnn,fer_mini_xception'])
    with pytest.raises(SystemExit, match='judges'): ds.main()

def test_judging_draws_the_found_numbers(ds, tmp_path, monkeypatch):
    "`realism_judging.py --drawing best.json` measures the textured style with the search's numbers (the judges stood in for here)."
    rj, seen = tool_module('realism_judging'), {}
    best = tmp_path / 'best.json'
    best.write_text(json.dumps({'best': {'params': {**ds.parameters(S.STYLES['textured']), 'gain_4': 1.5}}}))
    def scores(render, judges, conditions=(), style='vivid', intensity=None):
        seen.update(style=style, gain=S.STYLES[style].au_gain[4], texture=S.STYLES[style].au_texture, render=render, judges=judges, intensity=intensity)
        return []
    monkeypatch.setattr(rj, 'scores', scores)
    monkeypatch.setattr('sys.argv', ['realism_judging.py', '--style', 'textured', '--drawing', str(best), '--out', str(tmp_path / 'o.json')])
    try:
        rj.main()
        assert 'textured-search' not in S.STYLES                          # registered only while the judges read it
    finally: S.STYLES.pop('textured-search', None)
    assert (seen['gain'], seen['texture'], seen['render'], set(seen['judges'])) == (1.5, 'r17', None, set(S.REALISM_JUDGES))
    out = json.loads((tmp_path / 'o.json').read_text())
    assert (out['drawing_params']['gain_4'], out['drawn_style'], len(out['drawing_md5'])) == (1.5, 'textured-search', 32)
    assert seen['intensity'] is None and 'intensity' not in out
    monkeypatch.setattr('sys.argv', ['realism_judging.py', '--style', 'textured', '--intensity', '0.15', '1', '--out', str(tmp_path / 'i.json')])
    rj.main()                                                             # round 31: the benchmark conditions at another intensity range
    assert seen['intensity'] == [0.15, 1.0] and json.loads((tmp_path / 'i.json').read_text())['intensity'] == [0.15, 1.0]
    monkeypatch.setattr('sys.argv', ['realism_judging.py', '--style', 'vivid', '--drawing', str(best), '--out', str(tmp_path / 'p.json')])
    with pytest.raises(SystemExit, match='--style textured'): rj.main()

def test_calibration_draws_the_found_numbers(ds, tmp_path, monkeypatch):
    "`style_calibration.py --drawing best.json` (round 31) trains the reference CNN on the benchmark recipe drawn with the drawing's numbers (generation and training stood in for)."
    sc, seen = tool_module('style_calibration'), {}
    best = tmp_path / 'best.json'
    best.write_text(json.dumps({'best': {'params': {**ds.parameters(S.STYLES['textured']), 'mobility': 0.35}}}))
    monkeypatch.setattr(S, 'generate', lambda cfg: seen.update(style=cfg.style, mobility=S.STYLES[cfg.style].mobility, intensity=cfg.intensity) or 'data')
    monkeypatch.setattr(S, 'reference_cnn', lambda data, threads, seed=0: dict(data=data, threads=threads, seed=seed, test_accuracy=0.9, valid_accuracy=0.8))
    monkeypatch.setattr('sys.argv', ['style_calibration.py', '--style', 'textured', '--drawing', str(best), '--out', str(tmp_path / 'c.json')])
    sc.main()
    assert seen == dict(style='textured-search', mobility=0.35, intensity=(0.25, 1.0)) and 'textured-search' not in S.STYLES
    out = json.loads((tmp_path / 'c.json').read_text())
    assert (out['drawing_params']['mobility'], out['reference_cnn']['data'], len(out['drawing_md5'])) == (0.35, 'data', 32)
    assert (out['threads'], out['seed'], out['intensity']) == (1, 0, [0.25, 1.0])           # what the run was, recorded
    monkeypatch.setattr('sys.argv', ['style_calibration.py', '--style', 'textured', '--intensity', '0.15', '1', '--threads', '2', '--cnn-seed', '2', '--out', str(tmp_path / 'd.json')])
    sc.main()                                                             # round 31: the recipe at another intensity range
    out = json.loads((tmp_path / 'd.json').read_text())
    assert seen['intensity'] == (0.15, 1.0) and (out['threads'], out['intensity'], out['reference_cnn']['threads']) == (2, [0.15, 1.0], 2)
    assert (out['cnn_seed'], out['reference_cnn']['seed'], out['seed']) == (2, 2, 0)   # round 33: another run of the CNN, the recipe's seed unchanged

def test_faces_share_labels_and_leave_the_registry(ds):
    "Two drawings of population 3 give the same faces' labels (they come from the AUs) and other pixels; no style is left registered, even on an error."
    styles = set(S.STYLES)
    p = ds.parameters(S.STYLES['textured'])
    a, la = ds.faces(ds.style_from(p), n_subjects=1)
    b, lb = ds.faces(ds.style_from({**p, 'gain_4': 1.0, 'lips_part': 2.0}), n_subjects=1)
    assert a.shape == b.shape == (14, 48, 48) and (la == lb).all() and (a != b).any()
    c, lc = ds.faces(ds.style_from(p), n_subjects=1, intensity=(0.15, 1.))   # round 32: the same people at another intensity range
    assert c.shape == a.shape and (c != a).any()
    with pytest.raises(RuntimeError), ds.temporary_style(ds.style_from(p)): raise RuntimeError
    assert set(S.STYLES) == styles

def test_onset_maps_onto_the_style(ds):
    "Round 22: `gain_onset` in a drawing's numbers lands in the style (a list from JSON as a tuple); without it the style keeps its own."
    p = ds.parameters(S.STYLES['textured'])
    assert ds.style_from(p).gain_onset == S.STYLES['textured'].gain_onset == (0.0, 0.1)      # round 24's
    assert ds.style_from({**p, 'gain_onset': [0.25, 0.5]}).gain_onset == (0.25, 0.5)

def test_grid_only_numbers_map_onto_the_style(ds):
    "Round 31: `mobility`, `lowres`, `lowres_scale` and `rest_spread` are a drawing's numbers too, set by a grid and never stepped by the search."
    p = ds.parameters(S.STYLES['textured'])
    assert (p['mobility'], p['lowres'], p['lowres_scale'], p['rest_spread']) == (0.0, 0.15, [0.55, 0.85], 1.0)
    st = ds.style_from({**p, 'mobility': 0.35, 'lowres': 0.5, 'lowres_scale': [0.4, 0.7], 'rest_spread': 3})
    assert (st.mobility, st.lowres, st.lowres_scale, st.rest_spread) == (0.35, 0.5, (0.4, 0.7), 3.0)
    assert set(ds.GRID_ONLY).isdisjoint(ds.FIELDS)

def test_grid_reads_every_candidate_and_keeps_the_best(ds, tmp_path, teacher):
    "`grid`: each candidate is read once and logged; best.json holds the best one's numbers (on `start`'s drawing) for --validate."
    (tmp_path / 'd').mkdir()
    base = {k: v for k, v in ds.parameters(S.STYLES['textured']).items() if k != 'gain_onset'}   # as rounds 20-21 wrote their drawings
    (tmp_path / 'd' / 'best.json').write_text(json.dumps({'best': {'params': {**base, 'gain_9': 1.5}}}))
    cands = [{'teeth': 0.1}, {'teeth': 0.3, 'gain_onset': [0.1, 0.3]}, {'teeth': 0.2}]
    res = ds.grid(tmp_path / 'g', 'fer_cnn', cands, start=tmp_path / 'd')
    rows = [json.loads(l) for l in (tmp_path / 'g' / 'grid.jsonl').read_text().splitlines()]
    assert teacher.calls == 3 and [r['set'] for r in rows] == cands
    assert res['best']['changed'] == {'gain_9': 1.5, **cands[1]} and res['start'] == str(tmp_path / 'd')   # against the base, as a search's
    found = ds.found_params(tmp_path / 'g')
    assert (found['teeth'], found['gain_onset'], found['gain_9']) == (0.3, [0.1, 0.3], 1.5)
    assert [r['params']['gain_onset'] for r in rows] == [list(ds.PRE_ONSET), [0.1, 0.3], list(ds.PRE_ONSET)]   # a drawing found before round 22 keeps its onset
    assert ds.style_from(found).gain_onset == (0.1, 0.3)
    again = ds.grid(tmp_path / 'g', 'fer_cnn', cands[1:] + [{'teeth': 0.4}], start=tmp_path / 'd')   # started again: only the new drawing is read
    assert teacher.calls == 4 and len((tmp_path / 'g' / 'grid.jsonl').read_text().splitlines()) == 4 and again['best']['set'] == {'teeth': 0.4}
    ds.grid(tmp_path / 'g', 'fer_cnn', cands[:1], n_subjects=120, start=tmp_path / 'd')              # another population size: read anew
    assert teacher.calls == 5

def test_old_drawings_keep_their_onset_and_the_style_is_the_judged_drawing(ds):
    "A drawing found before round 22 (no onset in its best.json) is drawn with the onset of its day; the textured style is the drawing judged and adopted in round 30 (`d30`), round 24's (`onset_d3`) with six numbers changed."
    from pathlib import Path
    docs = Path(__file__).resolve().parents[1] / 'docs' / 'realism_texture'
    d3 = ds.found_params(docs / 'd3')
    assert d3['gain_onset'] == [0.25, 0.5] and ds.style_from(d3).gain_onset == (0.25, 0.5)
    (o2, d30), st = (ds.style_from(ds.found_params(docs / d)) for d in ('onset_d3', 'd30')), S.STYLES['textured']
    assert o2.gain_onset == d30.gain_onset == st.gain_onset == (0.0, 0.1)
    assert replace(d30, name=st.name) == st
    p_o2, p_d30 = (ds.parameters(x) for x in (o2, d30))
    assert sorted(k for k in p_o2 if p_o2[k] != pytest.approx(p_d30[k])) == ['gain_12', 'gain_15', 'gain_26', 'lips_part', 'relief', 'soften']
