"""Build the documentation site (`make docs`): every notebook in `nbs/` and every result page in `docs/` as HTML.

usage: python .ci/docs.py [OUT]   (OUT defaults to `_docs/`, which git ignores)

nbdev-docs renders through Quarto, and Quarto cannot be installed from the package registries: the `quarto-cli`
project on PyPI ships only a source archive whose build step downloads the Quarto binary from GitHub, and
`nbdev-docs` itself falls back to `curl` + `sudo dpkg` when `quarto` is missing. So the site is built here from the
same pieces nbdev-docs uses before it calls Quarto:

- nbdev's notebook processors (`FilterDefaults`): front matter from the `# Title` cell, `#| hide` cells dropped,
  `show_doc` for every exported function, directives stripped. Like nbdev-docs, they execute only the cells that
  documentation needs (exported definitions, imports, `show_doc`), with `IN_TEST=1`; examples and experiments do
  not run, and the outputs committed in a notebook (plots, tables) are kept as they are.
- nbconvert's HTML exporter (no execution) for each page, and the same exporter for the markdown pages in `docs/`.

Page names follow nbdev (`nbdev.config.nbpath2html`: `03_data.synthetic.ipynb` -> `data.synthetic.html`), so the
links that `show_doc` writes resolve inside the site. Nothing under `nbs/`, `emoxnet/` or `docs/` is written: the
site is assembled in a temporary folder next to OUT and moved into place only when every page has rendered.
"""
import html, os, re, shutil, sys, tempfile, warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NBS, DOCS = ROOT / 'nbs', ROOT / 'docs'


def notebook_paths(nbs: Path = NBS) -> list:
    "The book's reading order: `index`, the numbered notebooks in order, then the unnumbered experiment notebooks."
    nbs_ = sorted(p for p in nbs.glob('*.ipynb') if not p.name.startswith(('_', '.')))
    numbered = [p for p in nbs_ if re.match(r'\d+_', p.name)]
    index = [p for p in nbs_ if p.stem == 'index']
    return index + numbered + [p for p in nbs_ if p not in numbered and p not in index]


def page_name(nb_path: Path) -> str:
    "The site page of a notebook, named as nbdev names it (numeric prefix dropped); experiments go to `experiments/`."
    from nbdev.config import nbpath2html
    nb_path = Path(nb_path)
    name = nbpath2html(nb_path).name
    numbered = re.match(r'\d+_', nb_path.name) or nb_path.stem == 'index'
    return name if numbered else f'experiments/{name}'  # `distill.ipynb` would otherwise overwrite `14_distill`'s page


def _doc_cell(cell) -> bool:
    "nbdev's rule for cells documentation executes, narrowed: a cell that mixes imports with other code is skipped."
    import ast
    from nbdev.processors import _do_eval, _show_docs
    if not _do_eval(cell): return False
    if cell.directives_.keys() & {'export', 'exports', 'exporti', 'exec_doc'}: return True
    trees = cell.parsed_()
    return _show_docs(trees) or all(isinstance(t, (ast.Import, ast.ImportFrom)) for t in trees)


def _doc_filter():
    "nbdev's `FilterDefaults` with `exec_show_docs` running only `_doc_cell` cells."
    from nbdev.processors import FilterDefaults, exec_show_docs

    class exec_doc_cells(exec_show_docs):
        def __call__(self, cell):
            if _doc_cell(cell): super().__call__(cell)

    class DocFilter(FilterDefaults):
        def base_procs(self):
            return [exec_doc_cells if p is exec_show_docs else p for p in super().base_procs()]
    return DocFilter()


def process_notebook(path: Path):
    "Run nbdev's documentation processors on a copy of the notebook at `path`; return (notebook, front matter)."
    from fastcore.nbio import read_nb
    nb, cwd, old = read_nb(path), os.getcwd(), os.environ.get('IN_TEST')
    os.environ['IN_TEST'] = '1'
    try:
        os.chdir(path.parent)
        _doc_filter()(nb)
    except Exception as e:
        raise RuntimeError(f'{path.name}: documentation processing failed: {e}') from e
    finally:
        os.chdir(cwd)
        if old is None: os.environ.pop('IN_TEST', None)
        else: os.environ['IN_TEST'] = old
    return nb, dict(getattr(nb, 'frontmatter_', {}) or {})


_DIRECTIVE = re.compile(r'^\s*#\|.*$\n?', re.MULTILINE)
_ATTRS = re.compile(r'\{target="_blank"[^}]*\}')  # pandoc link attributes that show_doc emits for Quarto


def plain_cells(nb, site_url: str, prefix: str = '') -> list:
    "The processed cells as plain nbformat dicts: front matter and `echo: false` inputs removed, links made local."
    cells = []
    for c in nb.cells:
        src = ''.join(c.source) if isinstance(c.source, list) else (c.source or '')
        if c.cell_type == 'raw' or (not src.strip() and c.cell_type != 'code'): continue
        d = {'cell_type': c.cell_type, 'metadata': {}, 'source': _local(src, site_url, prefix)}
        if c.cell_type == 'code':
            if re.search(r'^\s*#\|\s*echo:\s*false', src, re.MULTILINE): d['metadata'] = {'tags': ['remove_input']}
            d['source'] = _DIRECTIVE.sub('', d['source'])
            d['outputs'] = [_local_output(o, site_url, prefix) for o in c.get('outputs', [])]
            d['execution_count'] = None
        if c.cell_type == 'code' and not d['source'].strip() and not d['outputs']: continue
        cells.append(dict(d, id=f'cell{len(cells)}'))
    return cells


def _local(text: str, site_url: str, prefix: str = '') -> str:
    "Links to the hosted site made relative (`prefix` climbs out of a sub-folder); Quarto-only link attributes dropped."
    return _ATTRS.sub('', text.replace(site_url, prefix) if site_url else text)


def _local_output(o, site_url: str, prefix: str = '') -> dict:
    o = dict(o)
    if 'data' in o:
        o['data'] = {k: (_local(''.join(v), site_url, prefix) if k.startswith('text/') and isinstance(v, (str, list)) else v)
                     for k, v in o['data'].items()}
    return o


def render_html(cells: list, title: str, description: str = '') -> str:
    "One HTML page from nbformat cells, through nbconvert's exporter (nothing is executed)."
    import nbformat
    from nbconvert import HTMLExporter
    from traitlets.config import Config
    head = f'# {title}' + (f'\n\n> {description}' if description else '')
    nb = nbformat.v4.new_notebook(metadata={'title': title})
    nb.cells = [nbformat.from_dict({'cell_type': 'markdown', 'id': 'title', 'metadata': {}, 'source': head})]
    nb.cells += [nbformat.from_dict(c) for c in cells]
    cfg = Config()
    cfg.TagRemovePreprocessor.remove_input_tags = ('remove_input',)
    cfg.TagRemovePreprocessor.enabled = True
    exp = HTMLExporter(config=cfg, template_name='lab', exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exp.from_notebook_node(nb)
    return body


_SECTIONS = (('', 'Library'), ('experiments/', 'Experiments'), ('docs/', 'Results'))


def nav_html(pages: list, current: str, prefix: str = '') -> str:
    "A navigation bar linking every page (`pages`: (file, title) pairs in reading order), one line per section."
    def link(f, t):
        t = html.escape(t.replace('`', ''))
        return f'<b>{t}</b>' if f == current else f'<a href="{prefix}{f}">{t}</a>'
    rows = []
    for folder, label in _SECTIONS:
        items = [(f, t) for f, t in pages if f.rsplit('/', 1)[0] + '/' == folder or (not folder and '/' not in f)]
        if items: rows.append(f'<div><span style="color:#888">{label}:</span> ' + ' · '.join(link(*i) for i in items) + '</div>')
    return ('<style>.jp-RenderedMarkdown pre{background:#f5f5f5;padding:8px 12px;border-radius:4px}</style>'
            '<nav style="font:14px sans-serif;padding:8px 16px;border-bottom:1px solid #ddd;background:#f7f7f7">'
            + ''.join(rows) + '</nav>')


def with_nav(page: str, nav: str) -> str:
    "Insert `nav` right after the page's `<body>` tag, and give headings the lower-case anchors nbdev links to."
    m = re.search(r'<body[^>]*>', page)
    if not m: raise ValueError('rendered page has no <body> tag')
    page = page[:m.end()] + nav + page[m.end():]
    def anchor(h):
        slug = re.sub(r'[^\w.-]', '', h.group(2).lower())
        return h.group(0) + (f'<a id="{slug}"></a>' if slug != h.group(2) else '')
    return re.sub(r'(<h[1-6] id="([^"]+)"[^>]*>)', anchor, page)


def markdown_cells(md_path: Path) -> tuple:
    "A `docs/*.md` page as (title, cells): its first `# ` heading is the title, the rest one markdown cell."
    text = md_path.read_text()
    m = re.search(r'^#\s+(.+)$', text, re.MULTILINE)
    title = m.group(1).strip() if m else md_path.stem
    if m: text = text[:m.start()] + text[m.end():]
    return title, [{'cell_type': 'markdown', 'id': 'page', 'metadata': {}, 'source': text}]


def collect_pages(site_url: str) -> list:
    "Every page of the site as (relative file, title, cells, description), notebooks then `docs/` pages."
    pages = []
    for p in notebook_paths():
        nb, fm = process_notebook(p)
        f, title = page_name(p), fm.get('title') or p.stem
        pages.append((f, title, plain_cells(nb, site_url, '../' * f.count('/')), fm.get('description', '')))
        print(f'processed {p.name} -> {f}', flush=True)
    for md in sorted(DOCS.glob('*.md')):
        title, cells = markdown_cells(md)
        pages.append((f'docs/{md.stem}.html', title, cells, ''))
    return pages


def build(out: Path) -> list:
    "Build the whole site into `out` (replaced atomically); return the list of page files written."
    from nbdev.config import get_config
    cfg = get_config(ROOT)
    site_url = f"{cfg.get('doc_host', '')}{cfg.get('doc_baseurl', '')}".rstrip('/') + '/'
    pages = collect_pages(site_url)
    nav_items = [(f, t) for f, t, _, _ in pages]
    out = Path(out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f'.{out.name}-', dir=out.parent))
    try:
        for f, title, cells, desc in pages:
            prefix = '../' * f.count('/')
            dest = tmp / f
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(with_nav(render_html(cells, title, desc), nav_html(nav_items, f, prefix)))
        if (DOCS / 'img').exists(): shutil.copytree(DOCS / 'img', tmp / 'docs' / 'img')
        if out.exists(): shutil.rmtree(out)
        tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return [f for f, *_ in pages]


if __name__ == '__main__':
    # nbdev warns about every cell that mixes imports with code; `_doc_cell` already skips those
    warnings.filterwarnings('ignore', message='Found cells containing imports and other code')
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / '_docs'
    files = build(out)
    print(f'site: {len(files)} pages in {out}/ (open {out}/index.html)')
