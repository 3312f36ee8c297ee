"""Mistakes a user makes on the command line, each refused before any work with the flag or field named, and nothing
left behind (a tester's findings, 2026-12-05): negative seeds, out-of-range flags, a `--pretrained` checkpoint of
another architecture, hidden files in a folder given to `predict`, detector option values, a wrong settings.ini."""
import json, shutil, subprocess
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]
PHOTO = ROOT / 'emoxnet/assets/examples/photo_grace_hopper.jpg'

def run(cmd, *args, cwd=None, env=None):
    import os
    return subprocess.run([*cmd, *map(str, args)], capture_output=True, text=True, timeout=600, cwd=cwd, env={**os.environ, **(env or {})})

@pytest.mark.parametrize('args, msg', [
    (('train', '--data', 'toy', '--seed', '-1'), 'TrainConfig.seed=-1: expected an integer >= 0'),
    (('train', '--data', 'toy', '--drop-rate', '1.5'), '--drop-rate 1.5: expected a number in [0, 1)'),
    (('synth', '--n-subjects', '2', '--images-per-subject', '2', '--seed', '-1'), 'SynthConfig.seed=-1: expected an integer >= 0'),
])
def test_refused_before_anything_is_written(emoxnet_cmd, tmp_path, args, msg):
    "A negative seed or an out-of-range flag names itself, and the output folder is not created."
    out = tmp_path / 'out'
    r = run(emoxnet_cmd, *args, '--out', out)
    assert r.returncode == 2 and msg in r.stderr, r.stderr[-600:]
    assert not out.exists()

@pytest.mark.parametrize('flag, value, msg', [('--seed', '-1', '--seed -1: expected an integer >= 0'),
                                              ('--batch-size', '0', '--batch-size 0: expected an integer >= 1'),
                                              ('--max-items', '0', '--max-items 0: expected an integer >= 1')])
def test_evaluate_flags(emoxnet_cmd, flag, value, msg):
    r = run(emoxnet_cmd, 'evaluate', '--data', 'toy', flag, value)
    assert r.returncode == 2 and msg in r.stderr, r.stderr[-600:]

def test_pretrained_checkpoint_brings_its_architecture(emoxnet_cmd, tmp_path):
    "`--pretrained FOLDER` trains the folder's architecture when --arch is left out; naming another is refused by name."
    first = tmp_path / 'first'
    r = run(emoxnet_cmd, 'train', '--data', 'toy', '--arch', 'test_resnet', '--size', '32', '--epochs', '1', '--max-steps', '1', '--no-progress', '--out', first)
    assert r.returncode == 0, r.stderr[-800:]
    r = run(emoxnet_cmd, 'train', '--data', 'toy', '--pretrained', first / 'checkpoint', '--arch', 'resnet18', '--out', tmp_path / 'bad')
    assert r.returncode == 2 and f"--pretrained {first / 'checkpoint'} is a test_resnet checkpoint: its weights fit that architecture only, not --arch resnet18" in r.stderr, r.stderr[-600:]
    assert not (tmp_path / 'bad').exists()
    r = run(emoxnet_cmd, 'train', '--data', 'toy', '--pretrained', first / 'checkpoint', '--epochs', '1', '--max-steps', '1', '--no-progress', '--out', tmp_path / 'second')
    assert r.returncode == 0, r.stderr[-800:]
    cfg = json.loads((tmp_path / 'second/checkpoint/config.json').read_text())
    assert (cfg['arch'], cfg['input_size']) == ('test_resnet', 32)

def test_predict_folder_skips_hidden_files(emoxnet_cmd, tmp_path):
    "macOS's `._photo.jpg` beside a photo is left out of a folder, as the dataset loaders leave it; the photo is read."
    shutil.copy(PHOTO, tmp_path / 'a.jpg'); (tmp_path / '._a.jpg').write_bytes(b'\x00\x05\x16\x07 AppleDouble')
    r = run(emoxnet_cmd, 'predict', tmp_path, '--json')
    assert r.returncode == 0, r.stderr[-600:]
    assert [Path(json.loads(l)['file']).name for l in r.stdout.splitlines()] == ['a.jpg']   # one JSON object per image

def test_detector_option_says_values_are_json(emoxnet_cmd):
    r = run(emoxnet_cmd, 'predict', PHOTO, '--detector-option', 'input_size=384,288')
    assert r.returncode == 2 and 'values are read as JSON' in r.stderr and '[384, 288]' in r.stderr, r.stderr[-600:]

def test_a_wrong_setting_stops_every_command(emoxnet_cmd, tmp_path):
    "settings.ini is read by every command, not only by those that train: `emoxnet predict` stops on a wrong device too."
    (tmp_path / 'settings.ini').write_text('[emoxnet]\ndevice = tpu\n')
    r = run(emoxnet_cmd, 'predict', PHOTO, cwd=tmp_path)
    assert r.returncode == 2 and "line 2: device: 'tpu' is not a device" in r.stderr, r.stderr[-600:]
    if not torch.cuda.is_available():   # a device this machine lacks, set in the file: the error names the file's line
        (tmp_path / 'settings.ini').write_text('[emoxnet]\ndevice = cuda\n')
        r = run(emoxnet_cmd, 'train', '--data', 'toy', '--out', str(tmp_path / 'r'), cwd=tmp_path)
        assert r.returncode == 2 and "settings.ini, line 2: device: 'cuda' but CUDA is not available" in r.stderr, r.stderr[-600:]
    (tmp_path / 'settings.ini').write_text('[emoxnet]\nthreads = 1\n')
    r = run(emoxnet_cmd, 'predict', PHOTO, '--json', cwd=tmp_path)
    assert r.returncode == 0 and json.loads(r.stdout)['faces'], r.stderr[-600:]
