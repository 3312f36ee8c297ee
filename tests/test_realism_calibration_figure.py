"""tools/realism_calibration_figure.py (round 31 of docs/realism.md): every point is read from committed files, and the
figure is drawn from them (the ceiling, which needs a generated benchmark, is stood in for)."""
import json
from pathlib import Path

import emoxnet.data.synthetic as S
from conftest import tool_module

def test_points_come_from_the_committed_readings(tmp_path):
    fig = tool_module('realism_calibration_figure')
    points = [fig.point(*p) for p in fig.POINTS]
    assert [p['label'] for p in points][0] == 'flat' and len(points) == len(fig.POINTS)
    for p in points:
        assert all(0 < p[j] < 100 for j in S.REALISM_JUDGES) and 0 < p['test'] <= 100 and 0 < p['valid'] <= 100
    assert (points[0]['fer_mini_xception'], points[0]['test']) == (24.7, 73.3)        # the flat benchmark, as the notebook prints it
    assert (points[-1]['fer_mini_xception'], points[-1]['test']) == (60.9, 93.6)      # the score and calibration of record
    committed = json.loads((Path(fig.__file__).resolve().parents[1] / 'docs' / 'img' / 'realism_vs_calibration.json').read_text())
    assert committed['points'] == points and committed['ceiling'] > max(p['test'] for p in points) and 90 < committed['category_agreement'] <= 100
    recipes = [fig.point(*p) for p in fig.RECIPES]
    assert committed['recipes'] == recipes and recipes[0]['test'] < 90 < points[-1]['test']   # the wider intensity range: in the band
    fig.figure(points, 95.0, tmp_path / 'f.png', recipes)
    assert (tmp_path / 'f.png').read_bytes()[:4] == b'\x89PNG'
