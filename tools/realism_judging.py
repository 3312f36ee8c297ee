"""What the realism probes of docs/realism.md share: zoo models as recognizers, and the judges' table of a renderer.

tools/realism_photo_probe.py (round 9) and tools/realism_texture_probe.py (rounds 10-15) measure their own renderers the
same way: `emoxnet.data.synthetic.realism_score` with `render_face` replaced, under the benchmark's and apex-lab conditions.

Run as a script, it measures a render style of the package itself (no probe):
    python tools/realism_judging.py --style textured --out docs/realism_texture/textured_style_r15.json
both judges on population 1 (`--seed`: another), benchmark and apex-lab conditions, each score with its 95 %
subject-bootstrap interval (`ci95`, since round 25), the code version and the style's generator md5;
`--texture DIR/texture.npz` draws a fit's texture on the vivid drawing (the probe's: the textured style's drawing until
round 24, not since), and `--drawing DIR/best.json` the bundled texture on the drawing a search or grid of
tools/realism_drawing_search.py found (rounds 20-22; round 24 adopted round 22's `onset_d3`).
"""
import argparse, contextlib, hashlib, time
from pathlib import Path
from unittest import mock
import emoxnet.data.synthetic as S

def zoo_model(name: str):
    "A zoo model as an `EmotionRecognizer` (imported into runs/zoo first when missing): a teacher or a judge."
    from emoxnet.predict import EmotionRecognizer
    from emoxnet.zoo import import_model
    p = Path('runs/zoo') / name
    return EmotionRecognizer.from_checkpoint(p if p.is_dir() else import_model(name))

CONDITIONS = {'benchmark': {}, 'apex_lab': dict(intensity=(0.8, 1.0), nuisance=S.Nuisance.lab())}

def scores(render, judges: dict, conditions=tuple(CONDITIONS), style: str = 'vivid', intensity: tuple | None = None) -> list[dict]:
    "Each judge on its population (`judges`: name -> seed) under `conditions`, the faces drawn by `render` (None: `style` itself); `intensity`: the benchmark conditions' range instead of the benchmark's."
    out = []
    for name, seed in judges.items():
        j = zoo_model(name)
        for cond in conditions:
            t = time.time()
            with mock.patch.object(S, 'render_face', render or S.render_face):
                r = S.realism_score(j, style=style, seed=seed, **CONDITIONS[cond], **({'intensity': tuple(intensity)} if intensity and cond == 'benchmark' else {}))
            out.append(dict(judge=name, seed=seed, conditions=cond, score=round(100 * r['score'], 1), ci95=[round(100 * x, 1) for x in r['ci95']], n_images=r['n_images'],
                            recall={k: round(100 * v) for k, v in r['recall'].items()}, seconds=round(time.time() - t),
                            confusion=r['confusion'].to_dict(orient='index')))
            print(out[-1]['judge'], cond, out[-1]['score'], out[-1]['ci95'], out[-1]['recall'], flush=True)
    return out

def main():
    ap = argparse.ArgumentParser(description='the two FER2013 judges on a render style of the package (population 1, both conditions)')
    ap.add_argument('--style', default='textured', choices=tuple(S.STYLES), help='render style to measure')
    ap.add_argument('--seed', type=int, default=1, help="the judges' population (1: the protocol's; another seed: a population no choice was made on)")
    ap.add_argument('--texture', help="with --style textured: a texture.npz of tools/realism_texture_probe.py instead of the bundled texture")
    ap.add_argument('--drawing', help="with --style textured: a best.json of tools/realism_drawing_search.py (round 20): the style with that search's drawing numbers")
    ap.add_argument('--intensity', nargs=2, type=float, metavar=('LO', 'HI'), help="the benchmark conditions' intensity range instead of the benchmark's 0.25-1 (round 31: a recipe, for information)")
    ap.add_argument('--out', required=True, help='JSON file for the scores, code version and generator md5')
    a = ap.parse_args()
    import torch
    from emoxnet.core import code_version, save_json
    torch.set_num_threads(1)
    res = dict(code_version=code_version(), style=a.style, seed=a.seed, texture=a.texture, **({'intensity': a.intensity} if a.intensity else {}),
               **({'texture_md5': hashlib.md5(Path(a.texture).read_bytes()).hexdigest()} if a.texture else {'generator_md5': S.generator_md5(a.style)}))
    render, drawn = None, contextlib.nullcontext(a.style)
    if a.drawing:
        if a.texture: raise SystemExit('--drawing changes the textured style\'s drawing: use it without --texture')
        from realism_drawing_search import drawing_style
        drawn, record = drawing_style(a.drawing, a.style); res.update(record)   # registered while the judges read it
    if a.texture:
        if a.style != 'textured': raise SystemExit('--texture replaces the textured style\'s texture: use it with --style textured')
        from realism_texture_probe import load_maps, textured_renderer
        render = textured_renderer(load_maps(a.texture))
    with drawn as style: res['scores'] = scores(render, {j: a.seed for j in S.REALISM_JUDGES}, style='vivid' if a.texture else style, intensity=a.intensity)
    save_json(res, a.out)

if __name__ == '__main__': main()
