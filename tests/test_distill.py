"""Distillation with mixup (`ExperimentConfig.kd_mixup`): the student runs are started with `resume=True`, so a run
interrupted and resumed must mix exactly as an uninterrupted one, with the online teacher seeing the same mixed batches."""
import json
import pytest
import torch

from emoxnet.distill import KDLoss
from emoxnet.models import ModelConfig
from emoxnet.train import MixUp, TrainConfig, fit, toy_splits
from test_resume import Crash, CrashAt   # the resume tests' simulated crash (pytest puts tests/ on sys.path)

torch.set_num_threads(1)

DATA = toy_splits(n_train=96, n_valid=32, n_test=32, size=32, seed=1)
STUDENT = ModelConfig('test_convnext', DATA.classes, in_chans=1, input_size=32, drop_rate=0.3)   # dropout: the global RNG matters too
CFG = dict(epochs=2, batch_size=16, lr=3e-3, warmup_epochs=0.5, checkpoint_every=4, progress=False, seed=3)


@pytest.fixture(scope='module')
def teacher():
    return fit(ModelConfig('test_resnet', DATA.classes, 1, 32), DATA,
               TrainConfig(epochs=1, batch_size=16, max_steps=3, progress=False, save_last=False))['model']


def _kd(teacher):
    return KDLoss(teacher, alpha=0.7, temperature=4, smoothing=0.1, teacher_mode='online')


def test_kd_mixup_resume_matches_uninterrupted(teacher, tmp_path):
    ref = fit(STUDENT, DATA, TrainConfig(**CFG), tmp_path / 'ref', loss=_kd(teacher), callbacks=[MixUp(0.4)])
    with pytest.raises(Crash):
        fit(STUDENT, DATA, TrainConfig(**CFG), tmp_path / 'run', loss=_kd(teacher), callbacks=[MixUp(0.4), CrashAt(5)])
    res = fit(STUDENT, DATA, TrainConfig(**CFG), tmp_path / 'run', loss=_kd(teacher), callbacks=[MixUp(0.4)], resume=True)
    wa, wb = ref['model'].state_dict(), res['model'].state_dict()
    for k in wa: assert torch.equal(wa[k], wb[k]), k
    assert ref['test'] == res['test']


def test_mixup_changes_the_run(teacher):
    "The same seed with and without mixup must not train the same weights (the callback is not a no-op)."
    few = TrainConfig(**{**CFG, 'epochs': 1, 'checkpoint_every': None})
    a = fit(STUDENT, DATA, few, loss=_kd(teacher))
    b = fit(STUDENT, DATA, few, loss=_kd(teacher), callbacks=[MixUp(0.4)])
    assert not all(torch.equal(x, y) for x, y in zip(a['model'].state_dict().values(), b['model'].state_dict().values()))


def test_a_teacher_listing_the_classes_in_another_order_is_read_in_the_datas(tmp_path):
    "A built ensemble (a zoo one's FER2013 order) whose classes are the data's in another order teaches the students in the data's order: their classes, the run's record and a later evaluation of a student on the same data agree (no 'another split' note)."
    from emoxnet.distill import ExperimentConfig, run_experiment, smoke
    from emoxnet.ensemble import build_ensemble
    from emoxnet.models import create_model, save_checkpoint
    from emoxnet.score import evaluate_checkpoint
    data_classes = toy_splits().classes
    torch.manual_seed(0)
    for arch in ('test_resnet', 'test_convnext'):
        save_checkpoint(create_model(ModelConfig(arch, data_classes[::-1], 1, 32)), None, tmp_path / arch)
    build_ensemble([tmp_path / 'test_resnet', tmp_path / 'test_convnext'], tmp_path / 'ens')
    said = []
    m = run_experiment(smoke(ExperimentConfig(data='toy'), out_dir=str(tmp_path / 'run'), ensemble_dir=str(tmp_path / 'ens')), log=said.append, plots=False)
    assert m['data']['classes'] == list(data_classes) and any('read in the data\'s order' in s for s in said), said
    student = tmp_path / 'run' / 'students' / 'kd' / 'checkpoint'
    assert tuple(json.loads((student / 'config.json').read_text())['classes']) == tuple(data_classes)
    assert not evaluate_checkpoint(student, data='toy', split='test').get('notes')
