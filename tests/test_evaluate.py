"`emoxnet evaluate`: a checkpoint scored on a labelled split from the command line; classes matched by name, bad input one line."
import json, subprocess

import pytest
import torch

from emoxnet.models import ModelConfig, create_model, save_checkpoint


def run(cmd, *args):
    return subprocess.run([*cmd, 'evaluate', *map(str, args)], capture_output=True, text=True, timeout=300)

@pytest.fixture(scope='module')
def ck(tmp_path_factory):
    "An untrained checkpoint without 'surprise' and with 'contempt' (the toy set labels neutral, happiness, surprise, sadness)."
    torch.manual_seed(0)
    return save_checkpoint(create_model(ModelConfig('test_resnet', ('neutral', 'happiness', 'sadness', 'contempt'), 1, 32)), None,
                           tmp_path_factory.mktemp('ev') / 'ck')

def test_evaluate_json_and_files(emoxnet_cmd, ck, tmp_path):
    r = run(emoxnet_cmd, '--checkpoint', ck, '--data', 'toy', '--json', '--out', tmp_path / 'rep')
    assert r.returncode == 0, r.stderr
    rec = json.loads(r.stdout)
    assert rec['split'] == 'test' and rec['images'] == 64 and set(rec['left_out']) == {'surprise'}
    assert rec['n'] + rec['left_out']['surprise'] == 64                     # every image scored or counted
    assert rec['per_class']['contempt']['recall'] is None                   # a class the split never labels: no recall
    assert rec['source']['data'] == 'toy' and 'options' in rec['source']     # how the data were read, as a training run records it
    assert sorted(p.name for p in (tmp_path / 'rep').iterdir()) == ['confusion.csv', 'confusion.png', 'evaluation.json']
    assert json.loads((tmp_path / 'rep' / 'evaluation.json').read_text())['accuracy'] == rec['accuracy']

def test_evaluate_text_report(emoxnet_cmd, ck):
    r = run(emoxnet_cmd, '--checkpoint', ck, '--data', 'toy', '--split', 'valid', '--max-items', 20)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert 'on toy (valid): ' in lines[0] and lines[1].startswith('  accuracy ') and 'mean per-class recall' in lines[1]
    assert any(l.startswith('  left out: ') and 'surprise' in l for l in lines) and 'a quick look, not a result' in lines[-1]

@pytest.mark.parametrize('args, says', [(['--split', 'tset'], "no split 'tset'; available: train, valid, test"),
                                        (['--classes', '7'], '--classes reads a dataset from disk; --data toy is generated'),
                                        (['--out', 'FILE'], 'a file, not a folder')])
def test_evaluate_bad_input_is_one_line(emoxnet_cmd, ck, tmp_path, args, says):
    (tmp_path / 'FILE').write_text('x')
    r = run(emoxnet_cmd, '--checkpoint', ck, '--data', 'toy', *[tmp_path / a if a == 'FILE' else a for a in args])
    assert r.returncode == 2 and says in r.stderr and 'Traceback' not in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr

def test_evaluate_scores_the_test_split_train_held_out(emoxnet_cmd, tmp_path):
    "A dataset shipped as one split: evaluate holds out the test split emoxnet train held out (at the run's recorded seed), so it scores images the run never saw, and its figure is train's own."
    import numpy as np
    from PIL import Image
    rng = np.random.default_rng(0)
    for c in ('neutral', 'happiness', 'sadness'):
        (tmp_path / 'data' / c).mkdir(parents=True)
        for i in range(15): Image.fromarray(rng.integers(0, 256, (32, 32), np.uint8)).save(tmp_path / 'data' / c / f'{i}.png')
    r = subprocess.run([*emoxnet_cmd, 'train', '--data', str(tmp_path / 'data'), '--format', 'imagefolder', '--arch', 'test_resnet', '--size', '32',
                        '--epochs', '1', '--seed', '3', '--no-progress', '--out', str(tmp_path / 'run')], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    test = json.loads((tmp_path / 'run' / 'metrics.json').read_text())['test']
    r = run(emoxnet_cmd, '--checkpoint', tmp_path / 'run' / 'checkpoint', '--data', tmp_path / 'data', '--format', 'imagefolder', '--json')
    assert r.returncode == 0, r.stderr
    rec = json.loads(r.stdout)                                             # stdout is the JSON alone; the held-out split is said on stderr
    assert 'held out as test' in r.stderr and 'seed 3' in r.stderr and rec['seed'] == 3
    assert (rec['n'], rec['accuracy']) == (test['n'], test['accuracy']) and rec['n'] < 45
    assert rec['notes'] == [], rec['notes']                             # the run's own split: no 'another split' note (image files: md5 of the paths below the dataset folder, as train records it)
    r = run(emoxnet_cmd, '--checkpoint', tmp_path / 'run' / 'checkpoint', '--data', tmp_path / 'data', '--format', 'imagefolder', '--split', 'train')
    assert r.returncode == 0 and 'note: the train split holds images a model trained on this data has seen' in r.stdout, r.stdout

def test_evaluate_names_the_loader_flags_the_run_read_with(emoxnet_cmd, tmp_path):
    "A run trained on UTKFace's race and scored without --target (gender, the default): nothing to score, and the error names the flag the run was read with."
    import numpy as np
    from PIL import Image
    rng = np.random.default_rng(0); (tmp_path / 'utk').mkdir()
    for i in range(40): Image.fromarray(rng.integers(0, 256, (32, 32, 3), np.uint8)).save(tmp_path / 'utk' / f'{20 + i}_{i % 2}_{i % 5}_20170109{i:06d}.jpg')
    r = subprocess.run([*emoxnet_cmd, 'train', '--data', str(tmp_path / 'utk'), '--format', 'utkface', '--target', 'race', '--arch', 'test_resnet', '--size', '32',
                        '--epochs', '1', '--no-progress', '--out', str(tmp_path / 'run')], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    r = run(emoxnet_cmd, '--checkpoint', tmp_path / 'run' / 'checkpoint', '--data', tmp_path / 'utk', '--format', 'utkface')
    assert r.returncode == 2 and 'the model predicts none of its classes' in r.stderr and 'the run that trained it read the data with --target race: give the same flags' in r.stderr, r.stderr
    r = run(emoxnet_cmd, '--checkpoint', tmp_path / 'run' / 'checkpoint', '--data', tmp_path / 'utk', '--format', 'utkface', '--target', 'race')
    assert r.returncode == 0, r.stderr

def test_evaluate_split_all_scores_a_one_split_tree_whole(emoxnet_cmd, ck, tmp_path):
    "Your own labelled photos (one class-per-folder tree) scored by a model that never trained on them: --split all reads every image, nothing held out."
    import numpy as np
    from PIL import Image
    rng = np.random.default_rng(0)
    for c in ('neutral', 'happiness', 'sadness'):
        (tmp_path / 'data' / c).mkdir(parents=True)
        for i in range(6): Image.fromarray(rng.integers(0, 256, (32, 32), np.uint8)).save(tmp_path / 'data' / c / f'{i}.png')
    r = run(emoxnet_cmd, '--checkpoint', ck, '--data', tmp_path / 'data', '--format', 'imagefolder', '--split', 'all', '--json')
    assert r.returncode == 0, r.stderr
    rec = json.loads(r.stdout)
    assert rec['split'] == 'all' and rec['images'] == 18 and rec['n'] == 18 and 'held out as test' not in r.stderr
    assert any('not a test figure' in n for n in rec['notes'])             # said: a model trained on these images would have seen them
    r = run(emoxnet_cmd, '--checkpoint', ck, '--data', tmp_path / 'data', '--format', 'imagefolder', '--json')   # the default: the 20 % test split, as before
    assert r.returncode == 0 and json.loads(r.stdout)['images'] < 18 and 'held out as test' in r.stderr
