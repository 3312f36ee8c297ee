"The `emoxnet` console script as a user runs it."
import os, re, subprocess
from pathlib import Path

def run(cmd, *args):
    return subprocess.run([*cmd, *args], capture_output=True, text=True, timeout=300)

def test_help_lists_commands(emoxnet_cmd):
    r = run(emoxnet_cmd, '--help')
    assert r.returncode == 0, r.stderr
    for c in ('synth', 'data', 'bench'): assert c in r.stdout

def test_no_command_prints_help(emoxnet_cmd):
    r = run(emoxnet_cmd)
    assert r.returncode == 0 and 'usage: emoxnet' in r.stdout

def test_unknown_command_fails_clearly(emoxnet_cmd):
    r = run(emoxnet_cmd, 'frobnicate')
    assert r.returncode == 2 and 'invalid choice' in r.stderr

def test_version(emoxnet_cmd):
    r = run(emoxnet_cmd, '--version')
    assert r.returncode == 0 and r.stdout.startswith('emoxnet ')

def test_train_help_comes_from_config_comments(emoxnet_cmd):
    "`emoxnet train --help`: one flag per TrainConfig field, its help the field's comment, choices and --x/--no-x for bools."
    r = run(emoxnet_cmd, 'train', '--help')
    assert r.returncode == 0, r.stderr
    h = ' '.join(r.stdout.split())
    for s in ('--batch-size BATCH_SIZE batch size per process (default 64)', '--optimizer {adamw,sgd,sam,sam_sgd}',
              '--monitor {valid_acc,valid_loss,valid_macro_f1}', '--augment, --no-augment training augmentation',
              '--max-steps MAX_STEPS stop after N optimizer steps (smoke runs) (default None)'):
        assert s in h, s

def test_train_bad_choice_fails_clearly(emoxnet_cmd, tmp_path):
    r = run(emoxnet_cmd, 'train', '--data', 'toy', '--out', str(tmp_path), '--schedule', 'linear')
    assert r.returncode == 2 and "invalid choice: 'linear'" in r.stderr

def test_every_command_help_has_the_same_shape(emoxnet_cmd):
    "`emoxnet COMMAND --help`: usage, the command's line from `emoxnet --help` as a sentence, its options, its docs link."
    from emoxnet.cli import COMMANDS
    for name, (module, line) in COMMANDS.items():
        r = run(emoxnet_cmd, name, '--help')
        assert r.returncode == 0, (name, r.stderr)
        h = ' '.join(r.stdout.split())
        assert h.startswith(f'usage: emoxnet {name}'), (name, h[:80])
        assert ' '.join((line[0].upper() + line[1:] + '.').split()) in h, (name, line)
        assert re.search(r"Docs: nbs/\d+_[\w.]+\.ipynb in the repository; as a page: _docs/[\w.]+\.html after 'make docs'", h), (name, h[-160:])
        nb = re.search(r'Docs: (nbs/\S+\.ipynb)', h).group(1)
        assert (Path(__file__).resolve().parents[1] / nb).is_file(), (name, nb)   # the notebook the help names exists

def test_demo_help_comes_from_config_comments(emoxnet_cmd):
    "`emoxnet demo --help`: one flag per DemoConfig field, its help the field's comment."
    r = run(emoxnet_cmd, 'demo', '--help')
    assert r.returncode == 0, r.stderr
    h = ' '.join(r.stdout.split())
    for s in ('--max-megapixels MAX_MEGAPIXELS larger images are refused before decoding (default 25.0)',
              '--queue-size QUEUE_SIZE requests waiting; more are turned away with a message (default 32)',
              '--port PORT port (default'):
        assert s in h, s

def _one_line_error(r, command: str) -> str:
    lines = r.stderr.strip().splitlines()
    assert r.returncode == 2 and len(lines) == 1 and lines[0].startswith(f'emoxnet {command}: error: ') and 'Traceback' not in r.stderr, r.stderr
    return lines[0]

def test_out_never_deletes_a_users_folder(emoxnet_cmd, tmp_path):
    "`--out` that points at a folder of another kind by mistake: refused in one line, and what it holds is untouched; an earlier ensemble is replaced."
    from emoxnet.models import ModelConfig, create_model, save_checkpoint
    cks = [str(save_checkpoint(create_model(cfg := ModelConfig(a, ('neutral', 'happiness', 'sadness'), 1, 32)), cfg, tmp_path / a))
           for a in ('test_resnet', 'test_convnext')]
    mine = tmp_path / 'thesis'; mine.mkdir(); (mine / 'chapter1.tex').write_text('keep me')
    line = _one_line_error(run(emoxnet_cmd, 'ensemble', 'build', *cks, '--out', str(mine)), 'ensemble')
    assert 'holds no ensemble.json' in line and (mine / 'chapter1.tex').read_text() == 'keep me', line
    ens = tmp_path / 'ens'
    for _ in range(2): assert run(emoxnet_cmd, 'ensemble', 'build', *cks, '--out', str(ens)).returncode == 0   # its own kind: replaced
    assert (ens / 'ensemble.json').is_file()
    before = (tmp_path / 'test_resnet' / 'model.safetensors').read_bytes()          # a trained checkpoint: zoo import asks for --overwrite
    line = _one_line_error(run(emoxnet_cmd, 'zoo', 'import', 'fer_mini_xception', '--out', cks[0]), 'zoo')
    assert 'holds another checkpoint (not imported from the zoo)' in line and '--overwrite' in line, line
    assert (tmp_path / 'test_resnet' / 'model.safetensors').read_bytes() == before

def test_bad_numbers_are_one_line_errors(emoxnet_cmd, tmp_path):
    "Frame strides, detector schedules and ports out of range: one line naming the value, never a traceback."
    import numpy as np
    from emoxnet.data.video import write_video
    clip = write_video(np.zeros((4, 32, 32, 3), np.uint8), tmp_path / 'c.avi', 10)
    assert '--stride 0: expected an integer >= 1' in _one_line_error(run(emoxnet_cmd, 'video', str(clip), '--stride', '0'), 'video')
    assert '--detect-every -2: expected an integer >= 1' in _one_line_error(run(emoxnet_cmd, 'video', str(clip), '--detect-every', '-2'), 'video')
    assert '--port 99999: expected an integer 1-65535' in _one_line_error(run(emoxnet_cmd, 'demo', '--port', '99999'), 'demo')

def test_ensemble_of_a_model_with_its_own_classes(emoxnet_cmd, tmp_path):
    "A checkpoint with a class outside the vocabulary (`pain`) joins an ensemble by its name, with a one-line warning; a member sharing no class is refused."
    from emoxnet.models import ModelConfig, create_model, save_checkpoint
    from emoxnet.predict import EmotionRecognizer
    def ck(arch, classes): return str(save_checkpoint(create_model(cfg := ModelConfig(arch, classes, 1, 32)), cfg, tmp_path / arch))
    a, b = ck('test_resnet', ('pain', 'neutral')), ck('test_convnext', ('neutral', 'happiness', 'sadness'))
    r = run(emoxnet_cmd, 'ensemble', 'build', a, b, '--out', str(tmp_path / 'ens'))
    assert r.returncode == 0 and r.stderr.splitlines()[0].startswith("emoxnet ensemble: warning: classes outside the expression vocabulary ['pain']"), r.stderr
    assert EmotionRecognizer.from_checkpoint(tmp_path / 'ens').classes == ('neutral', 'happiness', 'sadness', 'pain')
    c = ck('test_vit', ('female', 'male'))
    line = _one_line_error(run(emoxnet_cmd, 'ensemble', 'build', b, c, '--out', str(tmp_path / 'e2')), 'ensemble')
    assert 'which no other member predicts' in line and not (tmp_path / 'e2').exists(), line

def test_detector_without_its_package_is_one_line(emoxnet_cmd, tmp_path):
    "A listed face detector whose package is not installed: one line naming the package and the install command, exit code 2."
    import pytest
    from emoxnet.faces import DETECTORS, available_detectors
    missing = sorted(set(DETECTORS) - set(available_detectors()))
    if not missing: pytest.skip('every listed detector is installed here')
    from emoxnet.demo import example_images
    line = _one_line_error(run(emoxnet_cmd, 'predict', example_images()[0], '--detector', missing[0]), 'predict')
    assert f"face detector {missing[0]!r} needs the package" in line and 'pip install' in line, line

def test_sigterm_leaves_nothing_half_written(tmp_path):
    "SIGTERM (timeout, kill, docker stop) killed a command where it stood: hidden staging folders were left behind. Now it is handled as Ctrl-C is."
    import signal, subprocess, sys, time
    p = subprocess.Popen([sys.executable, '-m', 'emoxnet.cli', 'synth', '--out', str(tmp_path / 'synth')], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, cwd=tmp_path, env={**os.environ, 'OMP_NUM_THREADS': '1'})
    deadline = time.time() + 120
    while time.time() < deadline and not list(tmp_path.glob('synth/.*.tmp')): time.sleep(0.1)   # an export's staging folder exists: it is being written
    p.send_signal(signal.SIGTERM); out, err = p.communicate(timeout=120)
    assert p.returncode == 143 and 'emoxnet synth: terminated' in err, (p.returncode, err[-1500:])
    assert not [x for x in tmp_path.rglob('.*') if x.name.endswith('.tmp')], sorted(map(str, tmp_path.rglob('*')))[:20]   # each export whole or absent


def test_an_empty_checkpoint_path_is_refused_by_every_command(emoxnet_cmd):
    "An unset shell variable ('$CKPT' -> ''): export and ensemble build resolved it to the current folder, predict served the bundled student."
    for args in (['export', ''], ['ensemble', 'build', '', 'zoo:fer_cnn', '--out', 'x'], ['predict', 'a.jpg', '--checkpoint', '']):
        r = run(emoxnet_cmd, *args)
        assert r.returncode == 2 and 'an empty path (an unset shell variable?)' in r.stderr, (args, r.stderr[-500:])

def test_an_empty_output_or_input_path_is_refused(capsys):
    "An unset shell variable in --out \"$OUT\": train wrote into the default runs folder, and the other flags were taken as not given."
    import pytest
    from emoxnet.cli import build_parser
    for args in (['train', '--data', 'toy', '--out', ''], ['train', '--data', 'toy', '--config', ''], ['synth', '--preview', ''], ['predict', 'a.jpg', '--save-overlay', ''],
                 ['predict', 'a.jpg', '--save-attention', ''], ['video', 'a.avi', '--plot', ''], ['video', 'a.avi', '--classifier', ''], ['evaluate', '--out', ''],
                 ['realcheck', '--out', ''], ['export', 'bundled', '--out', ''], ['ensemble', 'build', 'a', 'b', '--out', ''], ['zoo', 'import', 'fer_cnn', '--cache', ''],
                 ['data', 'summary', ''], ['train', '--data', ''], ['predict', ''], ['video', ''], ['train', '--data', 'toy', '--pretrained', ''],
                 ['train', '--data', 'toy', '--synth-config', ''], ['synth', '--out', ''], ['synth', '--config', '']):   # '' read as the current folder: its photos predicted, its class folders trained on
        with pytest.raises(SystemExit) as e: build_parser(args).parse_args(args)
        assert e.value.code == 2 and 'an empty path (an unset shell variable?)' in capsys.readouterr().err, args

def test_a_mistyped_option_shows_its_commands_usage(capsys):
    "`emoxnet predict a.jpg --jsno`: predict's usage and the option named (it was the top level's usage, which lists no option of predict)."
    import pytest
    from emoxnet.cli import main
    for argv, usage, bad in ((['predict', 'a.jpg', '--jsno'], 'usage: emoxnet predict [-h]', '--jsno'), (['data', 'summary', 'x', '--fromat', 'afew'], 'usage: emoxnet data summary [-h]', '--fromat afew'),
                             (['ensemble', 'build', 'a', 'b', '--out', 'o', '--bogus'], 'usage: emoxnet ensemble build [-h]', '--bogus'), (['--versoin'], 'usage: emoxnet [-h]', '--versoin'),
                             (['--bogus', 'predict', 'a.jpg'], 'usage: emoxnet [-h]', '--bogus')):   # an option before the command: the top level's (predict's module is not loaded)
        with pytest.raises(SystemExit) as e: main(argv)
        err = capsys.readouterr().err
        assert e.value.code == 2 and err.startswith(usage) and 'unrecognized arguments: ' + bad in err, (argv, err)

def test_import_makes_a_users_architecture_trainable_and_loadable(emoxnet_cmd, tmp_path):
    "`emoxnet --import MODULE train --arch NAME`: an architecture registered by the user's module (in the current folder) trains, and its checkpoint predicts with the same --import; without it, both say how."
    (tmp_path / 'my_archs.py').write_text(
        "import torch.nn as nn\nfrom emoxnet.archs import WORKSPACE_ARCHS, ArchSpec\n"
        "def tiny(num_classes, in_chans, drop_rate=0.0, **kw):\n"
        "    return nn.Sequential(nn.Conv2d(in_chans, 8, 3, 2, 1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, num_classes))\n"
        "WORKSPACE_ARCHS['my_tiny'] = ArchSpec(tiny, 'a tiny net of the user')\n")
    r = subprocess.run([*emoxnet_cmd, 'train', '--data', 'toy', '--arch', 'my_tiny', '--epochs', '1', '--out', 'a'], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert r.returncode == 2 and 'emoxnet --import MODULE COMMAND' in r.stderr, r.stderr
    r = subprocess.run([*emoxnet_cmd, '--import', 'my_archs', 'train', '--data', 'toy', '--arch', 'my_tiny', '--epochs', '1', '--out', 'a'],
                       cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    import json
    assert json.loads((tmp_path / 'a' / 'checkpoint' / 'config.json').read_text())['arch'] == 'my_tiny'
    from PIL import Image
    Image.new('RGB', (64, 64), (128, 128, 128)).save(tmp_path / 'g.png')
    r = subprocess.run([*emoxnet_cmd, '--import', str(tmp_path / 'my_archs.py'), 'predict', 'g.png', '--checkpoint', 'a/checkpoint', '--whole-image', '--json'],
                       cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0 and '"faces"' in r.stdout, r.stderr
    r = subprocess.run([*emoxnet_cmd, '--import', 'no_such_module_xyz', 'predict', 'g.png'], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert r.returncode == 2 and r.stderr.startswith("emoxnet: error: --import no_such_module_xyz: no module"), r.stderr
