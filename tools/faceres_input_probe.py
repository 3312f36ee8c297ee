"""Which input does the imported HSE FaceRes network expect? Its author's, or the one @vladmandic/human feeds it?

Savchenko trained the network (HSE_FaceRec_tf, MobileNet v1 on VGGFace2) on Keras's caffe-style input: the face in BGR
order minus the ImageNet channel means (103.939, 116.779, 123.68), not scaled; his own inference code feeds it so.
`@vladmandic/human`, whose TF.js copy the zoo imports, feeds RGB 0..255. Without labelled real identities, this probe
asks which input tells the held-out identities of the multi-task experiment's SynthFACS apart better (the experiment's
data: 80 subjects x 30 images, 64 px colour, seed 0; `identity_splits`' held-out people), with the FaceRes body's pooled
descriptor (`verify_model`: ROC AUC and TAR at FAR 1e-3 over all pairs), at the experiment's 64 px and at the network's
224 px:

    .venv/bin/python tools/faceres_input_probe.py --out docs/bench/faceres_input_probe.json

It needs `emoxnet zoo import hse_faceres` once (it imports it into the runs folder when missing).
"""
import argparse, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--out', required=True, help='JSON file for the readings, code version and settings')
    ap.add_argument('--seed', type=int, default=0, help="SynthFACS seed (the experiment's: 0)")
    a = ap.parse_args()
    import torch
    from emoxnet.core import code_version, save_json
    from emoxnet.data.synthetic import SynthConfig, generate
    from emoxnet.data.transforms import Preprocess
    from emoxnet.models import create_model
    from emoxnet.multitask import multitask_config, identity_init, verify_model, identity_splits
    torch.set_num_threads(1)
    synth = generate(SynthConfig(n_subjects=80, images_per_subject=30, size=64, grey=False, seed=a.seed))
    ids, ck = identity_splits(synth), identity_init('zoo:hse_faceres')
    rows = []
    for size in (64, 224):
        inputs = {'human: RGB 0..255': Preprocess(size, 3, (0.0,) * 3, (1 / 255,) * 3, 'bilinear'),
                  'author: BGR minus the ImageNet means': Preprocess(size, 3, tuple(m / 255 for m in (103.939, 116.779, 123.68)), (1 / 255,) * 3, 'bilinear', 'BGR')}
        for name, pre in inputs.items():
            m = create_model(multitask_config('faceres_mobilenet', synth.classes, pretrained=str(ck), in_chans=3, input_size=size, preprocess=pre))
            t0 = time.time(); r = verify_model(m, ids['heldout'], pre)
            rows.append({'input_size': size, 'input': name, 'roc_auc': round(r['roc_auc'], 4), 'tar_at_far_0.001': round(r['tar_at_far_0.001'], 4),
                         'pairs_same': r['pairs_same'], 'pairs_different': r['pairs_different'], 'seconds': round(time.time() - t0, 1)})
            print(rows[-1], flush=True)
    save_json({'code_version': code_version(), 'seed': a.seed, 'synth': {'n_subjects': 80, 'images_per_subject': 30, 'size': 64},
               'heldout_identities': len(ids['heldout'].classes), 'rows': rows}, Path(a.out))


if __name__ == '__main__':
    main()
