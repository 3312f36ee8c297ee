"""tools/realism_nuisance_probe.py and style_calibration.py --nuisance, round 34 of docs/realism.md: the textured style
under wider nuisance (pose, light, image quality). Offline: no teacher runs."""
import numpy as np
import pytest

import emoxnet.data.synthetic as S
from conftest import tool_module

@pytest.fixture(scope='module')
def probe(): return tool_module('realism_nuisance_probe')

def test_candidates_change_only_their_fields(probe):
    "Each candidate is the benchmark's Nuisance() with its own fields changed; 'benchmark' is Nuisance() itself."
    base = S.Nuisance()
    assert probe.nuisance('benchmark') == base
    for name, changes in probe.NUISANCE_CANDIDATES.items():
        nz = probe.nuisance(name)
        differ = {k for k in vars(base) if getattr(nz, k) != getattr(base, k)}
        assert differ == set(changes), name
    assert probe.nuisance('light').light == 0.6 and probe.nuisance('pose_light').yaw == 35

def test_unknown_candidate_is_named(probe):
    with pytest.raises(SystemExit, match="unknown candidate 'tilt': expected one of benchmark, pose"): probe.nuisance('tilt')

def test_wider_light_changes_pixels_not_labels(probe):
    "The same people and labels under the benchmark's light and the candidate's: the labels are equal, the pixels are not."
    a = S.realism_faces('flat', 10, 3)
    b = S.realism_faces('flat', 10, 3, nuisance=probe.nuisance('light'))
    np.testing.assert_array_equal(a[1], b[1])
    assert a[0].shape == b[0].shape and (a[0] != b[0]).any()
