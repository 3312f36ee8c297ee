"The `emoxnet` console script as a user runs it."
import subprocess

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
    for s in ('--batch-size BATCH_SIZE batch size per process (default 64)', '--optimizer {adamw,sgd}',
              '--monitor {valid_acc,valid_loss,valid_macro_f1}', '--augment, --no-augment training augmentation',
              '--max-steps MAX_STEPS stop after N optimizer steps (smoke runs) (default None)'):
        assert s in h, s

def test_train_bad_choice_fails_clearly(emoxnet_cmd, tmp_path):
    r = run(emoxnet_cmd, 'train', '--data', 'toy', '--out', str(tmp_path), '--schedule', 'linear')
    assert r.returncode == 2 and "invalid choice: 'linear'" in r.stderr
