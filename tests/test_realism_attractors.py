"""tools/realism_attractors.py: the attraction of a class is the share of the other classes' faces read as it."""
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / 'tools'))
from realism_attractors import attraction  # noqa: E402


def test_attraction():
    # rows: truth, columns: prediction; 10 faces a class
    conf = pd.DataFrame([[6, 0, 4], [0, 10, 0], [2, 3, 5]], index=['a', 'b', 'c'], columns=['a', 'b', 'c'])
    at = attraction(conf)
    assert at['a'] == 10.0           # 2 of the 20 faces of b and c read as a
    assert at['b'] == 15.0           # 3 of the 20 faces of a and c
    assert at['c'] == 20.0           # 4 of the 20 faces of a and b
    assert at['misread'] == 30.0     # 9 of 30 faces off the diagonal


def test_attraction_reads_the_recorded_dict_form():
    # realism_judging.py records confusion as {truth: {pred: n}}; a class never predicted is a missing key
    rec = {'a': {'a': 5, 'b': 5}, 'b': {'a': 1, 'b': 9}}
    conf = pd.DataFrame.from_dict(rec, orient='index').fillna(0)
    assert attraction(conf) == {'a': 10.0, 'b': 50.0, 'misread': 30.0}


def test_attraction_keeps_a_class_never_predicted():
    # c is true for 10 faces and never predicted: its faces count in every other class's denominator and in misread
    rec = {'a': {'a': 5, 'b': 5}, 'b': {'a': 1, 'b': 9}, 'c': {'a': 10}}
    at = attraction(pd.DataFrame.from_dict(rec, orient='index'))
    assert at['a'] == 55.0 and at['c'] == 0.0      # 11 of the 20 faces of b and c read as a
    assert at['misread'] == 53.3                   # 16 of 30
