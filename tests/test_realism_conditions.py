"""tools/realism_conditions.py: the benchmark's conditions, one part taken away at a time, read by the teachers (stood in
for here: no download)."""
import numpy as np
import pytest
import torch

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
    "Each variant is the benchmark with exactly the named part set to zero; apex and lab change what they say."
    c, N = rc.conditions(), S.Nuisance()
    assert c['benchmark'] == ((0.25, 1.0), N)
    assert c['without pose'][1] == S.Nuisance(yaw=0, pitch=0, roll=0) and c['without occluders'][1].occlusion == 0
    assert c['apex lab'] == ((0.8, 1.0), S.Nuisance.lab())
    for name, (intensity, nz) in c.items():
        if name.startswith('without'): assert intensity == (0.25, 1.0) and nz != N

def test_measure_same_labels(rc, monkeypatch):
    "Where the intensity range stays, the labels stay: the same people and expressions, only the nuisance differs."
    monkeypatch.setattr(rc, 'zoo_model', lambda name: Neutral())
    n = torch.get_num_threads()
    rows = {r['conditions']: r for r in rc.measure('flat', seed=3, n_subjects=1)}
    torch.set_num_threads(n)
    assert len(rows) == len(rc.conditions())
    bench = rows['benchmark']
    assert bench['fer_cnn']['recall']['neutral'] == 100.0 and sum(bench['counts'].values()) == 14
    for name, r in rows.items():
        if r['intensity'] == (0.25, 1.0): assert r['counts'] == bench['counts'], name
