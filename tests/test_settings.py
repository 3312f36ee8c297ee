"`settings.ini` as a user meets it: the `emoxnet` command reads it, names the key and the line of a mistake, and finds datasets by name."
import json
import os
import subprocess
from pathlib import Path

import pytest

from emoxnet.settings import SETTING_KEYS, Settings, SettingsError, load_settings, resolve_data

def px(v=0, n=2304) -> str: return ' '.join([str(v)] * n)

def run(cmd, *args, settings: Path | None = None, cwd=None, **env):
    e = {k: v for k, v in os.environ.items() if not k.startswith('EMOXNET_')}
    if settings is not None: e['EMOXNET_SETTINGS'] = str(settings)
    e.update(env)
    return subprocess.run([*cmd, *map(str, args)], capture_output=True, text=True, timeout=300, env=e, cwd=cwd)

def write_ferplus(folder: Path):
    folder.mkdir(parents=True)
    rows = [('Training', 'fer0000000.png', '6,2,0,0,0,0,0,0,2,0'), ('PublicTest', 'fer0000001.png', '0,9,0,0,0,0,0,0,1,0')]
    (folder / 'fer2013.csv').write_text('emotion,pixels,Usage\n' + ''.join(f'0,{px(i)},{u}\n' for i, (u, _, _) in enumerate(rows)))
    (folder / 'fer2013new.csv').write_text('Usage,Image name,neutral,happiness,surprise,sadness,anger,disgust,fear,contempt,unknown,NF\n'
                                           + ''.join(f'{u},{n},{v}\n' for u, n, v in rows))

@pytest.mark.parametrize('text, key, line, expected', [
    ('[emoxnet]\ndemo_host = 0.0.0.0\ndemo_port = eighty\n', 'demo_port', 3, 'expected an integer 1-65535'),
    ('# mine\n[emoxnet]\n\nthreads = 2\ndemo_prot = 8080\n', 'demo_prot', 5, 'did you mean demo_port?'),
    ('[emoxnet]\ndevice = gpu\n', 'device', 2, 'expected auto, cpu, cuda, cuda:N or mps'),
])
def test_bad_settings_stop_the_command_with_key_and_line(emoxnet_cmd, tmp_path, text, key, line, expected):
    ini = tmp_path / 'settings.ini'; ini.write_text(text)
    r = run(emoxnet_cmd, 'data', 'summary', 'ferplus', '--json', settings=ini)
    assert r.returncode == 2 and r.stdout == ''
    err = r.stderr.strip()
    assert len(err.splitlines()) == 1 and 'Traceback' not in err, err
    assert f'{ini}, line {line}: {key}: ' in err and expected in err, err

def test_dataset_by_name_from_settings_found_walking_up(emoxnet_cmd, tmp_path):
    write_ferplus(tmp_path / 'data' / 'FERPlus')
    (tmp_path / 'settings.ini').write_text('[emoxnet]\nferplus = data/FERPlus   # relative to this file\n')
    (tmp_path / 'work').mkdir()
    r = run(emoxnet_cmd, 'data', 'summary', 'ferplus', '--json', cwd=tmp_path / 'work')
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out['splits']['train']['neutral'] == 1 and out['splits']['valid']['happiness'] == 1
    r = run(emoxnet_cmd, 'data', 'summary', 'rafdb', cwd=tmp_path / 'work')     # a name that is not set
    assert r.returncode == 2 and "rafdb: no folder set (expected 'rafdb = /path/to/rafdb' under [emoxnet]" in r.stderr
    r = run(emoxnet_cmd, 'data', 'summary', 'ferplus', cwd=tmp_path / 'work', EMOXNET_FERPLUS=str(tmp_path / 'none'))
    assert r.returncode == 2 and 'environment variable EMOXNET_FERPLUS: ferplus: ' in r.stderr and 'no such file or folder' in r.stderr

def test_misspelled_variable_stops_the_command(emoxnet_cmd, tmp_path):
    "`EMOXNET_DEMO_PROT=8000` would be ignored silently: the command stops and names the variable it meant."
    ini = tmp_path / 'settings.ini'; ini.write_text('[emoxnet]\n')
    r = run(emoxnet_cmd, 'data', 'summary', 'ferplus', settings=ini, EMOXNET_DEMO_PROT='8000')
    assert r.returncode == 2 and 'Traceback' not in r.stderr, r.stderr
    assert 'environment variable EMOXNET_DEMO_PROT: not a variable of this workspace (did you mean EMOXNET_DEMO_PORT?)' in r.stderr, r.stderr

def test_missing_settings_file_named(emoxnet_cmd, tmp_path):
    r = run(emoxnet_cmd, 'data', 'summary', 'ferplus', settings=tmp_path / 'nope.ini')
    assert r.returncode == 2 and f'{tmp_path / "nope.ini"}: no such file' in r.stderr

def test_repository_settings_ini_is_the_defaults(root):
    s = load_settings(root / 'settings.ini', env={})
    assert s == Settings(runs_dir=root / 'runs')
    assert (s.demo_host, s.demo_port, s.demo_model, s.device, s.threads) == ('127.0.0.1', 7860, 'bundled', 'auto', None)
    text = (root / 'settings.ini').read_text()
    for k in SETTING_KEYS: assert f'# {k} =' in text, k

def test_env_overrides_and_explicit_format(tmp_path):
    (tmp_path / 'settings.ini').write_text('[emoxnet]\ndemo_port = 8000\nferplus = /x\n')
    s = load_settings(start=tmp_path, env={'EMOXNET_DEMO_PORT': '8001', 'EMOXNET_FERPLUS': ''})
    assert s.demo_port == 8001 and s.ferplus is None and s.sources['demo_port'][0] == 'environment variable EMOXNET_DEMO_PORT'
    with pytest.raises(SettingsError) as e: load_settings(start=tmp_path, env={'EMOXNET_THREADS': 'many'})
    assert e.value.key == 'threads' and 'EMOXNET_THREADS' in str(e.value)
    assert resolve_data('toy', settings=s) == ('toy', None)


# ---------------------------------------------------------------- the commands that read settings.ini

def test_demo_settings_checked_before_serving(emoxnet_cmd, tmp_path):
    ini = tmp_path / 'settings.ini'
    ini.write_text('[emoxnet]\ndemo_host = 127.0.0.1\ndemo_port = 99999\n')
    r = run(emoxnet_cmd, 'demo', settings=ini)
    assert r.returncode == 2 and f'{ini}, line 3: demo_port: 99999 is out of range (expected an integer 1-65535)' in r.stderr, r.stderr
    ini.write_text('[emoxnet]\n\ndemo_model = my_runs/student\n')
    r = run(emoxnet_cmd, 'demo', settings=ini)
    assert r.returncode == 2 and f'{ini}, line 3: demo_model: {tmp_path}/my_runs/student: no such folder' in r.stderr, r.stderr

TRAIN = ['train', '--data', 'toy', '--arch', 'test_convnext', '--size', '32', '--epochs', '1', '--max-steps', '1', '--no-progress']

def test_train_device_threads_and_runs_folder_from_settings(emoxnet_cmd, tmp_path):
    ini = tmp_path / 'settings.ini'
    ini.write_text('[emoxnet]\ndevice = mps\n')
    r = run(emoxnet_cmd, *TRAIN, settings=ini)
    assert r.returncode == 2 and f"{ini}, line 2: device: 'mps' is not supported by emoxnet train (expected auto, cpu, cuda)" in r.stderr, r.stderr
    ini.write_text('[emoxnet]\ndevice = cpu\nthreads = 1\nruns_dir = my_runs\n')
    r = run(emoxnet_cmd, *TRAIN, settings=ini, CUDA_VISIBLE_DEVICES='')
    assert r.returncode == 0, r.stderr[-3000:]
    cfg = json.loads((tmp_path / 'my_runs' / 'toy-test_convnext' / 'checkpoint' / 'config.json').read_text())
    assert cfg['train_config']['device'] == 'cpu' and cfg['train_config']['threads'] == 1, cfg['train_config']
    r = run(emoxnet_cmd, *TRAIN, '--device', 'mps', settings=ini)        # a flag beats the settings
    assert r.returncode == 2 and 'invalid choice' in r.stderr

def test_experiment_data_by_name(tmp_path, monkeypatch):
    write_ferplus(tmp_path / 'FERPlus')
    (tmp_path / 'settings.ini').write_text('[emoxnet]\nferplus = FERPlus\n')
    monkeypatch.setenv('EMOXNET_SETTINGS', str(tmp_path / 'settings.ini'))
    from emoxnet.data.experiment import load_data, load_experiment_data
    sp = load_data('ferplus')
    assert sp.name == 'ferplus' and len(sp['train']) == 1 and sp['train'].label_mode == 'hard'
    sp = load_experiment_data('ferplus')                     # the experiment default for FER+: crossentropy
    assert len(sp['valid']) == 1 and sp['train'].label_mode == 'soft'
    assert load_data('toy').name != 'ferplus'
