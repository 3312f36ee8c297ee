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
    # a FER2013-order member sure of 'happy' and a canonical 8-class member sure of 'contempt': half each
    a = Fixed([0, 0, 0, 20., 0, 0, 0], FER2013); b = Fixed([0] * 7 + [20.], BASIC)
    p = AlignedTeacher([a, b])(torch.zeros(1, 1, 64, 64)).exp()[0]
    assert abs(p[BASIC.index('happiness')] - 0.5) < 1e-3 and abs(p[BASIC.index('contempt')] - 0.5) < 1e-3
    p = AlignedTeacher([a, b], weights=[3, 1])(torch.zeros(1, 1, 64, 64)).exp()[0]
    assert abs(p[BASIC.index('happiness')] - 0.75) < 1e-3

def test_members_must_share_normalisation():
    a = Fixed([0] * 7, FER2013); b = Fixed([0] * 7, FER2013, Preprocess(64, 1, (0.0,), (1.0,)))
    with pytest.raises(ValueError, match='share channels and normalisation'): AlignedTeacher([a, b])

def test_class_map_and_unknown_transfer_set():
    assert class_index_map(FER2013, BASIC).tolist() == [6, 3, 5, 4, 0, 1, 2, -1]
    with pytest.raises(KeyError, match="unknown transfer set 'lfw'"): transfer_images(TransferConfig(transfer='lfw'), None, None)

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
    for k in ('smile_recall', 'neutral_as_happiness', 'top_label_share', 'teacher_agreement'): assert k in m['dev']
    assert list(out.glob('deepinversion-*.npz'))
