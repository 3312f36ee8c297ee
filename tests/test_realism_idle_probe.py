"""tools/realism_idle_probe.py, round 26 of docs/realism.md: the idle twitches drawn at their true size and the
expression at its gained size, with everything else (labels, people, poses, degradations) as the style draws it.
Offline: no teacher runs."""
from dataclasses import replace
import numpy as np
import pytest

import emoxnet.data.synthetic as S
from conftest import tool_module

@pytest.fixture(scope='module')
def probe(): return tool_module('realism_idle_probe')

CFG = dict(classes=S.FER2013_CLASSES, n_subjects=2, images_per_subject=14, seed=3)

def test_drawn_apart(probe):
    "The expression's AU gained as the style gains it; a twitch larger than the expression at its true size; no twitch: the style's own drawing."
    st, a = S.STYLES['textured'], S.AU_INDEX
    expr = np.zeros(len(S.AUS), np.float32); expr[a[4]] = 0.5
    true = expr.copy(); true[a[15]] = 0.2                                   # a twitch of AU15 on a face lowering its brows
    d = probe.drawn_apart(st, true, expr)
    assert d[a[4]] == pytest.approx(0.5 * st.au_gain[4]) and d[a[15]] == pytest.approx(0.2)
    assert st.drawn(true, true)[0][a[15]] == pytest.approx(0.2 * st.au_gain[15])   # the style itself draws that twitch gained
    np.testing.assert_array_equal(probe.drawn_apart(st, expr, expr), st.drawn(expr, expr)[0])
    moving, subj = replace(st, mobility=0.5), S.sample_subject(1)   # a person's movement size (round 31) is the style's to draw
    np.testing.assert_array_equal(probe.drawn_apart(moving, expr, expr, subj), moving.drawn(expr, expr, subj)[0])
    assert probe.drawn_apart(moving, expr, expr, subj)[a[4]] != pytest.approx(d[a[4]])

def test_only_twitched_faces_change(probe, monkeypatch):
    "Face by face: where no twitch is larger than the expression the candidate draws the style's pixels; only twitched faces change; other styles are left alone."
    twitched, plain = [], probe.drawn_apart
    def recording(st, true, expr, subj=None):
        twitched.append(bool((true > expr).any()))
        return plain(st, true, expr, subj)
    monkeypatch.setattr(probe, 'drawn_apart', recording)
    cfg = S.SynthConfig(**CFG, style='textured')
    base = [S.render_subject(cfg, sid)['images'] for sid in (1, 2)]
    with probe.twitches_at_true_size(S.STYLES['textured']) as name:
        cand = [S.render_subject(S.SynthConfig(**CFG, style=name), sid)['images'] for sid in (1, 2)]
        again = [S.render_subject(cfg, sid)['images'] for sid in (1, 2)]          # the base style inside the block: untouched
    flags = np.array(twitched).reshape(-1, 2).any(1)                               # two calls per face: image-left, image-right
    changed = np.array([(x != y).any() for b, c in zip(base, cand) for x, y in zip(b, c)])
    assert len(flags) == len(changed) == 28 and changed.any() and not changed[~flags].any()
    assert all((x == y).all() for b, g in zip(base, again) for x, y in zip(b, g))

def test_labels_kept_and_patch_undone(probe):
    "Drawn both ways, a population keeps its labels; after the block the generator is the package's again."
    aus, render = S.expression_aus, S.render_face
    out = probe.population(3, 2)
    assert out['base'][1]['majority'].equals(out['candidate'][1]['majority']) and len(out['base'][0]) == 28
    assert S.expression_aus is aus and S.render_face is render and probe.CANDIDATE not in S.STYLES
