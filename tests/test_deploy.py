"ONNX and TorchScript exports of the EmoXNetLite student agree with torch on a batch of faces."
import numpy as np
import pytest
import torch

from emoxnet.data.synthetic import SynthConfig, generate
from emoxnet.deploy import (DEFAULT_STUDENT_CKPT, check_export, export_model, export_onnx, export_torchscript,
                            load_torchscript, onnx_logits, onnx_session)
from emoxnet.distill import DEFAULT_STUDENT
from emoxnet.ensemble import load_any, resolve_path
from emoxnet.models import ModelConfig, create_model

torch.set_num_threads(1)

@pytest.fixture(scope='module')
def student():
    "The trained student of distill.ipynb when it exists, else a fresh one of the same architecture."
    p = resolve_path(DEFAULT_STUDENT_CKPT)
    if (p / 'model.safetensors').exists(): return load_any(p)
    torch.manual_seed(0)
    return create_model(ModelConfig(DEFAULT_STUDENT)).eval()

@pytest.fixture(scope='module')
def faces(student):
    "A batch of 13 rendered SynthFACS faces, preprocessed exactly as the model expects."
    ds = generate(SynthConfig(n_subjects=2, images_per_subject=8, seed=3))['train']
    imgs = [ds.image(i) for i in range(min(13, len(ds)))]
    return student.model_config.preprocess.batch(imgs)

@pytest.fixture(scope='module')
def exported(student, tmp_path_factory):
    d = tmp_path_factory.mktemp('export')
    return export_onnx(student, d / 'model.onnx'), export_torchscript(student, d / 'model.ts')

def test_onnx_matches_torch(student, faces, exported):
    with torch.no_grad(): p = student(faces).softmax(1)
    q = torch.from_numpy(onnx_logits(onnx_session(exported[0]), faces)).softmax(1)
    assert q.shape == p.shape
    assert (q - p).abs().max().item() < 1e-4
    assert torch.equal(q.argmax(1), p.argmax(1))

def test_onnx_dynamic_batch(student, exported):
    s = onnx_session(exported[0])
    for n in (1, 4, 64):
        assert onnx_logits(s, torch.randn(n, 1, 48, 48)).shape == (n, len(student.model_config.classes))

def test_torchscript_matches_torch(student, faces, exported):
    ts = load_torchscript(exported[1])
    with torch.no_grad(): p, q = student(faces).softmax(1), ts(faces).softmax(1)
    assert (q - p).abs().max().item() < 1e-4

def test_export_model_folder(student, faces, tmp_path):
    r = export_model(student, tmp_path, faces=faces)
    assert r['check']['ok'] and r['check']['onnx_max_prob_diff'] < 1e-4 and r['check']['torchscript_max_prob_diff'] < 1e-4
    assert sorted(p.name for p in tmp_path.iterdir()) == ['config.json', 'model.onnx', 'model.ts']

def test_check_export_flags_a_mismatch(student, faces, exported, tmp_path):
    other = create_model(ModelConfig(DEFAULT_STUDENT)).eval()   # different weights, same graph
    chk = check_export(other, exported[0], exported[1], faces)
    assert not chk['ok']

def test_cli_export_out_says_what_it_replaced(emoxnet_cmd, tmp_path):
    "A second `emoxnet export SRC --out DIR` names the deployment it replaced; the folder records its source."
    import json, subprocess
    from emoxnet.models import save_checkpoint
    torch.manual_seed(0)
    a = save_checkpoint(create_model(ModelConfig(DEFAULT_STUDENT)), None, tmp_path / 'a')
    b = save_checkpoint(create_model(ModelConfig(DEFAULT_STUDENT)), None, tmp_path / 'b')
    run = lambda src, *more: subprocess.run(emoxnet_cmd + ['export', str(src), '--out', str(tmp_path / 'dep'), *more], capture_output=True, text=True)
    r1 = run(a); assert r1.returncode == 0, r1.stderr
    assert 'replaced' not in r1.stdout and 'note:' not in r1.stdout   # an expression model: nothing left out of the export
    assert json.loads((tmp_path / 'dep' / 'config.json').read_text())['export']['source'] == str(a)
    r2 = run(b); assert r2.returncode == 2 and f'holds the deployment of {a}: pass overwrite=True (emoxnet export --overwrite)' in r2.stderr, r2.stderr   # another model's: not unasked
    assert json.loads((tmp_path / 'dep' / 'config.json').read_text())['export']['source'] == str(a)
    r2 = run(b, '--overwrite'); assert r2.returncode == 0, r2.stderr
    assert f'replaced the deployment of {a}' in r2.stdout, r2.stdout
    assert json.loads((tmp_path / 'dep' / 'config.json').read_text())['export']['source'] == str(b)
    r3 = run(b / 'model.safetensors'); assert r3.returncode == 0 and 'replaced' not in r3.stdout, (r3.stdout, r3.stderr)   # the same model, named by a file in it: no one else's deployment
    r3 = run(f'{b}/'); assert r3.returncode == 0 and 'replaced' not in r3.stdout, (r3.stdout, r3.stderr)

def test_cli_export_of_a_multitask_model_says_its_heads_are_not_exported(emoxnet_cmd, tmp_path):
    "The exports hold the expression head only: the deployment's config.json listed a multi-task model's heads as if they were served, and nothing was said."
    import json, subprocess
    from emoxnet.core import BASIC
    from emoxnet.models import save_checkpoint
    from emoxnet.multitask import multitask_heads
    torch.manual_seed(0)
    ck = save_checkpoint(create_model(ModelConfig('test_resnet', BASIC, 1, 48, heads=multitask_heads())), None, tmp_path / 'mt')
    r = subprocess.run(emoxnet_cmd + ['export', str(ck), '--out', str(tmp_path / 'dep')], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "the model's other outputs (age, ethnicity, gender, va) are not in it" in r.stdout, r.stdout
    exp = json.loads((tmp_path / 'dep' / 'config.json').read_text())['export']
    assert exp['output'] == 'logits' and exp['not_exported'] == ['age', 'ethnicity', 'gender', 'va']
    r = subprocess.run(emoxnet_cmd + ['export', str(ck)], capture_output=True, text=True)   # model.onnx beside the checkpoint
    assert r.returncode == 0 and 'the torch backend (the default) gives them' in r.stdout, (r.stdout, r.stderr)
    import warnings
    from emoxnet.predict import EmotionRecognizer
    with warnings.catch_warnings(record=True) as w:                                          # served by the export: the values it lacks are said once, at load
        warnings.simplefilter('always'); rec = EmotionRecognizer.from_checkpoint(ck, backend='onnx')
    assert rec.backend == 'onnx' and any("holds the class logits only (" in str(x.message) and "valence" in str(x.message) for x in w), [str(x.message) for x in w]
