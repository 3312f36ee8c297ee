"""The calibration check of a render style (docs/realism.md, "Calibration"): the reference CNN of `emoxnet.data.synthetic`
(`reference_cnn`: a fresh ResNet-18, 12 epochs, 48 px grey, seed 0) trained on the benchmark recipe drawn in that style.
Its majority accuracy on the test split should stay in the 70-90 % band for the style to be a fair default.

Usage: python tools/style_calibration.py --style textured --out docs/realism_texture/textured_calibration_r15.json
(about 15 minutes on 2 CPU cores with one torch thread); --cnn-seed S: another run of the same CNN (round 33)."""
import argparse, contextlib, sys, time
from dataclasses import asdict
from pathlib import Path
import emoxnet.data.synthetic as S
from emoxnet.core import code_version, save_json
sys.path.insert(0, str(Path(__file__).resolve().parent))

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--style', default='textured', choices=tuple(S.STYLES), help='render style of the benchmark recipe')
    ap.add_argument('--drawing', help="with --style textured: a best.json of tools/realism_drawing_search.py: the style with that drawing's numbers")
    ap.add_argument('--intensity', nargs=2, type=float, metavar=('LO', 'HI'), help="the recipe's intensity range instead of the benchmark's 0.25-1 (round 31: for information)")
    ap.add_argument('--threads', type=int, default=1, help='torch threads while training')
    ap.add_argument('--cnn-seed', type=int, default=0, help="the reference CNN's seed (its initialisation and batches; round 33), not the recipe's")
    ap.add_argument('--nuisance', help="a candidate of tools/realism_nuisance_probe.py (round 34): the recipe's nuisance with its fields changed")
    ap.add_argument('--out', required=True, help='JSON file for the result, code version and generator md5')
    a = ap.parse_args()
    t = time.time()
    res, drawn = dict(code_version=code_version(), style=a.style, generator_md5=S.generator_md5(a.style)), contextlib.nullcontext(a.style)
    if a.drawing:
        from realism_drawing_search import drawing_style
        drawn, record = drawing_style(a.drawing, a.style); res.update(record)
    if a.nuisance: from realism_nuisance_probe import nuisance   # the probe's candidates, only when one is named (it loads the teachers' helpers)
    with drawn as style:
        extra = ({'intensity': tuple(a.intensity)} if a.intensity else {}) | ({'nuisance': nuisance(a.nuisance)} if a.nuisance else {})
        cfg = S.SynthConfig(style=style, **extra)
        data = S.generate(cfg)
    res.update(threads=a.threads, cnn_seed=a.cnn_seed, seed=cfg.seed, intensity=list(cfg.intensity), nuisance_candidate=a.nuisance, nuisance=asdict(cfg.nuisance))   # the recipe's seed and intensity range, recorded
    res['reference_cnn'] = S.reference_cnn(data, seed=a.cnn_seed, threads=a.threads)
    res['seconds'] = round(time.time() - t)
    save_json(res, a.out)
    print(a.style, 'test', res['reference_cnn']['test_accuracy'], 'valid', res['reference_cnn']['valid_accuracy'])

if __name__ == '__main__': main()
