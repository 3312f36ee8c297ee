"""Round 29 (docs/realism.md): where each real-trained model sends the faces it misreads, on the same faces.

The judges' confusions are read from their recorded files (round 27 judged populations 16 and 17: nothing is judged
again here); the two teachers read the same populations now, drawn by the same adopted style. For each model and
population it records the confusion matrix and, per predicted class, its *attraction*: the share of the faces of the
other six classes that the model reads as that class; and, beside it, how each model reads the 100 hand-labelled real
LFW faces of `emoxnet realcheck` (smile / neutral / other). A diagnosis: nothing is chosen or changed.

    python tools/realism_attractors.py --judged docs/realism_texture/r27_textured_seed16.json docs/realism_texture/r27_textured_seed17.json \
        --out docs/realism_texture/attractors/round29.json
"""
import argparse, time
import numpy as np
import pandas as pd
import emoxnet.data.synthetic as S
from realism_judging import zoo_model

TEACHERS = ('faceapi_expression', 'fer_cnn')

def attraction(conf: pd.DataFrame) -> dict:
    "Per predicted class: the share (%) of the faces of the other classes read as it."
    names = list(dict.fromkeys([*conf.index, *conf.columns]))   # a class never predicted (or never true) still counts
    c = conf.reindex(index=names, columns=names, fill_value=0).fillna(0).to_numpy(float)
    off = c.sum() - np.diag(c).sum()
    return {n: round(float(100 * (c[:, j].sum() - c[j, j]) / (c.sum() - c[j].sum())), 1) for j, n in enumerate(names)} | {'misread': round(float(100 * off / c.sum()), 1)}

def on_lfw(name: str) -> dict:
    "How the model reads the 100 hand-labelled real LFW faces (emoxnet realcheck): per hand label, the count of each predicted label."
    from collections import Counter, defaultdict
    from emoxnet.realcheck import realcheck
    by = defaultdict(Counter)
    for f in realcheck(zoo_model(name))['faces']: by[f['hand']][f['pred']] += 1
    return {h: dict(c.most_common()) for h, c in sorted(by.items())}

def judged(path: str) -> list[dict]:
    "The recorded benchmark-condition readings of the judges in a realism_judging.py file."
    from emoxnet.core import load_json
    d = load_json(path)
    return [dict(model=s['judge'], role='judge', seed=s['seed'], score=s['score'], confusion=s['confusion'], source=path)
            for s in d['scores'] if s['conditions'] == 'benchmark']

def teachers(seed: int) -> list[dict]:
    out = []
    for name in TEACHERS:
        r = S.realism_score(zoo_model(name), style='textured', seed=seed)
        out.append(dict(model=name, role='teacher', seed=seed, score=round(100 * r['score'], 1), confusion=r['confusion'].to_dict(orient='index')))
    return out

def main():
    ap = argparse.ArgumentParser(description="judges' recorded confusions beside the teachers' on the same populations (textured style, benchmark conditions)")
    ap.add_argument('--judged', nargs='+', required=True, help='realism_judging.py outputs of the adopted style (their seeds are the populations the teachers read)')
    ap.add_argument('--out', required=True)
    a = ap.parse_args()
    import torch
    from emoxnet.core import code_version, save_json
    torch.set_num_threads(1); t = time.time()
    rows = [r for p in a.judged for r in judged(p)]
    seeds = sorted({r['seed'] for r in rows})
    rows += [r for s in seeds for r in teachers(s)]
    for r in rows:
        r['attraction'] = attraction(pd.DataFrame.from_dict(r['confusion'], orient='index'))
        print(r['model'], r['seed'], r['score'], r['attraction'], flush=True)
    lfw = {m: on_lfw(m) for m in dict.fromkeys(r['model'] for r in rows)}
    for m, v in lfw.items(): print(m, 'LFW', v, flush=True)
    save_json(dict(code_version=code_version(), generator_md5=S.generator_md5('textured'), seeds=seeds, rows=rows, lfw=lfw, seconds=round(time.time() - t)), a.out)

if __name__ == '__main__': main()
