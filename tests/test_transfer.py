"The real-face student's pieces: the aligned teacher, transfer sets, and the papermill experiment in its smoke configuration."
import json, subprocess, sys
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from emoxnet.core import BASIC
from emoxnet.models import ModelConfig
from emoxnet.data.transforms import Preprocess
from emoxnet.transfer import FER2013, AlignedTeacher, TransferConfig, augment_images, class_index_map, transfer_images

ROOT = Path(__file__).resolve().parents[1]

class Fixed(nn.Module):
    def __init__(self, logits, classes, pp=None):
        super().__init__(); self.z = torch.tensor(logits, dtype=torch.float32)
        self.model_config = ModelConfig('resnet10t', tuple(classes), 1, 64, preprocess=pp)
    def forward(self, x): return self.z.expand(len(x), -1)

def test_mean_of_probabilities_over_vocabularies():
    # a FER2013-order member sure of 'happy' and a canonical 8-class member sure of 'contempt': each class averaged over the members
    # that know it (an ensemble folder's mean_prob): happiness (1 + 0) / 2, contempt 1 (only b knows it), renormalised
    a = Fixed([0, 0, 0, 20., 0, 0, 0], FER2013); b = Fixed([0] * 7 + [20.], BASIC)
    p = AlignedTeacher([a, b])(torch.zeros(1, 1, 64, 64)).exp()[0]
    assert abs(p[BASIC.index('happiness')] - 1 / 3) < 1e-3 and abs(p[BASIC.index('contempt')] - 2 / 3) < 1e-3
    p = AlignedTeacher([a, b], weights=[3, 1])(torch.zeros(1, 1, 64, 64)).exp()[0]   # happiness 0.75, contempt still b's own 1
    assert abs(p[BASIC.index('happiness')] - 0.75 / 1.75) < 1e-3 and abs(p[BASIC.index('contempt')] - 1 / 1.75) < 1e-3
    p = AlignedTeacher([a, b], weights=[1, 0])(torch.zeros(1, 1, 64, 64)).exp()[0]   # a member of weight 0 teaches nothing, contempt included
    assert p[BASIC.index('happiness')] > 0.99 and p[BASIC.index('contempt')] < 1e-3

def test_teacher_is_the_ensembles_mean(tmp_path):
    # one definition: the teacher reads as an ensemble folder (emoxnet ensemble build) of the same members, here members of
    # other channels, normalisations, sizes and vocabularies; its own vocabulary adds a class no member knows (contempt), at 0
    from emoxnet.ensemble import build_ensemble
    from emoxnet.models import create_model, save_checkpoint
    from emoxnet.transfer import load_teacher
    torch.manual_seed(0)
    a = create_model(ModelConfig('test_resnet', FER2013, 1, 48, preprocess=Preprocess(48, 1, (0.5,), (0.5,))))
    b = create_model(ModelConfig('test_convnext', ('neutral', 'happiness', 'sadness', 'surprise'), 3, 64, preprocess=Preprocess(64, 3, (0.4, 0.5, 0.6), (1.0,) * 3)))
    for m, n in ((a, 'a'), (b, 'b')): save_checkpoint(m, m.model_config, tmp_path / n)
    ens = build_ensemble([tmp_path / 'a', tmp_path / 'b'], tmp_path / 'ens')
    t = load_teacher([tmp_path / 'a', tmp_path / 'b'], BASIC)
    assert t.model_config.preprocess == ens.model_config.preprocess and ens.partial   # one input; b lacks anger, disgust, fear
    x = ens.model_config.preprocess.batch([np.random.default_rng(i).integers(0, 256, (80, 80, 3), dtype=np.uint8) for i in range(3)])
    with torch.no_grad(): pt, pe = t(x).exp(), ens(x).exp()
    assert list(ens.model_config.classes) == list(BASIC[:7])
    assert torch.allclose(pt[:, :7], pe, atol=1e-3) and (pt[:, 7] < 2e-4).all()

def test_class_map_and_unknown_transfer_set():
    assert class_index_map(FER2013, BASIC).tolist() == [6, 3, 5, 4, 0, 1, 2, -1]
    with pytest.raises(ValueError, match="unknown transfer set 'lfw'; available: deepinversion, folder"): transfer_images(TransferConfig(transfer='lfw'), None, None)

def test_strong_augmentation_is_seeded():
    ims = np.random.default_rng(0).integers(0, 256, (6, 24, 24), dtype=np.uint8)
    assert (augment_images(ims, 3) == augment_images(ims, 3)).all() and not (augment_images(ims, 3) == augment_images(ims, 4)).all()

def test_realstudent_smoke(tmp_path):
    pm = Path(sys.executable).parent / 'papermill'
    out = tmp_path / 'run'
    r = subprocess.run([str(pm), str(ROOT / 'nbs' / 'realstudent.ipynb'), str(tmp_path / 'o.ipynb'), '-p', 'smoke', 'True', '-p', 'out_dir', str(out),
                        '-p', 'transfer', 'synthfacs+deepinversion', '-p', 'balance', 'True'], capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    m = json.loads((out / 'metrics.json').read_text())
    assert m['n_transfer'] == 24 + 8 and m['config']['transfer'] == 'synthfacs+deepinversion' and m['config']['balance'] is True
    assert m['transfer_parts'] == {'synthfacs': {'images': 24}, 'deepinversion': {'images': 8}}
    for k in ('smile_recall', 'neutral_as_happiness', 'top_label_share', 'teacher_agreement'): assert k in m['dev']
    assert list(out.glob('deepinversion-*.npz'))

def test_realstudent_on_your_own_unlabelled_folder(tmp_path):
    # the 'folder' transfer set through the papermill experiment: two real photos (no labels) beside SynthFACS, a file it does not read
    import shutil
    faces = tmp_path / 'mine'; faces.mkdir(); (faces / 'readme.txt').write_text('not a picture')
    for name in ('photo_astronaut.jpg', 'photo_grace_hopper.jpg'): shutil.copy(ROOT / 'emoxnet' / 'assets' / 'examples' / name, faces / name)
    pm, out = Path(sys.executable).parent / 'papermill', tmp_path / 'run'
    r = subprocess.run([str(pm), str(ROOT / 'nbs' / 'realstudent.ipynb'), str(tmp_path / 'o.ipynb'), '-p', 'smoke', 'True', '-p', 'out_dir', str(out),
                        '-p', 'transfer', 'synthfacs+folder', '-p', 'unlabelled_dir', str(faces)], capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    m = json.loads((out / 'metrics.json').read_text())
    assert m['n_transfer'] == 24 + 2 * 4 and m['config']['unlabelled_dir'] == str(faces)   # one face per photo, each with 3 augmented copies
    assert 'not read: [\'readme.txt\']' in (tmp_path / 'o.ipynb').read_text()           # the other file is named, not silently skipped
    parts = m['transfer_parts']                                                       # ... and metrics.json says what each part read
    assert parts['synthfacs']['images'] == 24 and parts['folder']['images'] == 8 and parts['folder']['crops'] == 2
    assert parts['folder']['files'] == {n: {'frames': 1, 'no_face': 0} for n in ('photo_astronaut.jpg', 'photo_grace_hopper.jpg')}
    assert [Path(f).name for f in parts['folder']['not_read']] == ['readme.txt']
    framing = {'detector': 'ssd', 'margin': 0.06, 'shift': [0.0, 0.0]}                # how the crops were cut: in the record and in the checkpoint, which serves faces cut so
    assert parts['folder']['face_crop'] == framing
    made = json.loads((out / 'train' / 'checkpoint' / 'config.json').read_text())['extra']
    assert made['face_crop'] == framing and made['transfer']['transfer'] == 'synthfacs+folder' and made['transfer']['teacher_fingerprint'] == m['teacher_fingerprint']
    from emoxnet.predict import EmotionRecognizer
    assert EmotionRecognizer.from_checkpoint(out / 'train' / 'checkpoint', detector='ssd').margin == 0.06

class Recorder(nn.Module):
    "A member that answers fixed logits and records the input it was given."
    def __init__(self, logits, classes, pp):
        super().__init__(); self.z, self.seen = torch.tensor(logits, dtype=torch.float32), None
        self.model_config = ModelConfig('resnet10t', tuple(classes), pp.channels, pp.size, preprocess=pp)
    def forward(self, x): self.seen = x.detach().clone(); return self.z.expand(len(x), -1)

def test_teacher_over_an_ensemble_of_members_with_their_own_preprocessing():
    # the fer + face-api case: 64 px grey in [-1, 1] and 112 px RGB minus a mean colour, one teacher through an EmoXNet ensemble
    from emoxnet.ensemble import EmoXNet
    from emoxnet.transfer import teacher_probs
    grey = Recorder([0, 0, 0, 20., 0, 0, 0], FER2013, Preprocess(64, 1, (0.5,), (0.5,)))
    rgb = Recorder([20., 0, 0, 0, 0, 0, 0], BASIC[:7], Preprocess(112, 3, (0.4, 0.5, 0.6), (1.0, 1.0, 1.0)))
    for t in (AlignedTeacher([EmoXNet.aligned([grey, rgb])]), AlignedTeacher([grey, rgb])):   # an ensemble folder as one member, or the two members themselves
        grey.seen = rgb.seen = None
        p = teacher_probs(t, np.full((2, 64, 64), 255, np.uint8))          # white grey transfer images
        assert abs(p[0, BASIC.index('happiness')] - 0.5) < 1e-3 and abs(p[0, BASIC.index('neutral')] - 0.5) < 1e-3
        assert grey.seen.shape == (2, 1, 64, 64) and torch.allclose(grey.seen, torch.ones(()), atol=1e-5)      # its own [-1, 1]
        assert rgb.seen.shape == (2, 3, 112, 112)
        assert torch.allclose(rgb.seen.mean((0, 2, 3)), torch.tensor([0.6, 0.5, 0.4]), atol=1e-5)              # 1 - its own mean colour

def test_run_transfer_starts_the_student_from_a_checkpoint(tmp_path):
    from emoxnet.transfer import run_transfer, toy_teachers
    tt = toy_teachers(tmp_path / 'teachers')
    cfg = TransferConfig(teachers=tt, judge=None, student='test_resnet', init=tt[0], input_size=32, epochs=1, lr=1e-9,
                         synth={'size': 32, 'n_subjects': 20, 'images_per_subject': 4}, max_items=24, max_steps=1, out_dir=str(tmp_path / 'run'))
    m = run_transfer(cfg, log=lambda s: None)
    assert m['config']['init'] == tt[0]
    from emoxnet.models import load_checkpoint
    a, b = load_checkpoint(tt[0])[0], load_checkpoint(m['checkpoint'])[0]
    sa, sb = a.state_dict(), b.state_dict()
    k = next(k for k in sa if sa[k].dtype.is_floating_point and sa[k].ndim == 4)        # a backbone conv: kept (lr ~ 0)
    assert torch.allclose(sa[k], sb[k], atol=1e-5)
    with pytest.raises(ValueError, match='same architecture'):
        run_transfer(TransferConfig(**{**cfg.to_dict(), 'student': 'resnet10t_slim', 'out_dir': str(tmp_path / 'bad')}), log=lambda s: None)

def test_transfer_images_in_another_style_scored_on_the_flat_benchmark(tmp_path):
    # the vivid transfer row: transfer images in the vivid style, the same subjects and labels; valid/test stay the flat benchmark
    from emoxnet.data.synthetic import generator_md5
    from emoxnet.transfer import run_transfer, synth_splits, toy_teachers
    small = {'size': 32, 'n_subjects': 20, 'images_per_subject': 4}
    src, bench = synth_splits(TransferConfig(synth=small, transfer_synth={'style': 'vivid'}, max_items=24))
    _, flat = synth_splits(TransferConfig(synth=small, max_items=24))
    assert (src['train'].targets == flat['train'].targets).all() and (src['train'].images != flat['train'].images).any()
    for k in ('valid', 'test'): assert (bench[k].images == flat[k].images).all()
    with pytest.raises(KeyError, match='unknown'): synth_splits(TransferConfig(synth=small, transfer_synth={'style': 'no_such_style'}))
    tt = toy_teachers(tmp_path / 'teachers')
    m = run_transfer(TransferConfig(teachers=tt, judge=None, student='test_resnet', input_size=32, epochs=1, synth=small, transfer_synth={'style': 'vivid'},
                                    max_items=24, max_steps=1, out_dir=str(tmp_path / 'run')), log=lambda s: None)
    assert m['transfer_generator_md5'] == generator_md5('vivid') != generator_md5('flat') and m['config']['transfer_synth'] == {'style': 'vivid'}
