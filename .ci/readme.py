"""Render nbs/index.ipynb to README.md (markdown cells and visible code cells; `#| hide` cells left out).
nbdev-readme needs Quarto, which cannot be installed from the package registries, so we render it ourselves."""
import json, pathlib, sys
root = pathlib.Path(__file__).resolve().parents[1]
nb = json.loads((root / 'nbs' / 'index.ipynb').read_text())
out = []
for c in nb['cells']:
    src = ''.join(c['source']).strip()
    if not src or any(l.strip() in ('#| hide', '#|hide') for l in src.splitlines()): continue
    if c['cell_type'] == 'markdown': out.append(src)
    elif c['cell_type'] == 'code': out.append(f"```python\n{src}\n```")
text = '\n\n'.join(out).replace('\n> ', '\n> ', 1) + '\n'
text = "<!-- generated from nbs/index.ipynb by .ci/readme.py: edit the notebook, not this file -->\n\n" + text
(root / 'README.md').write_text(text)
