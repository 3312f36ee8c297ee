"""tools/realism_texture_probe.py, rounds 10-15 of docs/realism.md: the fit works and the probe renders what the
'textured' style renders. A stand-in teacher made here replaces the zoo's real-trained ones (no download)."""
from pathlib import Path

import numpy as np
import pytest
import torch

import emoxnet.data.synthetic as S
from conftest import tool_module
from emoxnet.data.transforms import Preprocess

torch.set_num_threads(1)
ROOT = Path(__file__).resolve().parents[1]

@pytest.fixture(scope='module')
def probe(): return tool_module('realism_texture_probe')

class StandIn:
    "Something with an `EmotionRecognizer`'s `classes`, `model` and `preprocess`: a tiny CNN over 48 px grey faces."
    classes = S.FER2013_CLASSES
    def __init__(self):
        torch.manual_seed(0)
        self.model = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 5, 4), torch.nn.ReLU(), torch.nn.Flatten(), torch.nn.LazyLinear(7))
        self.preprocess = Preprocess(48, 1)
        self.model(torch.zeros(1, 1, 48, 48))

def test_probe_renders_the_textured_style(probe, monkeypatch, tmp_path):
    "The probe's renderer with the bundled texture, on the textured style's own drawing (`use_drawing`: round 24's gains and onset), is the 'textured' style, pixel for pixel and landmark for landmark."
    import json
    ds = tool_module('realism_drawing_search')
    monkeypatch.setattr(probe, 'STYLE', probe.STYLE); monkeypatch.setitem(S.STYLES, '_drawing', S.STYLES['vivid'])   # restored after the test
    (tmp_path / 'best.json').write_text(json.dumps({'best': {'params': ds.parameters(S.STYLES['textured'])}}))
    probe.use_drawing(tmp_path / 'best.json')
    render = probe.textured_renderer(probe.load_maps(ROOT / 'docs' / 'realism_texture' / 'v8b' / 'texture.npz'))
    subj, rng = S.sample_subject(5, 3), np.random.default_rng(0)
    for c in ('happiness', 'disgust'):
        l, r = S.expression_aus(subj, c, 0.4, rng, 0.1); nz = S.sample_nuisance(rng, S.Nuisance())
        a, b = render(subj, l, r, nz, 48, True, np.random.default_rng(1)), S.render_face(subj, l, r, nz, 48, True, np.random.default_rng(1), 'textured')
        np.testing.assert_array_equal(a[0], b[0]); np.testing.assert_array_equal(a[1], b[1])

def test_fit_moves_the_maps_within_their_bound(probe):
    "A few steps against a stand-in teacher: maps of the right shape, inside +-amp, changed; a log with held-out recall."
    pop = probe.fit_population(9, 3)
    assert len(pop['img']) == 42 and set(pop['label']) <= set(S.FER2013_CLASSES)
    maps, warps, log = probe.fit(StandIn(), pop, steps=3, amp=0.25, tv=30, l2=3, batch_size=8)
    assert maps.shape == (20, probe.GY, probe.GX) and np.abs(maps).max() <= 0.25 and np.abs(maps).max() > 0
    assert np.abs(maps[-1]).max() > 0                                  # the resting-face map is fitted too
    assert [e['step'] for e in log] == [0, 3] and 0 <= log[-1]['valid_recall'] <= 1
    assert warps is None                                               # no --warp: shading only (rounds 10-14)
    maps, _, _ = probe.fit(StandIn(), pop, steps=2, amp=0.25, tv=30, l2=3, batch_size=8, rest=False)
    assert np.abs(maps[:-1]).max() > 0 and (maps[-1] == 0).all()      # --no-rest: rounds 10-12's AU maps only
    maps, warps, _ = probe.fit(StandIn(), pop, steps=2, amp=0.25, tv=30, l2=3, batch_size=8, objective='ensemble', warp=0.05)
    assert warps.shape == (20, 2, probe.GY, probe.GX) and 0 < np.abs(warps).max() <= 0.05   # --warp: displacement maps too, bounded

def test_fit_and_style_shade_alike(probe):
    "The fit's torch texture (`Texture.forward`: warps, then shading) and the style's (`S.textured`) agree on the bundled texture: resting maps, AU maps, both sides, head mask."
    tex = S.au_texture('r17'); probe.load_maps(ROOT / 'docs' / 'realism_texture' / 'v8b' / 'texture.npz')
    torch_tex = probe.Texture(0.25, warp=0.015, warp_bound=tex.warp_bound)
    torch_tex.maps, torch_tex.warps = lambda: torch.from_numpy(np.array(tex.maps)), lambda: torch.from_numpy(np.array(tex.warps))   # the bundled texture as the fit's
    subj, rng = S.sample_subject(2, 3), np.random.default_rng(4)
    for c in ('neutral', 'surprise', 'disgust', 'fear'):
        l, r = S.expression_aus(subj, c, 0.9, rng, 0.1); nz = S.sample_nuisance(rng, S.Nuisance())
        img, l, r, K, t, _, head = S.draw_canonical(subj, l, r, nz, 48, True, S.STYLES['vivid'])
        T = lambda a: torch.from_numpy(np.asarray(a, np.float32))[None]
        fit = torch_tex(T(img[..., 0]), T(S.face_coords(K, t, img.shape[0])), T(l), T(r), T(head), T(K[:, :2]))[0].detach().numpy()
        style = S.textured(img, l, r, K, t, tex, head)[0][..., 0].astype(np.float32)
        d = np.abs(np.floor(fit) - style)                                  # the style stores uint8: truncated
        assert d.max() <= 8 and d.mean() < 0.6, (c, d.max(), d.mean())   # OpenCV's remap reads at 1/32 px (fixed point), grid_sample at float: edges differ
        assert (d > 1).mean() < 0.12, (c, (d > 1).mean())                  # a few edge pixels, not the face
        assert np.abs(style - img[..., 0]).mean() > 1                     # and the texture is there

def test_warp_tv_penalises_warps_apart(probe):
    "Round 17's `warp_tv`: without it one mean over all maps (rounds 15-16); with it the shading at its full weight plus the warps at their own; a rough warp costs more with a larger `warp_tv`."
    tex = probe.Texture(0.25, warp=0.015)
    with torch.no_grad(): tex.p.normal_(); tex.q.normal_()
    shading, warps = tex.maps(), tex.warps().flatten(0, 1) * (0.25 / 0.015)
    torch.testing.assert_close(probe.penalty(tex, 0.25, 30, 3), probe.smooth_small(torch.cat([shading, warps]), 30, 3))
    torch.testing.assert_close(probe.penalty(tex, 0.25, 30, 3, 120), probe.smooth_small(shading, 30, 3) + probe.smooth_small(warps, 120, 3))
    assert probe.penalty(tex, 0.25, 30, 3, 120) > probe.penalty(tex, 0.25, 30, 3, 30)
    torch.testing.assert_close(probe.penalty(probe.Texture(0.25), 0.25, 30, 3, 120), torch.tensor(0.))   # no warps: shading only, zero maps cost nothing

def test_average_of_like_fits(probe, tmp_path):
    "`--average`: the mean of like fits' maps and warps, written with its sources; unlike fits are refused with both files named."
    a = probe.average([ROOT / 'docs' / 'realism_texture' / 'v7d', ROOT / 'docs' / 'realism_texture' / 'v7d_seed1'], tmp_path / 'avg')
    t0, t1 = (S.read_au_texture(ROOT / 'docs' / 'realism_texture' / v / 'texture.npz') for v in ('v7d', 'v7d_seed1'))
    np.testing.assert_allclose(a.maps, (t0.maps + t1.maps) / 2, atol=1e-7); np.testing.assert_allclose(a.warps, (t0.warps + t1.warps) / 2, atol=1e-7)
    back = S.read_au_texture(tmp_path / 'avg' / 'texture.npz')
    np.testing.assert_array_equal(back.maps, a.maps); assert (back.box, back.warp_bound) == (t0.box, t0.warp_bound)
    assert (tmp_path / 'avg' / 'sources.json').is_file()
    for other in ('v5', 'v8a'):                                         # no warps; another warp bound (0.05)
        with pytest.raises(ValueError, match=f'{other}.*only like fits'):
            probe.average([ROOT / 'docs' / 'realism_texture' / 'v7d', ROOT / 'docs' / 'realism_texture' / other], tmp_path / 'bad')
    assert not (tmp_path / 'bad').exists()
    with pytest.raises(ValueError, match='one of the fits'):
        probe.average([tmp_path / 'avg', ROOT / 'docs' / 'realism_texture' / 'v7d'], tmp_path / 'avg')

def test_default_fit_is_the_earlier_fit(probe, monkeypatch):
    "With none of rounds 17-19's options, `fit` is the fit of rounds 10-16: maps and warps as the probe at db07293 gave them (3 steps, stand-in teacher; `fixtures/probe_fit_db07293.npz`, bit for bit on the machine that made it; float noise allowed elsewhere)."
    for k, v in dict(GY=24, GX=12, BOUND=0.5, WARP_BOUND=0.1, EOT=False).items(): monkeypatch.setattr(probe, k, v)   # the module's defaults the fixture was made with (load_maps and main change them)
    pop, ref = probe.fit_population(9, 3), np.load(ROOT / 'tests' / 'fixtures' / 'probe_fit_db07293.npz')
    for name, kw in (('plain', {}), ('warp', dict(warp=0.015)), ('ensemble', dict(objective='ensemble'))):
        maps, warps, _ = probe.fit(StandIn(), pop, steps=3, amp=0.25, tv=30, l2=3, batch_size=8, **kw)
        # float noise: three Adam steps in a full pytest run of a fresh clone (same machine and versions) moved 2 of 5,760 maps' values (about 1e-2) by 1.1e-6; one step less, or amp 0.24 for 0.25, moves them by more than 1e-2
        np.testing.assert_allclose(maps, ref[name + '_maps'], rtol=0, atol=1e-5, err_msg=name)
        if warps is not None: np.testing.assert_allclose(warps, ref[name + '_warps'], rtol=0, atol=1e-5, err_msg=name)

def test_confidence_caps_what_the_objective_reads(probe):
    "Round 19's `confidence`: only faces read below the cap pull (per teacher with 'mean-ce', the teachers' mean probability with 'ensemble'); a cap of 1 or more is refused."
    p = torch.tensor([[0.9, 0.2, 0.6], [0.9, 0.9, 0.1]], requires_grad=True)     # (teachers, faces): probabilities of the label
    for objective, pulled in (('mean-ce', [[0, 1, 0], [0, 0, 1]]), ('ensemble', [[0, 0, 1], [0, 0, 1]])):
        p.grad = None
        probe.label_logp(p.log(), objective, 0.5).sum().backward()
        assert ((p.grad != 0).int() == torch.tensor(pulled)).all(), (objective, p.grad)   # ensemble: face 1 is read at 0.55 on average, so neither teacher pulls
        free = probe.label_logp(p.log(), objective)
        assert (free < 0).all()                                          # no cap: every face still counts
    torch.testing.assert_close(probe.label_logp(p.log()), p.log().mean(0))
    pop = probe.fit_population(9, 3); t = StandIn()
    maps_cap, _, _ = probe.fit(t, pop, steps=2, amp=0.25, tv=0, l2=0, batch_size=8, confidence=1e-6)   # every face already "read": nothing pulls
    assert np.abs(maps_cap).max() == 0
    with pytest.raises(ValueError, match='confidence 1.0'):
        probe.fit(t, pop, steps=1, amp=0.25, tv=30, l2=3, batch_size=8, confidence=1.0)

def test_probe_draws_a_found_drawing(probe, monkeypatch, tmp_path):
    "`use_drawing` (round 23): the probe draws a search's numbers (the onset among them) without the bundled texture; with the vivid style's numbers, the vivid face."
    import json
    ds = tool_module('realism_drawing_search')
    monkeypatch.setattr(probe, 'STYLE', probe.STYLE)
    monkeypatch.setitem(S.STYLES, '_drawing', S.STYLES['vivid'])           # restored (or removed) after the test
    best = tmp_path / 'best.json'
    best.write_text(json.dumps({'best': {'params': {**ds.parameters(S.STYLES['textured']), 'gain_onset': [0, 0.1], 'gain_4': 2.3}}}))
    assert probe.use_drawing(best) == probe.STYLE == '_drawing'
    st = S.STYLES['_drawing']
    assert (st.gain_onset, st.au_gain[4], st.au_texture) == ((0.0, 0.1), 2.3, '')
    best.write_text(json.dumps({'best': {'params': {**ds.parameters(S.STYLES['vivid']), 'gain_onset': list(S.STYLES['vivid'].gain_onset)}}}))
    probe.use_drawing(best)                                                 # the vivid style's numbers: the vivid drawing (rounds 10-19's fits)
    subj, rng = S.sample_subject(5, 3), np.random.default_rng(0)
    l, r = S.expression_aus(subj, 'fear', 0.3, rng, 0.1); nz = S.sample_nuisance(rng, S.Nuisance())
    a, b = (S.render_face(subj, l, r, nz, 48, True, np.random.default_rng(1), s)[0] for s in ('_drawing', 'vivid'))
    np.testing.assert_array_equal(a, b)
