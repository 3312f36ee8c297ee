"""The documentation site (`make docs`, `.ci/docs.py`) builds from the notebooks without running them and without
touching a tracked file: one page per notebook carrying its title, the result pages of `docs/`, working links."""
import hashlib, html, json, os, re, subprocess, sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NBS = ROOT / 'nbs'
sys.path.insert(0, str(ROOT / '.ci'))
import docs as site  # noqa: E402  (.ci/docs.py)


def nb_title(path: Path) -> str:
    "The `# Title` of a notebook: the first heading of its first markdown cell."
    for c in json.loads(path.read_text())['cells']:
        if c['cell_type'] != 'markdown': continue
        m = re.match(r'#\s+(.+)', ''.join(c['source']).strip())
        if m: return m.group(1).strip()
    raise AssertionError(f'{path.name}: no "# Title" markdown cell')


def snapshot() -> dict:
    "Content hash of every file the build must leave alone."
    files = [p for d in ('nbs', 'emoxnet', 'docs') for p in (ROOT / d).rglob('*')
             if p.is_file() and '__pycache__' not in p.parts and '.ipynb_checkpoints' not in p.parts]
    files += [ROOT / 'README.md', ROOT / 'pyproject.toml']
    return {str(p.relative_to(ROOT)): hashlib.md5(p.read_bytes()).hexdigest() for p in files}


@pytest.fixture(scope='module')
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp('site') / '_docs'
    before = snapshot()
    env = dict(os.environ, OMP_NUM_THREADS='1')
    r = subprocess.run([sys.executable, str(ROOT / '.ci' / 'docs.py'), str(out)], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, f'docs build failed:\n{r.stdout[-3000:]}\n{r.stderr[-6000:]}'
    return out, before, snapshot()


def test_page_names():
    assert site.page_name(NBS / '00_core.ipynb') == 'core.html'
    assert site.page_name(NBS / '03_data.synthetic.ipynb') == 'data.synthetic.html'
    assert site.page_name(NBS / 'index.ipynb') == 'index.html'
    assert site.page_name(NBS / 'distill.ipynb') == 'experiments/distill.html'  # never the page of 14_distill
    order = [p.name for p in site.notebook_paths()]
    assert order[0] == 'index.ipynb' and order[1].startswith('00_')
    numbered = [o for o in order if re.match(r'\d+_', o)]
    assert numbered == sorted(numbered) and order[1:1 + len(numbered)] == numbered


def test_every_notebook_has_its_page(built):
    out, *_ = built
    index = (out / 'index.html').read_text()
    assert 'emoxnet' in index and 'facial expression recognition' in index
    nbs = sorted(p for p in NBS.glob('*.ipynb') if not p.name.startswith(('_', '.')))
    assert len(nbs) >= 20
    for p in nbs:
        page = out / site.page_name(p)
        assert page.exists(), f'{p.name}: no page {page.name}'
        assert html.escape(nb_title(p), quote=False) in page.read_text(), f'{p.name}: title missing from {page.name}'


def test_result_pages_and_links(built):
    out, *_ = built
    for md in (ROOT / 'docs').glob('*.md'):
        page = out / 'docs' / f'{md.stem}.html'
        assert page.exists(), f'docs/{md.name} has no page'
    assert (out / 'docs' / 'img' / 'gradcam_mean_emoxnetlite.png').exists()
    for page in out.rglob('*.html'):
        for href in re.findall(r'<a href="([^"#:]+\.html)', page.read_text()):
            assert (page.parent / href).resolve().exists(), f'{page.relative_to(out)} links to missing {href}'


def test_show_doc_rendered_and_hidden_cells_dropped(built):
    out, *_ = built
    core = (out / 'core.html').read_text()
    assert 'label_spec' in core and 'def' in core                # show_doc of an exported function
    assert '#| export' not in core and '#| hide' not in core      # directives and hidden cells are not shown
    assert '{target=' not in core                                # Quarto-only link attributes stripped
    assert 'href="core.html#labelspec"' in core and '<a id="labelspec"></a>' in core  # show_doc links resolve


def test_build_leaves_tracked_files_alone(built):
    _, before, after = built
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert not changed, f'the docs build changed {changed}'
