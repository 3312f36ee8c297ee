"""Round 31 of docs/realism.md: how the realism score and the calibration moved together, from the committed readings.

The points are the flat style (the benchmark) and each drawing the textured style adopted (rounds 12-30; the vivid
rounds have no committed calibration file): the two judges' realism score on population 1 (benchmark conditions;
`tools/realism_judging.py`) against the reference CNN's test accuracy on the benchmark recipe drawn in that style
(`tools/style_calibration.py`). The ceiling is the MLP that sees every face's true AUs (`ceiling_accuracy`): every
style shares the benchmark's labels, so it is one number for all of them; beside it, how often the category that
generated a test face is the panel's majority label (`category_agreement`). `RECIPES`: the same style read under another
recipe, drawn apart (a diamond).

    python tools/realism_calibration_figure.py --out docs/img/realism_vs_calibration.png

writes the figure and, beside it, a JSON of the points (with the files each came from) and the ceiling.
"""
import argparse, json
from pathlib import Path
import emoxnet.data.synthetic as S
from emoxnet.core import code_version, save_json

DOCS = Path(__file__).resolve().parents[1] / 'docs' / 'realism_texture'
POINTS = (   # (label, the judges' file, the calibration's file), under docs/realism_texture/
    ('flat', 'm31/flat_seed1.json', 'm31/calibration_flat.json'),
    ('textured r12', 'textured_style_r12.json', 'textured_calibration_r12.json'),
    ('r13', 'textured_style_r13.json', 'textured_calibration_r13.json'),
    ('r15', 'textured_style_r15.json', 'textured_calibration_r15.json'),
    ('r17', 'textured_style_r17.json', 'textured_calibration_r17.json'),
    ('r24', 'textured_style_r24.json', 'textured_calibration_r24.json'),
    ('r30 (now)', 'r30/textured_seed1.json', 'textured_calibration_r30.json'),
)
RECIPES = (  # the same style under another recipe (round 31, addendum 3: for information), drawn apart from the styles' line
    ('r30 at intensities 0.15-1', 'm31/intensity015_seed1.json', 'm31/calibration_intensity015.json'),
)

def point(label: str, judges: str, calibration: str) -> dict:
    "One style's two judge scores (benchmark conditions) and its calibration (test and valid accuracy, %)."
    j, c = (json.loads((DOCS / f).read_text()) for f in (judges, calibration))
    score = {s['judge']: s['score'] for s in j['scores'] if s['conditions'] == 'benchmark'}
    cnn = c['reference_cnn']
    return dict(label=label, judges=judges, calibration=calibration, **score,
                test=round(100 * cnn['test_accuracy'], 1), valid=round(100 * cnn['valid_accuracy'], 1))

def category_agreement(data) -> float:
    "Share (%) of the benchmark's test faces whose generating category is the panel's majority label."
    m = data['test'].meta
    return round(100 * float((m['category'] == m['majority']).mean()), 1)

def figure(points: list[dict], ceiling: float, path: Path, recipes: list[dict] = ()):
    "Calibration against judge 1's score (filled) and judge 2's (open), the 70-90 % band, the ceiling and the goal's corner."
    import matplotlib; matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7, 4.6))
    ax.axhspan(70, 90, color='tab:green', alpha=0.12, label='calibration band (70-90 %)')
    ax.axhline(ceiling, color='grey', ls='--', lw=1, label=f'ceiling: MLP on the true AUs ({ceiling:.1f} %)')
    ax.fill_between([60, 75], 70, 90, color='tab:green', alpha=0.25, label='the goal: realism >= 60 % in the band')
    j1, j2 = S.REALISM_JUDGES
    tex = points[1:]   # the textured drawings in order, joined; the flat style (first) stands alone
    ax.plot([p[j1] for p in tex], [p['test'] for p in tex], 'o-', color='tab:blue', label=f'judge 1 ({j1})')
    ax.plot([points[0][j1]], [points[0]['test']], 'o', color='tab:blue')
    ax.plot([p[j2] for p in points], [p['test'] for p in points], 'o', mfc='none', color='tab:orange', label=f'judge 2 ({j2})')
    for p in recipes:   # another recipe: a diamond, judge 1 only, labelled
        ax.plot([p[j1]], [p['test']], 'D', color='tab:purple', label=f"judge 1, {p['label']}")
    for k, p in enumerate(points):   # labels below and above the line in turn: neighbours lie a point or two apart
        ax.annotate(p['label'], (p[j1], p['test']), textcoords='offset points', xytext=(3, -12 if k % 2 == 0 else 6), fontsize=8)
    ax.set(xlabel='realism score, population 1 (mean per-class recall, %)', ylabel='reference CNN test accuracy (%)',
           xlim=(20, 75), ylim=(65, 100), title='SynthFACS styles: realism against calibration')
    ax.legend(fontsize=7, loc='lower center'); fig.tight_layout(); fig.savefig(path, dpi=120); plt.close(fig)

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--out', required=True, help='PNG of the figure (a JSON of its numbers is written beside it)')
    a = ap.parse_args()
    points, recipes = [point(*p) for p in POINTS], [point(*p) for p in RECIPES]
    bench = S.generate(S.SynthConfig())   # the benchmark's labels: the same in every style
    ceiling, agreement = round(100 * S.ceiling_accuracy(bench), 1), category_agreement(bench)
    out = Path(a.out)
    figure(points, ceiling, out, recipes)
    save_json(dict(code_version=code_version(), ceiling=ceiling, category_agreement=agreement, points=points, recipes=recipes), out.with_suffix('.json'))
    for p in points: print(p)
    print('ceiling', ceiling, 'category agreement', agreement)

if __name__ == '__main__': main()
