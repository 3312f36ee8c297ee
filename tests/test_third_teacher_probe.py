"""tools/third_teacher_probe.py, round 22 of docs/realism.md: faces go to facex's model as its own code sends them, the
astronaut comes at every size of the probe, and a runtime that fails says so. Offline: no registry, no litert."""
import numpy as np
import pytest

from conftest import tool_module

@pytest.fixture(scope='module')
def probe(): return tool_module('third_teacher_probe')

def test_input_is_facex_s_own(probe):
    "A uint8 grey crop becomes 200 x 200 float32 in [0, 1] (facex's `input_resize`); its class order is facex's, in this workspace's names."
    x = probe.to_input(np.full((25, 25), 255, np.uint8))
    assert (x.shape, x.dtype, float(x.min()), float(x.max())) == ((200, 200), np.float32, 1.0, 1.0)
    assert probe.CLASSES == ('anger', 'disgust', 'fear', 'happiness', 'neutral', 'sadness', 'surprise')

def test_astronaut_at_every_size(probe):
    "One face per size in `SIZES`, all 200 px; the smaller the size it went through, the less fine detail it keeps."
    a = probe.astronaut_sizes()
    assert a.shape == (len(probe.SIZES), 200, 200) and 0 <= a.min() and a.max() <= 1
    detail = [float(np.abs(np.diff(x, axis=1)).mean()) for x in a]
    assert detail[0] < detail[-1] and detail == sorted(detail)

def test_failing_runtime_is_named(probe, tmp_path):
    "A virtual environment without a working ai-edge-litert gives a clear error naming it, with the runtime's own message."
    env = tmp_path / 'env'; (env / 'bin').mkdir(parents=True)
    (env / 'bin' / 'python').symlink_to('/bin/false')
    with pytest.raises(SystemExit, match='ai-edge-litert failed'): probe.litert(env, tmp_path / 'm.tflite', np.zeros((1, 200, 200), np.float32))
