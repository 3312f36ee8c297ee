"""Launch the emoxnet Gradio demo: `python demo/app.py [--checkpoint PATH] [--port 7860] [--host 127.0.0.1] [--share false]`.

A thin launcher, equivalent to `emoxnet demo`; all the logic lives in `emoxnet.demo` (nbs/80_demo.ipynb).
"""
import sys

from emoxnet.demo import main

if __name__ == '__main__':
    sys.exit(main())
