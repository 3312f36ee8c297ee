"""The demo page in a real browser: headless Chromium (Debian's /usr/bin/chromium) driven by Playwright.

Uploads a photo, waits for the labelled result and the attention map, streams a fake webcam, uploads a short SynthFACS
clip to the video tab and waits for its label and timeline, switches the model with the picker, and keeps screenshots
under test-artifacts/ (gitignored). Never runs `playwright install`: it uses the system Chromium, and skips with a
reason only when that is absent (`make test` installs it).
"""
import os, re
from pathlib import Path

import pytest
from PIL import Image
from skimage import data as skdata

CHROMIUM = '/usr/bin/chromium'
ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync']
ARTIFACTS = Path(__file__).resolve().parents[1] / 'test-artifacts'

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f'{CHROMIUM} is not installed (apt-get install chromium; `make test` does it)')

@pytest.fixture(scope='module')
def url(zoo_runs, free_port):
    os.environ.setdefault('GRADIO_ANALYTICS_ENABLED', 'False')
    from emoxnet.demo import build_demo, launch, model_options
    demo = build_demo(options=model_options(zoo_runs)); port = free_port()
    launch(demo, '127.0.0.1', port, block=False)
    yield f'http://127.0.0.1:{port}/'
    demo.close()

@pytest.fixture(scope='module')
def pw():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p: yield p

@pytest.fixture(scope='module')
def page(pw, url):
    browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    pg = browser.new_page(viewport={'width': 1400, 'height': 1300})
    pg.set_default_timeout(120_000)
    pg.goto(url, wait_until='domcontentloaded')
    pg.wait_for_selector('#photo-input')
    yield pg
    browser.close()

def _status(page) -> str: return page.inner_text('#status')

def test_upload_shows_labelled_faces_and_attention(page, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    photo = tmp_path / 'astronaut.jpg'; Image.fromarray(skdata.astronaut()).save(photo, quality=95)
    page.locator('#photo-input input[type=file]').set_input_files(str(photo))
    page.wait_for_function("() => /1 face/.test(document.querySelector('#status')?.innerText || '')")
    assert re.search(r'detection \d+ ms', _status(page))
    page.wait_for_selector('#annotated img'); page.wait_for_selector('#attention img')
    probs = page.inner_text('#probs')
    from emoxnet.predict import EmotionRecognizer
    classes = EmotionRecognizer.default().classes
    assert any(c in probs for c in classes), probs
    assert '%' in probs
    page.screenshot(path=str(ARTIFACTS / 'demo-photo.png'), full_page=True)
    assert (ARTIFACTS / 'demo-photo.png').stat().st_size > 10_000

def test_bad_uploads_show_a_message(page, tmp_path):
    # a file that claims to be a PNG but is not: the server-side guard answers in the status line
    fake = tmp_path / 'holiday.png'; fake.write_text('not an image at all')
    page.locator('#photo-input input[type=file]').set_input_files(str(fake))
    page.wait_for_function("() => /not an image this demo can read/.test(document.querySelector('#status')?.innerText || '')")
    assert 'holiday.png' in _status(page)
    # a file that is plainly not an image: the page refuses it before upload, with a toast
    bad = tmp_path / 'notes.txt'; bad.write_text('not an image')
    page.locator('#photo-input input[type=file]').set_input_files(str(bad))
    page.wait_for_selector('text=Invalid file type')
    assert 'Traceback' not in page.inner_text('body')
    page.screenshot(path=str(ARTIFACTS / 'demo-bad-input.png'), full_page=True)

def test_webcam_stream_labels_faces_live(pw, url, tmp_path):
    "A real webcam stream: Chromium's fake capture device plays a Y4M video of a 640x480 frame with one face."
    import cv2
    from emoxnet.faces import bench_frame
    ARTIFACTS.mkdir(exist_ok=True)
    video = tmp_path / 'face.y4m'
    yuv = cv2.cvtColor(bench_frame(), cv2.COLOR_RGB2YUV_I420)
    with open(video, 'wb') as f:
        f.write(b'YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg\n')
        for _ in range(20): f.write(b'FRAME\n' + yuv.tobytes())
    browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS + ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
                                                                       f'--use-file-for-fake-video-capture={video}'])
    try:
        ctx = browser.new_context(viewport={'width': 1400, 'height': 1100}, permissions=['camera'])
        pg = ctx.new_page(); pg.set_default_timeout(120_000)
        pg.goto(url, wait_until='domcontentloaded'); pg.wait_for_selector('#photo-input')
        pg.get_by_role('tab', name='Webcam (live)').click()
        pg.get_by_text('Click to Access Webcam').click()
        pg.locator('#webcam button[aria-label="capture photo"]').click()       # starts streaming
        pg.wait_for_function("() => /1 face · \\d+ ms per frame/.test(document.body.innerText)")
        pg.wait_for_timeout(2000)
        assert re.search(r'1 face · \d+ ms per frame', pg.inner_text('body'))   # still streaming
        pg.screenshot(path=str(ARTIFACTS / 'demo-webcam.png'))
    finally:
        browser.close()

def test_video_tab_shows_label_and_timeline(page, tmp_path):
    "A 1.2 s SynthFACS clip (small frames) uploaded to the video tab: the clip label, the frame counts and the timeline plot appear."
    from emoxnet.data.video import ClipConfig, render_clip, write_video
    ARTIFACTS.mkdir(exist_ok=True)
    frames, _ = render_clip(ClipConfig(n_frames=30, width=240, height=180, face_size=112), 4, 'surprise', seed=2)
    frames[10] = 90                                                  # one frame without a face
    clip = write_video(frames, tmp_path / 'surprise.avi')
    page.get_by_role('tab', name='Video').click()
    page.locator('#video-input input[type=file]').set_input_files(str(clip))
    page.wait_for_function("() => /Clip label: [a-z]+/.test(document.querySelector('#video-status')?.innerText || '')")
    status = page.inner_text('#video-status')
    assert '30 frames read, 1 without a face' in status, status
    page.wait_for_selector('#timeline img')
    label = re.search(r'Clip label: ([a-z]+)', status).group(1)
    assert label in page.inner_text('#video-probs') and '%' in page.inner_text('#video-probs')
    page.screenshot(path=str(ARTIFACTS / 'demo-video.png'), full_page=True)
    assert (ARTIFACTS / 'demo-video.png').stat().st_size > 10_000
    page.locator('#video-input button[aria-label="Clear"]').click()   # the clip removed: its reading goes with it
    page.wait_for_function("() => !(document.querySelector('#video-status')?.innerText || '').trim()")
    assert not page.locator('#timeline img').count()

def test_model_picker_serves_a_zoo_model_with_attention(pw, url, zoo_runs, tmp_path):
    "Pick fer's mini-Xception in the dropdown (a new browser session): the header, the card and the photo's labels follow; a junk folder is refused."
    if not (zoo_runs / 'zoo' / 'fer_mini_xception' / 'model.safetensors').exists(): pytest.skip('fer_mini_xception could not be imported here')
    ARTIFACTS.mkdir(exist_ok=True)
    browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    try:
        pg = browser.new_page(viewport={'width': 1400, 'height': 1300}); pg.set_default_timeout(120_000)
        pg.goto(url, wait_until='domcontentloaded'); pg.wait_for_selector('#model-pick')
        assert 'emoxnet zoo import human_emotion' in pg.inner_text('#model-status')     # not imported: listed with its command
        pg.locator('#model-pick input').click()
        pg.get_by_role('option', name=re.compile('^fer_mini_xception')).click()
        pg.wait_for_function("() => /imported from/.test(document.querySelector('#model-info')?.innerText || '')")
        assert 'mini_xception' in pg.inner_text('#model-info') and 'Serving' in pg.inner_text('#model-status')
        photo = tmp_path / 'astronaut.jpg'; Image.fromarray(skdata.astronaut()).save(photo, quality=95)
        pg.locator('#photo-input input[type=file]').set_input_files(str(photo))
        pg.wait_for_function("() => /1 face/.test(document.querySelector('#status')?.innerText || '')")
        pg.wait_for_selector('#attention img')
        assert 'contempt' not in pg.inner_text('#probs') and '%' in pg.inner_text('#probs')   # FER2013's seven classes
        pg.screenshot(path=str(ARTIFACTS / 'demo-model-picker.png'), full_page=True)
        (tmp_path / 'junk').mkdir()
        pg.locator('#model-path textarea, #model-path input').first.fill(str(tmp_path / 'junk'))
        pg.locator('#model-load').click()
        pg.wait_for_function("() => /is not a model folder/.test(document.querySelector('#model-status')?.innerText || '')")
        assert 'mini_xception' in pg.inner_text('#model-info')                       # still serving the zoo model
        from emoxnet.predict import bundled_checkpoint                                  # a typed folder that is one of the options: the picker shows that option
        pg.locator('#model-path textarea, #model-path input').first.fill(str(bundled_checkpoint()))
        pg.locator('#model-load').click()
        pg.wait_for_function("() => /bundled/.test(document.querySelector('#model-pick input')?.value || '')")   # it kept showing fer_mini_xception
        assert 'Serving' in pg.inner_text('#model-status') and 'mini_xception' not in pg.input_value('#model-pick input')
    finally:
        browser.close()
