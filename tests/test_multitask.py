"""Multi-task training pieces: SAM, the masked multi-task loss, identity verification, the HSEmotion API on a checkpoint."""
import math

import numpy as np
import pytest
import torch
from torch import nn

from emoxnet.multitask import (SAMOptimizer, MultiTaskLoss, TwoStage, ccc, decode_outputs, identity_splits,
                               multitask_config, multitask_heads, verification_report)
from emoxnet.train import OPTIMIZERS, SAM, Learner, TrainConfig, toy_splits


def test_sam_with_adam_matches_two_manual_passes():
    "SAM around Adam = Adam stepped with the gradient taken at w + rho g / |g|."
    A = torch.tensor([[2., .5], [.5, 1.]]); w0 = torch.tensor([.7, -1.3]); f = lambda w: 0.5 * w @ A @ w
    w = nn.Parameter(w0.clone()); opt = SAM([w], lambda g: torch.optim.Adam(g, lr=0.01), rho=0.05)
    def closure():
        l = f(w); l.backward(); return l
    closure(); opt.step(closure)
    g = A @ w0; g_adv = A @ (w0 + 0.05 * g / g.norm())
    ref = nn.Parameter(w0.clone()); adam = torch.optim.Adam([ref], lr=0.01); ref.grad = g_adv; adam.step()
    torch.testing.assert_close(w.detach(), ref.detach())


def test_sam_state_round_trip_and_schedule_reaches_base():
    w = nn.Parameter(torch.ones(3)); opt = SAM([w], lambda g: torch.optim.Adam(g, lr=0.1))
    (w ** 2).sum().backward(); opt.step(lambda: ((w ** 2).sum().backward(), None)[1])
    sd = opt.state_dict(); assert sd['state'], 'Adam moments must be in the state dict (resume)'
    opt2 = SAM([nn.Parameter(torch.ones(3))], lambda g: torch.optim.Adam(g, lr=0.1)); opt2.load_state_dict(sd)
    assert opt2.param_groups is opt2.base_optimizer.param_groups
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 0.5)
    assert opt.base_optimizer.param_groups[0]['lr'] == pytest.approx(0.05)


def test_learner_with_sam_and_two_stage_on_toy():
    toy = toy_splits()
    from emoxnet.models import ModelConfig
    mcfg = ModelConfig('test_convnext', toy.classes, in_chans=1, input_size=32)
    r = Learner(mcfg, toy, TrainConfig(epochs=1, batch_size=64, max_steps=2, progress=False), opt_func=SAMOptimizer()).fit()
    assert r['steps'] == 2 and math.isfinite(r['history'][0]['train_loss'])
    a, b = TwoStage().stage_configs(TrainConfig(batch_size=8))
    assert (a.epochs, a.lr, b.epochs, b.lr, a.batch_size) == (1, 1e-3, 10, 1e-4, 8)


def test_sam_from_the_registry_two_passes_per_step(tmp_path):
    "`emoxnet train --optimizer sam`: the loop builds SAM (around AdamW) from the registry; each step runs the closure (the second pass) and moves the weights."
    from emoxnet.cli import main
    from emoxnet.core import load_json
    assert {'sam', 'sam_sgd'} <= set(OPTIMIZERS)
    passes, moved, orig_step = [], [], SAM.step
    def counting_step(self, closure=None):
        before = [p.detach().clone() for g in self.param_groups for p in g['params']]
        def c(): passes.append(1); return closure()
        loss = orig_step(self, c)
        moved.append(any(not torch.equal(a, p) for a, p in zip(before, (p for g in self.param_groups for p in g['params']))))
        assert isinstance(self.base_optimizer, torch.optim.AdamW)
        return loss
    SAM.step = counting_step
    try:
        rc = main(['train', '--data', 'toy', '--arch', 'test_convnext', '--size', '32', '--out', str(tmp_path / 'run'), '--optimizer', 'sam',
                   '--epochs', '1', '--max-steps', '2', '--batch-size', '32', '--weight-decay', '0', '--no-augment', '--no-progress', '--device', 'cpu'])
    finally: SAM.step = orig_step
    assert rc == 0 and moved == [True, True] and len(passes) == 2
    assert load_json(tmp_path / 'run' / 'metrics.json')['config']['optimizer'] == 'sam'


def test_unlabelled_heads_get_no_gradient_from_labels():
    "A task without labels in the batch contributes exactly 0 (and a zero gradient), never a zero-filled target."
    torch.manual_seed(0); nan = float('nan')
    outs = {k: torch.randn(4, n, requires_grad=True) for k, n in {'logits': 8, **multitask_heads()}.items()}
    batch = {c: torch.full((4,), nan) for c in ('valence', 'arousal', 'age', 'gender', 'race')}
    loss, logs = MultiTaskLoss(class_weights=None)(outs, torch.tensor([0, 1, 2, 3]), batch)
    loss.backward()
    for k in multitask_heads():
        assert logs[k] == 0 and logs[f'{k}_labelled'] == 0
        assert torch.count_nonzero(outs[k].grad) == 0
    assert torch.count_nonzero(outs['logits'].grad) > 0


def test_ccc_and_bounded_va():
    y = torch.tensor([.1, .4, -.2, -.3])
    assert ccc(y, y).item() == pytest.approx(1.0, abs=1e-5)
    d = decode_outputs({'logits': torch.zeros(1, 8), 'va': torch.tensor([[1e4, -1e4]])}, ['va'])
    assert d['valence'].item() <= 1 and d['arousal'].item() >= -1


def test_verification_tar_at_far():
    "Two identities far apart, one impostor pair very close: TAR at FAR 1e-3 counts the accepted genuine pairs at that threshold."
    rng = np.random.default_rng(1); ids = np.repeat(np.arange(60), 3)
    emb = rng.normal(size=(60, 32))[ids] + 0.05 * rng.normal(size=(180, 32))
    r = verification_report(emb, ids)
    assert r['roc_auc'] > 0.99 and r['tar_at_far_0.001'] > 0.95 and r['far_resolvable']
    assert r['pairs_same'] == 60 * 3 and r['pairs_different'] == 180 * 179 // 2 - 180


def test_identity_splits_hold_out_people():
    from emoxnet.data.synthetic import SynthConfig, generate
    s = generate(SynthConfig(n_subjects=14, images_per_subject=4, size=24))
    ids = identity_splits(s)
    assert set(ids['heldout'].meta['subject']).isdisjoint(ids['train'].meta['subject'])
    assert ids['train'].classes == ids['valid'].classes and len(ids['heldout'].classes) == s['test'].meta['subject'].nunique()


def test_missing_expression_labels_are_masked_not_rejected():
    "NO_LABEL (-1) targets: the dataset accepts them (and only them), the expression loss ignores them, training and evaluation run."
    from emoxnet.data.core import NO_LABEL, FERDataset
    from emoxnet.train import HardSoftCE, fit
    imgs = np.zeros((3, 8, 8), np.uint8)
    with pytest.raises(ValueError, match=r'row 2: target index -3 outside 0..1'): FERDataset(imgs, [0, -1, -3], ['a', 'b'])
    z = torch.randn(4, 3, requires_grad=True); y = torch.tensor([2, NO_LABEL, 0, NO_LABEL])
    ce = HardSoftCE(label_smoothing=0.1, class_weights=[1., 2., 3.])
    torch.testing.assert_close(ce(z, y), ce(z[[0, 2]], y[[0, 2]]))   # masked, not a zero-filled target
    ce(z, torch.full((4,), NO_LABEL)).backward(); assert torch.count_nonzero(z.grad) == 0
    from emoxnet.data.synthetic import SynthConfig, generate
    s = generate(SynthConfig(n_subjects=10, images_per_subject=4, size=32))
    s['train'].targets[1::2] = NO_LABEL; s['valid'].targets[0] = NO_LABEL
    r = fit(multitask_config('test_convnext', s.classes, input_size=32), s,
            TrainConfig(epochs=1, batch_size=8, progress=False, class_weights='inverse_frequency'), loss=MultiTaskLoss())
    h = r['history'][0]
    assert math.isfinite(h['train_expression']) and h['train_age_labelled'] == 1.0 and r['valid']['n'] == len(s['valid']) - 1


def test_age_bins_head_trains_and_reports_years():
    "The authors' 100-bin age head as an option: trains with the masked CE, decodes to years, the report gives an age MAE."
    from emoxnet.data.synthetic import SynthConfig, generate
    from emoxnet.multitask import AGE_BINS, multitask_report
    from emoxnet.train import fit
    s = generate(SynthConfig(n_subjects=10, images_per_subject=4, size=32))
    s['train'].meta.loc[::2, 'age'] = np.nan
    mc = multitask_config('test_convnext', s.classes, ['va', 'age_bins'], input_size=32)
    assert mc.heads == {'va': 2, 'age_bins': AGE_BINS}
    r = fit(mc, s, TrainConfig(epochs=1, batch_size=8, progress=False), loss=MultiTaskLoss(['va', 'age_bins']))
    assert math.isfinite(r['history'][0]['train_age_bins']) and 0.2 < r['history'][0]['train_age_bins_labelled'] < 0.8
    rep = multitask_report(r['model'], s['test'])
    assert 0 <= rep['age_mae'] < 100 and rep['gender_acc'] is None


def test_real_identity_arm_on_the_faceres_body(tmp_path):
    "Extra heads on a workspace arch: faceres_mobilenet takes FaceRes weights (from 'zoo:NAME' or a folder) and fine-tunes with multi-task heads."
    from emoxnet.data.synthetic import SynthConfig, generate
    from emoxnet.models import ModelConfig, create_model, save_checkpoint
    from emoxnet.multitask import finetune_multitask, identity_init
    fr = create_model(ModelConfig('hse_faceres', ('female', 'male'), 3, 64)); save_checkpoint(fr, None, tmp_path / 'hse_faceres')
    init = identity_init('zoo:hse_faceres', tmp_path); assert init == tmp_path / 'hse_faceres'
    with pytest.raises(ValueError, match="use arch 'faceres_mobilenet'"):
        create_model(ModelConfig('hse_faceres', ('female', 'male'), 3, 64, heads={'va': 2}))
    s = generate(SynthConfig(n_subjects=10, images_per_subject=4, size=32, grey=False))
    tiny = TwoStage(head_epochs=1, epochs=1, head_lr=1e-3, lr=1e-4)
    r = finetune_multitask(s, 'faceres_mobilenet', init, tiny, TrainConfig(batch_size=8, max_steps=2, progress=False), in_chans=3, input_size=32)
    m = r['model']
    assert set(m.heads) == {'va', 'age', 'gender', 'ethnicity'} and m.backbone.fc.out_features == len(s.classes)
    w = 'blocks.12.1.conv.weight'
    assert not torch.equal(m.backbone.state_dict()[w], fr.state_dict()[w])   # stage 2 fine-tuned the loaded body...
    assert torch.allclose(m.backbone.state_dict()[w], fr.state_dict()[w], atol=1e-2)   # ...starting from FaceRes's weights
    assert 0 <= r['report']['accuracy'] <= 1
