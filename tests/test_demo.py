"The Gradio demo served for real (in-process, on a free port) and driven through `gradio_client`, as a script user would."
import os, socket, time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from skimage import data as skdata

os.environ.setdefault('GRADIO_ANALYTICS_ENABLED', 'False')
from gradio_client import Client, handle_file

from emoxnet.demo import TOP, build_demo, launch

def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

@pytest.fixture(scope='module')
def server():
    demo = build_demo()
    port = free_port()
    launch(demo, '127.0.0.1', port, block=False)
    yield demo, f'http://127.0.0.1:{port}/'
    demo.close()

@pytest.fixture(scope='module')
def client(server) -> Client:
    return Client(server[1], verbose=False)

@pytest.fixture(scope='module')
def files(tmp_path_factory) -> dict:
    d = tmp_path_factory.mktemp('upload'); astro = skdata.astronaut()
    Image.fromarray(astro).save(d / 'astronaut.jpg', quality=95)
    (d / 'notes.txt').write_text('this is not an image')
    Image.new('L', (10_000, 5_000), 128).save(d / 'huge.png')            # 50 megapixels (a small file: it is flat)
    Image.new('RGB', (640, 480), (90, 100, 110)).save(d / 'no_face.png')
    rgba = np.dstack([astro, np.full(astro.shape[:2], 255, np.uint8)]); rgba[:60, :, 3] = 0; rgba[-60:, :, 3] = 0
    Image.fromarray(rgba).save(d / 'transparent.png')
    Image.fromarray(astro).convert('L').save(d / 'grey.png')
    return {p.stem: p for p in d.iterdir()}

def analyse(client, path, target=TOP, face='1'):
    return client.predict(handle_file(str(path)), target, face, api_name='/analyse')

def assert_face_result(res, n_faces=1):
    annotated, label, attention, table, status, _face = res
    assert Path(annotated).exists() and Path(attention).exists()
    assert label['label'] in {c['label'] for c in label['confidences']}
    assert f"{n_faces} face" in status and 'detection' in status and 'ms' in status
    assert table.count('\n| ') == n_faces
    return label, status

def test_photo_prediction_and_attention(client, files):
    label, status = assert_face_result(analyse(client, files['astronaut']))
    assert abs(sum(c['confidence'] for c in label['confidences']) - 1) < 1e-3
    att = np.asarray(Image.open(analyse(client, files['astronaut'], 'fear')[2]))
    assert att.ndim == 3 and att.shape[0] >= 128

def test_attention_endpoint_uses_session_faces(client, files):
    analyse(client, files['astronaut'])
    att, status = client.predict('surprise', '1', api_name='/attention')
    assert Path(att).exists() and not status

@pytest.mark.parametrize('name, message', [
    ('notes', 'is not an image this demo can read'),
    ('huge', '50.0 megapixels; this demo accepts up to'),
    ('no_face', 'No face found'),
])
def test_bad_input_gives_a_message_and_server_keeps_serving(client, files, name, message):
    res = analyse(client, files[name])
    status = res[4]
    assert message in status and status.startswith('⚠️'), status
    assert 'Traceback' not in status and 'Error:' not in status
    assert_face_result(analyse(client, files['astronaut']))        # still serving

def test_missing_image(client):
    res = client.predict(None, TOP, '1', api_name='/analyse')
    assert 'No image yet' in res[4]

@pytest.mark.parametrize('name, note', [('transparent', 'Transparent image'), ('grey', 'Greyscale image')])
def test_grey_and_transparent_are_analysed_with_a_note(client, files, name, note):
    _, status = assert_face_result(analyse(client, files[name]))
    assert note in status

def test_webcam_stream(server, files):
    "gradio_client cannot send a webcam stream; check the event is wired as a stream and run its handler on a frame."
    demo = server[0]
    dep = next(d for d in demo.config['dependencies'] if d.get('api_name') == 'stream')
    assert dep['targets'][0][1] == 'stream' and dep['stream_every'] <= 0.2
    frame = np.asarray(Image.open(files['astronaut']))
    out, probs, status = demo.backend.stream(frame)
    assert out.shape == frame.shape and set(probs) == set(demo.backend.rec.classes) and 'per frame' in status
    out, probs, status = demo.backend.stream(np.zeros((480, 640, 3), np.uint8))
    assert probs is None and 'No face' in status

def test_concurrent_users_are_queued(server, files):
    url = server[1]
    def one(_):
        c = Client(url, verbose=False)
        return analyse(c, files['astronaut'])
    t0 = time.time()
    with ThreadPoolExecutor(5) as ex: results = list(ex.map(one, range(5)))
    for r in results: assert_face_result(r)
    assert time.time() - t0 < 240

def test_page_shows_model_and_classes(server):
    import urllib.request
    html = urllib.request.urlopen(server[1], timeout=30).read().decode()
    cfg = server[0].config
    text = ' '.join(str(c.get('props', {}).get('value', '')) for c in cfg['components'])
    assert 'Model:' in text and 'classes:' in text and 'SynthFACS' in text
    assert '<html' in html.lower()
