"`emoxnet data summary` as a user runs it (console script) and through `emoxnet.cli.main`."
import json
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from emoxnet.cli import main
from emoxnet.data.datasets import FERPLUS_COLUMNS

def px(v=0, n=2304) -> str: return ' '.join([str(v)] * n)

@pytest.fixture
def ferplus_dir(tmp_path) -> Path:
    rows = [('Training', 'fer0000000.png', '6,2,0,0,0,0,0,0,2,0'), ('Training', 'fer0000001.png', '4,3,2,1,0,0,0,0,0,0'),
            ('Training', '', '0,10,0,0,0,0,0,0,0,0'), ('PublicTest', 'fer0000003.png', '4,3,2,1,0,0,0,0,0,0'),
            ('PublicTest', 'fer0000004.png', '0,9,0,0,0,0,0,0,1,0'), ('PrivateTest', 'fer0000005.png', '0,0,0,0,0,0,0,0,2,8')]
    (tmp_path / 'fer2013.csv').write_text('emotion,pixels,Usage\n' + ''.join(f'0,{px(i)},{u}\n' for i, (u, _, _) in enumerate(rows)))
    (tmp_path / 'fer2013new.csv').write_text(','.join(FERPLUS_COLUMNS) + '\n' + ''.join(f'{u},{n},{v}\n' for u, n, v in rows))
    return tmp_path

def run(cmd, *args):
    return subprocess.run([*cmd, *map(str, args)], capture_output=True, text=True, timeout=300)

def test_summary_json_ferplus_console_script(emoxnet_cmd, ferplus_dir):
    r = run(emoxnet_cmd, 'data', 'summary', ferplus_dir, '--format', 'ferplus', '--label-mode', 'crossentropy', '--json')
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert set(out) == {'splits', 'skipped', 'skipped_in', 'ferplus_label_modes'}
    assert list(out['skipped_in']) == ['train', 'valid', 'test']   # per split, where a row's split is known: never more than the total
    assert all(sum(v.get(r, 0) for v in out['skipped_in'].values()) <= n for r, n in out['skipped'].items())
    assert list(out['splits']) == ['train', 'valid', 'test']
    assert out['splits']['train'] == {'neutral': 2, 'happiness': 0, 'surprise': 0, 'sadness': 0, 'anger': 0, 'disgust': 0, 'fear': 0, 'contempt': 0}
    assert out['splits']['valid']['happiness'] == 1 and sum(out['splits']['test'].values()) == 0   # valid/test stay majority
    assert out['skipped'] == {'ferplus: no image name': 1, 'ferplus: no majority (top <= 50% of votes)': 1,
                              "ferplus: most votes 'NF' (not a face)": 1}
    modes = out['ferplus_label_modes']   # every mode on the 2 exported training rows, whatever --label-mode says
    assert list(modes) == ['majority', 'crossentropy', 'probability', 'multi_target']
    assert modes['majority'] == {'kept': 1, 'dropped': {'ferplus: no majority (top <= 50% of votes)': 1}}
    assert modes['crossentropy'] == modes['probability'] == {'kept': 2, 'dropped': {}}
    assert modes['multi_target']['kept'] == 2

def test_bad_input_exit_2_one_line_console_script(emoxnet_cmd, ferplus_dir):
    (ferplus_dir / 'fer2013.csv').write_text('emotion,pixels,Usage\n0,1 2 3,Training\n')
    r = run(emoxnet_cmd, 'data', 'summary', ferplus_dir, '--format', 'fer2013', '--json')
    assert r.returncode == 2 and r.stdout == ''
    err = r.stderr.strip()
    assert len(err.splitlines()) == 1 and 'Traceback' not in err
    assert err.startswith('emoxnet data: error: ') and 'fer2013.csv, line 2: malformed pixels: 3 pixel values' in err
    assert 'expected 2304 space-separated integers 0..255' in err

def test_summary_table_and_skip_bad(capsys, ferplus_dir):
    (ferplus_dir / 'fer2013.csv').write_text(f'emotion,pixels,Usage\n3,{px(1)},Training\n9,{px(1)},Training\n0,{px(2)},PublicTest\n')
    assert main(['data', 'summary', str(ferplus_dir), '--format', 'fer2013', '--skip-bad']) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith('fer2013 at ') and lines[1].split() == ['class', 'train', 'valid', 'test']
    assert lines[5].split() == ['happiness', '1', '0', '0'] and 'total' in out
    assert 'skipped:' in out and 'label out of range' in out
    assert f"at {ferplus_dir / 'fer2013.csv'}, line 3" in out   # where the skipped row was
    assert main(['data', 'summary', str(ferplus_dir), '--format', 'fer2013', '--json']) == 2
    assert 'line 3: label 9 out of range' in capsys.readouterr().err

def test_image_formats_and_options(capsys, tmp_path):
    for c in ('happy', 'surprised'):
        (tmp_path / c).mkdir()
        Image.new('RGB', (8, 8)).save(tmp_path / c / '0.jpg')
    assert main(['data', 'summary', str(tmp_path), '--format', 'imagefolder', '--json']) == 0
    assert json.loads(capsys.readouterr().out) == {'splits': {'all': {'happiness': 1, 'surprise': 1}}, 'skipped': {}}
    assert main(['data', 'summary', str(tmp_path), '--format', 'imagefolder', '--names', 'raw', '--no-verify', '--json']) == 0
    assert json.loads(capsys.readouterr().out)['splits'] == {'all': {'happy': 1, 'surprised': 1}}
    assert main(['data', 'summary', str(tmp_path), '--format', 'imagefolder', '--classes', '7']) == 2
    assert '--classes does not apply to --format imagefolder' in capsys.readouterr().err
    assert main(['data', 'summary', str(tmp_path), '--format', 'affectnet', '--classes', '7']) == 2
    assert 'not an AffectNet folder' in capsys.readouterr().err
    assert main(['data', 'summary', str(tmp_path / 'nope'), '--format', 'cfee']) == 2
    assert 'no such file or folder' in capsys.readouterr().err

def test_data_without_action_prints_help(capsys):
    assert main(['data']) == 0
    assert 'summary' in capsys.readouterr().out
    with pytest.raises(SystemExit): main(['data', 'summary', '.', '--format', 'fer2014'])

def test_summary_table_ferplus_label_modes(capsys, ferplus_dir):
    assert main(['data', 'summary', str(ferplus_dir), '--format', 'ferplus']) == 0
    out = capsys.readouterr().out
    assert 'FER+ training rows per label mode' in out
    report = out.split('FER+ training rows per label mode')[1].splitlines()
    assert report[1].split() == ['majority', 'kept', '1'] and 'no majority (top <= 50% of votes)' in report[2]
    assert [l.split()[0] for l in report[1:] if 'kept' in l] == ['majority', 'crossentropy', 'probability', 'multi_target']

def test_summary_label_modes_leave_out_rows_skipped_for_their_pixels(capsys, ferplus_dir):
    "Under --skip-bad a training row whose pixels are malformed is skipped by the loader; the label-mode report counted it as kept."
    rows = (ferplus_dir / 'fer2013.csv').read_text().splitlines()
    rows[1] = f'0,{px(0, 16)},Training'   # fer0000000.png: kept by majority and crossentropy alike
    (ferplus_dir / 'fer2013.csv').write_text('\n'.join(rows) + '\n')
    for mode, kept in (('majority', 0), ('crossentropy', 1)):
        assert main(['data', 'summary', str(ferplus_dir), '--format', 'ferplus', '--label-mode', mode, '--skip-bad', '--json']) == 0
        out = json.loads(capsys.readouterr().out)
        assert out['skipped']['malformed pixels'] == 1
        assert sum(out['splits']['train'].values()) == kept == out['ferplus_label_modes'][mode]['kept']   # the report says what the load kept
    modes = out['ferplus_label_modes']   # as the loader counts them: majority drops the other row for its votes, each mode the malformed one for its pixels
    assert modes['majority'] == {'kept': 0, 'dropped': {'ferplus: no majority (top <= 50% of votes)': 1, 'malformed pixels': 1}}
    assert modes['crossentropy'] == {'kept': 1, 'dropped': {'malformed pixels': 1}}


def test_summary_label_modes_count_a_row_with_two_problems_as_the_loader_does(capsys, ferplus_dir):
    "A training row without a majority and with malformed pixels: majority mode drops it for its votes (its pixels are never read), crossentropy for its pixels."
    rows = (ferplus_dir / 'fer2013.csv').read_text().splitlines()
    rows[2] = f'0,{px(0, 16)},Training'   # fer0000001.png: votes 4,3,2,1 (no majority), and now malformed pixels
    (ferplus_dir / 'fer2013.csv').write_text('\n'.join(rows) + '\n')
    for mode in ('majority', 'crossentropy'):
        assert main(['data', 'summary', str(ferplus_dir), '--format', 'ferplus', '--label-mode', mode, '--skip-bad', '--json']) == 0
        out = json.loads(capsys.readouterr().out)
        report, skipped = out['ferplus_label_modes'][mode], out['skipped']
        assert report['kept'] == sum(out['splits']['train'].values())
        for reason, k in report['dropped'].items(): assert skipped.get(reason, 0) >= k, (mode, reason, skipped)   # valid/test add to skipped, never the reverse
    assert out['ferplus_label_modes']['majority'] == {'kept': 1, 'dropped': {'ferplus: no majority (top <= 50% of votes)': 1}}   # its pixels never read
    assert out['ferplus_label_modes']['crossentropy'] == {'kept': 1, 'dropped': {'malformed pixels': 1}}

def test_summary_rafdb_counts_original_fallback(capsys, tmp_path):
    "images=auto uses an original photo where the aligned crop is missing: the summary counts both kinds, and loading warns."
    b = tmp_path / 'basic'
    for k in ('aligned', 'original'): (b / 'Image' / k).mkdir(parents=True)
    (b / 'EmoLabel').mkdir(); (b / 'EmoLabel' / 'list_patition_label.txt').write_text('train_00001.jpg 5\ntrain_00002.jpg 4\ntest_0001.jpg 7\n')
    Image.new('RGB', (100, 100), 'red').save(b / 'Image' / 'aligned' / 'train_00001_aligned.jpg')
    Image.new('RGB', (100, 100), 'blue').save(b / 'Image' / 'original' / 'train_00002.jpg')
    Image.new('RGB', (100, 100)).save(b / 'Image' / 'aligned' / 'test_0001_aligned.jpg')
    assert main(['data', 'summary', str(tmp_path), '--format', 'rafdb', '--json']) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)['rafdb_images'] == {'aligned': 2, 'original': 1}
    assert err.startswith('emoxnet data: warning: ') and '1 of 3 images have no aligned crop' in err and len(err.splitlines()) == 1, err   # one line, no source line
    assert main(['data', 'summary', str(tmp_path), '--format', 'rafdb']) == 0
    assert 'images: 2 aligned crops, 1 original photos' in capsys.readouterr().out
    # a label file without test rows: an empty test split, still summarised
    (b / 'EmoLabel' / 'list_patition_label.txt').write_text('train_00001.jpg 5\n')
    assert main(['data', 'summary', str(tmp_path), '--format', 'rafdb', '--json']) == 0
    assert json.loads(capsys.readouterr().out)['rafdb_images'] == {'aligned': 1, 'original': 0}

def test_a_file_given_for_a_folder_format_is_said_so(capsys, tmp_path):
    "A CSV file given for RAF-DB was reported as 'x.csv/EmoLabel/list_patition_label.txt: file not found'."
    f = tmp_path / 'fer2013.csv'; f.write_text(f'emotion,pixels,Usage\n3,{px(1)},Training\n')
    for fmt in ('rafdb', 'affectnet', 'utkface', 'imagefolder'):
        assert main(['data', 'summary', str(f), '--format', fmt]) == 2
        err = capsys.readouterr().err
        assert f'{f}: a file, not a folder (expected the {fmt} dataset folder' in err and 'EmoLabel' not in err, err
    assert main(['data', 'summary', str(f), '--format', 'fer2013']) == 0   # fer2013 (and ferplus) read their CSV file given alone

def test_summary_of_generated_data_says_how(tmp_path, capsys, monkeypatch):
    "`emoxnet train --data toy` works, so a user tries `data summary toy`: the error says generated data are not on disk and how to export SynthFACS (it said only that --format is required, and --format toy is no format)."
    monkeypatch.chdir(tmp_path)
    assert main(['data', 'summary', 'toy']) == 2
    err = capsys.readouterr().err
    assert 'toy: no such file or folder' in err and 'emoxnet synth --out DIR' in err and 'Traceback' not in err, err
