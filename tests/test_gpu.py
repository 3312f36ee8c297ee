"""On a CUDA GPU (skipped elsewhere, so CI never runs it; `tools/gpu_check.sh` runs it on a lent GPU machine):
training under mixed precision (bf16, and fp16 with its gradient scaler) resumed after a crash ends with the same
weights as an uninterrupted run when `deterministic=True`; a model, an ensemble of members with other inputs, and
Grad-CAM read the same on the GPU as on the CPU."""
import pytest
import torch

from emoxnet.core import BASIC, load_json
from emoxnet.data.transforms import Preprocess
from emoxnet.deploy import example_input
from emoxnet.ensemble import EmoXNet, load_ensemble, save_ensemble
from emoxnet.explain import find_target_layer, gradcam
from emoxnet.models import ModelConfig, create_model, load_checkpoint, model_device
from emoxnet.train import TrainConfig, fit, predict_logits
from test_resume import CFG, DATA, MODEL, Crash, CrashAt, _same_run   # the CPU resume tests' data, model and crash

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason='needs a CUDA GPU')


@pytest.mark.parametrize('amp', ['bf16', 'fp16'])
def test_resume_on_gpu_matches_uninterrupted(tmp_path, amp):
    cfg = TrainConfig(**{**CFG, 'amp': amp, 'device': 'cuda', 'deterministic': True})
    ref = fit(MODEL, DATA, cfg, tmp_path / 'ref')
    m = load_json(tmp_path / 'ref' / 'metrics.json')
    assert m['device'].startswith('cuda') and m['mixed_precision'] == amp
    with pytest.raises(Crash): fit(MODEL, DATA, cfg, tmp_path / 'run', callbacks=[CrashAt(5)])
    state = load_json(tmp_path / 'run' / 'last' / 'state.json')
    assert (state['scaler'] is not None) == (amp == 'fp16')    # fp16's loss scale is part of the resume state
    _same_run(ref, fit(MODEL, DATA, cfg, tmp_path / 'run', resume=True))


@pytest.fixture(scope='module')
def cpu_checkpoint(tmp_path_factory):
    "A checkpoint trained on the CPU, read on both devices."
    out = tmp_path_factory.mktemp('cpu_run')
    fit(MODEL, DATA, TrainConfig(**{**CFG, 'device': 'cpu'}), out)
    return out / 'checkpoint'


def test_model_reads_the_same_on_gpu(cpu_checkpoint):
    cpu, _, _ = load_checkpoint(cpu_checkpoint, 'cpu')
    gpu, _, _ = load_checkpoint(cpu_checkpoint, 'cuda')
    a, b = predict_logits(cpu, DATA['test']), predict_logits(gpu, DATA['test'])
    assert b.device.type == 'cpu'   # logits come back on the CPU whatever the model's device
    torch.testing.assert_close(a, b, atol=2e-3, rtol=2e-3)


def test_ensemble_of_other_inputs_on_gpu(tmp_path):
    torch.manual_seed(0)
    grey64 = create_model(ModelConfig('test_resnet', BASIC, 1, 64, Preprocess(64, 1, (0.5,), (0.5,))))
    rgb48 = create_model(ModelConfig('test_convnext', BASIC[:4], 3, 48, Preprocess(48, 3, (0.5,) * 3, (0.25,) * 3)))
    save_ensemble(EmoXNet.aligned([grey64, rgb48]), tmp_path / 'ens')
    x = example_input(load_ensemble(tmp_path / 'ens'), 3)
    with torch.no_grad():
        cpu = load_ensemble(tmp_path / 'ens', 'cpu')(x)
        gpu = load_ensemble(tmp_path / 'ens', 'cuda')(x.cuda())
    torch.testing.assert_close(cpu, gpu.float().cpu(), atol=2e-3, rtol=2e-3)


def test_gradcam_on_gpu_matches_cpu(cpu_checkpoint):
    x = example_input(MODEL, 4)
    maps = []
    for dev in ('cpu', 'cuda'):
        model, _, _ = load_checkpoint(cpu_checkpoint, dev)
        _, layer = find_target_layer(model, None, 32, 1)
        maps.append(gradcam(model, x.to(dev), [0, 1, 2, 3], layer).cpu())
    assert maps[1].shape == (4, 1, 32, 32)
    torch.testing.assert_close(maps[0], maps[1], atol=2e-2, rtol=0)


def test_fit_hands_back_a_plain_cpu_model(tmp_path):
    "Mixed precision stays inside `fit`: the model it returns is on the CPU, without Accelerate's autocast forward, and reads exactly as its checkpoint."
    res = fit(MODEL, DATA, TrainConfig(**{**CFG, 'amp': 'bf16', 'device': 'cuda'}), tmp_path)
    model = res['model']
    assert model_device(model).type == 'cpu' and '_original_forward' not in model.__dict__ and not model.training
    torch.testing.assert_close(predict_logits(model, DATA['test']), predict_logits(load_checkpoint(tmp_path / 'checkpoint')[0], DATA['test']), atol=0, rtol=0)


def test_sam_refuses_fp16(tmp_path):
    with pytest.raises(ValueError, match=r"SAM\) cannot train under fp16"):
        fit(MODEL, DATA, TrainConfig(**{**CFG, 'amp': 'fp16', 'device': 'cuda', 'optimizer': 'sam'}), None)


def test_teacher_runs_where_the_student_trains(cpu_checkpoint):
    "The distillation teacher's logits and the ensemble's member reports are computed on the GPU that training uses; the teacher is back on the CPU afterwards and reads as it does there."
    from emoxnet.distill import KDLoss
    from emoxnet.ensemble import ensemble_member_logits
    m, _, _ = load_checkpoint(cpu_checkpoint, 'cpu')
    ens = EmoXNet([m, load_checkpoint(cpu_checkpoint, 'cpu')[0]], 'mean_prob', ['a', 'b'])
    cpu = ensemble_member_logits(ens, DATA['test'])
    torch.cuda.reset_peak_memory_stats()
    gpu = ensemble_member_logits(ens, DATA['test'], device='cuda')
    assert torch.cuda.max_memory_allocated() > 0 and model_device(ens).type == 'cpu' and gpu.device.type == 'cpu'
    torch.testing.assert_close(cpu, gpu, atol=2e-3, rtol=2e-3)
    loss = KDLoss(ens, alpha=0.5, teacher_mode='precomputed')
    fit(MODEL, DATA, TrainConfig(**{**CFG, 'epochs': 1, 'device': 'cuda'}), None, loss=loss)
    assert model_device(ens).type == 'cpu' and loss.teacher_logits.shape == (len(DATA['train']), len(DATA.classes))
