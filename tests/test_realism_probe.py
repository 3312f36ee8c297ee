"""tools/realism_photo_probe.py, the round-9 probe of docs/realism.md: its pieces do what the page says they do.

The landmark net is fetched from the face-api archive that emoxnet.zoo pins (the registry must be reachable, as for the
zoo tests); the warp, the mouth and the renderer are checked on images made here."""

import numpy as np
import pytest
import torch

import emoxnet.data.synthetic as S
from conftest import tool_module

torch.set_num_threads(1)

@pytest.fixture(scope='module')
def probe(): return tool_module('realism_photo_probe')

def _dot(C, xy):
    img = np.zeros((C, C, 3), np.uint8); img[xy[1] - 1:xy[1] + 2, xy[0] - 1:xy[0] + 2] = 255
    return img

def test_warp_moves_a_landmark_where_asked(probe):
    C = probe.C
    src = np.array([[50., 60.], [78., 60.], [64., 90.]]); dst = src + [[0, 0], [0, 0], [0, 8]]   # the third point moves 8 px down
    out = probe.warp(_dot(C, (64, 90)), src, dst)
    ys, xs = np.nonzero(out[..., 0] > 100)
    assert abs(ys.mean() - 98) < 1.5 and abs(xs.mean() - 64) < 1.5
    same = probe.warp(_dot(C, (64, 90)), src, src)                                   # no displacement: the image is unchanged
    assert np.abs(same.astype(int) - _dot(C, (64, 90))).max() <= 2

def test_mouth_interior_only_where_the_lips_part(probe):
    C, img = probe.C, np.full((probe.C, probe.C, 3), 128, np.uint8)
    lm = np.zeros((68, 2)); lm[60:68] = [[50, 100], [57, 100], [64, 100], [71, 100], [78, 100], [71, 100], [64, 100], [57, 100]]
    assert probe.mouth_interior(img, lm, 5) is img                                   # closed lips: nothing painted
    lm[65:68, 1] = 112                                                               # the lower inner lip drops 12 px
    out = probe.mouth_interior(img, lm, 5)
    assert out[102, 64].mean() > 160 and out[110, 64].mean() < 80                     # teeth under the upper lip, dark below

def test_renderer_on_a_texture_with_known_landmarks(probe):
    # the texture: a flat SynthFACS face at the probe's size, whose landmarks the renderer draws itself
    subj = S.sample_subject(1, 0); z = np.zeros(len(S.AUS), np.float32)
    nz = S.sample_nuisance(np.random.default_rng(0), S.Nuisance.none())
    grey, lm = S.render_face(subj, z, z, nz, probe.C, True, style='flat')
    render = probe.photo_renderer([(np.repeat(grey[..., None], 3, 2), lm.astype(np.float64))])
    rest, lm_rest = render(subj, z, z, nz, 48, True)
    smile = z.copy(); smile[S.AU_INDEX[12]] = smile[S.AU_INDEX[25]] = 1.0
    img, lm_smile = render(subj, smile, smile, nz, 48, True)
    assert rest.shape == img.shape == (48, 48) and rest.dtype == np.uint8
    assert np.allclose(lm_rest, lm * 48 / probe.C, atol=0.05)                        # no AU: the landmarks stay
    assert lm_smile[48, 1] < lm_rest[48, 1] - 0.3 and lm_smile[54, 1] < lm_rest[54, 1] - 0.3   # AU12 lifts both lip corners
    assert np.abs(img.astype(int) - rest).max() > 30                                 # and the pixels follow

def test_landmark_net_finds_the_features_of_synthfacs_faces(probe):
    net = probe.landmark_net()
    r = probe.landmark_check(net)
    assert r['n'] == 128 and r['nme_mean'] < 0.2                                     # docs/realism.md round 9: 0.119
