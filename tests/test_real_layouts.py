"How the loaders meet real copies of the datasets that differ from the documented layout: a JPEG broken inside, a one-split release in an experiment, a one-class tree in training."
from pathlib import Path

import numpy as np
import pytest

from emoxnet.data.core import DataError
from emoxnet.data.datasets import load_dataset
from emoxnet.data.experiment import load_experiment_data
from emoxnet.data.export import export_cfee, export_rafdb
from emoxnet.data.synthetic import SynthConfig, generate


def _break_inside(path: Path) -> None:
    "Overwrite the second half of a JPEG's data with noise, its end marker kept: Pillow's verify() still passes it, decoding fails."
    b = bytearray(path.read_bytes()); n = len(b)
    b[n // 2:n - 2] = np.random.default_rng(0).integers(0, 256, n - 2 - n // 2, dtype=np.uint8).tobytes()
    path.write_bytes(bytes(b))


def test_a_jpeg_broken_inside_is_named_with_its_label_line_and_skipped_by_skip_bad(tmp_path):
    export_rafdb(generate(SynthConfig(n_subjects=10, images_per_subject=3)), tmp_path)
    bad = sorted((tmp_path / 'basic' / 'Image' / 'aligned').glob('test_*.jpg'))[0]
    _break_inside(bad)
    data = load_dataset(tmp_path, 'rafdb')                       # the load check reads headers only: it passes
    i = [Path(p).name for p in data['test'].images].index(bad.name)
    with pytest.raises(DataError) as e: data['test'].image(i)
    msg = str(e.value)
    assert msg.startswith(str(tmp_path / 'basic' / 'EmoLabel' / 'list_patition_label.txt') + ', line ') and bad.name in msg and '--skip-bad' in msg, msg
    skipped = load_dataset(tmp_path, 'rafdb', skip_bad=True)     # decodes every image: the broken one is counted, the rest kept
    assert skipped.skipped == {'unreadable image': 1}
    assert len(skipped['test']) == len(data['test']) - 1 and len(skipped['train']) == len(data['train'])


def test_an_experiment_reads_a_one_split_release_with_a_held_out_test_split(tmp_path):
    export_cfee(generate(SynthConfig.compound(n_subjects=14, images_per_subject=22)), tmp_path)
    s = load_experiment_data(str(tmp_path), 'cfee', seed=0)
    assert list(s.splits) == ['train', 'valid', 'test'] and all(len(v) for v in s.splits.values())
    people = {k: set(v.meta['subject']) for k, v in s.items()}
    assert not people['test'] & (people['train'] | people['valid'])     # subject-independent, as emoxnet train holds it out


def test_training_refuses_a_single_class(tmp_path):
    from PIL import Image
    from emoxnet.models import ModelConfig, create_model
    from emoxnet.train import TrainConfig, fit
    for s in ('train', 'test'):
        (tmp_path / 'data' / s / 'happy').mkdir(parents=True)
        for k in range(4): Image.new('L', (16, 16), 40 * k).save(tmp_path / 'data' / s / 'happy' / f'{k}.png')
    data = load_dataset(tmp_path / 'data', 'imagefolder')
    with pytest.raises(ValueError, match="has one class \\('happiness'\\); a classifier learns two or more"):
        fit(create_model(ModelConfig('test_resnet', data.classes, 1, 16)), data, TrainConfig(epochs=1, progress=False), out_dir=tmp_path / 'run')
    assert not (tmp_path / 'run').exists()


def test_microsofts_own_ferplus_votes_load_with_their_four_misnamed_rows_said(tmp_path):
    "89 rows of the real fer2013new.csv (tests/fixtures/ferplus_excerpt): four carry another row's image name; the loader refused the whole file as out of order."
    src = Path(__file__).parent / 'fixtures' / 'ferplus_excerpt'
    text = (src / 'fer2013new.csv').read_text(); (tmp_path / 'fer2013new.csv').write_text(text)
    full = [int(n) for n in (src / 'lines.txt').read_text().split()]          # each row's line in Microsoft's full file
    usages = [r.split(',')[0] for r in text.splitlines()[1:]]
    (tmp_path / 'fer2013.csv').write_text('emotion,pixels,Usage\n' + ''.join(f"0,{' '.join(['7'] * 2304)},{u}\n" for u in usages))
    sp = load_dataset(tmp_path, 'ferplus')
    at = {full[int(s.split('line ')[1].split(' ')[0]) - 2] for s in sp.skipped_at['ferplus: misnamed row']}
    assert at == {5276, 5350, 15837, 34336} and sp.skipped['ferplus: misnamed row'] == 4
    assert {k: dict(v).get('ferplus: misnamed row', 0) for k, v in sp.skipped_in.items()} == {'train': 3, 'valid': 0, 'test': 1}
    kept = {full[l - 2] for s in ('train', 'test') for l in sp[s].meta['line']}
    assert {6970, 11819, 8425, 33202} <= kept                                  # the rows whose names they carry are kept, as the images' own
    assert not {5276, 5350, 15837, 34336} & kept
    assert sum(len(sp[s]) for s in sp.splits) + sum(sp.skipped.values()) == len(usages)   # every row kept or counted under a reason
