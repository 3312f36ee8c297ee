"""Photos as people have them (emoxnet.data.core.read_image): a phone JPEG with an EXIF orientation tag and a 16-bit
greyscale PNG must read like the plain picture, so the face detector finds the same face in them."""
import numpy as np
import pytest
from PIL import Image
from skimage import data as skdata

from emoxnet.data.core import read_image
from emoxnet.faces import ASTRONAUT_FACE, DEFAULT_DETECTOR, FaceDetector, detector_available

ASTRO = np.ascontiguousarray(skdata.astronaut()[:, :448])   # not square, so a sideways photo has another shape
DETECTOR = DEFAULT_DETECTOR if detector_available(DEFAULT_DETECTOR) else 'haar'


def _face(img: np.ndarray):
    faces = FaceDetector(DETECTOR)(img)
    assert faces, f'{DETECTOR}: no face found'
    return max(faces, key=lambda f: f.iou(ASTRONAUT_FACE))


@pytest.fixture(scope='module')
def plain(tmp_path_factory):
    p = tmp_path_factory.mktemp('read') / 'upright.jpg'
    Image.fromarray(ASTRO).save(p, quality=95)
    return p


@pytest.mark.parametrize('orientation, stored_as', [
    (6, Image.Transpose.ROTATE_90),      # "rotate 90 clockwise to display": the sensor stored it turned left
    (8, Image.Transpose.ROTATE_270),
    (3, Image.Transpose.ROTATE_180),
    (2, Image.Transpose.FLIP_LEFT_RIGHT),
])
def test_exif_orientation_reads_upright(tmp_path, plain, orientation, stored_as):
    exif = Image.Exif(); exif[0x0112] = orientation
    phone = tmp_path / 'phone.jpg'
    Image.fromarray(ASTRO).transpose(stored_as).save(phone, quality=95, exif=exif)
    stored = np.asarray(Image.open(phone))
    assert stored.shape != ASTRO.shape or np.abs(stored.astype(int) - ASTRO).mean() > 20   # the file holds it turned or mirrored
    got, ref = read_image(phone), read_image(plain)
    assert got.shape == ref.shape == ASTRO.shape
    assert np.abs(got.astype(int) - ref).mean() < 4                 # the same picture, up to JPEG noise
    assert _face(got).iou(_face(ref)) > 0.9 and _face(got).iou(ASTRONAUT_FACE) > 0.5


def test_16bit_grey_png_reads_like_8bit(tmp_path):
    grey8 = read_image(Image.fromarray(ASTRO), grey=True)
    Image.fromarray(grey8).save(tmp_path / 'grey8.png')
    Image.fromarray(grey8.astype(np.uint16) * 257).save(tmp_path / 'grey16.png')   # same picture, 16 bits per pixel
    assert Image.open(tmp_path / 'grey16.png').mode.startswith('I')
    got, ref = read_image(tmp_path / 'grey16.png'), read_image(tmp_path / 'grey8.png')
    assert np.array_equal(got, ref) and got.dtype == np.uint8 and got.shape == ASTRO.shape
    assert got.max() < 255 or grey8.max() == 255                  # scaled, not clipped to white
    assert _face(got).iou(_face(ref)) > 0.9 and _face(got).iou(ASTRONAUT_FACE) > 0.5
    assert np.array_equal(read_image(tmp_path / 'grey16.png', grey=True), grey8)
