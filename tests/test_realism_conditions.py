"""tools/realism_conditions.py: the benchmark's conditions, one part taken away at a time, read by the teachers (stood in
for here: no download)."""
import numpy as np
import pytest

import emoxnet.data.synthetic as S
from conftest import tool_module

@pytest.fixture(scope='module')
def rc(): return tool_module('realism_conditions')

class Neutral:
    "A stand-in teacher that reads every face as neutral."
    classes = S.FER2013_CLASSES
    def predict_faces(self, images):
        p = np.zeros((len(images), 7)); p[:, 0] = 1
        return ['neutral'] * len(images), p

def test_conditions(rc):
    "Each variant is the benchmark with the named part's drawn values replaced; apex and lab change what they say."
    c = rc.conditions()
    assert c['benchmark'] == ((0.25, 1.0), S.Nuisance(), {}) and c['apex lab'] == ((0.8, 1.0), S.Nuisance.lab(), {})
    assert c['without pose'] == ((0.25, 1.0), S.Nuisance(), {'yaw': 0., 'pitch': 0., 'roll': 0.})
    assert all(v[:2] == ((0.25, 1.0), S.Nuisance()) and v[2] for k, v in c.items() if k.startswith('without'))

def test_without_keeps_the_rest(rc):
    "Taking a part away changes that part of every image only: the other parts are the draws the benchmark made."
    def drawn(values):
        seen, draw = [], S.sample_nuisance
        with rc.without(values), pytest.MonkeyPatch.context() as m:
            inner = S.sample_nuisance
            m.setattr(S, 'sample_nuisance', lambda rng, c: seen.append(inner(rng, c)) or seen[-1])
            S.realism_faces('flat', 1, 3)
        assert S.sample_nuisance is draw
        return seen
    bench, less = drawn({}), drawn(rc.PARTS['yaw'])
    assert len(bench) == len(less) == 14 and any(b['yaw'] for b in bench)
    for b, l in zip(bench, less):
        assert l['yaw'] == 0 and {k: v for k, v in b.items() if k not in ('yaw', 'gaze')} == {k: v for k, v in l.items() if k not in ('yaw', 'gaze')}
        np.testing.assert_array_equal(b['gaze'], l['gaze'])

def test_measure_same_labels(rc, monkeypatch):
    "Where the intensity range and the occluders stay, the labels stay: the same people and expressions, only the nuisance differs."
    monkeypatch.setattr(rc, 'zoo_model', lambda name: Neutral())
    rows = {r['conditions']: r for r in rc.measure('flat', seed=3, n_subjects=1)}
    assert len(rows) == len(rc.conditions())
    bench = rows['benchmark']
    assert bench['fer_cnn']['recall']['neutral'] == 100.0 and sum(bench['counts'].values()) == 14
    for name, r in rows.items():
        if r['intensity'] == (0.25, 1.0) and name not in ('lab nuisance', 'without occluders'): assert r['counts'] == bench['counts'], name
