"A damaged checkpoint folder, as a command meets it: one line naming the file and what is wrong, exit code 2 (no traceback)."
import json

import pytest

from emoxnet.cli import main
from emoxnet.models import ModelConfig, create_model, save_checkpoint

IMAGE = 'emoxnet/assets/examples/synthfacs_happiness.jpg'


@pytest.fixture
def ck(tmp_path):
    return save_checkpoint(create_model(ModelConfig('test_resnet', ('neutral', 'happiness', 'sadness'))), None, tmp_path / 'ck')


def _edit_config(ck, **changes):
    info = json.loads((ck / 'config.json').read_text())
    info.update(changes); info = {k: v for k, v in info.items() if v is not None}
    (ck / 'config.json').write_text(json.dumps(info))


@pytest.mark.parametrize('damage,expected', [
    (lambda ck: _edit_config(ck, classes=None), 'config.json: missing required key classes'),
    (lambda ck: _edit_config(ck, classes=['neutral', 'happiness', 'sadness', 'anger']),
     'model.safetensors: size mismatch for fc.bias: (3,) in the file, (4,) in the model; fc.weight: (3, 96) in the file, (4, 96)'),
    (lambda ck: (ck / 'model.safetensors').write_bytes((ck / 'model.safetensors').read_bytes()[:100]),
     'model.safetensors: cannot read the weights (Error while deserializing header: invalid header length)'),
    (lambda ck: _edit_config(ck, classes=['neutral', ' ', 'sadness']), "config.json: ModelConfig.classes ['neutral', ' ', 'sadness']: a class name is empty"),
])
def test_damaged_checkpoint_is_one_line(capsys, root, ck, damage, expected):
    damage(ck)
    rc = main(['predict', '--checkpoint', str(ck), str(root / IMAGE)])
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert rc == 2 and len(lines) == 1 and lines[0].startswith(f'emoxnet predict: error: {ck}/'), err
    assert expected in lines[0], lines[0]


def test_wrong_arch_is_not_blamed_on_timm(capsys, root, ck):
    "config.json naming another network than the weights', written by this very timm: the message asks about the arch, not about a timm version ('1.0.31 vs 1.0.31')."
    _edit_config(ck, arch='mini_xception')
    rc = main(['predict', '--checkpoint', str(ck), str(root / IMAGE)])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and len(err.splitlines()) == 1 and err.startswith(f'emoxnet predict: error: {ck}: weights do not match mini_xception (missing'), err
    assert err.endswith("does config.json's arch (and model_kwargs) name the network these weights were saved from?") and 'timm version' not in err, err
