"""Write the variable-frame-rate test clip `tests/fixtures/video/vfr.mkv` (run once; its output is committed).

Phones record video at a variable frame rate: a frame's time is not its index over the stated fps. OpenCV cannot write
such a clip, so this one-off uses PyAV (`pip install av`, not a dependency of emoxnet): 9 MJPEG frames, 64x48, grey
levels 0, 25, ..., 200, at 0, 0.04, 0.08, 0.4, 0.44, 1.0, 1.04, 1.08 and 2.0 s (a 25 fps time base with gaps).

Usage: python tools/make_vfr_clip.py [--out tests/fixtures/video/vfr.mkv]"""
import argparse, fractions
import numpy as np

TIMES_MS = (0, 40, 80, 400, 440, 1000, 1040, 1080, 2000)

def main():
    import av
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--out', default='tests/fixtures/video/vfr.mkv', help='clip to write')
    out = ap.parse_args().out
    with av.open(out, 'w') as c:
        s = c.add_stream('mjpeg', rate=25)
        s.width, s.height, s.pix_fmt, s.time_base = 64, 48, 'yuvj420p', fractions.Fraction(1, 1000)
        for k, t in enumerate(TIMES_MS):
            f = av.VideoFrame.from_ndarray(np.full((48, 64, 3), 25 * k, np.uint8), format='rgb24')
            f.pts, f.time_base = t, s.time_base
            for p in s.encode(f): c.mux(p)
        for p in s.encode(): c.mux(p)
    print('wrote', out)

if __name__ == '__main__': main()
