"""Continual learning of compound expressions (emoxnet.continual): the plug-ins behave as the method says, a step is an
ordinary Learner run, and a continual run resumes after its last finished step."""
import copy, json, math, os, re, subprocess, sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from emoxnet.continual import (CONTINUAL_BASIC, ContinualConfig, FeatureBank, PaddedKDLoss, Memory, METHODS, accuracy_matrix,
                               continual_summary, grow_head, kd_gamma, kd_term, learn_step, run_steps, score_step, split_at, top_of,
                               top_config, trunk_features, with_top)
from emoxnet.core import COMPOUND as COMPOUND_CLASSES
from emoxnet.models import ModelConfig, create_model, load_checkpoint
from emoxnet.train import Learner, TrainConfig, toy_splits
from conftest import notebook_parameters

CLASSES = CONTINUAL_BASIC + ('awed', 'hatred')
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope='module')
def bank():
    torch.manual_seed(0)
    data = toy_splits(168, 48, 48, classes=CLASSES, size=32)
    base = create_model(ModelConfig('resnet10t_nano', CONTINUAL_BASIC, 1, 32)).eval()
    return FeatureBank(base, data)


def test_gamma_schedule_matches_the_paper():
    # g_i = 0.1 exp(-i / (1 + e)): 0.100, 0.076, 0.058, ... 0.0023 at the 15th step
    assert [round(kd_gamma(i), 3) for i in range(3)] == [0.1, 0.076, 0.058]
    assert kd_gamma(14) == pytest.approx(0.1 * math.exp(-14 / (1 + math.e)))


def test_kd_pads_the_teacher_with_zero_logits():
    zs, zt = torch.randn(5, 8), torch.randn(5, 6)
    p = F.softmax(torch.cat([zt, torch.zeros(5, 2)], 1) / 3, 1)
    assert kd_term(zs, zt, 3.0) == pytest.approx(float(-(p * F.log_softmax(zs / 3, 1)).sum(1).mean()), rel=1e-5)
    with pytest.raises(ValueError, match='more than'): kd_term(torch.randn(2, 3), torch.randn(2, 4))


def test_kd_loss_does_not_train_the_teacher():
    teacher, student = nn.Linear(4, 3), nn.Linear(4, 4)
    before = copy.deepcopy(teacher.state_dict())
    x, y = torch.randn(16, 4), torch.randint(0, 4, (16,))
    loss, _ = PaddedKDLoss(teacher, 0.3)(student(x), y, {'x': x}, 0)
    loss.backward()
    assert student.weight.grad is not None and teacher.weight.grad is None
    assert all(torch.equal(v, teacher.state_dict()[k]) for k, v in before.items())


def test_memory_limit_mode_stays_balanced_and_keeps_the_top_ranked():
    mem = Memory.for_data(700, 7, 0.3, 'limit')           # M = 210
    for k, c in enumerate(CLASSES[:7]): mem.add(c, range(100 * k, 100 * k + 100))
    assert set(mem.sizes().values()) == {210 // 7}
    assert mem.rows['happiness'] == list(range(30))


def test_grown_head_keeps_old_rows_and_the_top_matches_the_full_model(bank):
    top = bank.fresh_top()
    w = top.get_classifier().weight.detach().clone()
    grow_head(top, 8)
    assert torch.equal(top.get_classifier().weight[:6].detach(), w)
    top.model_config = top_config(bank.base.model_config, CLASSES)
    full = with_top(bank.base, top)
    imgs = toy_splits(4, 0, 0, classes=CLASSES, size=32)['train']
    x = full.model_config.preprocess.batch([imgs.image(i) for i in range(4)])
    f = trunk_features(bank.base, imgs)
    with torch.no_grad(): assert torch.allclose(full(x), top(torch.from_numpy(f)), atol=1e-4)


def test_a_step_trains_only_the_top_and_ranks_the_new_class_into_memory(bank):
    cfg = ContinualConfig(arch='resnet10t_nano', input_size=32, step_epochs=1, progress=False)
    top = bank.fresh_top()
    mem = Memory.for_data(len(bank['train']), 8)
    for c in CONTINUAL_BASIC: mem.add(c, bank.rows_of('train', c))
    bn = lambda m: {f'{k}.{n}': t.detach().clone() for k, b in m.named_modules() if isinstance(b, torch.nn.modules.batchnorm._BatchNorm)
                    for n, t in b.state_dict().items()}   # batch norm: scale, shift, running statistics
    before = bn(top); assert before
    head = top.get_classifier().weight.detach().clone()
    learn_step(cfg, METHODS['psmr_kd'], bank, top, mem, 'awed', CONTINUAL_BASIC + ('awed',), 0, 0)
    assert top.get_classifier().out_features == 7
    assert all(torch.equal(v, bn(top)[n]) for n, v in before.items() if 'num_batches' not in n)   # frozen as the authors' Keras layers: nothing of it moved
    assert not torch.equal(head, top.get_classifier().weight[:6])                                  # while the rest trained
    assert len(mem.rows['awed']) == mem.quota and set(mem.rows['awed']) <= set(bank.rows_of('train', 'awed'))
    # the ranking is PSMR's: the kept images have the highest 'awed' logits among the class's training images
    rows = bank.rows_of('train', 'awed')
    with torch.no_grad(): z = top(torch.from_numpy(bank['train'].images[rows]))[:, 6].numpy()
    assert sorted(mem.rows['awed']) == sorted(rows[np.argsort(-z)[:mem.quota]])


@pytest.mark.parametrize('method', ['psmr_kd', 'ewc'])
def test_run_resumes_after_its_last_finished_step(bank, tmp_path, method):
    cfg = ContinualConfig(arch='resnet10t_nano', input_size=32, step_epochs=1, progress=False)
    order = ('awed', 'hatred')
    full = run_steps(cfg, method, bank, order, tmp_path / 'a', 0)
    # interrupted after step 1: only its checkpoint exists; the resumed run must finish exactly like the uninterrupted one
    one = run_steps(cfg, method, bank, order[:1], tmp_path / 'b', 0)
    model, mc, info = load_checkpoint(tmp_path / 'b' / 'checkpoint')
    info['extra']['continual']['order'] = list(order)
    p = tmp_path / 'b' / 'checkpoint' / 'config.json'; p.write_text(json.dumps(info))
    resumed = run_steps(cfg, method, bank, order, tmp_path / 'b', 0)
    assert [r['acc'] for r in resumed[:2]] == [r['acc'] for r in one]
    assert [r['acc'] for r in resumed] == pytest.approx([r['acc'] for r in full])
    assert len(continual_summary(resumed)) and accuracy_matrix(resumed).shape == (3, 3)


def test_resume_refuses_a_run_made_with_other_settings(bank, tmp_path):
    "A run folder holding steps of another configuration is refused, each change named, instead of returning its records as this one's."
    cfg = ContinualConfig(arch='resnet10t_nano', input_size=32, step_epochs=1, joint_epochs=1, progress=False)
    run = tmp_path / 'psmr_kd' / 'order0'
    first = run_steps(cfg, 'psmr_kd', bank, ('awed',), run, 0)
    for change, words in [(dict(memory_mode='limit'), "memory_mode 'grow' -> 'limit'"), (dict(step_epochs=2), 'step_epochs 1 -> 2'),
                          (dict(step_lr=0.01), 'step_lr 0.001 -> 0.01'), (dict(memory_fraction=0.5), 'memory_fraction 0.3 -> 0.5'), (dict(gamma0=0.2), 'gamma0 0.1 -> 0.2')]:
        with pytest.raises(ValueError, match=re.escape(f'order0: holds a run with other settings ({words})')): run_steps(replace(cfg, **change), 'psmr_kd', bank, ('awed',), run, 0)
    with pytest.raises(ValueError, match=re.escape('(seed 0 -> 1)')): run_steps(cfg, 'psmr_kd', bank, ('awed',), run, 1)
    assert [r['acc'] for r in run_steps(cfg, 'psmr_kd', bank, ('awed',), run, 0)] == [r['acc'] for r in first]   # the same settings: resumed
    run_steps(cfg, 'joint', bank, ('awed',), tmp_path / 'joint' / 'order0')
    with pytest.raises(ValueError, match=re.escape('joint_model: holds a run with other settings (joint_epochs 1 -> 3)')):
        run_steps(replace(cfg, joint_epochs=3), 'joint', bank, ('awed',), tmp_path / 'joint' / 'order0')


def test_a_base_listing_the_basic_classes_in_another_order_is_read_in_the_protocol_order():
    "The steps read the base's logits by position: a base whose head lists the six classes in another order is reordered; another class set is refused."
    torch.manual_seed(0)
    data = toy_splits(56, 16, 16, classes=CLASSES, size=32)
    base = create_model(ModelConfig('resnet10t_nano', CONTINUAL_BASIC, 1, 32)).eval()
    rev = copy.deepcopy(base); h = rev.get_classifier()
    with torch.no_grad(): h.weight.copy_(h.weight.flip(0)); h.bias.copy_(h.bias.flip(0))
    rev.model_config = replace(base.model_config, classes=tuple(reversed(CONTINUAL_BASIC)))   # the same model, its classes listed reversed
    a, b = FeatureBank(base, data), FeatureBank(rev, data)
    sa, sb = (score_step(x.top, x['test'], CONTINUAL_BASIC) for x in (a, b))
    assert sa['confusion'] == sb['confusion'] and a.fingerprint == b.fingerprint
    with pytest.raises(ValueError, match=re.escape("(missing: ['disgust']; not basic: none)")):
        FeatureBank(create_model(ModelConfig('resnet10t_nano', CONTINUAL_BASIC[:5], 1, 32)), data)


def test_ewc_step_penalises_moving_away_from_the_last_weights(bank):
    "EWC: the penalty is zero at the anchor, the step's loss carries it, and the state is re-anchored after the step."
    from emoxnet.continual import EWCLoss, ewc_penalty, init_ewc
    cfg = ContinualConfig(arch='resnet10t_nano', input_size=32, step_epochs=1, progress=False)
    top, mem = bank.fresh_top(), Memory.for_data(len(bank['train']), 8)
    ewc = init_ewc(cfg, METHODS['ewc'], bank, top)
    assert ewc.n_classes == 6 and float(ewc_penalty(top, ewc).detach()) == 0.0
    assert max(float(f.max()) for f in ewc.fisher.values()) <= cfg.ewc_fisher_max and any(float(f.sum()) > 0 for f in ewc.fisher.values())
    learn_step(cfg, METHODS['ewc'], bank, top, mem, 'awed', CONTINUAL_BASIC + ('awed',), 0, 0, ewc)
    assert ewc.n_classes == 7 and ewc.fisher[next(n for n in ewc.fisher if n.startswith('fc'))].shape[0] == 7
    assert float(ewc_penalty(top, ewc).detach()) == 0.0                                          # re-anchored at the trained weights
    assert not mem.rows                                                                  # no replay


def test_psmr_and_kd_follow_the_method_text(bank):
    """The audit of issue 9 as tests: basic exemplars = the basic model's highest true-class logits, m = floor(0.3 N / classes);
    the step-i loss = frozen basic teacher, zero-padded, weight g_i, T = 3."""
    from emoxnet.continual import _step_loss, init_memory, kd_term
    cfg = ContinualConfig(arch='resnet10t_nano', input_size=32, progress=False)
    mem = init_memory(cfg, METHODS['psmr_kd'], bank, 8, 0)
    assert mem.quota == int(0.3 * len(bank['train'])) // 8
    for c, name in enumerate(CONTINUAL_BASIC):
        rows = bank.rows_of('train', name)
        with torch.no_grad(): z = bank.top(torch.from_numpy(bank['train'].images[rows]))[:, c].numpy()
        assert mem.rows[name] == [int(r) for r in rows[np.argsort(-z, kind='stable')[:mem.quota]]]
    for i in (0, 4):
        loss = _step_loss(cfg, METHODS['psmr_kd'], bank, bank.fresh_top(), i)
        assert loss.gamma == pytest.approx(kd_gamma(i)) and loss.T == 3.0
        x = torch.from_numpy(bank['train'].images[:5]); zs = torch.randn(5, 6 + i + 1); y = torch.zeros(5, dtype=torch.long)
        with torch.no_grad(): zt = bank.top(x)
        total, logs = loss(zs, y, {'x': x}, 0)
        assert float(logs['kd']) == pytest.approx(float(kd_term(zs, zt, 3.0)), rel=1e-5)
        assert float(total) == pytest.approx(float((1 - kd_gamma(i)) * F.cross_entropy(zs, y) + kd_gamma(i) * logs['kd']), rel=1e-5)




def test_experiment_defaults_are_the_library_defaults():
    p, c = notebook_parameters('continual.ipynb'), ContinualConfig()
    for k in ('arch', 'memory_mode', 'step_select', 'orders', 'draws', 'base_epochs', 'step_epochs', 'seed'): assert p[k] == getattr(c, k), k
    assert tuple(p['shots']) == c.shots and p['methods'] is None and p['data'] == 'synthfacs'


def test_experiment_smoke_writes_metrics(tmp_path):
    out = tmp_path / 'run'
    cmd = [str(Path(sys.executable).parent / 'papermill'), str(ROOT / 'nbs' / 'continual.ipynb'), str(tmp_path / 'c.ipynb'),
           '-p', 'smoke', 'True', '-p', 'out_dir', str(out), '-p', 'seed', '2']
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=tmp_path, env={**os.environ, 'OMP_NUM_THREADS': '1'})
    assert r.returncode == 0, r.stderr[-3000:]
    m = json.loads((out / 'metrics.json').read_text())
    for k in ('config', 'seed', 'code_version', 'git_rev', 'data', 'orders', 'summary', 'few_shot', 'gradcam', 'records'): assert k in m, k
    assert m['seed'] == 2 and m['data']['fingerprint']['test'] and len(m['orders']) == 2
    assert {r['method'] for r in m['summary']} == {METHODS[k].label for k in ('psmr_kd', 'finetune', 'joint')}
    assert {str(r['images per class']) for r in m['few_shot']} == {'1', 'all'}
    for f in ('accuracy_vs_step.png', 'forgetting_per_class.png', 'summary.md', 'few_shot.md', 'gradcam.md'): assert (out / f).exists(), f
    assert (out / 'psmr_kd' / 'order1' / 'checkpoint' / 'model.safetensors').exists()


def test_cfee_folder_runs_the_same_protocol(tmp_path):
    "A CFEE-format folder (SynthFACS written by the exporter) splits by subject, paper folds included, into the 21 classes."
    from emoxnet.continual import PROTOCOL_CLASSES, continual_data, protocol_splits
    from emoxnet.data.datasets import load_cfee
    from emoxnet.data.export import export_cfee
    from emoxnet.data.synthetic import SynthConfig, generate
    export_cfee(generate(SynthConfig.compound(n_subjects=10, size=32)), tmp_path / 'cfee')
    raw = load_cfee(tmp_path / 'cfee')['all']
    splits = continual_data(protocol_splits(raw, fold=1, k=5, contiguous=True, valid_fraction=0.25))
    assert splits.classes == PROTOCOL_CLASSES
    subj = {s: set(splits[s].meta['subject'].astype(str)) for s in ('train', 'valid', 'test')}
    assert subj['test'] == set(sorted(set(raw.meta['subject'].astype(str)))[2:4])       # sorted subjects, fold 1 of 5 = the 3rd and 4th
    assert not (subj['train'] & subj['valid']) and not (subj['train'] & subj['test']) and len(subj['valid']) == 2


def _smoke(tmp_path, *params):
    "Run the experiment notebook in its smoke configuration with extra `-p` parameters; its metrics.json."
    out = tmp_path / 'run'
    cmd = [str(Path(sys.executable).parent / 'papermill'), str(ROOT / 'nbs' / 'continual.ipynb'), str(tmp_path / 'c.ipynb'),
           '-p', 'smoke', 'True', '-p', 'out_dir', str(out), *params]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=tmp_path, env={**os.environ, 'OMP_NUM_THREADS': '1'})
    assert r.returncode == 0, r.stderr[-3000:]
    return json.loads((out / 'metrics.json').read_text()), out


def test_rafdb_compound_folder_runs_the_experiment(tmp_path):
    "RAF-DB basic/ + compound/ (SynthFACS written by the exporters): 6 basic + RAF-DB's 11 compounds, its own train/test, valid carved."
    from emoxnet.core import label_spec
    from emoxnet.data.export import export_rafdb, export_rafdb_compound
    from emoxnet.data.synthetic import SynthConfig, generate
    data = generate(SynthConfig.compound(n_subjects=8, size=32))
    export_rafdb(data, tmp_path / 'raf'); export_rafdb_compound(data, tmp_path / 'raf')
    m, out = _smoke(tmp_path, '-p', 'data', str(tmp_path / 'raf'), '-p', 'format', 'rafdb-compound')
    assert m['data']['classes'] == list(CONTINUAL_BASIC + label_spec('rafdb-compound').classes)
    assert all(len(o) == 11 and 'awed' not in o for o in m['orders'])
    n_test = sum(c in m['data']['classes'] for c in np.asarray(data.classes)[data['test'].targets])
    assert m['data']['sizes']['test'] == n_test and m['data']['sizes']['valid'] > 0
    assert len(m['records']['psmr_kd'][0]) == 12                                   # the basic step + 11 compounds


def test_rafdb_compound_has_no_subject_folds(tmp_path):
    from emoxnet.continual import continual_splits
    from emoxnet.data.export import export_rafdb_compound
    from emoxnet.data.synthetic import SynthConfig, generate
    export_rafdb_compound(generate(SynthConfig.compound(n_subjects=3, size=32)), tmp_path)
    with pytest.raises(ValueError, match='basic'): continual_splits(tmp_path, 'rafdb-compound')   # phase 1 needs RAF-DB basic beside it


def test_paper_folds_are_contiguous_runs_of_23_subjects():
    from emoxnet.continual import protocol_of
    from emoxnet.data.core import FERDataset, FERSplits
    import pandas as pd
    n = 230 * 21
    ds = FERDataset(np.zeros((n, 4, 4), np.uint8), np.arange(n) % 21, CONTINUAL_BASIC + COMPOUND_CLASSES,
                    meta=pd.DataFrame({'subject': np.arange(n) // 21 + 1}), name='cfee-like', split='all', grey=True)
    for f in (0, 3, 9):
        sp = protocol_of(FERSplits({'all': ds}, name='cfee-like'), f, 10, contiguous=True)
        assert sorted(set(sp['test'].meta['subject'])) == list(range(23 * f + 1, 23 * f + 24))     # numeric ids, not text order
        assert not set(sp['valid'].meta['subject']) & set(sp['train'].meta['subject'])


def test_kfold_experiment_pools_orders_and_folds(tmp_path):
    m, out = _smoke(tmp_path, '-p', 'folds', 'all', '-p', 'k', '2')
    assert m['data']['folds'] == [0, 1] and [f['fold'] for f in m['per_fold']] == [0, 1]
    t0, t1 = (set(f['test_subjects']) for f in m['per_fold'])
    assert t0 and t1 and not t0 & t1                                                # the folds' test subjects are disjoint
    assert len(m['records']['psmr_kd']) == 2 * 2                                    # 2 orders x 2 folds
    row = next(r for r in m['summary'] if r['method'] == METHODS['psmr_kd'].label)
    assert row['folds'] == 2 and row['orders'] == 2
    assert (out / 'fold1' / 'psmr_kd' / 'order1' / 'checkpoint' / 'model.safetensors').exists()
