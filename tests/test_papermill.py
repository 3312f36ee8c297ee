"The experiment notebooks run under papermill (smoke configuration) and write the promised metrics."
import json, os, re, shlex, subprocess, sys
from pathlib import Path

import pytest
from conftest import notebook_parameters

ROOT = Path(__file__).resolve().parents[1]
PAPERMILL = Path(sys.executable).parent / 'papermill'
KEYS = ['ensemble_acc', 'member_accs', 'student_kd_acc', 'student_scratch_acc', 'student_ls_acc', 'params', 'seed',
        'git_rev', 'config', 'code_version']

def _command(nb: str, out: Path) -> list[str]:
    "`papermill nbs/NB OUT` with this environment's papermill."
    return [str(PAPERMILL) if PAPERMILL.exists() else 'papermill', str(ROOT / 'nbs' / nb), str(out)]

def _papermill(nb: str, out: Path, *params: str, cwd: Path = ROOT):
    cmd = _command(nb, out)
    for p in params: cmd += ['-p', *p.split('=', 1)]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=cwd)
    assert r.returncode == 0, r.stderr[-3000:]

def _has_parameters_cell(nb: str) -> bool:
    cells = json.loads((ROOT / 'nbs' / nb).read_text())['cells']
    return any('parameters' in c.get('metadata', {}).get('tags', []) for c in cells)

@pytest.mark.parametrize('nb', ['distill.ipynb', 'train_ensemble.ipynb', 'summary.ipynb'])
def test_parameters_cell_is_tagged(nb):
    assert _has_parameters_cell(nb), f"{nb}: no cell tagged 'parameters' (did nbdev-clean strip the tags?)"

def test_distill_smoke(tmp_path):
    out = tmp_path / 'run'
    _papermill('distill.ipynb', tmp_path / 'distill.ipynb', 'smoke=True', f'out_dir={out}', 'alpha=0.5', 'seed=3', cwd=tmp_path)
    m = json.loads((out / 'metrics.json').read_text())
    for k in KEYS: assert k in m, k
    assert m['seed'] == 3 and m['config']['alpha'] == 0.5
    assert set(m['member_accs']) == {'test_resnet', 'test_convnext', 'test_efficientnet'}
    assert (out / 'ensemble' / 'ensemble.json').exists() and (out / 'confusion.png').exists() and (out / 'curves.png').exists()
    assert m['files'] == ['confusion.png', 'curves.png']   # the record lists its figures (written before it)
    rules = json.loads((out / 'ensemble' / 'ensemble.json').read_text())['rules']   # the validation figure is the chosen rule's as compare_rules measured it (cross-fitted when learned)
    row = next(r for r in rules if r['rule'] == m['ensemble_rule'])
    assert (m['valid']['ensemble_acc'], m['valid']['ensemble_acc_protocol']) == (row['valid_acc'], row['valid_protocol']) and 'ensemble_acc_refit' in m['valid']
    # another alpha in the same out_dir would throw the finished alpha-0.5 student away: refused, the run's files untouched
    before = (out / 'metrics.json').read_bytes()
    r = subprocess.run(_command('distill.ipynb', tmp_path / 'distill2.ipynb') + ['-p', 'smoke', 'True', '-p', 'out_dir', str(out), '-p', 'alpha', '0.9', '-p', 'seed', '3'],
                       capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert r.returncode != 0 and 'students/kd (alpha 0.5 -> 0.9)' in r.stderr + r.stdout, r.stderr[-3000:]
    assert (out / 'metrics.json').read_bytes() == before
    # in its own out_dir, another alpha distils from the ensemble it is given
    out2 = tmp_path / 'run-alpha0.9'
    _papermill('distill.ipynb', tmp_path / 'distill2.ipynb', 'smoke=True', f'out_dir={out2}', f'ensemble_dir={out / "ensemble"}', 'alpha=0.9', 'seed=3', cwd=tmp_path)
    m2 = json.loads((out2 / 'metrics.json').read_text())
    assert m2['ensemble_trained_here'] is False and m2['config']['alpha'] == 0.9
    # the summary notebook collects the run
    _papermill('summary.ipynb', tmp_path / 'summary.ipynb', f'root={tmp_path}', f'out_md={tmp_path / "summary.md"}', cwd=tmp_path)
    assert (tmp_path / 'summary.md').read_text() == 'no runs to summarise\n'   # smoke runs check the pipeline: not results
    _papermill('summary.ipynb', tmp_path / 'summary.ipynb', f'root={tmp_path}', f'out_md={tmp_path / "summary.md"}', 'smoke=True', cwd=tmp_path)
    assert '| test_efficientnet |' in (tmp_path / 'summary.md').read_text()

def test_train_ensemble_smoke(tmp_path):
    out = tmp_path / 'ens'
    _papermill('train_ensemble.ipynb', tmp_path / 'te.ipynb', 'smoke=True', f'out_dir={out}', cwd=tmp_path)
    info = json.loads((out / 'ensemble.json').read_text())
    assert info['rule'] in {'mean_prob', 'mean_logit', 'weighted', 'weighted_acc', 'stacking'}
    assert len(info['members']) == 3 and all((out / m['checkpoint'] / 'model.safetensors').exists() for m in info['members'])
    m = json.loads((out / 'metrics.json').read_text())
    assert {r['rule'] for r in m['rules_table']} == {'mean_prob', 'mean_logit', 'weighted', 'weighted_acc', 'stacking'}


@pytest.mark.parametrize('nb', ['distill.ipynb', 'train_ensemble.ipynb'])
def test_parameters_match_experiment_config(nb):
    "The notebooks' defaults are the library's defaults (they cannot import them: papermill injects literals)."
    from emoxnet.distill import ExperimentConfig
    d = ExperimentConfig().to_dict()
    for k, v in notebook_parameters(nb).items():
        if k not in d: continue
        want = ','.join(d[k]) if isinstance(d[k], tuple) else d[k]
        assert v == want, f"{nb}: parameter {k} = {v!r}, ExperimentConfig has {want!r}"

EXPERIMENTS = ['distill.ipynb', 'train_ensemble.ipynb', 'gradcam.ipynb', 'continual.ipynb', 'multitask.ipynb', 'video.ipynb',
               'realstudent.ipynb', 'summary.ipynb']

@pytest.mark.parametrize('nb', EXPERIMENTS)
def test_parameters_are_checked_first(nb):
    "Every experiment notebook calls check_parameters in the cell right after its parameters (papermill injects between them)."
    cells = json.loads((ROOT / 'nbs' / nb).read_text())['cells']
    i = next(i for i, c in enumerate(cells) if 'parameters' in c.get('metadata', {}).get('tags', []))
    assert 'check_parameters()' in ''.join(cells[i + 1]['source']).splitlines()[0]

@pytest.mark.parametrize('param,message', [('alpah=0.3', 'unknown parameter(s): alpah (did you mean alpha?)'),
                                           ('alpha=abc', "alpha='abc' (expected float)")])
def test_bad_parameter_stops_the_notebook(tmp_path, param, message):
    "papermill only warns about an unknown -p name; the notebook refuses it (and a mistyped value) before any work."
    cmd = [*_command('distill.ipynb', tmp_path / 'o.ipynb'), '-p', 'smoke', 'True', '-p', 'out_dir', str(tmp_path / 'run'), '-p', *param.split('=', 1)]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert r.returncode != 0 and message in r.stderr, r.stderr[-2000:]
    assert not (tmp_path / 'run').exists()   # nothing was trained or written

def _documented_commands():
    "Every `papermill nbs/X.ipynb OUT ...` command written in the README, docs/ and the notebooks, cut at its comment."
    texts = [ROOT / 'README.md', *sorted((ROOT / 'docs').glob('*.md')), *sorted((ROOT / 'nbs').glob('*.ipynb'))]
    for t in texts:
        for m in re.finditer(r"papermill (nbs/[a-z_]+\.ipynb) ([^`\"|\n\\]*)", t.read_text()):
            yield t.name, m.group(1), m.group(2).split('#')[0]

@pytest.mark.parametrize('nb', EXPERIMENTS)
def test_defaults_fit_their_annotations(nb):
    "check_parameters would refuse a -p value that does not fit the annotation: the defaults must fit their own."
    from emoxnet.core import cell_assignments, fits_annotation
    src = ''.join(next(c for c in json.loads((ROOT / 'nbs' / nb).read_text())['cells']
                       if 'parameters' in c.get('metadata', {}).get('tags', []))['source'])
    ns = {}; exec(src, {}, ns)
    assert not [(k, ns[k], a) for k, a in cell_assignments(src).items() if not fits_annotation(ns[k], a)]

def test_documented_commands_pass_check_parameters():
    "The -p parameters of every documented papermill command are declared and fit their annotations (as papermill parses them)."
    from papermill.cli import _resolve_type
    from emoxnet.core import cell_assignments, fits_annotation
    cmds = list(_documented_commands()); assert len(cmds) > 10
    for where, nb, rest in cmds:
        declared = cell_assignments(''.join(next(c for c in json.loads((ROOT / nb).read_text())['cells']
                                                  if 'parameters' in c.get('metadata', {}).get('tags', []))['source']))
        words = shlex.split(rest)
        for i, w in enumerate(words):
            if w != '-p' or i + 2 >= len(words) + 1: continue
            name, value = words[i + 1], words[i + 2] if i + 2 < len(words) else ''
            assert name in declared, f"{where}: papermill {nb} -p {name}: not a parameter"
            if value == 'N' or value.startswith('<'): continue   # a placeholder in prose
            assert fits_annotation(_resolve_type(value), declared[name]), f"{where}: papermill {nb} -p {name} {value}: expected {declared[name]}"

@pytest.mark.parametrize('nb,params,message', [
    ('multitask.ipynb', ['-p', 'age_task', 'agebins'], "unknown task 'agebins'; available: age, age_bins"),
    ('continual.ipynb', ['-y', 'shots: [-1]'], 'ContinualConfig.shots=(-1,): expected one or more integers >= 0'),
    ('gradcam.ipynb', ['-p', 'radius', '-1'], 'radius=-1: expected a number > 0'),
    ('video.ipynb', ['-p', 'detect_every', '0'], 'detect_every 0: expected an integer >= 1'),
    ('train_ensemble.ipynb', ['-p', 'folds', '1'], 'folds=1: expected an integer >= 2 (the learned rules'),
    ('distill.ipynb', ['-p', 'max_steps', '-1'], 'TrainConfig.max_steps=-1: expected None or an integer >= 1'),
    # a smoke run replaced some values before checking them, so a dry run passed with values the full run refuses (continual's, after hours of training)
    ('continual.ipynb', ['-p', 'smoke', 'True', '-p', 'gradcam_images', '-1'], 'gradcam_images -1: expected an integer >= 1'),
    ('multitask.ipynb', ['-p', 'smoke', 'True', '-p', 'scratch_lr', '-1'], 'scratch_lr -1: expected a number > 0'),
    ('gradcam.ipynb', ['-p', 'smoke', 'True', '-p', 'n_images', '-5'], 'n_images -5: expected an integer >= 1'),
    ('continual.ipynb', ['-p', 'smoke', 'True', '-p', 'paper_folds', 'True', '-p', 'k', '5'], "paper_folds (the paper's 10 contiguous folds, all run) and k=5 both given"),   # k was overridden in silence
    ('realstudent.ipynb', ['-p', 'smoke', 'True', '-p', 'lr', '-1'], 'lr -1: expected a number > 0'),
])
def test_out_of_range_parameter_stops_the_notebook_first(tmp_path, nb, params, message):
    "A parameter of the right type but out of its range is refused before anything is trained or written (smoke settings would hide it)."
    cmd = [*_command(nb, tmp_path / 'o.ipynb'), '-p', 'out_dir', str(tmp_path / 'run'), *params]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=tmp_path, env={**os.environ, 'IN_TEST': ''})
    assert r.returncode != 0 and message in r.stderr, r.stderr[-2000:]
    assert not (tmp_path / 'run').exists()

def test_video_refuses_an_ensemble_feature_model_before_rendering(tmp_path):
    "The video experiment's SVMs pool one network's embeddings; an ensemble folder as -p checkpoint failed only after every clip was rendered and read."
    import torch
    from emoxnet.core import BASIC
    from emoxnet.ensemble import EmoXNet, save_ensemble
    from emoxnet.models import ModelConfig, create_model
    torch.manual_seed(0)
    ens = save_ensemble(EmoXNet([create_model(ModelConfig('test_resnet', BASIC)) for _ in range(2)]), tmp_path / 'ens')
    cmd = [*_command('video.ipynb', tmp_path / 'o.ipynb'), '-p', 'smoke', 'True', '-p', 'checkpoint', str(ens), '-p', 'out_dir', str(tmp_path / 'run')]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert r.returncode != 0 and 'an EmoXNet ensemble has no pooled descriptor' in r.stderr and 'members/NAME/checkpoint' in r.stderr, r.stderr[-2000:]
    assert not (tmp_path / 'run').exists()   # no clip rendered

def test_multitask_says_which_parameters_do_not_fit(tmp_path):
    "-p arch resnet18 with the default real_init (a FaceRes backbone): the error named only a file, in a smoke run the random stand-in the run wrote itself."
    cmd = [*_command('multitask.ipynb', tmp_path / 'o.ipynb'), '-p', 'smoke', 'True', '-p', 'arch', 'resnet18', '-p', 'out_dir', str(tmp_path / 'run')]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert r.returncode != 0 and "real_init='zoo:hse_faceres' cannot start arch='resnet18'" in r.stderr and "or real_init None" in r.stderr, r.stderr[-2000:]

def test_summary_of_a_missing_folder_is_an_error(tmp_path):
    cmd = [*_command('summary.ipynb', tmp_path / 'o.ipynb'), '-p', 'root', str(tmp_path / 'nonexistent_root')]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert r.returncode != 0 and 'nonexistent_root: no such folder' in r.stderr, r.stderr[-2000:]

@pytest.mark.parametrize('nb', ['continual.ipynb', 'multitask.ipynb'])
def test_a_rerun_with_other_settings_is_refused_before_training(tmp_path, nb):
    "`-p seed 1` into the folder of a seed-0 run replaced its results (continual retrained the base and removed every method's runs; multitask overwrote every arm)."
    import json
    run = tmp_path / 'run'; run.mkdir(); record = {'seed': 0, 'accuracy': 0.5}
    (run / 'metrics.json').write_text(json.dumps(record))
    cmd = [*_command(nb, tmp_path / 'o.ipynb'), '-p', 'smoke', 'True', '-p', 'seed', '1', '-p', 'out_dir', str(run)]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert r.returncode != 0 and 'holds the results of a run with other settings (seed 0 -> 1' in r.stderr, r.stderr[-2000:]
    assert sorted(p.name for p in run.iterdir()) == ['metrics.json'] and json.loads((run / 'metrics.json').read_text()) == record

def test_video_refuses_the_folder_of_another_experiment(tmp_path):
    "The video notebook wrote into any folder: another experiment's metrics.json was replaced and the figures it listed deleted, without a word."
    import json
    run = tmp_path / 'run'; run.mkdir(); (run / 'confusion.png').write_bytes(b'png')
    record = {'seed': 0, 'files': ['confusion.png']}; (run / 'metrics.json').write_text(json.dumps(record))   # a distillation run's, say
    cmd = [*_command('video.ipynb', tmp_path / 'o.ipynb'), '-p', 'smoke', 'True', '-p', 'out_dir', str(run)]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert r.returncode != 0 and 'metrics.json is not a record of this experiment (it holds none of config)' in r.stderr, r.stderr[-2000:]   # the message, not the traceback's source lines
    assert sorted(p.name for p in run.iterdir()) == ['confusion.png', 'metrics.json'] and json.loads((run / 'metrics.json').read_text()) == record

@pytest.mark.parametrize('name,text', [('metrics.json', '{"seed": 0}'), ('notes.md', '# my notes\n')])
def test_summary_never_replaces_a_file_it_did_not_write(tmp_path, name, text):
    "`-p out_md RUN/metrics.json` replaced the run's record with the table (the run then vanished from every summary)."
    (tmp_path / name).write_text(text)
    r = subprocess.run([*_command('summary.ipynb', tmp_path / 'o.ipynb'), '-p', 'root', str(tmp_path), '-p', 'out_md', str(tmp_path / name)],
                       capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert r.returncode != 0 and ('ending in .md' in r.stderr if name.endswith('.json') else 'is not a summary this notebook wrote' in r.stderr), r.stderr[-2000:]
    assert (tmp_path / name).read_text() == text

def test_gradcam_smoke_refuses_what_the_full_run_refuses(tmp_path):
    "A smoke run passed a misspelt ensemble_dir with a warning (the full run refuses it), and wrote its maps into a training run's folder."
    r = subprocess.run([*_command('gradcam.ipynb', tmp_path / 'o.ipynb'), '-p', 'smoke', 'True', '-p', 'ensemble_dir', str(tmp_path / 'nonexistent'), '-p', 'out_dir', str(tmp_path / 'g')],
                       capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert r.returncode != 0 and 'no EmoXNet ensemble' in r.stderr, r.stderr[-2000:]
    run = tmp_path / 'run'; run.mkdir(); (run / 'metrics.json').write_text('{"ensemble_acc": 0.5}')
    r = subprocess.run([*_command('gradcam.ipynb', tmp_path / 'o.ipynb'), '-p', 'smoke', 'True', '-p', 'out_dir', str(run)], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert r.returncode != 0 and 'holds metrics.json, the record of a run of another kind' in r.stderr, r.stderr[-2000:]
    assert sorted(p.name for p in run.iterdir()) == ['metrics.json']

def test_video_refuses_a_shared_data_dir_rendered_otherwise(tmp_path):
    "A data_dir given with -p was rendered over when its clips had other settings, under the records of the runs that read it."
    import json
    data = tmp_path / 'clips'; (data / 'vgaf').mkdir(parents=True)
    old = {'format': 'vgaf', 'seed': 5}; (data / 'vgaf' / 'config.json').write_text(json.dumps(old))   # another run's clips
    cmd = [*_command('video.ipynb', tmp_path / 'o.ipynb'), '-p', 'smoke', 'True', '-p', 'out_dir', str(tmp_path / 'run'), '-p', 'data_dir', str(data)]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert r.returncode != 0 and 'holds clips rendered with other settings (' in r.stderr and 'pass another data_dir' in r.stderr, r.stderr[-2000:]
    assert json.loads((data / 'vgaf' / 'config.json').read_text()) == old and not (data / 'afew').exists()   # neither set rendered

def test_video_reads_real_copies_and_scores_on_val_when_test_has_no_labels(tmp_path):
    "-p afew_dir / -p vgaf_dir: copies in the real layouts (no config.json, Train and Val only, as EmotiW ships them) are read instead of rendered; scored on Val, said."
    import json, shutil
    from emoxnet.data.video import ClipConfig, GroupConfig, VideoSynthConfig, export_afew, export_vgaf, GROUP_LABELS
    clip = ClipConfig(n_frames=5, width=160, height=120, face_size=80)
    afew = export_afew(tmp_path / 'AFEW', VideoSynthConfig(per_label={'train': 2, 'valid': 1}, labels=('happiness', 'sadness', 'neutral'), clip=clip, seed=3))
    vgaf = export_vgaf(tmp_path / 'VGAF', VideoSynthConfig(per_label={'train': 2, 'valid': 1}, labels=GROUP_LABELS, seed=3,
                                                            group=GroupConfig(clip=ClipConfig(n_frames=4, width=240, height=100, face_size=64))))
    for d in (afew, vgaf): (d / 'config.json').unlink()   # a real copy has no record of how it was made
    (vgaf / 'Test').mkdir(); shutil.copy(next((vgaf / 'Train').glob('*.avi')), vgaf / 'Test' / 't1.avi')   # and EmotiW's unlabelled test clips
    cmd = [*_command('video.ipynb', tmp_path / 'o.ipynb'), '-p', 'smoke', 'True', '-p', 'out_dir', str(tmp_path / 'run'),
           '-p', 'afew_dir', str(afew), '-p', 'vgaf_dir', str(vgaf)]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    m = json.loads((tmp_path / 'run' / 'metrics.json').read_text())
    assert m['scored_on'] == {'afew': 'valid (Val_AFEW)', 'vgaf': 'valid (Val)'} and m['clips'] == {'afew': 9, 'vgaf': 9}
    assert m['config']['afew'] == {'folder': str(afew)} and not (tmp_path / 'run' / 'data').exists()   # nothing rendered
    assert {a['scored_on'] for a in m['accuracy'] if a['data'] == 'afew'} == {'valid (Val_AFEW)'}
    shutil.rmtree(afew / 'Val_AFEW')
    r = subprocess.run([*_command('video.ipynb', tmp_path / 'o.ipynb'), '-p', 'smoke', 'True', '-p', 'out_dir', str(tmp_path / 'run2'), '-p', 'afew_dir', str(afew)],
                       capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert r.returncode != 0 and 'no labelled clips to score (expected Val_AFEW/ or Test_AFEW/' in r.stderr, r.stderr[-2000:]
    assert not (tmp_path / 'run2' / 'data').exists()   # said before the group clips it needs are rendered

def test_continual_rerun_may_add_methods_not_drop_them(tmp_path):
    "A researcher adding a method to a finished run was refused ('config.methods ...') and told to delete the folder, base model and finished methods with it."
    import json
    base = [*_command('continual.ipynb', tmp_path / 'o.ipynb'), '-p', 'smoke', 'True', '-p', 'out_dir', str(tmp_path / 'c')]
    run = lambda methods: subprocess.run([*base, '-y', f'methods: [{", ".join(methods)}]'], capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert (r := run(['psmr_kd', 'finetune'])).returncode == 0, r.stderr[-3000:]
    first = json.loads((tmp_path / 'c' / 'metrics.json').read_text())
    stamps = lambda: {str(f): f.stat().st_mtime_ns for f in sorted((tmp_path / 'c').glob('**/*.safetensors')) if 'lwf' not in f.parts}
    before = stamps(); assert any('psmr_kd' in k for k in before) and any('base' in k for k in before), before
    assert (r := run(['psmr_kd', 'finetune', 'lwf'])).returncode == 0, r.stderr[-3000:]
    m = json.loads((tmp_path / 'c' / 'metrics.json').read_text())
    assert m['config']['methods'] == ['psmr_kd', 'finetune', 'lwf'] and set(m['records']) == {'psmr_kd', 'finetune', 'lwf'}
    assert m['records']['psmr_kd'] == first['records']['psmr_kd'] and stamps() == before   # reused, not trained again (its weights' files untouched)
    r = run(['psmr_kd'])
    assert r.returncode != 0 and "its results hold methods ['finetune', 'lwf'] that methods=['psmr_kd'] leaves out" in r.stderr, r.stderr[-2000:]
