"""Resume: a run interrupted (crash or max_steps) and resumed from out/last/ ends with the same weights,
history and metrics as an uninterrupted run (deterministic CPU, num_workers=0; on a GPU, tests/test_gpu.py). DataLoader
workers change nothing in the weights (`TrainConfig.RESULT_FREE`)."""
import pytest
import torch

from emoxnet.core import load_json
from emoxnet.models import ModelConfig, load_checkpoint
from emoxnet.train import Callback, TrainConfig, fit, toy_splits

torch.set_num_threads(1)

# 96 train images, batch 16: 6 steps per epoch, 2 epochs = 12 steps; resume state every 4 steps and at epoch ends.
DATA = toy_splits(n_train=96, n_valid=32, n_test=32, size=32, seed=1)
MODEL = ModelConfig('test_convnext', DATA.classes, in_chans=1, input_size=32, drop_rate=0.3)  # dropout: global RNG matters
CFG = dict(epochs=2, batch_size=16, lr=3e-3, warmup_epochs=0.5, checkpoint_every=4, progress=False, augment=True, seed=3)


class Crash(Exception):
    pass


class CrashAt:
    "Simulate a crash (power cut, OOM kill) right after optimizer step `step`."
    def __init__(self, step): self.step = step
    def on_step_end(self, state):
        if state.step == self.step: raise Crash(f'simulated crash at step {state.step}')


class CrashAfterBatch(Callback):
    "The same crash written as a `Callback`: `after_batch` runs after the step's resume state was saved."
    def __init__(self, step): self.step = step
    def after_batch(self):
        if self.state.step == self.step: raise Crash(f'simulated crash at step {self.state.step}')


def _strip(history):
    return [{k: v for k, v in row.items() if k != 'time_s'} for row in history]


def _same_run(a: dict, b: dict):
    wa, wb = a['model'].state_dict(), b['model'].state_dict()
    assert wa.keys() == wb.keys()
    for k in wa: assert torch.equal(wa[k].cpu(), wb[k].cpu()), k
    assert _strip(a['history']) == _strip(b['history'])
    assert a['test'] == b['test'] and a['valid'] == b['valid']
    assert (a['steps'], a['epochs'], a['best_epoch']) == (b['steps'], b['epochs'], b['best_epoch'])


@pytest.fixture(scope='module')
def reference(tmp_path_factory):
    return fit(MODEL, DATA, TrainConfig(**CFG), tmp_path_factory.mktemp('ref'))


@pytest.mark.parametrize('crash_step', [5, 7, 11])  # mid-epoch after a step checkpoint; just after an epoch end; epoch 2
def test_resume_after_crash_matches_uninterrupted(reference, tmp_path, crash_step):
    with pytest.raises(Crash):
        fit(MODEL, DATA, TrainConfig(**CFG), tmp_path, callbacks=[CrashAt(crash_step)])
    assert (tmp_path / 'last' / 'state.json').exists() and not (tmp_path / 'metrics.json').exists()
    saved = load_json(tmp_path / 'last' / 'state.json')['step']
    assert saved == {5: 4, 7: 6, 11: 8}[crash_step]
    resumed = fit(MODEL, DATA, TrainConfig(**CFG), tmp_path, resume=True)
    _same_run(reference, resumed)
    m = load_json(tmp_path / 'metrics.json')
    assert m['test']['n'] == len(DATA['test']) and m['steps'] == 12
    model, cfg, info = load_checkpoint(tmp_path / 'checkpoint')
    for k, v in model.state_dict().items(): assert torch.equal(v, reference['model'].state_dict()[k].cpu()), k


def test_resume_after_crash_in_a_callback_class(reference, tmp_path):
    with pytest.raises(Crash):
        fit(MODEL, DATA, TrainConfig(**CFG), tmp_path, callbacks=[CrashAfterBatch(8)])
    assert load_json(tmp_path / 'last' / 'state.json')['step'] == 8   # saved at step 8 (checkpoint_every 4) before the crash
    _same_run(reference, fit(MODEL, DATA, TrainConfig(**CFG), tmp_path, resume=True))


def test_resume_after_max_steps(reference, tmp_path):
    part = fit(MODEL, DATA, TrainConfig(**{**CFG, 'max_steps': 5}), tmp_path)
    assert part['stop_reason'] == 'max_steps' and part['steps'] == 5 and part['history'][-1]['partial']
    resumed = fit(MODEL, DATA, TrainConfig(**CFG), tmp_path, resume=True)   # max_steps may change on resume
    _same_run(reference, resumed)


def test_wall_time_counts_every_process(tmp_path):
    "A resumed run's metrics.json gives the run's whole wall time: the earlier process's, saved in the resume state, and this one's."
    part = fit(MODEL, DATA, TrainConfig(**{**CFG, 'max_steps': 5}), tmp_path)
    saved = load_json(tmp_path / 'last' / 'state.json')['elapsed_s']
    assert 0 < saved <= part['wall_time_s']   # saved when it stopped, before the report
    st = load_json(tmp_path / 'last' / 'state.json'); st['elapsed_s'] = 1000.0   # as if the first process had trained for 1000 s
    (tmp_path / 'last' / 'state.json').write_text(__import__('json').dumps(st))
    resumed = fit(MODEL, DATA, TrainConfig(**CFG), tmp_path, resume=True)
    assert 1000 < resumed['wall_time_s'] < 1000 + 600 and load_json(tmp_path / 'metrics.json')['wall_time_s'] == resumed['wall_time_s']


def test_resume_of_finished_run_only_reevaluates(reference, tmp_path):
    fit(MODEL, DATA, TrainConfig(**CFG), tmp_path)
    again = fit(MODEL, DATA, TrainConfig(**CFG), tmp_path, resume=True)
    _same_run(reference, again)


def test_resume_refuses_changed_settings(tmp_path):
    with pytest.raises(Crash):
        fit(MODEL, DATA, TrainConfig(**CFG), tmp_path, callbacks=[CrashAt(2)])
    with pytest.raises(Crash):  # nothing saved before step 4: resume starts from scratch and crashes again
        fit(MODEL, DATA, TrainConfig(**CFG), tmp_path, callbacks=[CrashAt(5)], resume=True)
    with pytest.raises(ValueError, match='lr'):
        fit(MODEL, DATA, TrainConfig(**{**CFG, 'lr': 1e-2}), tmp_path, resume=True)


def test_resume_refuses_other_data(tmp_path):
    "A run resumed on other data would mix two datasets in one model and one metrics.json: refused, naming the splits."
    with pytest.raises(Crash):
        fit(MODEL, DATA, TrainConfig(**CFG), tmp_path, callbacks=[CrashAt(5)])
    other = toy_splits(n_train=96, n_valid=32, n_test=32, size=32, seed=2)
    with pytest.raises(ValueError, match=r'started on other data \(the test, train, valid splits differ'):
        fit(MODEL, other, TrainConfig(**CFG), tmp_path, resume=True)
    fit(MODEL, DATA, TrainConfig(**CFG), tmp_path, resume=True)   # its own data: resumes
    with pytest.raises(ValueError, match='other data'):           # a finished run re-reported on other data: refused too
        fit(MODEL, other, TrainConfig(**CFG), tmp_path, resume=True)


def test_workers_leave_the_weights_unchanged(reference):
    "Augmentation is seeded per image and epoch, not per process: two worker processes train the same weights as none."
    _same_run(reference, fit(MODEL, DATA, TrainConfig(**{**CFG, 'num_workers': 2}), None))


def test_code_version_is_read_when_the_run_starts(tmp_path, monkeypatch):
    "A commit made while a run trains is not the code that trained it: metrics.json, the checkpoint and the resume state record the start's."
    import emoxnet.train as T
    learn = T.Learner(MODEL, DATA, TrainConfig(**{**CFG, 'max_steps': 3}), tmp_path)
    started = learn.state.code
    monkeypatch.setattr(T, 'code_version', lambda: 'a commit made during the run')
    r = learn.fit()
    assert r['code_version'] == started != 'a commit made during the run'
    assert load_json(tmp_path / 'metrics.json')['code_version'] == started
    assert load_json(tmp_path / 'checkpoint' / 'config.json')['code_version'] == started
    assert load_json(tmp_path / 'last' / 'state.json')['code_version'] == started


def test_a_resumed_run_records_every_code_that_trained_it(tmp_path, monkeypatch):
    "A run interrupted under one code version and resumed under another records both, in order (metrics.json, resume state); code_version is the resuming process's."
    import emoxnet.train as T
    monkeypatch.setattr(T, 'code_version', lambda: '0.1.0+aaaaaaa')
    fit(MODEL, DATA, TrainConfig(**{**CFG, 'max_steps': 2}), tmp_path)
    monkeypatch.setattr(T, 'code_version', lambda: '0.1.0+bbbbbbb')
    r = fit(MODEL, DATA, TrainConfig(**{**CFG, 'max_steps': 4}), tmp_path, resume=True)
    assert r['steps'] == 4
    assert r['code_version'] == '0.1.0+bbbbbbb'
    assert r['code_versions'] == ['0.1.0+aaaaaaa', '0.1.0+bbbbbbb']
    assert load_json(tmp_path / 'metrics.json')['code_versions'] == ['0.1.0+aaaaaaa', '0.1.0+bbbbbbb']
    assert load_json(tmp_path / 'last' / 'state.json')['code_versions'] == ['0.1.0+aaaaaaa', '0.1.0+bbbbbbb']


class Slow(Callback):
    "Each step takes `s` seconds longer."
    def __init__(self, s): self.s = s
    def after_batch(self):
        import time; time.sleep(self.s)


def test_a_resumed_epoch_counts_the_time_it_ran_before(tmp_path):
    "Stopped at step 4 (inside epoch 1, whose first steps took >= 0.9 s before the state was saved) and resumed: epoch 1's row counts those seconds too, not only its last 2 steps."
    fit(MODEL, DATA, TrainConfig(**{**CFG, 'max_steps': 4}), tmp_path, callbacks=[Slow(0.3)])
    before = load_json(tmp_path / 'last' / 'state.json')['epoch_elapsed_s']
    assert before >= 0.9
    r = fit(MODEL, DATA, TrainConfig(**CFG), tmp_path, resume=True)
    assert r['history'][0]['time_s'] >= before, r['history'][0]
