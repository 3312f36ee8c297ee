"Real-dataset loaders (emoxnet.data.datasets) on small hand-written files."
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from emoxnet.core import BASIC, COMPOUND, label_spec
from emoxnet.data.core import DataError, FERSplits
from emoxnet.data.datasets import LOADERS, load_dataset
from emoxnet.data.datasets import (AFFECTNET_COLUMNS, FERPLUS_COLUMNS, ferplus_targets, kfold_splits, parse_pixels)

# ---------------------------------------------------------------- writers

def px(v=0, n=2304) -> str: return ' '.join([str(v)] * n)

def write_fer2013(folder: Path, rows, header='emotion,pixels,Usage', newline='\n') -> Path:
    "rows: (emotion, pixels, usage) tuples written verbatim."
    folder.mkdir(parents=True, exist_ok=True)
    f = folder / 'fer2013.csv'
    f.write_bytes((newline.join([header] + [f'{e},{p},{u}' for e, p, u in rows]) + newline).encode())
    return f

def write_ferplus(folder: Path, rows, header=','.join(FERPLUS_COLUMNS)) -> Path:
    "rows: (usage, image name, 'v0,...,v9') tuples; also writes the aligned fer2013.csv (row i's pixels are all i)."
    write_fer2013(folder, [(0, px(i), u) for i, (u, _, _) in enumerate(rows)])
    f = folder / 'fer2013new.csv'
    f.write_text('\n'.join([header] + [f'{u},{n},{v}' for u, n, v in rows]) + '\n')
    return f

def save_img(path: Path, size=(8, 8), colour=(120, 60, 30)):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new('RGB', size, colour).save(path)

def write_raf(root: Path, sub: str, lines: list[str], aligned=(), original=()) -> Path:
    base = root / sub
    (base / 'EmoLabel').mkdir(parents=True, exist_ok=True)
    (base / 'EmoLabel' / 'list_patition_label.txt').write_text('\n'.join(lines) + '\n')
    for n in aligned: save_img(base / 'Image' / 'aligned' / n)
    for n in original: save_img(base / 'Image' / 'original' / n)
    (base / 'Image' / 'aligned').mkdir(parents=True, exist_ok=True)
    return base / 'EmoLabel' / 'list_patition_label.txt'

def write_affectnet_csv(root: Path, train_rows, val_rows, images=True):
    "rows: (subDirectory_filePath, expression, valence, arousal)."
    for fn, rows in (('training.csv', train_rows), ('validation.csv', val_rows)):
        (root / fn).write_text(','.join(AFFECTNET_COLUMNS) + '\n' +
                               ''.join(f'{p},1,2,6,5,"1.5;2.5;3.5",{e},{v},{a}\n' for p, e, v, a in rows))   # a face box inside the 8x8 images
        if images:
            for p, *_ in rows: save_img(root / 'Manually_Annotated_Images' / p)

def write_affectnet_folder(root: Path, split_dir: str, items, as_str=True):
    "items: (id, expression, valence, arousal)."
    for i, e, v, a in items:
        save_img(root / split_dir / 'images' / f'{i}.jpg')
        ann = root / split_dir / 'annotations'; ann.mkdir(parents=True, exist_ok=True)
        for suffix, x in (('exp', e), ('val', v), ('aro', a)):
            np.save(ann / f'{i}_{suffix}.npy', np.array(str(x) if as_str else x))

# ---------------------------------------------------------------- FER2013

def test_fer2013_splits_classes_and_meta(tmp_path):
    write_fer2013(tmp_path, [(3, px(1), 'Training'), (0, px(2), 'Training'), (5, px(3), 'PublicTest'), (6, px(4), 'PrivateTest')])
    sp = load_dataset(tmp_path, 'fer2013')
    assert isinstance(sp, FERSplits) and list(sp) == ['train', 'valid', 'test']
    assert sp.classes == label_spec('fer2013').classes
    tr = sp['train']
    assert tr.images.shape == (2, 48, 48) and tr.images.dtype == np.uint8 and tr.in_memory
    assert [tr.classes[t] for t in tr.targets] == ['happiness', 'anger']
    assert tr.meta['line'].tolist() == [2, 3] and tr.meta['row'].tolist() == [0, 1]
    assert tr.meta['source'].iloc[0].endswith('fer2013.csv')
    assert int(sp['test'].images[0, 5, 5]) == 4 and sp['valid'].counts()['surprise'] == 1
    x, y = tr[0]
    assert tuple(x.shape) == (1, 48, 48) and y == tr.targets[0]
    assert sp.skipped == Counter()

def test_fer2013_accepts_csv_path_crlf_and_blank_lines(tmp_path):
    f = write_fer2013(tmp_path, [(1, px(9), 'Training'), (2, px(8), 'PrivateTest')], newline='\r\n')
    sp = load_dataset(f, 'fer2013')
    assert len(sp['train']) == 1 and len(sp['test']) == 1 and sp['train'].meta['line'].tolist() == [2]
    f.write_text(f'emotion,pixels,Usage\n1,{px(9)},Training\n\n2,{px(8)},PrivateTest\n\n')
    sp = load_dataset(f, 'fer2013')
    assert sp['test'].meta['line'].tolist() == [4]

@pytest.mark.parametrize('pixels, problem', [
    (px(1, 2303), '2303 pixel values'),
    (px(1, 2305), '2305 pixel values'),
    (px(1, 2303) + ' x', 'not all integers'),
    (px(1, 2303) + ' 12.5', 'not all integers'),
    (px(1, 2303) + ' 256', 'pixel value 256 outside 0..255'),
    (px(1, 2303) + ' -3', 'pixel value -3 outside 0..255'),
    ('', '0 pixel values'),
])
def test_fer2013_malformed_pixels_name_file_row_expectation(tmp_path, pixels, problem):
    write_fer2013(tmp_path, [(3, px(1), 'Training'), (3, pixels, 'Training')])
    with pytest.raises(DataError) as e: load_dataset(tmp_path, 'fer2013')
    msg = str(e.value)
    assert 'fer2013.csv, line 3: malformed pixels' in msg and problem in msg
    assert 'expected 2304 space-separated integers 0..255' in msg
    assert e.value.line == 3 and e.value.file.endswith('fer2013.csv')
    sp = load_dataset(tmp_path, 'fer2013', skip_bad=True)
    assert len(sp['train']) == 1 and sp.skipped == {'malformed pixels': 1}

@pytest.mark.parametrize('label', ['7', '-1', 'x', ''])
def test_fer2013_label_out_of_range(tmp_path, label):
    write_fer2013(tmp_path, [(label, px(), 'Training')])
    with pytest.raises(DataError, match=r'fer2013.csv, line 2: label .* \(expected an integer in 0..6\)'):
        load_dataset(tmp_path, 'fer2013')
    reason = 'label out of range' if label.lstrip('-').isdigit() else 'label not an integer'   # counted as what it is ('x' was counted out of range)
    assert load_dataset(tmp_path, 'fer2013', skip_bad=True).skipped == {reason: 1}

def test_fer2013_wrong_header_missing_file_usage_and_fields(tmp_path):
    write_fer2013(tmp_path, [(0, px(), 'Training')], header='label,pixels,Usage')
    with pytest.raises(DataError, match=r'line 1: wrong header .*missing emotion.*expected a header with the columns emotion,pixels,Usage'):
        load_dataset(tmp_path, 'fer2013')
    write_fer2013(tmp_path, [(0, px(), 'Train'), (0, px(), 'Training,extra'), (1, px(), 'Training')])
    with pytest.raises(DataError, match=r"line 2: Usage 'Train' \(expected Training, PublicTest or PrivateTest\)"):
        load_dataset(tmp_path, 'fer2013')
    sp = load_dataset(tmp_path, 'fer2013', skip_bad=True)
    assert sp.skipped == {'unknown usage': 1, 'malformed line': 1} and len(sp['train']) == 1
    (tmp_path / 'fer2013.csv').unlink()
    with pytest.raises(DataError, match='fer2013.csv: file not found'): load_dataset(tmp_path, 'fer2013')
    with pytest.raises(DataError, match='no such file or folder'): load_dataset(tmp_path / 'nope', 'fer2013')

def test_parse_pixels():
    a = parse_pixels(' '.join(str(i % 256) for i in range(2304)))
    assert a.shape == (48, 48) and a.dtype == np.uint8 and a[0, 1] == 1 and a[5, 16] == (5 * 48 + 16) % 256

# ---------------------------------------------------------------- FER+ label rules

VOTES = {  # name: (votes, majority, crossentropy, multi_target) where each is a class name or a drop reason
    'outliers':  ([0, 8, 1, 0, 0, 0, 1, 0, 0, 0], 'happiness', 'happiness', 'happiness'),
    'majority':  ([6, 2, 0, 0, 0, 0, 0, 0, 2, 0], 'neutral', 'neutral', 'neutral'),
    'tie50':     ([5, 3, 0, 0, 0, 0, 0, 0, 2, 0], 'no majority', 'neutral', 'neutral'),
    'spread':    ([4, 3, 2, 1, 0, 0, 0, 0, 0, 0], 'no majority', 'neutral', 'neutral'),
    'unknown':   ([0, 2, 0, 0, 0, 0, 0, 0, 6, 2], "'unknown'", "'unknown'", "'unknown'"),
    'nf':        ([0, 0, 0, 0, 0, 0, 0, 2, 0, 8], "'NF'", "'NF'", "'NF'"),
    'allones':   ([1, 1, 1, 1, 1, 1, 1, 1, 1, 1], 'one-vote outlier', 'one-vote outlier', 'one-vote outlier'),
    'zeros':     ([0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 'no votes', 'no votes', 'no votes'),   # not 'one-vote outlier': there is no vote
    'tie_unk':   ([4, 0, 0, 0, 0, 0, 0, 0, 4, 2], 'no majority', '<= 50% of votes', 'neutral'),   # crossentropy: unknown put back, 4 of 10
    'unk_first': ([0, 0, 0, 0, 0, 0, 0, 0, 5, 5], 'no majority', "'unknown'", "'unknown'"),
    'bar30':     ([3, 3, 2, 2, 0, 0, 0, 0, 0, 0], 'no majority', 'more than 3', 'neutral'),       # crossentropy: 4 columns
    'flat':      ([2, 2, 2, 2, 2, 0, 0, 0, 0, 0], 'no majority', 'more than 3', '>= 30%'),
    'ce_4cols':  ([3, 2, 3, 0, 2, 0, 0, 0, 0, 0], 'no majority', 'more than 3', 'neutral'),
    'multi_few': ([0, 4, 0, 2, 2, 0, 2, 0, 0, 0], 'no majority', 'more than 3', '>= 30%'),
    'three':     ([4, 3, 3, 0, 0, 0, 0, 0, 0, 0], 'no majority', 'neutral', 'neutral'),
    'nf_after':  ([5, 2, 0, 0, 0, 0, 0, 0, 0, 3], 'no majority', '<= 50% of votes', 'neutral'),  # NF put back: 5 of 10
    'sadness':   ([0, 0, 0, 7, 0, 0, 0, 0, 0, 3], 'sadness', 'sadness', 'sadness'),
}

@pytest.mark.parametrize('mode, col', [('majority', 1), ('crossentropy', 2), ('probability', 2), ('multi_target', 3)])
def test_ferplus_rules_per_mode(mode, col):
    names = list(VOTES)
    keep, t, soft, why = ferplus_targets([VOTES[n][0] for n in names], mode)
    for i, n in enumerate(names):
        want = VOTES[n][col]
        if want in BASIC:
            assert keep[i] and BASIC[t[i]] == want and why[i] == '', (n, mode)
            assert abs(soft[i].sum() - 1) < 1e-6
        else:
            assert not keep[i] and want in why[i] and why[i].startswith('ferplus: '), (n, mode, why[i])
            assert soft[i].sum() == 0

def test_ferplus_soft_targets_are_filtered_renormalised_distributions():
    keep, t, soft, _ = ferplus_targets([[4, 3, 2, 1, 0, 0, 0, 0, 0, 0], [6, 2, 0, 0, 0, 0, 0, 0, 2, 0],
                                        [0, 8, 1, 0, 0, 0, 1, 0, 0, 0]], 'crossentropy')
    np.testing.assert_allclose(soft[0], np.array([4, 3, 0, 0, 0, 0, 0, 0]) / 7, rtol=1e-6)   # 4+3 >= 75% of 9: the walk stops
    np.testing.assert_allclose(soft[1], [.75, .25, 0, 0, 0, 0, 0, 0], rtol=1e-6)   # unknown votes renormalised away
    np.testing.assert_allclose(soft[2], [0, 1, 0, 0, 0, 0, 0, 0])                  # single votes removed
    _, _, soft, _ = ferplus_targets([[4, 3, 2, 1, 0, 0, 0, 0, 0, 0], [3, 3, 2, 2, 0, 0, 0, 0, 0, 0], [6, 0, 0, 0, 0, 0, 0, 0, 0, 4]], 'multi_target')
    assert (soft >= 0.3).astype(int).tolist() == [[1, 1, 0, 0, 0, 0, 0, 0], [1, 1, 0, 0, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0, 0, 0]]
    with pytest.raises(ValueError, match='expected one of majority'): ferplus_targets([[0] * 10], 'vote')

def all_vote_rows(n=10, k=10) -> np.ndarray:
    "Every way to spread n votes over k columns (92,378 rows for the FER+ panel of 10)."
    from itertools import combinations
    cuts = np.array(list(combinations(range(n + k - 1), k - 1)))
    edges = np.concatenate([np.full((len(cuts), 1), -1), cuts, np.full((len(cuts), 1), n + k - 1)], 1)
    return np.diff(edges, axis=1) - 1

@pytest.mark.parametrize('mode', ['majority', 'crossentropy', 'multi_target'])
def test_ferplus_rule_properties_on_every_vote_row(mode):
    V = all_vote_rows()
    assert V.shape == (92378, 10) and (V.sum(1) == 10).all()
    keep, t, soft, why = ferplus_targets(V, mode)
    v = np.where(V <= 1, 0, V); total = v.sum(1)
    assert (why[keep] == '').all() and all(r.startswith('ferplus: ') for r in why[~keep])
    assert (soft[~keep] == 0).all() and np.allclose(soft[keep].sum(1), 1, atol=1e-6)
    assert (t[keep] == soft[keep].argmax(1)).all()
    assert (v[keep, t[keep]] >= v[keep, 8:].max(1)).all()          # never kept with more unknown/NF votes than its class
    assert (why[total == 0] == 'ferplus: every vote was a one-vote outlier').all()
    taken = (soft > 0)
    if mode == 'majority':
        assert (keep == ((v.max(1) > total / 2) & (v.argmax(1) < 8))).all()
        assert (taken.sum(1)[keep] == 1).all()
    if mode == 'crossentropy':
        n = taken.sum(1)[keep]
        assert n.min() == 1 and n.max() == 3
        assert (((soft > 0) * v[:, :8]).sum(1)[keep] > total[keep] / 2).all()   # more than half of the votes (after outliers)
    if mode == 'multi_target':
        pos = v[:, :8] >= 0.3 * total[:, None]
        assert ((soft >= 0.3) == pos)[keep].all()                       # the positives are exactly the >= 30% columns
        assert (((v >= 0.3 * total[:, None]) * v).sum(1)[keep] > total[keep] / 2).all()

def test_ferplus_rules_on_no_rows():
    for mode in ('majority', 'crossentropy', 'probability', 'multi_target'):
        keep, t, soft, why = ferplus_targets(np.zeros((0, 10)), mode)
        assert keep.shape == t.shape == why.shape == (0,) and soft.shape == (0, 8)

FERPLUS_ROWS = [  # usage, image name, votes
    ('Training', 'fer0000000.png', '6,2,0,0,0,0,0,0,2,0'),   # neutral in every mode
    ('Training', 'fer0000001.png', '4,3,2,1,0,0,0,0,0,0'),   # no majority; soft 4/9 3/9 2/9
    ('Training', '', '0,10,0,0,0,0,0,0,0,0'),                # not exported: skipped
    ('Training', 'fer0000003.png', '0,2,0,0,0,0,0,0,6,2'),   # unknown
    ('Training', 'fer0000004.png', '1,1,1,1,1,1,1,1,1,1'),   # all outliers
    ('PublicTest', 'fer0000005.png', '4,3,2,1,0,0,0,0,0,0'),  # valid: majority mode -> dropped
    ('PublicTest', 'fer0000006.png', '0,0,9,1,0,0,0,0,0,0'),  # valid: surprise
    ('PrivateTest', 'fer0000007.png', '5,3,0,0,0,0,0,0,2,0'), # test: tie at 50% -> dropped
    ('PrivateTest', 'fer0000008.png', '0,0,0,0,0,0,0,0,2,8'), # test: NF
    ('PrivateTest', 'fer0000009.png', '0,0,0,0,3,7,0,0,0,0'), # test: disgust
]

def test_ferplus_majority(tmp_path):
    write_ferplus(tmp_path, FERPLUS_ROWS)
    sp = load_dataset(tmp_path, 'ferplus')
    assert sp.classes == BASIC and {k: len(v) for k, v in sp.items()} == {'train': 1, 'valid': 1, 'test': 1}
    assert sp.skipped == {'ferplus: no image name': 1, 'ferplus: no majority (top <= 50% of votes)': 3,
                          "ferplus: most votes 'unknown'": 1, "ferplus: most votes 'NF' (not a face)": 1,
                          'ferplus: every vote was a one-vote outlier': 1}
    s = sp.summary()
    assert s['splits']['valid']['surprise'] == 1 and s['splits']['test']['disgust'] == 1 and s['splits']['train']['neutral'] == 1
    tr = sp['train']
    assert tr.label_mode == 'hard' and tr[0][1] == 0
    np.testing.assert_allclose(tr.soft_targets[0], [1, 0, 0, 0, 0, 0, 0, 0], rtol=1e-6)   # majority: the winner only
    assert tr.meta.loc[0, 'image_name'] == 'fer0000000.png' and tr.meta.loc[0, 'votes_unknown'] == 2
    assert int(sp['test'].images[0, 0, 0]) == 9                    # pixels from the aligned fer2013.csv row
    assert sp['test'].meta['line'].tolist() == [11] and sp['test'].meta['row'].tolist() == [9]

@pytest.mark.parametrize('mode, dataset_mode', [('crossentropy', 'soft'), ('probability', 'sample'), ('multi_target', 'multi')])
def test_ferplus_training_modes_and_valid_test_forced_to_majority(tmp_path, mode, dataset_mode):
    write_ferplus(tmp_path, FERPLUS_ROWS)
    sp = load_dataset(tmp_path, 'ferplus', label_mode=mode)
    tr = sp['train']
    assert tr.label_mode == dataset_mode and len(tr) == 2 and tr.meta['row'].tolist() == [0, 1]
    for split in ('valid', 'test'):
        assert sp[split].label_mode == 'hard'
    assert {k: len(v) for k, v in sp.items() if k != 'train'} == {'valid': 1, 'test': 1}
    y = tr[1][1]
    if mode == 'crossentropy': np.testing.assert_allclose(y.numpy(), np.array([4, 3, 0, 0, 0, 0, 0, 0]) / 7, rtol=1e-6)
    if mode == 'multi_target': assert y.tolist() == [1, 1, 0, 0, 0, 0, 0, 0]
    if mode == 'probability':
        draws = np.stack([tr[1][1].numpy() for _ in range(300)])
        assert (draws.sum(1) == 1).all() and set(np.flatnonzero(draws.sum(0))) == {0, 1}

def test_ferplus_bad_inputs(tmp_path):
    rows = [('Training', 'fer0000000.png', '6,2,0,0,0,0,0,0,2,0'), ('Training', 'fer0000001.png', '6,x,0,0,0,0,0,0,2,0')]
    write_ferplus(tmp_path, rows)
    with pytest.raises(DataError, match=r'fer2013new.csv, line 3: votes 6,x.*expected 10 non-negative integer vote counts'):
        load_dataset(tmp_path, 'ferplus')
    assert load_dataset(tmp_path, 'ferplus', skip_bad=True).skipped == {'malformed votes': 1}
    write_ferplus(tmp_path, [rows[0], ('Training', 'fer0000001.png', '0,0,0,0,0,1000,0,0,0,0')])   # more votes than the 10 taggers: stray digits
    with pytest.raises(DataError, match=r'line 3: votes 0,0,0,0,0,1000.*at most 10 in all'): load_dataset(tmp_path, 'ferplus')
    # usage disagreeing with the aligned fer2013.csv row
    write_ferplus(tmp_path, rows[:1])
    (tmp_path / 'fer2013new.csv').write_text(','.join(FERPLUS_COLUMNS) + '\nPublicTest,fer0000000.png,6,2,0,0,0,0,0,0,2,0\n')
    with pytest.raises(DataError, match=r"line 2: Usage 'PublicTest' but fer2013.csv line 2 says 'Training'"):
        load_dataset(tmp_path, 'ferplus')
    # row counts differ
    write_ferplus(tmp_path, rows[:1])
    write_fer2013(tmp_path, [(0, px(), 'Training')] * 2)
    with pytest.raises(DataError, match=r'fer2013new.csv: 1 data rows but fer2013.csv has 2 \(expected one row per fer2013.csv row'):
        load_dataset(tmp_path, 'ferplus')
    # malformed pixels in the aligned fer2013.csv row
    write_ferplus(tmp_path, rows[:1])
    write_fer2013(tmp_path, [(0, px(1, 2000), 'Training')])
    with pytest.raises(DataError, match=r'fer2013.csv, line 2: malformed pixels: 2000 pixel values'):
        load_dataset(tmp_path, 'ferplus')
    # wrong header, missing files
    write_ferplus(tmp_path, rows[:1], header='Usage,Image name,neutral,happiness')
    with pytest.raises(DataError, match=r'fer2013new.csv, line 1: wrong header .*missing surprise'):
        load_dataset(tmp_path, 'ferplus')
    (tmp_path / 'fer2013new.csv').unlink()
    with pytest.raises(DataError, match=r'fer2013new.csv: file not found'): load_dataset(tmp_path, 'ferplus')
    write_ferplus(tmp_path, rows[:1]); (tmp_path / 'fer2013.csv').unlink()
    with pytest.raises(DataError, match=r'fer2013.csv: file not found \(expected fer2013.csv beside fer2013new.csv'):
        load_dataset(tmp_path, 'ferplus')
    with pytest.raises(ValueError, match='FER\\+ label mode'): load_dataset(tmp_path, 'ferplus', label_mode='soft')

def test_ferplus_no_votes_and_duplicate_image_names(tmp_path):
    keep, _, _, why = ferplus_targets([[0] * 10, [1] * 10], 'majority')
    assert not keep.any() and why.tolist() == ['ferplus: no votes', 'ferplus: every vote was a one-vote outlier']
    rows = [('Training', 'fer0000000.png', '6,2,0,0,0,0,0,0,2,0'), ('Training', 'fer0000000.png', '0,8,0,0,0,0,0,0,2,0'),
            ('PublicTest', 'fer0000001.png', '0,0,9,1,0,0,0,0,0,0')]   # line 3 repeats line 2's image name, side by side (neither row is out of place)
    write_ferplus(tmp_path, rows)
    with pytest.raises(DataError, match=r"fer2013new.csv, line 3: image 'fer0000000.png' listed again \(first on line 2\) \(expected each image listed once\)"):
        load_dataset(tmp_path, 'ferplus')
    sp = load_dataset(tmp_path, 'ferplus', skip_bad=True)
    assert sp.skipped == {'duplicate image': 1} and len(sp['train']) == 1 and len(sp['valid']) == 1
    assert sp.skipped_at['duplicate image'] == [f"{tmp_path / 'fer2013new.csv'}, line 3"]
    write_ferplus(tmp_path, [rows[0], rows[2], ('PublicTest', 'fer0000000.png', '0,0,9,1,0,0,0,0,0,0')])   # line 4 carries line 2's name out of place (after 1): a misnamed row, as in Microsoft's file
    sp = load_dataset(tmp_path, 'ferplus')
    assert sp.skipped == {'ferplus: misnamed row': 1} and len(sp['train']) == 1 and sp['valid'].meta['line'].tolist() == [3]
    write_ferplus(tmp_path, [rows[0], ('Training', '', '0,0,0,0,0,0,0,0,0,0'), ('Training', '', '1,1,1,1,1,1,1,1,1,1')])
    assert load_dataset(tmp_path, 'ferplus').skipped == {'ferplus: no image name': 2}   # empty names are not duplicates

# ---------------------------------------------------------------- RAF-DB

def test_rafdb_basic_aligned_fallback_and_options(tmp_path):
    write_raf(tmp_path, 'basic', ['train_00001.jpg 5', 'train_00002.jpg 1', 'test_0001.jpg 7', ''],
              aligned=['train_00001_aligned.jpg', 'test_0001_aligned.jpg'],
              original=['train_00001.jpg', 'train_00002.jpg', 'test_0001.jpg'])
    for path in (tmp_path, tmp_path / 'basic'):
        sp = load_dataset(path, 'rafdb')
        assert list(sp) == ['train', 'test'] and sp.classes == label_spec('rafdb').classes
        tr = sp['train']
        assert [tr.classes[t] for t in tr.targets] == ['sadness', 'surprise']
        assert tr.meta['aligned'].tolist() == [True, False] and not tr.in_memory
        assert tr.images[0].endswith('Image/aligned/train_00001_aligned.jpg') and tr.images[1].endswith('Image/original/train_00002.jpg')
        assert tr.meta['line'].tolist() == [1, 2] and sp['test'].counts()['neutral'] == 1
        assert tr.image(0).shape == (8, 8, 3)
    orig = load_dataset(tmp_path, 'rafdb', images='original')
    assert all('/original/' in p for p in orig['train'].images)
    with pytest.raises(DataError, match=r'list_patition_label.txt, line 2: image .*train_00002_aligned.jpg not found'):
        load_dataset(tmp_path, 'rafdb', images='aligned')
    assert load_dataset(tmp_path, 'rafdb', images='aligned', skip_bad=True).skipped == {'missing image': 1}
    with pytest.raises(ValueError, match='images='): load_dataset(tmp_path, 'rafdb', images='cropped')

def test_rafdb_compound(tmp_path):
    write_raf(tmp_path, 'compound', ['train_0001.jpg 11', 'test_0001.jpg 1'], aligned=['train_0001_aligned.jpg', 'test_0001_aligned.jpg'])
    sp = load_dataset(tmp_path, 'rafdb-compound')
    assert len(sp.classes) == 11 and sp.classes == label_spec('rafdb-compound').classes
    assert sp.summary()['splits'] == {'train': {**{c: 0 for c in sp.classes}, 'disgustedly surprised': 1},
                                      'test': {**{c: 0 for c in sp.classes}, 'happily surprised': 1}}
    with pytest.raises(ValueError, match=r"holds the RAF-DB compound set \(compound/\) but no basic/, and rafdb reads the basic set .*use format 'rafdb-compound'"):
        load_dataset(tmp_path, 'rafdb')   # no basic/ folder here: said directly, not 'pass .../compound instead'

def test_rafdb_bad_inputs(tmp_path):
    lf = write_raf(tmp_path, 'basic', ['train_00001.jpg 8', 'train_00002.jpg', 'val_0001.jpg 2', 'train_00003.jpg 2', 'test_0001.jpg 3'],
                   aligned=['train_00001_aligned.jpg', 'train_00003_aligned.jpg'])
    (tmp_path / 'basic/Image/aligned/test_0001_aligned.jpg').write_bytes(b'\xff\xd8 this is not a jpeg')
    with pytest.raises(DataError, match=r'list_patition_label.txt, line 1: label 8 out of range \(expected an integer in 1..7\)'):
        load_dataset(tmp_path, 'rafdb')
    lf.write_text('train_00002.jpg\n')
    with pytest.raises(DataError, match=r"line 1: 'train_00002.jpg' \(expected '<image name> <label 1..7>'"):
        load_dataset(tmp_path, 'rafdb')
    lf.write_text('val_0001.jpg 2\n')
    with pytest.raises(DataError, match=r"line 1: image name 'val_0001.jpg' \(expected a name starting with 'train_' or 'test_'\)"):
        load_dataset(tmp_path, 'rafdb')
    lf.write_text('test_0001.jpg 3\n')
    with pytest.raises(DataError, match=r'line 1: image .*test_0001_aligned.jpg unreadable \(UnidentifiedImageError.*expected a readable JPEG, PNG, BMP, GIF, TIFF, WebP or PPM/PGM image'):
        load_dataset(tmp_path, 'rafdb')
    sp = load_dataset(tmp_path, 'rafdb', verify_images=False)    # exists, not opened
    assert len(sp['test']) == 1
    with pytest.raises(DataError, match='test_0001_aligned.jpg: unreadable image'): sp['test'].image(0)
    lf.write_text('train_00001.jpg 8\ntrain_00002.jpg\nval_0001.jpg 2\ntrain_00003.jpg 2\ntest_0001.jpg 3\ntrain_00009.jpg 1\ntrain_00004.jpg three\n')
    sp = load_dataset(tmp_path, 'rafdb', skip_bad=True)
    assert sp.skipped == {'label out of range': 1, 'malformed line': 1, 'unknown split': 1, 'unreadable image': 1, 'missing image': 1, 'label not an integer': 1}   # 'three': counted as what it is
    assert len(sp['train']) == 1 and len(sp['test']) == 0
    lf.unlink()
    with pytest.raises(DataError, match='list_patition_label.txt: file not found'): load_dataset(tmp_path, 'rafdb')

def test_label_files_not_utf8_name_the_file_and_line(tmp_path):
    lf = write_raf(tmp_path, 'basic', ['train_00001.jpg 5'], aligned=['train_00001_aligned.jpg'])
    lf.write_bytes('train_00001.jpg 5\r\ntrain_\xe9t\xe9.jpg 1\r\n'.encode('latin-1'))
    with pytest.raises(DataError, match=r'list_patition_label.txt, line 2: not UTF-8 text \(byte 0xe9 at offset 25\)'):
        load_dataset(tmp_path, 'rafdb')
    from emoxnet.data.video import _read_group_labels
    vf = tmp_path / 'Train_labels.txt'
    vf.write_bytes('Vid_name Label\nclip_\xe9 1\n'.encode('cp1252'))
    with pytest.raises(DataError, match=r'Train_labels.txt, line 2: not UTF-8 text'): _read_group_labels(vf)
    vf.write_text('\ufeffVid_name Label\r\na 1\r\nb Negative\r\n', encoding='utf-8')   # BOM and CRLF are fine
    assert _read_group_labels(vf) == {'a': 'Positive', 'b': 'Negative'}
    vf.write_text('Vid_name Label\na 1\nb 2\na 3\n')
    with pytest.raises(DataError, match=r"Train_labels.txt, line 4: clip 'a' listed again \(first on line 2\)"): _read_group_labels(vf)

# ---------------------------------------------------------------- AffectNet

AFF_ROWS = [('1/a.jpg', 0, 0.1, 0.2), ('1/b.jpg', 1, -0.5, 0.9), ('2/c.jpg', 7, 0.3, -0.3), ('2/d.jpg', 8, -2, -2),
            ('2/e.jpg', 9, -2, -2), ('3/f.jpg', 10, -2, -2), ('3/g.jpg', 6, -2, -2)]

def test_affectnet_csv_release(tmp_path):
    write_affectnet_csv(tmp_path, AFF_ROWS, [('9' + r[0][1:], *r[1:]) for r in AFF_ROWS[:3]])   # validation: other images, the same labels
    sp8 = load_dataset(tmp_path, 'affectnet')
    assert sp8.name == 'affectnet-8' and list(sp8) == ['train', 'test'] and sp8.classes == label_spec('affectnet').classes
    assert len(sp8['train']) == 4 and len(sp8['test']) == 3
    assert sp8.skipped == {'affectnet: 8 none': 1, 'affectnet: 9 uncertain': 1, 'affectnet: 10 no-face': 1}
    m = sp8['train'].meta
    assert m['valence'].tolist()[:3] == [0.1, -0.5, 0.3] and np.isnan(m['arousal'].iloc[3])
    assert m[['face_x', 'face_y', 'face_width', 'face_height']].iloc[0].tolist() == [1, 2, 6, 5]
    assert sp8['train'].image(0).shape[:2] == (5, 6)   # read as its face box
    assert m['line'].tolist() == [2, 3, 4, 8] and sp8['train'].images[0].endswith('Manually_Annotated_Images/1/a.jpg')
    sp7 = load_dataset(tmp_path, 'affectnet', classes=7)
    assert len(sp7.classes) == 7 and 'contempt' not in sp7.classes
    assert sp7.skipped == {'affectnet: 7 contempt (not in AffectNet-7)': 2, 'affectnet: 8 none': 1,
                           'affectnet: 9 uncertain': 1, 'affectnet: 10 no-face': 1}
    assert sp7.summary()['splits']['test'] == {'neutral': 1, 'happiness': 1, 'sadness': 0, 'surprise': 0, 'fear': 0, 'disgust': 0, 'anger': 0}
    with pytest.raises(ValueError, match='expected 7'): load_dataset(tmp_path, 'affectnet', classes=9)

def test_affectnet_png_images_with_face_boxes(tmp_path):
    "A PNG with a face box is read and cropped like a JPEG (its EXIF was once read before verify(), which PNG refuses: every such image was 'unreadable')."
    write_affectnet_csv(tmp_path, [('1/a.png', 0, 0.1, 0.2), ('1/b.png', 1, 0.0, 0.0)], [('9/c.png', 1, 0.0, 0.0)])
    sp = load_dataset(tmp_path, 'affectnet')
    assert sp.skipped == {} and len(sp['train']) == 2 and len(sp['test']) == 1
    assert sp['train'].image(0).shape[:2] == (5, 6)   # read as its face box

def test_affectnet_image_in_both_splits(tmp_path):
    "An image listed in training.csv and validation.csv is refused with both lines; with skip_bad it leaves the validation split."
    write_affectnet_csv(tmp_path, AFF_ROWS[:2], [AFF_ROWS[1], ('9/x.jpg', 1, 0.0, 0.0)])
    with pytest.raises(DataError, match=r"validation.csv, line 2: image 'b.jpg' is also in training.csv, line 3"):
        load_dataset(tmp_path, 'affectnet')
    sp = load_dataset(tmp_path, 'affectnet', skip_bad=True)
    assert sp.skipped == {'image in both splits': 1} and sp['test'].images[0].endswith('9/x.jpg') and len(sp['train']) == 2

def test_affectnet_folder_release(tmp_path):
    write_affectnet_folder(tmp_path, 'train_set', [(0, 3, 0.25, -0.5), (1, 7, 0.0, 0.0), (2, 9, -2, -2), (10, 4, 0.5, 0.5)])
    write_affectnet_folder(tmp_path, 'val_set', [(5, 5, -1.0, 1.0)], as_str=False)
    sp = load_dataset(tmp_path, 'affectnet', classes=7)
    assert {k: len(v) for k, v in sp.items()} == {'train': 2, 'test': 1}
    tr = sp['train']
    assert [tr.classes[t] for t in tr.targets] == ['surprise', 'fear'] and tr.meta['valence'].tolist() == [0.25, 0.5]
    assert tr.images[0].endswith('train_set/images/0.jpg') and tr.meta['source'].iloc[1].endswith('10_exp.npy')
    assert sp['test'].meta['arousal'].tolist() == [1.0]
    assert sp.skipped == {'affectnet: 7 contempt (not in AffectNet-7)': 1, 'affectnet: 9 uncertain': 1}

def test_affectnet_bad_inputs(tmp_path):
    write_affectnet_csv(tmp_path, [('1/a.jpg', 11, 0.1, 0.1)], [('1/b.jpg', 1, 1.5, 0)])
    with pytest.raises(DataError, match=r"training.csv, line 2: expression '11' \(expected an AffectNet expression id 0..10\)"):
        load_dataset(tmp_path, 'affectnet')
    write_affectnet_csv(tmp_path, [('1/a.jpg', 11, 0.1, 0.1), ('1/c.jpg', 'x', 0.1, 0.1), ('1/d.jpg', 3.5, 0.1, 0.1)], [('1/b.jpg', 1, 0.5, 0)])
    assert load_dataset(tmp_path, 'affectnet', skip_bad=True).skipped == {'label out of range': 1, 'label not an integer': 2}   # 'x', '3.5': counted as what they are
    write_affectnet_csv(tmp_path, [('1/a.jpg', 1, 0.1, 0.1)], [('1/b.jpg', 1, 1.5, 0)])
    with pytest.raises(DataError, match=r"validation.csv, line 2: valence '1.5' \(expected a number in \[-1, 1\]"):
        load_dataset(tmp_path, 'affectnet')
    write_affectnet_csv(tmp_path, [('1/a.jpg', 1, 0.1, 0.1), ('1/missing.jpg', 2, 0, 0)], [('1/b.jpg', 1, 0.5, 0)])
    (tmp_path / 'Manually_Annotated_Images/1/missing.jpg').unlink()
    with pytest.raises(DataError, match=r'training.csv, line 3: image .*missing.jpg not found'):
        load_dataset(tmp_path, 'affectnet')
    assert load_dataset(tmp_path, 'affectnet', skip_bad=True).skipped == {'missing image': 1}
    write_affectnet_csv(tmp_path, [('1/a.jpg', 1, 0.1, 0.1)], [('1/b.jpg', 1, 0.5, 0)])
    (tmp_path / 'training.csv').write_text((tmp_path / 'training.csv').read_text().replace(',1,2,6,5,', ',1.0,2,6,5,'))   # 1.0 is a pixel position
    assert len(load_dataset(tmp_path, 'affectnet')['train']) == 1
    (tmp_path / 'training.csv').write_text((tmp_path / 'training.csv').read_text().replace(',1.0,2,6,5,', ',3.7,2,6,5,'))   # 3.7 is not: refused, not cut to 3
    with pytest.raises(DataError, match=r'training.csv, line 2: face box 3.7,2,6,5'): load_dataset(tmp_path, 'affectnet')
    (tmp_path / 'training.csv').write_text('path,expression\nx,1\n')
    with pytest.raises(DataError, match=r'training.csv, line 1: wrong header .*subDirectory_filePath'): load_dataset(tmp_path, 'affectnet')
    for f in ('training.csv', 'validation.csv'): (tmp_path / f).unlink()
    with pytest.raises(DataError, match='not an AffectNet folder'): load_dataset(tmp_path, 'affectnet')

def test_affectnet_folder_bad_inputs(tmp_path):
    write_affectnet_folder(tmp_path, 'train_set', [(0, 1, 0.1, 0.1), (1, 2, 0.1, 0.1)])
    (tmp_path / 'train_set/annotations/1_exp.npy').write_bytes(b'garbage')
    save_img(tmp_path / 'train_set/images/7.jpg')
    with pytest.raises(DataError, match=r'7.jpg: image without annotation \(expected annotations/7_exp.npy\)'):
        load_dataset(tmp_path, 'affectnet')
    sp = load_dataset(tmp_path, 'affectnet', skip_bad=True)
    assert sp.skipped == {'missing annotation': 1, 'malformed annotation': 1} and len(sp['train']) == 1

def test_affectnet_duplicate_rows_and_folder_annotations(tmp_path):
    (tmp_path / 'csv').mkdir()
    write_affectnet_csv(tmp_path / 'csv', [('1/a.jpg', 1, 0.1, 0.1), ('1/b.jpg', 2, 0, 0), ('1/a.jpg', 3, 0.2, 0.2)], [('1/z.jpg', 1, 0.5, 0)])
    with pytest.raises(DataError, match=r"training.csv, line 4: image '1/a.jpg' listed again \(first on line 2\)"):
        load_dataset(tmp_path / 'csv', 'affectnet')
    sp = load_dataset(tmp_path / 'csv', 'affectnet', skip_bad=True)
    assert sp.skipped == {'duplicate image': 1} and sp['train'].meta['line'].tolist() == [2, 3]
    root = tmp_path / 'sets'
    write_affectnet_folder(root, 'train_set', [(0, 1, 0.1, 0.1), (1, 2, 0.2, -0.2)])
    ann, img = root / 'train_set/annotations', root / 'train_set/images'
    (img / '1.jpg').rename(img / '1.png')
    with pytest.raises(DataError, match=r'1.png: not read: the folder release reads images/\{id\}.jpg only \(expected images/1.jpg for annotations/1_exp.npy\)'):
        load_dataset(root, 'affectnet')
    (img / '1.png').rename(img / '1.jpg')
    np.save(ann / '1_exp.npy', np.array([3, 4]))
    with pytest.raises(DataError, match=r'1_exp.npy: holds 2 values \(3, 4\) \(expected a .npy file holding one expression id\)'):
        load_dataset(root, 'affectnet')
    np.save(ann / '1_exp.npy', np.array('2')); np.save(ann / '1_aro.npy', np.zeros(6))
    with pytest.raises(DataError, match=r'1_aro.npy: holds 6 values \(0.0, 0.0, 0.0, 0.0, ...\)'): load_dataset(root, 'affectnet')
    np.save(ann / '1_aro.npy', np.array('-0.2')); (ann / '0_val.npy').unlink()
    with pytest.raises(DataError, match=r'0_val.npy: file not found \(expected the valence of 0_exp.npy'): load_dataset(root, 'affectnet')
    sp = load_dataset(root, 'affectnet', skip_bad=True)   # counted like a missing _exp.npy, never a silent NaN
    assert sp.skipped == {'missing annotation': 1} and sp['train'].meta['arousal'].tolist() == [-0.2]
    assert sp.skipped_at['missing annotation'] == [str(ann / '0_val.npy')]

# ---------------------------------------------------------------- CFEE

def write_cfee(root: Path, subjects=('001', '002', '003', '004', '005'), ids=(1, 2, 7, 8, 22)):
    for s in subjects:
        for cid in ids: save_img(root / f'subject{s}' / f'{cid:02d}_{s}.jpg')

@pytest.mark.parametrize('subset, neutral, n_classes, skipped', [
    ('all', False, 21, {'cfee: neutral excluded (neutral=False)': 5}),
    ('all', True, 22, {}),
    ('basic', False, 6, {'cfee: neutral excluded (neutral=False)': 5, 'cfee: compound excluded (subset=basic)': 10}),
    ('basic', True, 7, {'cfee: compound excluded (subset=basic)': 10}),
    ('compound', False, 15, {'cfee: neutral excluded (neutral=False)': 5, 'cfee: basic excluded (subset=compound)': 10}),
])
def test_cfee_subsets(tmp_path, subset, neutral, n_classes, skipped):
    write_cfee(tmp_path)
    sp = load_dataset(tmp_path, 'cfee', subset=subset, neutral=neutral)
    assert len(sp.classes) == n_classes and sp.skipped == skipped and list(sp) == ['all']
    assert len(sp['all']) == 25 - sum(skipped.values())
    assert set(sp['all'].meta['subject']) == {'001', '002', '003', '004', '005'}
    cspec = label_spec('cfee')
    assert all(sp.classes[t] == cspec.to_canonical(c) for t, c in zip(sp['all'].targets, sp['all'].meta['category_id']))

def test_cfee_bad_names_and_kfold(tmp_path):
    write_cfee(tmp_path)
    save_img(tmp_path / 'subject001' / '23_001.jpg')
    with pytest.raises(DataError, match=r'23_001.jpg: category id 23 out of range \(expected a category id in 01..22\)'):
        load_dataset(tmp_path, 'cfee')
    (tmp_path / 'subject001' / '23_001.jpg').unlink(); save_img(tmp_path / 'subject001' / 'x.jpg')
    with pytest.raises(DataError, match=r"x.jpg: file name 'x.jpg' \(expected NN_SSS"):
        load_dataset(tmp_path, 'cfee')
    sp = load_dataset(tmp_path, 'cfee', skip_bad=True)
    assert sp.skipped['malformed file name'] == 1
    ds = sp['all']
    folds = kfold_splits(ds, k=5, seed=0)
    assert len(folds) == 5
    held = np.concatenate([te for _, te in folds])
    assert sorted(held.tolist()) == list(range(len(ds)))
    for tr, te in folds:
        assert not set(ds.meta['subject'].iloc[tr]) & set(ds.meta['subject'].iloc[te])
        assert len(tr) + len(te) == len(ds)
    assert [te.tolist() for _, te in kfold_splits(sp, k=5, seed=0)] == [te.tolist() for _, te in folds]   # FERSplits with one split
    assert [te.tolist() for _, te in kfold_splits(ds.meta, k=5, seed=1)] != [te.tolist() for _, te in folds]
    with pytest.raises(ValueError, match='number of subjects'): kfold_splits(ds, k=6)

# ---------------------------------------------------------------- UTKFace

def test_utkface_targets_and_bad_names(tmp_path):
    for n in ('25_0_2_20170116174525125.jpg.chip.jpg', '1_1_0_20170109150557335.jpg', '34_1_3_20170119171000000.jpg', '80_0_4_2017.jpg'):
        save_img(tmp_path / n)
    sp = load_dataset(tmp_path, 'utkface')
    assert sp.classes == ('male', 'female') and sp['all'].counts() == {'male': 2, 'female': 2}
    m = sp['all'].meta.sort_values('age')
    assert m[['age', 'gender', 'race']].values.tolist() == [[1, 1, 0], [25, 0, 2], [34, 1, 3], [80, 0, 4]]
    race = load_dataset(tmp_path, 'utkface', target='race')
    assert race['all'].counts() == {'white': 1, 'black': 0, 'asian': 1, 'indian': 1, 'others': 1}
    ages = load_dataset(tmp_path, 'utkface', target='age_bin', age_bins=(0, 18, 65))
    assert ages.classes == ('0-17', '18-64', '65+') and ages['all'].counts() == {'0-17': 1, '18-64': 2, '65+': 1}
    save_img(tmp_path / '61_1_20170109142408075.jpg.chip.jpg')
    assert len(load_dataset(tmp_path, 'utkface')['all']) == 5   # a name of the release without its race field: labelled by gender, race missing
    with pytest.raises(DataError, match=r"61_1_20170109142408075.jpg.chip.jpg: file name .* has no race field \(expected \[age\]_\[gender\]_\[race\]_\[datetime\].jpg"):
        load_dataset(tmp_path, 'utkface', target='race')
    save_img(tmp_path / '30_2_1_x.jpg')   # gender 2
    assert load_dataset(tmp_path, 'utkface', skip_bad=True).skipped == {'malformed file name': 1}
    assert load_dataset(tmp_path, 'utkface', target='race', skip_bad=True).skipped == {'malformed file name': 2}
    with pytest.raises(ValueError, match='target='): load_dataset(tmp_path, 'utkface', target='emotion')

# ---------------------------------------------------------------- imagefolder

def test_imagefolder_flat_canonical(tmp_path):
    for c, n in (('Happy', 2), ('SAD', 1), ('fearful', 1)):
        for i in range(n): save_img(tmp_path / c / f'{i}.jpg')
    save_img(tmp_path / 'Happy' / 'nested' / 'x.png')
    (tmp_path / 'Happy' / 'README.txt').write_text('x'); (tmp_path / 'LICENSE').write_text('x')
    (tmp_path / '.cache').mkdir(); save_img(tmp_path / 'Happy' / '.hidden.jpg')
    sp = load_dataset(tmp_path, 'imagefolder')
    assert list(sp) == ['all'] and sp.classes == ('happiness', 'sadness', 'fear')
    assert sp['all'].counts() == {'happiness': 3, 'sadness': 1, 'fear': 1}
    assert sp.skipped == {'ignored non-image file': 1, 'ignored hidden image file': 1, 'ignored file outside class folders': 1}
    assert sp.skipped_at['ignored non-image file'] == [str(tmp_path / 'Happy' / 'README.txt')] and sp.skipped_at['ignored hidden image file'] == [str(tmp_path / 'Happy' / '.hidden.jpg')]
    assert sp['all'].meta['folder'].tolist()[:3] == ['Happy'] * 3

def test_imagefolder_split_layout_and_raw_names(tmp_path):
    for s in ('train', 'val', 'test'):
        for c in ('cat', 'dog'): save_img(tmp_path / s / c / '0.jpg')
    save_img(tmp_path / 'train' / 'cat' / '1.jpg')
    sp = load_dataset(tmp_path, 'imagefolder')
    assert list(sp) == ['train', 'valid', 'test'] and sp.classes == ('cat', 'dog')
    assert sp['train'].counts() == {'cat': 2, 'dog': 1}
    with pytest.raises(DataError, match=r"not expression names: cat, dog.*names='raw'"):
        load_dataset(tmp_path, 'imagefolder', names='canonical')

def test_imagefolder_errors(tmp_path):
    for c in ('happy', 'sad', 'angy'): save_img(tmp_path / c / '0.jpg')
    with pytest.raises(DataError, match='class folders that are not expression names: angy'):
        load_dataset(tmp_path, 'imagefolder')
    assert load_dataset(tmp_path, 'imagefolder', names='raw').classes == ('angy', 'happy', 'sad')
    (tmp_path / 'angy').rename(tmp_path / 'happiness')
    with pytest.raises(DataError, match="folders 'happiness' and 'happy' both name 'happiness'"):
        load_dataset(tmp_path, 'imagefolder')
    (tmp_path / 'happiness' / '0.jpg').rename(tmp_path / 'happy' / '1.jpg'); (tmp_path / 'happiness').rmdir()
    (tmp_path / 'sad' / 'bad.jpg').write_bytes(b'')
    with pytest.raises(DataError, match=r'sad/bad.jpg: image unreadable: an empty file \(0 bytes\) \(expected a readable JPEG, PNG, BMP, GIF, TIFF, WebP or PPM/PGM image\)'):
        load_dataset(tmp_path, 'imagefolder')
    sp = load_dataset(tmp_path, 'imagefolder', skip_bad=True)
    assert sp.skipped == {'unreadable image': 1} and sp['all'].counts() == {'happiness': 2, 'sadness': 1}
    save_img(tmp_path / 'train' / 'happy' / '0.jpg')
    with pytest.raises(DataError, match='mixes split folders'): load_dataset(tmp_path, 'imagefolder')
    with pytest.raises(DataError, match='no class folders'): load_dataset(tmp_path / 'train' / 'happy', 'imagefolder')

def test_imagefolder_class_names_clash_only_within_a_split(tmp_path):
    save_img(tmp_path / 'train' / 'anger' / '0.jpg'); save_img(tmp_path / 'test' / 'angry' / '0.jpg')
    sp = load_dataset(tmp_path, 'imagefolder')
    assert sp.classes == ('anger',) and {k: len(v) for k, v in sp.items()} == {'test': 1, 'train': 1}
    assert sp['test'].meta['folder'].tolist() == ['angry']
    save_img(tmp_path / 'test' / 'Anger' / '1.jpg')
    with pytest.raises(DataError, match=r"test: folders 'Anger' and 'angry' both name 'anger'"): load_dataset(tmp_path, 'imagefolder')

def test_imagefolder_without_images_is_an_error(tmp_path):
    clips = tmp_path / 'AFEW' / 'Train_AFEW'
    for c in ('Angry', 'Happy'): (clips / c).mkdir(parents=True); (clips / c / '001.avi').write_bytes(b'RIFF')
    (clips / 'Happy' / '002.MP4').write_bytes(b'')
    with pytest.raises(DataError, match=r"Train_AFEW: no images in its class folders but video clips \(3, first Angry/001.avi\).*emoxnet video.*load_video_dataset\(root, 'afew'\)"):
        load_dataset(clips, 'imagefolder')
    with pytest.raises(DataError, match=r"AFEW: no images in its class folders but video clips \(3, first Train_AFEW/Angry/001.avi\)"):
        load_dataset(tmp_path / 'AFEW', 'imagefolder')
    (tmp_path / 'empty' / 'happy').mkdir(parents=True); (tmp_path / 'empty' / 'happy' / 'notes.txt').write_text('x')
    with pytest.raises(DataError, match=r'empty: no images in its class folders \(expected root/<class>/\*.jpg'):
        load_dataset(tmp_path / 'empty', 'imagefolder')
    save_img(tmp_path / 'empty' / 'happy' / 'broken.jpg'); (tmp_path / 'empty' / 'happy' / 'broken.jpg').write_bytes(b'')
    assert len(load_dataset(tmp_path / 'empty', 'imagefolder', skip_bad=True)['all']) == 0   # images found, all skipped: counted, not this error

def test_registry_lists_every_format():
    assert {'fer2013', 'ferplus', 'rafdb', 'rafdb-compound', 'affectnet', 'cfee', 'utkface', 'imagefolder'} <= set(LOADERS)
    with pytest.raises(KeyError, match='available: '): load_dataset('.', 'fer2014')
