"Face detection, crops and alignment on real photos (emoxnet.faces)."
import numpy as np
import pytest
from skimage import data as skdata

from emoxnet.faces import (ASTRONAUT_FACE, DEFAULT_DETECTOR, DETECTORS, Face, FaceDetector, align_face, as_rgb,
                           available_detectors, bench_detectors, crop_face, detect_faces, detector_available, eye_angle)

ASTRO = skdata.astronaut()
# detectors cheap enough for a unit test; the slow ones (mtcnn, dlib_cnn) are measured by bench_detectors only
FAST = [n for n in ('haar', 'haar_alt2', 'lbp', 'ssd', 'blazeface', 'dlib_hog') if detector_available(n)]
needs_default = pytest.mark.skipif(not detector_available(DEFAULT_DETECTOR),
                                   reason=f"default detector {DEFAULT_DETECTOR!r} needs {DETECTORS[DEFAULT_DETECTOR].requires}")


@needs_default
def test_default_detector_finds_the_astronaut():
    faces = detect_faces(ASTRO)
    assert faces, 'no face found in skimage.data.astronaut()'
    assert faces[0].iou(ASTRONAUT_FACE) > 0.5, faces
    assert faces[0].detector == DEFAULT_DETECTOR and 0 < faces[0].score <= 1


@pytest.mark.parametrize('name', FAST)
def test_each_fast_detector_finds_the_astronaut(name):
    faces = FaceDetector(name, **({'range': 'full'} if name == 'blazeface' else {}))(ASTRO)
    assert any(f.iou(ASTRONAUT_FACE) > 0.5 for f in faces), (name, faces)


@pytest.mark.parametrize('name', FAST)
@pytest.mark.parametrize('shape', [(480, 640, 3), (480, 640), (1, 1, 3), (0, 0, 3), (7, 300)])
def test_blank_or_tiny_image_gives_empty_list(name, shape):
    assert FaceDetector(name)(np.zeros(shape, np.uint8)) == []


@pytest.mark.parametrize('name', FAST)
def test_uniform_grey_frame_gives_empty_list(name):
    assert FaceDetector(name)(np.full((480, 640, 3), 128, np.uint8)) == []


@pytest.mark.parametrize('name', ['haar'] + (['ssd'] if detector_available('ssd') else []))
def test_grey_and_rgba_inputs(name):
    det = FaceDetector(name)
    grey = np.asarray(np.round(ASTRO @ [0.299, 0.587, 0.114]), np.uint8)
    for img in (grey, grey[..., None], np.dstack([ASTRO, np.full(ASTRO.shape[:2], 255, np.uint8)])):
        faces = det(img)
        assert faces and faces[0].iou(ASTRONAUT_FACE) > 0.5, (img.shape, faces)


def test_boxes_are_in_input_pixels_after_internal_downscale():
    big = np.kron(ASTRO, np.ones((3, 3, 1), np.uint8))          # 1536 x 1536, detected at 640
    faces = FaceDetector('haar', max_side=640)(big)
    assert faces and faces[0].iou(tuple(3 * v for v in ASTRONAUT_FACE)) > 0.5, faces
    assert all(0 <= f.x0 < f.x1 <= 1536 and 0 <= f.y0 < f.y1 <= 1536 for f in faces)


def test_sorting_and_min_size():
    faces = FaceDetector('haar', sort='area', min_size=20)(ASTRO)
    assert [f.area for f in faces] == sorted((f.area for f in faces), reverse=True)
    assert FaceDetector('haar', min_size=300)(ASTRO) == []


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(TypeError, match='uint8'): detect_faces(ASTRO.astype(np.float32), 'haar')
    with pytest.raises(ValueError, match='expected an image of shape'): detect_faces(np.zeros((4, 4, 2), np.uint8), 'haar')
    with pytest.raises(KeyError, match='available'): FaceDetector('no-such-detector')


def test_crop_shapes():
    f = Face(*ASTRONAUT_FACE)                                    # 90 x 106 box
    assert crop_face(ASTRO, f).shape == (106, 106, 3)
    assert crop_face(ASTRO, f, square=False).shape == (106, 90, 3)
    assert crop_face(ASTRO, f, margin=0.5).shape == (212, 212, 3)
    assert crop_face(ASTRO, f, size=48).shape == (48, 48, 3)
    assert crop_face(ASTRO, f, square=False, size=(30, 40)).shape == (40, 30, 3)
    assert crop_face(ASTRO[..., 1], f).shape == (106, 106)                      # grey in, grey out
    rgba = np.dstack([ASTRO, np.full(ASTRO.shape[:2], 255, np.uint8)])
    assert crop_face(rgba, f).shape == (106, 106, 3)                           # RGBA in, RGB out
    assert crop_face(ASTRO, f).dtype == np.uint8


def test_crop_pads_at_borders_and_keeps_the_face_centred():
    h, w = ASTRO.shape[:2]
    c = crop_face(ASTRO, (w - 30, h - 20, w + 30, h + 40), pad_value=9)       # hangs off bottom-right
    assert c.shape == (60, 60, 3)
    assert np.array_equal(c[:20, :30], ASTRO[h - 20:, w - 30:])              # the visible part, in place
    assert (c[20:] == 9).all() and (c[:, 30:] == 9).all()                    # the rest is padding
    assert (crop_face(ASTRO, (-100, -100, -50, -50)) == 0).all()             # fully outside: all padding


def test_align_face_levels_the_eyes():
    import cv2
    cx, cy = Face(*ASTRONAUT_FACE).center
    R = cv2.getRotationMatrix2D((cx, cy), -20, 1.0)
    tilted = cv2.warpAffine(ASTRO, R, ASTRO.shape[1::-1])
    eyes = np.c_[np.array([[204, 103], [243, 104]], np.float32), np.ones(2)] @ R.T
    face = Face(*ASTRONAUT_FACE, landmarks=eyes.astype(np.float32), landmark_names=('left_eye', 'right_eye'))
    ang = eye_angle(*face.eyes())
    assert 15 < abs(ang) < 25
    M = cv2.getRotationMatrix2D(face.center, ang, 1.0)
    after = np.c_[eyes, np.ones(2)] @ M.T
    assert abs(after[0, 1] - after[1, 1]) < 1.0
    out = align_face(tilted, face, margin=0.2, size=64)
    assert out.shape == (64, 64, 3) and out.dtype == np.uint8
    # the aligned crop is closer to the untilted crop than the unaligned one is
    ref = crop_face(ASTRO, face, margin=0.2, size=64).astype(float)
    plain = crop_face(tilted, face, margin=0.2, size=64).astype(float)
    assert np.abs(out - ref).mean() < np.abs(plain - ref).mean()


def test_align_without_eyes_is_a_plain_crop():
    blank = np.zeros((100, 100), np.uint8)
    assert np.array_equal(align_face(blank, Face(10, 10, 60, 60)), crop_face(blank, Face(10, 10, 60, 60)))


def test_as_rgb_matches_read_image_alpha_rule():
    rgba = np.zeros((1, 2, 4), np.uint8); rgba[0, 1] = (0, 0, 0, 255)
    assert as_rgb(rgba).tolist() == [[[255, 255, 255], [0, 0, 0]]]


def test_bench_detectors_table():
    df = bench_detectors(['haar'], n_composites=1, repeats=1)
    assert list(df.columns[:4]) == ['detector', 'available', 'faces', 'recall']
    assert df.loc[0, 'available'] and df.loc[0, 'recall'] > 0 and df.loc[0, 'ms_640x480'] > 0


def test_registry_lists_what_is_installed():
    assert {'haar', 'haar_alt2', 'lbp', 'ssd', 'blazeface', 'mtcnn', 'dlib_hog', 'dlib_cnn'} <= set(DETECTORS)
    assert {'haar', 'haar_alt2', 'lbp'} <= set(available_detectors())
