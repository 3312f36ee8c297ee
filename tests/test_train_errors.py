"""`emoxnet train` (and `bench`) as a user meets their mistakes: one line on stderr and exit code 2 (130 for Ctrl-C), never a
traceback; a finished run is never silently replaced."""
import hashlib, json, os, signal, subprocess, time

import pytest

from emoxnet.cli import main

TOY = ['--data', 'toy', '--arch', 'test_convnext', '--size', '32', '--batch-size', '64', '--no-progress']


def _cli(capsys, *args) -> tuple[int, str, str]:
    "Run `emoxnet ARGS` in this process: `(exit code, stdout, stderr)`."
    rc = main(list(args))
    out, err = capsys.readouterr()
    return rc, out, err


def _one_error_line(err: str, command: str = 'train') -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f'emoxnet {command}: error: ') and 'Traceback' not in err, err
    return lines[0]


def test_a_finished_run_is_kept_unless_overwrite(capsys, tmp_path):
    out = tmp_path / 'run'
    rc, so, _ = _cli(capsys, 'train', *TOY, '--epochs', '1', '--out', str(out))
    assert rc == 0 and so.strip().splitlines()[-1].startswith(f'{out}: stopped: all 1 epoch done (4 steps); test accuracy '), so
    before = (out / 'metrics.json').read_text()
    rc, _, err = _cli(capsys, 'train', *TOY, '--epochs', '1', '--max-steps', '1', '--out', str(out))
    line = _one_error_line(err)
    assert rc == 2 and f'--out {out} holds a finished run (stopped: all 1 epoch done (4 steps))' in line and '--overwrite' in line, line
    assert (out / 'metrics.json').read_text() == before                       # untouched
    rc, _, err = _cli(capsys, 'train', *[a if a != 'test_convnext' else 'resnet_typo' for a in TOY], '--epochs', '1', '--out', str(out), '--overwrite')
    assert rc == 2 and 'resnet_typo' in _one_error_line(err)                 # --overwrite with a mistake: refused while setting up,
    assert (out / 'metrics.json').read_text() == before and (out / 'checkpoint').is_dir()   # and the old run is still there
    rc, so, _ = _cli(capsys, 'train', *TOY, '--epochs', '1', '--max-steps', '1', '--out', str(out), '--overwrite')
    assert rc == 0 and 'stopped: max_steps reached at step 1 (0 of 1 epoch complete)' in so, so


@pytest.mark.parametrize('flag,text,expected', [
    ('--synth-config', '{"n_subject": 10}', 'n_subject: unknown SynthConfig field (did you mean n_subjects?) (expected one of classes, n_subjects,'),
    ('--synth-config', '{"n_subjects": "ten"}', 'n_subjects: "ten" is a string (expected an integer)'),
    ('--synth-config', '{"n_subjects": NaN}', 'n_subjects: NaN is not a finite number (expected an integer)'),
    ('--synth-config', '{"n_subjects": 0}', 'SynthConfig.n_subjects=0: expected an integer >= 1'),
    ('--config', '{"epochs": "3"}', 'epochs: "3" is a string (expected an integer)'),
    ('--config', '{"augment": {"flip": "yes"}, "batch_size": 2.5}', 'batch_size: 2.5 is a decimal number (expected an integer)'),
    # a value of the right type but out of range or not a choice: the file named too (it was a bare 'TrainConfig.epochs=0: ...',
    # and a bad class_weights string was blamed on the --class-weights flag, not given)
    ('--config', '{"epochs": 0}', 'TrainConfig.epochs=0: expected an integer >= 1'),
    ('--config', '{"monitor": "valid_f1"}', "TrainConfig.monitor='valid_f1'; expected one of"),
    ('--config', '{"class_weights": "inverse"}', "class_weights 'inverse': expected 'inverse_frequency', 'none' or comma-separated numbers"),
    ('--config', '{"class_weights": [1, 1e999]}', 'class_weights=[1, inf]: expected one finite number >= 0 per class'),   # inf: refused, not a run that "diverged"
    ('--config', '{"data_seed": 3}', 'data_seed=3: emoxnet train reads its data at --seed'),   # recorded but not applied, evaluate then read another split
])
def test_config_file_mistakes_name_the_file_and_key(capsys, tmp_path, flag, text, expected):
    f = tmp_path / 'c.json'; f.write_text(text)
    rc, _, err = _cli(capsys, 'train', '--data', 'synthfacs', '--arch', 'resnet10t_nano', '--out', str(tmp_path / 'o'), flag, str(f))
    line = _one_error_line(err)
    assert rc == 2 and f'{f}: {expected}' in line, line
    assert not (tmp_path / 'o').exists()


@pytest.mark.parametrize('flag', ['--config', '--synth-config'])
def test_missing_config_file_names_the_flag(capsys, tmp_path, flag):
    rc, _, err = _cli(capsys, 'train', '--data', 'synthfacs', '--out', str(tmp_path / 'o'), flag, str(tmp_path / 'nope.json'))
    assert rc == 2 and _one_error_line(err) == f"emoxnet train: error: {flag} {tmp_path / 'nope.json'}: no such file"


def test_unknown_data_name_lists_the_names(capsys, tmp_path):
    rc, _, err = _cli(capsys, 'train', '--data', 'nosuchname', '--out', str(tmp_path / 'o'))
    line = _one_error_line(err)
    assert rc == 2 and '--data nosuchname: no such file or folder, and not a dataset name; names: toy, synthfacs, fer2013, ferplus' in line, line
    assert 'pass --format' not in line


def test_unknown_benchmark_fails_before_anything_is_printed(capsys):
    rc, so, err = _cli(capsys, 'bench', 'foo')
    assert rc == 2 and so == '' and "unknown benchmark 'foo'; available: data, e2e, faces, models, synth, video" in _one_error_line(err, 'bench')


def _train_until(cmd: list[str], ready, timeout: float = 240) -> subprocess.CompletedProcess:
    "Start `cmd`, wait until `ready(process)`, press Ctrl-C (SIGINT); the finished process with its output."
    # the child gets Ctrl-C's default action even when this test runs as a background job, which starts with SIGINT ignored
    # (and Python keeps an inherited 'ignore': the run would never see the Ctrl-C)
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env={**os.environ, 'OMP_NUM_THREADS': '1', 'PYTHONUNBUFFERED': '1'},
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    t0 = time.time()
    try:
        while not ready(p):
            assert p.poll() is None and time.time() - t0 < timeout, 'the run ended before it could be interrupted'
            time.sleep(0.2)
        time.sleep(1.0)
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=120)
    finally:
        if p.poll() is None: p.kill()
    return subprocess.CompletedProcess(cmd, p.returncode, out, err)


def test_ctrl_c_prints_one_line_and_how_to_resume(emoxnet_cmd, tmp_path):
    out = tmp_path / 'run'
    cmd = [*emoxnet_cmd, 'train', *TOY, '--batch-size', '16', '--epochs', '2000', '--checkpoint-every', '3', '--out', str(out)]
    r = _train_until(cmd, lambda p: (out / 'last' / 'state.json').exists())
    assert r.returncode == 130, r.stderr[-2000:]
    assert 'Traceback' not in r.stderr, r.stderr[-2000:]
    last = r.stderr.strip().splitlines()[-1]
    assert last.startswith(f'emoxnet train: interrupted; the last checkpoint is in {out / "last"} (step ') and \
        last.endswith('rerun the same command with --resume to continue'), last
    # the same command without --resume would start again and lose the checkpoint: refused, nothing touched
    before = (out / 'last' / 'state.json').read_bytes()
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert r.returncode == 2 and f'--out {out} holds an interrupted run (last checkpoint at step ' in r.stderr, r.stderr
    assert 'pass --resume to continue it' in r.stderr and (out / 'last' / 'state.json').read_bytes() == before
    # resuming says so on stdout even with --no-progress (read as it comes: the resume line, then interrupt again)
    lines = []
    r = _train_until([*cmd, '--resume'], lambda p: lines.append(p.stdout.readline()) or 'resuming from' in lines[-1])
    assert r.returncode == 130 and lines[-1].startswith(f'resuming from {out / "last"} at step '), (lines, r.stderr[-2000:])


def test_empty_splits_count_as_none(capsys, tmp_path):
    "A FER2013 CSV with only Training rows loads empty valid and test splits: training carves its validation split from train and skips the test."
    rows = [f"{i % 7},{' '.join(str((i * 37 + k) % 256) for k in range(48 * 48))},Training" for i in range(28)]
    (tmp_path / 'fer2013.csv').write_text('emotion,pixels,Usage\n' + '\n'.join(rows) + '\n')
    out = tmp_path / 'run'
    rc, so, err = _cli(capsys, 'train', '--data', str(tmp_path), '--format', 'fer2013', '--arch', 'test_convnext', '--size', '32',
                       '--batch-size', '8', '--epochs', '1', '--no-progress', '--out', str(out))
    assert rc == 0 and 'Traceback' not in err, err
    assert 'valid accuracy' in so.strip().splitlines()[-1] and 'test accuracy' not in so, so


def test_dataset_without_splits_and_loader_flags(capsys, tmp_path):
    "CFEE ships one split ('all'): train holds whole subjects out as test and says so; the loaders' flags are train's too, checked per format."
    from emoxnet.data.export import export_all
    from emoxnet.data.synthetic import SynthConfig
    export_all(tmp_path / 'sf', 'cfee', compound=SynthConfig.compound(n_subjects=6), log=None)
    rc, so, err = _cli(capsys, 'train', '--data', str(tmp_path / 'sf' / 'cfee'), '--format', 'cfee', '--subset', 'basic', '--arch', 'test_convnext',
                       '--size', '32', '--batch-size', '8', '--epochs', '1', '--no-progress', '--out', str(tmp_path / 'run'))
    assert rc == 0 and 'Traceback' not in err, err
    assert "no train/test division (one split, 'all')" in so and 'held out as test (whole subjects, 20 %, seed 0)' in so, so
    assert 'test accuracy' in so.strip().splitlines()[-1], so
    cfg = __import__('json').loads((tmp_path / 'run' / 'metrics.json').read_text())['data']
    assert set(cfg['classes']) <= {'happiness', 'sadness', 'fearful', 'fear', 'anger', 'surprise', 'disgust'}, cfg   # --subset basic reached the loader
    rc, so, err = _cli(capsys, 'train', '--data', str(tmp_path / 'sf' / 'cfee'), '--format', 'cfee', '--images', 'aligned', '--arch', 'test_convnext', '--out', str(tmp_path / 'r2'))
    assert rc == 2 and '--images does not apply to --format cfee' in _one_error_line(err)


def test_experiment_without_test_split(tmp_path):
    "The ensemble and distillation experiment on a FER2013 CSV without PrivateTest rows: the empty test split counts as none, reports use valid."
    from emoxnet.distill import run_experiment, smoke
    rows = [f"{i % 7},{' '.join(str((i * 37 + k) % 256) for k in range(48 * 48))},{'Training' if i < 70 else 'PublicTest'}" for i in range(84)]
    (tmp_path / 'fer2013.csv').write_text('emotion,pixels,Usage\n' + '\n'.join(rows) + '\n')
    mm = run_experiment(smoke(out_dir=str(tmp_path / 'run'), data=str(tmp_path), data_format='fer2013', max_items=None, variants=('kd',)),
                        log=lambda *a: None)
    assert mm['split_reported'] == 'valid' and mm['data']['sizes'] == {'train': 70, 'valid': 14}, (mm['split_reported'], mm['data'])
    assert mm['reports']['ensemble'].get('test') is None


def test_ferplus_multi_target_training_reads_its_rows(capsys, tmp_path):
    "`emoxnet train --format ferplus --label-mode multi` trains on FER+'s multi_target rows: [3,3,2,2] is one (crossentropy, the default FER+ mode, drops it: 4 columns tie); an explicit --ferplus-mode still wins."
    use, votes = ['Training', 'Training', 'PublicTest', 'PrivateTest'], ['10,0,0,0,0,0,0,0,0,0', '3,3,2,2,0,0,0,0,0,0', '0,10,0,0,0,0,0,0,0,0', '0,0,10,0,0,0,0,0,0,0']
    (tmp_path / 'fer2013.csv').write_text('emotion,pixels,Usage\n' + ''.join(f"0,{' '.join(['9'] * 2304)},{u}\n" for u in use))
    (tmp_path / 'fer2013new.csv').write_text('Usage,Image name,neutral,happiness,surprise,sadness,anger,disgust,fear,contempt,unknown,NF\n'
                                             + ''.join(f'{u},fer{i:07d}.png,{v}\n' for i, (u, v) in enumerate(zip(use, votes))))
    common = ['train', '--data', str(tmp_path), '--format', 'ferplus', '--arch', 'test_convnext', '--size', '32', '--epochs', '1', '--no-progress']
    for extra, n_train in (([], 2), (['--ferplus-mode', 'crossentropy'], 1)):
        out = tmp_path / f'run{n_train}'
        rc, so, err = _cli(capsys, *common, '--label-mode', 'multi', *extra, '--out', str(out))
        assert rc == 0, err
        assert json.loads((out / 'metrics.json').read_text())['data']['sizes']['train'] == n_train, extra


def test_a_run_stopped_while_writing_its_results_is_kept(capsys, tmp_path):
    "Ctrl-C (or a kill) after the last epoch, while the test split is evaluated or the results written, leaves a finished resume state and no metrics.json: the same command without --resume started a new run over it (the whole training lost) and Ctrl-C said no resume state was saved."
    from emoxnet.train import _interrupted
    out = tmp_path / 'run'
    assert _cli(capsys, 'train', *TOY, '--epochs', '1', '--out', str(out))[0] == 0
    for f in ('metrics.json', 'history.json', 'confusion.png', 'curves.png'): (out / f).unlink()
    state = (out / 'last' / 'state.json').read_bytes()
    assert str(_interrupted(out)) == (f"training had finished ({out / 'last'}: step 4, end of epoch 1) but not every result was written; "
                                      "rerun the same command with --resume to evaluate it and write them")
    assert str(_interrupted(out, since=time.time() + 60)).startswith('no resume state was saved yet')   # a state older than the command: another run's
    rc, _, err = _cli(capsys, 'train', *TOY, '--epochs', '1', '--max-steps', '1', '--out', str(out))
    line = _one_error_line(err)
    assert rc == 2 and f'--out {out} holds a run whose training finished (step 4, end of epoch 1) but whose results were never written: pass --resume' in line, line
    assert (out / 'last' / 'state.json').read_bytes() == state
    rc, so, _ = _cli(capsys, 'train', *TOY, '--epochs', '1', '--out', str(out), '--resume')
    assert rc == 0 and 'stopped: all 1 epoch done (4 steps)' in so and (out / 'metrics.json').is_file(), so


def test_a_flag_overrides_a_wrong_value_of_the_config_file(capsys, tmp_path):
    "Flags override --config: a file value a flag replaces is not checked against its range (its type still is)."
    f = tmp_path / 'c.json'; f.write_text('{"epochs": 0, "class_weights": "inverse"}')
    rc, so, err = _cli(capsys, 'train', *TOY, '--config', str(f), '--epochs', '1', '--class-weights', 'none', '--max-steps', '1', '--out', str(tmp_path / 'o'))
    assert rc == 0 and 'stopped: max_steps reached at step 1' in so, err


def test_metrics_say_which_data(capsys, tmp_path):
    "metrics.json's data record names the data by content (the splits' md5, as the resume state checks it): 'synthfacs' from two --synth-config files was recorded alike (name, classes, sizes)."
    from emoxnet.data.core import split_md5
    from emoxnet.train import toy_splits
    assert _cli(capsys, 'train', *TOY, '--epochs', '1', '--max-steps', '1', '--out', str(tmp_path / 'o'))[0] == 0
    m = json.loads((tmp_path / 'o' / 'metrics.json').read_text())
    assert m['data']['md5'] == {k: split_md5(ds, relative=True) for k, ds in toy_splits(seed=0).items()}, m['data']


def test_resume_with_nothing_to_resume_says_so(capsys, tmp_path):
    "--resume where there is no resume state (a mistyped --out) starts from scratch and says so, with --no-progress too (it said nothing; 'resuming from' is always printed)."
    rc, so, _ = _cli(capsys, 'train', *TOY, '--epochs', '1', '--max-steps', '1', '--resume', '--out', str(tmp_path / 'typo'))
    assert rc == 0 and so.startswith(f"nothing to resume in {tmp_path / 'typo'}; starting from scratch"), so


def test_resume_refuses_a_finished_run_without_its_resume_state(capsys, tmp_path):
    "--resume on a finished run with no last/ (--no-save-last, or last/ deleted) said 'nothing to resume; starting from scratch' and replaced the finished run with a new one: refused, nothing changed."
    out = tmp_path / 'done'
    assert _cli(capsys, 'train', *TOY, '--epochs', '1', '--max-steps', '2', '--no-save-last', '--out', str(out))[0] == 0
    before = (out / 'metrics.json').read_bytes()
    rc, so, err = _cli(capsys, 'train', *TOY, '--epochs', '1', '--max-steps', '1', '--lr', '0.01', '--resume', '--out', str(out))
    assert rc == 2 and 'holds a finished run' in _one_error_line(err) and 'no resume state (last/) to continue from' in err, (so, err)
    assert (out / 'metrics.json').read_bytes() == before and not (out / 'last').exists()


def test_overwrite_without_save_last_drops_the_old_resume_state(capsys, tmp_path):
    "--overwrite --no-save-last over an interrupted run left that run's last/ beside the new results: the folder was then called 'an interrupted run' and --resume would have continued the old run over the new checkpoint and metrics."
    out = tmp_path / 'run'
    assert _cli(capsys, 'train', *TOY, '--epochs', '1', '--out', str(out))[0] == 0
    st = json.loads((out / 'last' / 'state.json').read_text()); st['finished'] = False   # as a run stopped by Ctrl-C leaves it
    (out / 'last' / 'state.json').write_text(json.dumps(st))
    rc, so, _ = _cli(capsys, 'train', *TOY, '--epochs', '1', '--max-steps', '1', '--out', str(out), '--overwrite', '--no-save-last')
    assert rc == 0 and not (out / 'last').exists(), so
    rc, _, err = _cli(capsys, 'train', *TOY, '--epochs', '1', '--out', str(out))
    assert rc == 2 and f'--out {out} holds a finished run (stopped: max_steps reached at step 1' in _one_error_line(err), err


@pytest.mark.parametrize('name', ['model.safetensors', 'optimizer.pt', 'rng.safetensors', 'best.safetensors'])
def test_a_cut_resume_state_file_is_named(capsys, tmp_path, name):
    "A resume state whose file is cut (a partial copy of the run folder, a failing disk) died with a raw SafetensorError / torch RuntimeError traceback on --resume."
    out = tmp_path / 'run'
    steps = '5' if name == 'best.safetensors' else '1'   # max_steps: a resumable state in last/; after a whole epoch (4 steps) it holds the best weights too
    assert _cli(capsys, 'train', *TOY, '--epochs', '3', '--max-steps', steps, '--out', str(out))[0] == 0
    f = out / 'last' / name; assert f.exists(), sorted(p.name for p in f.parent.iterdir())
    whole = f.read_bytes(); f.write_bytes(whole[:50])
    rc, _, err = _cli(capsys, 'train', *TOY, '--epochs', '3', '--resume', '--out', str(out))
    assert rc == 2 and f'{f}: not the file this resume state was saved with (sha256 ' in _one_error_line(err), err   # its hash, recorded in state.json
    st = json.loads((out / 'last' / 'state.json').read_text()); del st['sha256']; (out / 'last' / 'state.json').write_text(json.dumps(st))   # a state saved before the hashes
    rc, _, err = _cli(capsys, 'train', *TOY, '--epochs', '3', '--resume', '--out', str(out))
    assert rc == 2 and f'{f}: cannot read this part of the resume state (' in _one_error_line(err), err
    if name == 'model.safetensors':   # one flipped byte in a weight: it loads, and would have been trained on
        b = bytearray(whole); b[-3] ^= 0x01; f.write_bytes(bytes(b)); st['sha256'] = {name: hashlib.sha256(whole).hexdigest()}; (out / 'last' / 'state.json').write_text(json.dumps(st))
        rc, _, err = _cli(capsys, 'train', *TOY, '--epochs', '3', '--resume', '--out', str(out))
        assert rc == 2 and f'{f}: not the file this resume state was saved with' in _one_error_line(err), err


def test_a_missing_best_weights_file_or_an_edited_position_is_refused(capsys, tmp_path):
    "A resume state without best.safetensors resumed without a word and ended on its last weights (best_epoch 3, not 1); a hand-edited step resumed, shifted the schedule and ended at step 21 of 3 epochs of 8."
    out = tmp_path / 'run'
    assert _cli(capsys, 'train', *TOY, '--epochs', '3', '--max-steps', '5', '--out', str(out))[0] == 0   # 4 steps an epoch: best.safetensors saved
    (out / 'last' / 'best.safetensors').rename(tmp_path / 'best')
    rc, _, err = _cli(capsys, 'train', *TOY, '--epochs', '3', '--resume', '--out', str(out))
    assert rc == 2 and f"{out / 'last' / 'best.safetensors'}: missing from the resume state (its state.json records it)" in _one_error_line(err), err
    (tmp_path / 'best').rename(out / 'last' / 'best.safetensors')
    f = out / 'last' / 'state.json'; st = json.loads(f.read_text()); assert (st['step'], st['epoch'], st['batch_in_epoch']) == (5, 1, 1), st
    f.write_text(json.dumps({**st, 'step': 3}))
    rc, _, err = _cli(capsys, 'train', *TOY, '--epochs', '3', '--resume', '--out', str(out))
    assert rc == 2 and f"{f}: step 3, epoch 1 and batch 1 do not add up for epochs of 4 steps" in _one_error_line(err), err
    f.write_text(json.dumps(st))
    assert _cli(capsys, 'train', *TOY, '--epochs', '3', '--resume', '--out', str(out))[0] == 0   # the state as saved resumes


def test_a_resume_on_another_thread_count_is_said(capsys, tmp_path):
    "Float sums depend on the thread count: a run resumed with other threads is not bit-identical to an uninterrupted one; it was resumed without a word and recorded one thread count."
    import torch
    n0, out = torch.get_num_threads(), tmp_path / 'run'
    try:
        assert _cli(capsys, 'train', *TOY, '--epochs', '2', '--max-steps', '1', '--threads', '1', '--out', str(out))[0] == 0
        rc, _, err = _cli(capsys, 'train', *TOY, '--epochs', '2', '--threads', '2', '--resume', '--out', str(out))
        assert rc == 0 and 'resumed on cpu with 2 torch threads, the run so far ran on cpu with 1' in err, err
        assert [e['torch_threads'] for e in json.loads((out / 'metrics.json').read_text())['executions']] == [1, 2]
    finally: torch.set_num_threads(n0)

def test_a_run_records_how_its_data_were_read_and_what_was_left_out(tmp_path):
    "A run recorded no data path, loader or options, and --skip-bad left rows out in silence (a tester's findings)."
    import json, os, subprocess, sys
    env = {**os.environ, 'OMP_NUM_THREADS': '1'}
    cli = [sys.executable, '-m', 'emoxnet.cli']
    subprocess.run(cli + ['synth', '--out', str(tmp_path / 's'), '--n-subjects', '12', '--images-per-subject', '8', '--export', 'fer2013'], check=True, capture_output=True, env=env)
    csv = tmp_path / 's' / 'fer2013' / 'fer2013.csv'
    with open(csv, 'a') as f: f.write('9,1 2 3,Training\n')   # one label out of range
    r = subprocess.run(cli + ['train', '--data', str(csv), '--format', 'fer2013', '--skip-bad', '--epochs', '1', '--batch-size', '8', '--arch', 'resnet10t',
                              '--out', str(tmp_path / 'run')], capture_output=True, text=True, env=env)
    assert r.returncode == 0 and 'left out 1 (label out of range)' in r.stdout + r.stderr, r.stderr[-1500:]
    data = json.loads((tmp_path / 'run' / 'metrics.json').read_text())['data']
    assert data['source'] == {'data': str(csv), 'format': 'fer2013', 'options': {'skip_bad': True}, 'synthfacs_export': str(tmp_path / 's')} and data['skipped'] == {'label out of range': 1}   # a SynthFACS export: recorded (the demo warns it never saw a photograph)


def test_resume_with_overwrite_and_amp_on_the_cpu_are_said(capsys, tmp_path):
    "`--resume --overwrite` was read as --resume (the --overwrite dropped unsaid): refused before anything is read. `--amp bf16` on the CPU trains in fp32: said, not only recorded."
    rc, out, err = _cli(capsys, 'train', *TOY, '--resume', '--overwrite', '--out', str(tmp_path / 'o'))
    assert rc == 2 and '--resume continues the run in --out, --overwrite starts it again: pass one of them' in err and not (tmp_path / 'o').exists(), err
    rc, out, err = _cli(capsys, 'train', *TOY, '--device', 'cpu', '--amp', 'bf16', '--epochs', '1', '--max-steps', '1', '--out', str(tmp_path / 'a'))
    assert rc == 0 and "amp='bf16': mixed precision is a GPU setting; on the CPU this run trains in fp32" in err, err


def test_a_warm_up_longer_than_the_run_is_said(capsys, tmp_path):
    "--warmup-epochs 5 --epochs 1 was accepted in silence: the learning rate then rises through the whole run and reaches --lr only at the last step (a tester's finding)."
    rc, _, err = _cli(capsys, 'train', *TOY, '--epochs', '1', '--max-steps', '1', '--warmup-epochs', '5', '--out', str(tmp_path / 'w'))
    assert rc == 0 and 'warmup_epochs=5 > epochs=1: the warm-up is cut to the run' in err, err
    rc, _, err = _cli(capsys, 'train', *TOY, '--epochs', '1', '--max-steps', '1', '--out', str(tmp_path / 'd'))   # the default warm-up (1 epoch) of a 1-epoch run: nothing said
    assert rc == 0 and 'warm-up is cut' not in err, err
