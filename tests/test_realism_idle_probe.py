"""tools/realism_idle_probe.py, round 26 of docs/realism.md: the idle twitches drawn at their true size and the
expression at its gained size, with everything else (labels, people, poses, degradations) as the style draws it.
Offline: no teacher runs."""
import numpy as np
import pytest

import emoxnet.data.synthetic as S
from conftest import tool_module

@pytest.fixture(scope='module')
def probe(): return tool_module('realism_idle_probe')

def test_drawn_apart(probe):
    "The expression's AU gained as the style gains it; a twitch larger than the expression at its true size; no twitch: the style's own drawing."
    st, a = S.STYLES['textured'], S.AU_INDEX
    expr = np.zeros(len(S.AUS), np.float32); expr[a[4]] = 0.5
    true = expr.copy(); true[a[15]] = 0.2                                   # a twitch of AU15 on a face lowering its brows
    d = probe.drawn_apart(st, true, expr)
    assert d[a[4]] == pytest.approx(0.5 * st.au_gain[4]) and d[a[15]] == pytest.approx(0.2)
    assert st.drawn(true, true)[0][a[15]] == pytest.approx(0.2 * st.au_gain[15])   # the style itself draws that twitch gained
    np.testing.assert_array_equal(probe.drawn_apart(st, expr, expr), st.drawn(expr, expr)[0])

def test_same_faces_but_the_twitches(probe):
    "Without twitches the candidate draws the style's faces pixel for pixel; with them the labels stay and some faces change; the patch is undone."
    cfg = dict(classes=S.FER2013_CLASSES, n_subjects=2, images_per_subject=14, seed=3, style='textured')
    base = S.generate(S.SynthConfig(**cfg, idle=0.0))
    with probe.twitches_at_true_size(S.STYLES['textured']) as name: cand = S.generate(S.SynthConfig(**cfg | dict(style=name), idle=0.0))
    for s in base: np.testing.assert_array_equal(base[s].images, cand[s].images)
    base, faces = S.generate(S.SynthConfig(**cfg)), S.expression_aus
    with probe.twitches_at_true_size(S.STYLES['textured']) as name: cand = S.generate(S.SynthConfig(**cfg | dict(style=name)))
    assert S.expression_aus is faces and name not in S.STYLES
    for s in base: np.testing.assert_array_equal(base[s].targets, cand[s].targets)
    changed = [(x != y).any() for s in base for x, y in zip(base[s].images, cand[s].images)]
    assert 0 < sum(changed) < len(changed)
