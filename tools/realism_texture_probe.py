"""Round 10 of docs/realism.md: expression *texture* learned from a real-trained model that is not a judge.

Round 9 ended on "a real face makes sadness, disgust and fear with changes of texture that a warp of a resting face
does not make". This probe learns such texture: one shading map per action unit, in face coordinates (half a face,
mirrored; each side follows its own AU intensity; from round 13 also one for the resting face), multiplied into the vivid drawing before the benchmark's
degradations. The maps are fitted by gradient descent so that real-trained expression models that are not judges (the
*teachers*, `--teachers`: face-api.js's expression net `faceapi_expression`, another network and training set than the
two FER2013 judges; from round 12 also `fer_cnn`, the plain CNN of facial-emotion-recognition) read SynthFACS faces as
the panel's majority label.
The maps depend on the AUs only, never on the class, so every expression gets its texture from the AUs it is made of
(plus the resting map that every face gets).

The two FER2013 judges of the realism score are *measurements*: they never see the maps being fitted.
Populations: fitting on seeds 7 and 8, the dev score on seed 3 (rounds 5-8's dev population), the judges on seed 1.

Round 13 adds a resting-face map (`--rest`, applied to every face: neutral faces carry almost no AU, so rounds 10-12 gave
them almost no texture), keeps the texture on the head (the relief's head mask) and reads face coordinates exactly
(`face_coords`: the ray meets the head ellipsoid).

Usage: python tools/realism_texture_probe.py [--out DIR] [--teachers A,B] [--steps N] [--subjects N] [--grid RxC] [--amp A]
                                            [--bound B] [--tv W] [--l2 W] [--eot|--no-eot] [--rest|--no-rest] [--judges dev|all]
                                            [--objective mean-ce|ensemble] [--warp W] [--warp-bound B] [--warp-tv W] [--confidence P] [--seed S]
(the defaults are round 13's fit: python tools/realism_texture_probe.py --out runs/realism_texture/v5; round 12's was the same
with --no-rest, on the package before the head mask and exact face coordinates; round 15's, the bundled 'textured' texture:
python tools/realism_texture_probe.py --out runs/realism_texture/v7d --warp 0.015 --warp-bound 0.03)
fits the maps and writes DIR/texture.npz, DIR/results.json (fit log, dev score on seed 3) and DIR/preview.png;
       python tools/realism_texture_probe.py --average DIR1,DIR2 --out DIR;  python tools/realism_texture_probe.py --dev DIR
average like fits into one texture (round 18), and give a frozen texture's dev signal (teachers, population 3) in DIR/dev.json;
       python tools/realism_texture_probe.py --dev DIR --dev-seed 4 --drawing SEARCH/best.json
the same on another population, and on a drawing a search found (round 23: a fit with `--drawing` is measured on it too);
       python tools/realism_texture_probe.py --measure DIR
measures DIR's frozen maps with the two FER2013 judges (seed 1, benchmark and apex-lab conditions, the plain vivid style
beside them) and writes DIR/judges.json. The fits of docs/realism.md (rounds 10-16) are in docs/realism_texture/.
"""
import argparse, hashlib, sys, time
from dataclasses import replace
from pathlib import Path
from unittest import mock
import cv2, numpy as np, torch, torch.nn.functional as F
from tqdm.auto import tqdm
import emoxnet.data.synthetic as S
sys.path.insert(0, str(Path(__file__).resolve().parent))
from realism_judging import CONDITIONS, scores, zoo_model   # shared with the other realism probe
from emoxnet.core import AUS, atomic_write, code_version, save_json

STYLE = 'vivid'                       # the drawing under the texture: rounds 10-23 fitted on the vivid style's (the textured style's until
                                       # round 24); `--drawing` (`use_drawing`) takes a search's, e.g. the textured style's own since round 24
GY, GX = 24, 12                        # texture grid: rows over y in [Y0, Y1], columns over |x| in [0, XMAX] (face units)
Y0, Y1, XMAX = -1.0, 1.4, 1.2
BOUND = 0.5                            # the summed log shading stays within +-BOUND (x0.61 .. x1.65)
FIT_SEEDS, DEV_SEED = (7, 8), 3

def canonical(subj, left, right, nz) -> tuple:
    "The probe's drawing (`STYLE`) of a 48 px face at canonical resolution before texture, resizing and degradations (float32 grey), its drawn AUs, face coordinates, landmarks and head mask."
    img, l, r, K, t, lm, head = S.draw_canonical(subj, left, right, nz, 48, True, S.STYLES[STYLE])
    return img[..., 0].astype(np.float32), l, r, S.face_coords(K, t, img.shape[0]), lm, head.astype(np.float32), K[:, :2].astype(np.float32)

def use_drawing(path: str | Path) -> str:
    "Round 23: draw with the numbers a drawing search found (a `best.json` of tools/realism_drawing_search.py) instead of the vivid style's; registered as `STYLE`, without the bundled texture."
    global STYLE
    from realism_drawing_search import found_params, style_from
    S.STYLES['_drawing'] = replace(style_from(found_params(path)), name='_drawing', au_texture='')
    STYLE = '_drawing'
    return STYLE

def textured_renderer(tex: S.AUTexture):
    "A drop-in for `S.render_face`: the probe's drawing (`STYLE`: vivid, or `use_drawing`'s) moved and shaded by the AU texture `tex` (`S.textured`, as the 'textured' style does with its bundled texture on its own drawing), then the style's and benchmark's degradations."
    st = S.STYLES[STYLE]
    def render(subj, left, right, nz, size=48, grey=True, rng=None, style=None):
        img, l, r, K, t, lm, head = S.draw_canonical(subj, left, right, nz, size, grey, st)
        return S.finish_face(*S.textured(img, l, r, K, t, tex, head, lm), nz, size, st, rng)
    return render

def fit_population(seed: int, n_subjects: int) -> dict:
    "realism_score's faces (7 FER2013 classes, benchmark intensities and nuisance) of population `seed`, kept before degradation."
    parts = []
    def capture(subj, left, right, nz, size=48, grey=True, rng=None, style=None):
        img, l, r, uv, _, head, K2 = canonical(subj, left, right, nz)
        parts.append((img, l, r, uv, nz, head, K2))
        code = np.zeros((size, size), np.uint8); i = len(parts) - 1; code[0, 0], code[0, 1] = i // 256, i % 256
        return code, np.zeros((68, 2), np.float32)
    with mock.patch.object(S, 'render_face', capture): codes, truth, _ = S.realism_faces(STYLE, n_subjects, seed)
    idx = codes[:, 0, 0].astype(int) * 256 + codes[:, 0, 1]
    order = np.argsort(idx)
    assert (idx[order] == np.arange(len(parts))).all()
    return dict(img=np.stack([p[0] for p in parts]), left=np.stack([p[1] for p in parts]), right=np.stack([p[2] for p in parts]),
                uv=np.stack([p[3] for p in parts]), nz=[p[4] for p in parts], head=np.stack([p[5] for p in parts]),
                K2=np.stack([p[6] for p in parts]), label=truth[order])

def degrade_params(nz: list, size: int = 48) -> dict:
    "The differentiable part of `S.degrade` per image: light gradient map, contrast, brightness, blur sigma, noise sd (JPEG left out)."
    X, Y = S._grid(size)
    light = np.stack([1 + 2 * n['light'] * (X * np.cos(n['light_dir']) + Y * np.sin(n['light_dir'])) for n in nz])
    f = lambda k: torch.tensor([n[k] for n in nz], dtype=torch.float32)
    return dict(light=torch.from_numpy(light.astype(np.float32)), contrast=f('contrast'), brightness=f('brightness'),
                blur=f('blur') * (f('blur') > 0.3), noise=f('noise') * (f('noise') > 0.5))

def blur(x: torch.Tensor, sigma: torch.Tensor) -> torch.Tensor:
    "Per-image Gaussian blur of `(B, H, W)` with sd `sigma (B,)` (0: unchanged)."
    r = torch.arange(-3, 4, dtype=torch.float32)
    k = torch.exp(-r[None] ** 2 / (2 * sigma.clamp(min=1e-3)[:, None] ** 2)); k = k / k.sum(1, keepdim=True)
    k = torch.where(sigma[:, None] > 0, k, (r[None] == 0).float())
    B = len(x); y = F.pad(x[None], (3, 3, 3, 3), mode='replicate')
    y = F.conv2d(y, k[:, None, None, :], groups=B); y = F.conv2d(y, k[:, None, :, None], groups=B)
    return y[0]

WARP_BOUND = 0.1                       # round 15's warps: the summed displacement stays within +-WARP_BOUND face units per axis

class Texture(torch.nn.Module):
    """The shading maps, one per AU and the resting face's last (`rest=False`: kept at 0): `amp * tanh(p)`, log-multiplicative, bilinear in face coordinates, on the head mask.
    With `warp` > 0 (round 15), also one displacement map per AU (and the resting face), `warp * tanh(q)` face units per unit of AU intensity,
    (outward, down) over half a face and mirrored like the shading: the drawing is moved by their AU-weighted sum (bounded by
    `WARP_BOUND`, on the head) before it is shaded."""
    def __init__(self, amp: float, rest: bool = True, warp: float = 0.0, warp_bound: float | None = None):
        super().__init__(); self.amp, self.warp = amp, warp
        self.warp_bound = WARP_BOUND if warp_bound is None else warp_bound
        self.p = torch.nn.Parameter(torch.zeros(len(AUS) + 1, GY, GX))
        self.q = torch.nn.Parameter(torch.zeros(len(AUS) + 1, 2, GY, GX)) if warp else None
        self.register_buffer('on', torch.ones(len(AUS) + 1, 1, 1)); self.on[-1] = float(rest)
    def maps(self) -> torch.Tensor: return self.amp * torch.tanh(self.p) * self.on
    def warps(self) -> torch.Tensor: return self.warp * torch.tanh(self.q) * self.on[..., None]
    def forward(self, img, uv, left, right, head, K2=None):
        x, y = uv[..., 0], uv[..., 1]
        g = torch.stack([x.abs() / XMAX * 2 - 1, (y - Y0) / (Y1 - Y0) * 2 - 1], -1)
        w = (0.5 - 0.5 * torch.tanh(6 * x))[:, None]
        one = torch.ones_like(left[:, :1])
        a = torch.cat([left, one], 1)[..., None, None] * w + torch.cat([right, one], 1)[..., None, None] * (1 - w)
        if self.warp:
            if K2 is None: raise ValueError("Texture with warps: pass K2, the faces' (B, 2, 2) linear projection (face units -> pixels)")
            img = self.move(img, g, a, x, head, K2)
        m = F.grid_sample(self.maps()[None].expand(len(img), -1, -1, -1), g, align_corners=True, padding_mode='zeros')
        return (img * torch.exp(head * BOUND * torch.tanh((m * a).sum(1) / BOUND))).clamp(0, 255)
    def move(self, img, g, a, x, head, K2):
        "The drawing moved by the AU-weighted displacement maps: each pixel reads the drawing at itself minus the displacement (canonical pixels via the face's linear projection `K2`)."
        B, H, W = img.shape; n = a.shape[1]
        d = F.grid_sample(self.warps().flatten(0, 1)[None].expand(B, -1, -1, -1), g, align_corners=True, padding_mode='zeros')
        d = (d.view(B, n, 2, H, W) * a[:, :, None]).sum(1)
        d = self.warp_bound * torch.tanh(d / self.warp_bound) * head[:, None]
        d = torch.stack([d[:, 0] * torch.tanh(6 * x), d[:, 1]], 1)                    # outward -> face x (the image-left half has x < 0)
        dp = torch.einsum('bij,bjhw->bihw', K2, d)                                      # face units -> canonical pixels
        ys, xs = torch.meshgrid(torch.arange(H, dtype=img.dtype), torch.arange(W, dtype=img.dtype), indexing='ij')
        grid = torch.stack([(2 * (xs - dp[:, 0]) + 1) / W - 1, (2 * (ys - dp[:, 1]) + 1) / H - 1], -1)
        return F.grid_sample(img[:, None], grid, align_corners=False, padding_mode='border')[:, 0]

def judge_input(img48: torch.Tensor, pre) -> torch.Tensor:
    "48 px grey faces -> the judge's input (its size, channels, mean and std; bilinear like its PIL resize)."
    x = F.interpolate(img48[:, None], size=(pre.size, pre.size), mode='bilinear', align_corners=False) / 255
    x = x.expand(-1, pre.channels, -1, -1)
    return (x - torch.tensor(pre.mean)[:, None, None]) / torch.tensor(pre.std)[:, None, None]

def jitter(x: torch.Tensor) -> torch.Tensor:
    "Random small rotation (+-8 degrees), scale (+-8 %), shift (+-4 %) and extra blur of `(B, H, W)` faces: the texture must work under all of them."
    B = len(x); a = torch.empty(B).uniform_(-0.14, 0.14); k = torch.empty(B).uniform_(0.92, 1.08)
    th = torch.zeros(B, 2, 3); th[:, 0, 0] = th[:, 1, 1] = torch.cos(a) / k; th[:, 0, 1] = -torch.sin(a) / k; th[:, 1, 0] = torch.sin(a) / k
    th[:, :, 2] = torch.empty(B, 2).uniform_(-0.08, 0.08)
    g = F.affine_grid(th, (B, 1, *x.shape[1:]), align_corners=False)
    x = F.grid_sample(x[:, None], g, padding_mode='border', align_corners=False)[:, 0]
    return blur(x, torch.empty(B).uniform_(0, 0.8))

EOT = False                            # fit under `jitter` too (expectation over transformations)
def forward(tex, batch: dict, dp: dict, pre, noise: bool = True) -> torch.Tensor:
    "Textured canonical faces -> 48 px -> lighting, contrast, brightness, blur, noise (and `jitter` with EOT while fitting) -> judge input."
    x = F.avg_pool2d(tex(batch['img'], batch['uv'], batch['left'], batch['right'], batch['head'], batch['K2'])[:, None], 2)[:, 0]   # INTER_AREA at 96 -> 48
    x = x * dp['light']
    mean = x.mean((1, 2), keepdim=True)
    x = (x - mean) * dp['contrast'][:, None, None] + mean + dp['brightness'][:, None, None]
    x = blur(x, dp['blur'] * 1.0)
    if noise and EOT: x = jitter(x)
    if noise: x = x + torch.randn_like(x) * dp['noise'][:, None, None]
    return judge_input(x.clamp(0, 255), pre)

def smooth_small(m: torch.Tensor, tv: float, l2: float) -> torch.Tensor:
    "`tv` x the mean squared difference of neighbouring cells (both axes of `(N, GY, GX)` maps) + `l2` x their mean square."
    return tv * ((m[:, 1:] - m[:, :-1]).pow(2).mean() + (m[:, :, 1:] - m[:, :, :-1]).pow(2).mean()) + l2 * m.pow(2).mean()

def penalty(tex: Texture, amp: float, tv: float, l2: float, warp_tv: float | None = None) -> torch.Tensor:
    "The fit's smoothness and size penalty. Warps are penalised on the shading's scale (x `amp / warp`); without `warp_tv` as part of one mean over all maps (rounds 15-16), with it apart."
    if not tex.warp: return smooth_small(tex.maps(), tv, l2)
    w = tex.warps().flatten(0, 1) * (amp / tex.warp)
    if warp_tv is None: return smooth_small(torch.cat([tex.maps(), w]), tv, l2)
    return smooth_small(tex.maps(), tv, l2) + smooth_small(w, warp_tv, l2)

def label_logp(logp: torch.Tensor, objective: str = 'mean-ce', confidence: float | None = None) -> torch.Tensor:
    """Per face, the log-probability of the label that the fit maximises, from the teachers' `logp` `(teachers, faces)`.
    'mean-ce': the teachers' mean; 'ensemble': the log of their mean probability. With `confidence`, what is capped is
    what the objective reads: each teacher's log-probability ('mean-ce'), the mixture's ('ensemble'), at `log(confidence)`."""
    cap = (lambda v: v) if confidence is None else (lambda v: v.clamp(max=float(np.log(confidence))))
    if objective == 'mean-ce': return cap(logp).mean(0)
    return cap(torch.logsumexp(logp, 0) - np.log(len(logp)))

def fit(teachers, pop: dict, steps: int, amp: float, tv: float, l2: float, batch_size: int = 48, lr: float = 0.05, seed: int = 0,
        valid: float = 0.15, rest: bool = True, objective: str = 'mean-ce', warp: float = 0.0, warp_tv: float | None = None,
        confidence: float | None = None) -> tuple:
    """Fit the maps to the `teachers` (one or a list; never `S.REALISM_JUDGES`) on `pop` (a held-out share `valid` for the log); the bounded maps and the log.
    `objective`: 'mean-ce', the mean of the teachers' cross-entropies (rounds 10-14: every teacher must read the label);
    'ensemble', the cross-entropy of their mean probability (round 15: one teacher reading it is enough, so a class a
    teacher never outputs, like fer_cnn's disgust, is left to the other). `warp` > 0 (round 15): displacement maps too.
    Returns the bounded maps, the warps (None without `warp`) and the log. The smoothness and size penalties are means
    over all maps: with warps (scaled to the shading's range) the shading maps carry a third of the weight they carry
    without. `warp_tv` (round 17) penalises the two kinds apart: the shading with `tv` and `l2` at their full weight
    (as without warps), the warps with `warp_tv` and `l2`. `confidence` (round 19): a teacher that already gives a face's
    label this probability or more pulls no further at it (its log-probability is capped at `log(confidence)`; with
    'ensemble', the teachers' mean probability is capped instead, `label_logp`), so the fit spends itself on the faces
    still misread instead of making read faces ever more certain."""
    if objective not in ('mean-ce', 'ensemble'): raise ValueError(f"objective {objective!r}: expected 'mean-ce' or 'ensemble'")
    if confidence is not None and not 0 < confidence < 1: raise ValueError(f"confidence {confidence}: expected a probability in (0, 1), or None")
    torch.manual_seed(seed); rng = np.random.default_rng(seed)
    n = len(pop['img']); perm = rng.permutation(n); nv = int(n * valid); va, tr = perm[:nv], perm[nv:]
    teachers = teachers if isinstance(teachers, (list, tuple)) else [teachers]
    ys = [torch.tensor([list(j.classes).index(c) for c in pop['label']]) for j in teachers]
    T = lambda k, ix: torch.from_numpy(pop[k][ix])
    def batch(ix): return dict(img=T('img', ix), uv=T('uv', ix), left=T('left', ix), right=T('right', ix), head=T('head', ix), K2=T('K2', ix))
    for j in teachers:
        for q in j.model.eval().parameters(): q.requires_grad_(False)
    tex = Texture(amp, rest, warp); opt = torch.optim.Adam(tex.parameters(), lr=lr)
    log = []
    def evaluate():
        "Each teacher's mean per-class recall on the held-out faces (one value when there is one teacher)."
        out = []
        for j, y in zip(teachers, ys):
            with torch.no_grad():
                ok = torch.cat([j.model(forward(tex, batch(va[i:i + 96]), degrade_params([pop['nz'][k] for k in va[i:i + 96]]), j.preprocess, False)).argmax(1) == y[va[i:i + 96]]
                                for i in range(0, nv, 96)])
            yv = y[va]; out.append(round(float(np.mean([ok[yv == c].float().mean() for c in yv.unique()])), 4))
        return out[0] if len(out) == 1 else out
    log.append(dict(step=0, valid_recall=evaluate()))
    for step in tqdm(range(1, steps + 1), desc='fit texture'):
        ix = rng.choice(tr, batch_size, replace=False)
        b, dp = batch(ix), degrade_params([pop['nz'][k] for k in ix])
        pen = penalty(tex, amp, tv, l2, warp_tv)        # built before the teachers' pass, as rounds 10-16 did: same gradient order, same fits bit for bit
        logp = torch.stack([-F.cross_entropy(j.model(forward(tex, b, dp, j.preprocess)), y[ix], reduction='none') for j, y in zip(teachers, ys)])
        fit_loss = -label_logp(logp, objective, confidence).mean()
        loss = fit_loss + pen
        opt.zero_grad(); loss.backward(); opt.step()
        if step % 100 == 0 or step == steps:
            log.append(dict(step=step, loss=round(loss.item(), 4), valid_recall=evaluate())); print(log[-1], flush=True)
    return tex.maps().detach().numpy(), (tex.warps().detach().numpy() if warp else None), log

def preview(render, path: Path, subjects=range(1, 7)):
    "Grid: one row per subject (population 3), the 7 FER2013 classes at apex, frontal and clean, 96 px; the plain vivid face left of each."
    rows = []
    for sid in subjects:
        subj, rng = S.sample_subject(sid, 3), np.random.default_rng(sid)
        nz = S.sample_nuisance(rng, S.Nuisance.none())
        cells = []
        for c in S.FER2013_CLASSES:
            l, r = S.expression_aus(subj, c, 0.0 if c == 'neutral' else 1.0, rng, 0.0)
            cells += [S.render_face(subj, l, r, nz, 96, True, np.random.default_rng(0), STYLE)[0], render(subj, l, r, nz, 96, True, np.random.default_rng(0))[0]]
        rows.append(np.hstack(cells))
    cv2.imwrite(str(path), np.vstack(rows))

def save_texture(tex: S.AUTexture, path: str | Path):
    "Write `tex` as `S.read_au_texture` reads it (maps, AUs, grid, box; warps and their bound when it has them), atomically."
    extra = {} if tex.warps is None else dict(warps=tex.warps, warp_bound=np.array(tex.warp_bound))
    with atomic_write(path, 'wb') as f: np.savez(f, maps=tex.maps, aus=np.array(AUS), grid=np.array(tex.maps.shape[1:]), box=np.array(tex.box), **extra)

def load_maps(path: str | Path) -> S.AUTexture:
    "The texture in a `texture.npz` this tool wrote (`S.read_au_texture`: shading maps, and warps from round 15 on), with the grid and bounds it was fitted with set module-wide."
    global GY, GX, BOUND, WARP_BOUND
    tex = S.read_au_texture(path)                  # rounds 10-12's files get a zero resting-face map
    (GY, GX), BOUND, WARP_BOUND = tex.maps.shape[1:], tex.box[3], (tex.warp_bound or WARP_BOUND)
    return tex

def provenance() -> dict:
    "What code ran, taken when a run starts: the package's version (`-dirty` for uncommitted changes) and this tool's md5."
    return dict(code_version=code_version(), tool_md5=hashlib.md5(Path(__file__).read_bytes()).hexdigest())

def frozen_scores(path: str | Path, judges: dict, conditions: tuple, name: str, plain: bool = False) -> list[dict]:
    "Score the frozen texture in `path` (a fit folder): each of `judges` (name -> seed) under `conditions` (and the plain vivid style beside it with `plain`); writes `name` there with provenance and the maps' md5."
    res = provenance()
    tex = load_maps(Path(path) / 'texture.npz')
    torch.set_num_threads(1)
    res.update(maps_md5=hashlib.md5(tex.maps.tobytes() + (b'' if tex.warps is None else tex.warps.tobytes())).hexdigest(),
               scores=scores(textured_renderer(tex), judges, conditions) + (scores(None, judges, conditions) if plain else []))
    save_json(res, Path(path) / name)
    return res['scores']

def measure(path: str | Path, judges: dict) -> list[dict]:
    "The realism score of the frozen maps in `path` (a fit folder): each judge on its seed, benchmark and apex-lab conditions, the plain vivid style beside them; adds `judges.json` there."
    return frozen_scores(path, judges, tuple(CONDITIONS), 'judges.json', plain=True)

def average(paths: list, out: str | Path) -> S.AUTexture:
    "Round 18: the mean of several fits' textures (same grid, box and warp bound; e.g. the same settings with other `--seed`s), written to `out`/texture.npz with its sources in `out`/sources.json."
    if Path(out).resolve() in {Path(p).resolve() for p in paths}: raise ValueError(f"{out} is one of the fits to average: write the mean elsewhere")
    texs = [S.read_au_texture(Path(p) / 'texture.npz') for p in paths]
    t0 = texs[0]
    for p, t in zip(paths, texs):
        if (t.maps.shape, t.box, t.warp_bound, t.warps is None) != (t0.maps.shape, t0.box, t0.warp_bound, t0.warps is None):
            raise ValueError(f"{p}: grid {t.maps.shape}, box {t.box}, warp bound {t.warp_bound}, warps {t.warps is not None}; "
                             f"{paths[0]} has {t0.maps.shape}, {t0.box}, {t0.warp_bound}, {t0.warps is not None}: only like fits can be averaged")
    mean = lambda k: np.mean([getattr(t, k) for t in texs], 0).astype(np.float32)
    tex = S.AUTexture(mean('maps'), t0.box, None if t0.warps is None else mean('warps'), t0.warp_bound)
    out = Path(out); out.mkdir(parents=True, exist_ok=True)
    save_texture(tex, out / 'texture.npz')
    save_json(dict(provenance(), averaged=[str(p) for p in paths]), out / 'sources.json')
    return tex

def dev(path: str | Path, teachers: list, seed: int = DEV_SEED) -> list[dict]:
    "The dev signal of the frozen texture in `path`: the teachers on population `seed` (3; round 23 also 4 and 5), benchmark conditions (no judge); writes `dev.json` (`dev_seed{seed}.json`) there."
    return frozen_scores(path, {n: seed for n in teachers}, ('benchmark',), 'dev.json' if seed == DEV_SEED else f'dev_seed{seed}.json')

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--out', default='runs/realism_texture', help='folder for texture.npz, results.json and preview.png')
    ap.add_argument('--steps', type=int, default=300, help='Adam steps of the fit')
    ap.add_argument('--subjects', type=int, default=100, help='subjects per fitting population (14 faces each)')
    ap.add_argument('--amp', type=float, default=0.25, help='bound of each map (log shading per unit of AU intensity; the resting map: in all)')
    ap.add_argument('--tv', type=float, default=30.0, help='weight of the smoothness penalty')
    ap.add_argument('--l2', type=float, default=3.0, help='weight of the size penalty')
    ap.add_argument('--grid', default='12x6', help='texture grid, rows x columns (half a face)')
    ap.add_argument('--bound', type=float, default=0.35, help='bound of the summed log shading of all AUs')
    ap.add_argument('--judges', default='dev', choices=('dev', 'all'), help='dev: the dev judge only; all: also the two FER2013 judges')
    ap.add_argument('--teachers', default='faceapi_expression,fer_cnn', help='comma-separated zoo models to fit to (never the two judges): faceapi_expression, fer_cnn')
    ap.add_argument('--eot', action=argparse.BooleanOptionalAction, default=True, help='fit under random rotation, scale, shift and blur as well (--no-eot: rounds 10 and the first fit)')
    ap.add_argument('--rest', action=argparse.BooleanOptionalAction, default=True, help='fit a resting-face map too, applied to every face (--no-rest: rounds 10-12)')
    ap.add_argument('--objective', default='mean-ce', choices=('mean-ce', 'ensemble'), help="mean-ce: mean of the teachers' cross-entropies (rounds 10-14); ensemble: cross-entropy of their mean probability")
    ap.add_argument('--warp', type=float, default=0.0, help='round 15: also fit displacement maps, each bounded by this many face units per unit of AU intensity (0: none, rounds 10-14)')
    ap.add_argument('--warp-bound', type=float, default=0.1, help='bound of the summed displacement, face units per axis (with --warp)')
    ap.add_argument('--warp-tv', type=float, default=None, help='round 17: penalise the warps apart, with this smoothness weight (and the shading at its full weight, as without warps); unset: one penalty over all maps (rounds 15-16)')
    ap.add_argument('--confidence', type=float, default=None, help="round 19: a teacher giving a face's label at least this probability pulls no further at it (unset: no cap, rounds 10-18)")
    ap.add_argument('--seed', type=int, default=0, help='seed of the fit (batch order, held-out split, EOT draws); the faces stay populations 7 and 8')
    ap.add_argument('--measure', help='a fit folder: measure its frozen maps with the two FER2013 judges (and the plain vivid style beside them), no fit')
    ap.add_argument('--average', help='comma-separated fit folders: write the mean of their textures to --out (required with it; round 18), no fit')
    ap.add_argument('--dev', help="a fit folder: the dev signal of its frozen texture (the teachers on population 3), writes dev.json there; no fit, no judge")
    ap.add_argument('--dev-seed', type=int, default=DEV_SEED, help="--dev's population (3; round 23 validates on 4 and 5)")
    ap.add_argument('--drawing', help="round 23: a best.json of tools/realism_drawing_search.py: fit, preview, --dev and --measure on that drawing instead of the vivid style's")
    a = ap.parse_args(); out = Path(a.out)
    if a.drawing: use_drawing(a.drawing)
    if a.measure: measure(a.measure, {j: 1 for j in S.REALISM_JUDGES}); return
    names = a.teachers.split(',')
    if set(S.REALISM_JUDGES) & set(names): raise SystemExit(f"{', '.join(S.REALISM_JUDGES)} measure realism: they are never teachers")
    if a.average:
        if a.out == ap.get_default('out'): raise SystemExit('--average: name the folder for the mean with --out')
        average(a.average.split(','), out); return
    if a.dev: dev(a.dev, names, a.dev_seed); return
    out.mkdir(parents=True, exist_ok=True)
    prov = provenance()
    global GY, GX, BOUND, EOT, WARP_BOUND
    (GY, GX), BOUND, EOT, WARP_BOUND = map(int, a.grid.split('x')), a.bound, a.eot, a.warp_bound
    torch.set_num_threads(2)
    teachers = [zoo_model(n) for n in names]
    t = time.time()
    pops = [fit_population(s, a.subjects) for s in FIT_SEEDS]
    pop = {k: (sum((p[k] for p in pops), []) if k == 'nz' else np.concatenate([p[k] for p in pops])) for k in pops[0]}
    print(f'{len(pop["img"])} fitting faces in {time.time() - t:.0f} s', flush=True)
    maps, warps, log = fit(teachers, pop, a.steps, a.amp, a.tv, a.l2, rest=a.rest, objective=a.objective, warp=a.warp, seed=a.seed, warp_tv=a.warp_tv, confidence=a.confidence)
    tex = S.AUTexture(maps, (Y0, Y1, XMAX, BOUND), warps, WARP_BOUND if warps is not None else 0.0)
    save_texture(tex, out / 'texture.npz')
    render = textured_renderer(tex)
    preview(render, out / 'preview.png')
    torch.set_num_threads(1)
    judges = {n: DEV_SEED for n in names} | ({j: 1 for j in S.REALISM_JUDGES} if a.judges == 'all' else {})
    res = dict(prov, args=vars(a), fit_faces=len(pop['img']), fit_log=log,
               scores=scores(render, judges, ('benchmark',) if a.judges == 'dev' else tuple(CONDITIONS)))
    save_json(res, out / 'results.json')

if __name__ == '__main__': main()
