"""The workspace reads as a book: notebooks import only from earlier notebooks, nothing cites a file that is not in
the repository, functions stay short, and the README and CONTRIBUTING list every notebook and module that exists."""
import ast, json, re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NBS, LIB = ROOT / 'nbs', ROOT / 'emoxnet'
MAX_LINES = 60  # a function of this many lines or more is split


def code_cells(nb_path: Path) -> list:
    return [''.join(c['source']) for c in json.loads(nb_path.read_text())['cells'] if c['cell_type'] == 'code']


def numbered_notebooks() -> dict:
    "{notebook path: its number} for `nbs/NN_*.ipynb`."
    return {p: int(m.group(1)) for p in sorted(NBS.glob('*.ipynb')) if (m := re.match(r'(\d+)_', p.name))}


def default_exp(nb_path: Path):
    for src in code_cells(nb_path):
        if m := re.search(r'^#\|\s*default_exp\s+([\w.]+)', src, re.MULTILINE): return m.group(1)


def module_owners() -> dict:
    "{module (`data.core`): number of the notebook that exports it}."
    return {mod: n for p, n in numbered_notebooks().items() if (mod := default_exp(p))}


_FROM_ABS = re.compile(r'^\s*from\s+emoxnet\.([\w.]+)\s+import\b', re.MULTILINE)
_FROM_PKG = re.compile(r'^\s*from\s+emoxnet\s+import\s+(\([^)]*\)|[^\n#]+)', re.MULTILINE)
_IMPORT = re.compile(r'^\s*import\s+emoxnet\.([\w.]+)', re.MULTILINE)
_FROM_REL = re.compile(r'^\s*from\s+(\.+)([\w.]*)\s+import\b', re.MULTILINE)


def imported_modules(src: str, own: str = '') -> set:
    "emoxnet modules a cell imports (`own`: the cell's `default_exp` module, to resolve relative imports)."
    mods = set(_FROM_ABS.findall(src)) | set(_IMPORT.findall(src))
    for names in _FROM_PKG.findall(src):
        mods |= {n.split(' as ')[0].strip() for n in names.strip('()').split(',') if n.strip()}
    for dots, rest in _FROM_REL.findall(src):
        base = own.split('.')[:-len(dots)] if len(dots) <= len(own.split('.')) else []
        mods.add('.'.join(base + ([rest] if rest else [])))
    return mods


def later_imports() -> list:
    "(notebook, module, owner number) for every import of a module that a later notebook exports."
    owners, bad = module_owners(), []
    for p, n in numbered_notebooks().items():
        own = default_exp(p) or ''
        for src in code_cells(p):
            for mod in imported_modules(src, own):
                hit = next((m for m in (mod, mod.rsplit('.', 1)[0]) if m in owners), None)  # `emoxnet.data.core.X`
                if hit and owners[hit] > n: bad.append((p.name, mod, owners[hit]))
    return sorted(set(bad))


def test_import_parsing():
    src = ('from emoxnet.data.core import DataError\nimport emoxnet.models as m\nfrom emoxnet import metrics, train as t\n'
           'from emoxnet import (ensemble,\n  distill)\n'
           'def f():\n    from .transforms import Preprocess\n# from emoxnet.cli import main  (a comment)')
    assert imported_modules(src, own='data.synthetic') == {'data.core', 'models', 'metrics', 'train', 'ensemble',
                                                         'distill', 'data.transforms'}
    assert imported_modules('from ..core import seed_all', own='data.export') == {'core'}


def test_no_notebook_imports_from_a_later_one():
    owners = module_owners()
    assert {'core', 'data.core'} <= owners.keys()
    bad = later_imports()
    assert not bad, 'notebooks import from later notebooks:\n' + '\n'.join(
        f'  {nb} imports emoxnet.{mod} (exported by notebook {n:02d})' for nb, mod, n in bad)


CITED = ('REFERENCE' + '.md', 'REAL_FACES' + '.md', 'ARCHITECTURE' + '.md', '../' + 'shared')  # split: no self-match
SCANNED = ('nbs', 'emoxnet', 'tests', 'docs', 'demo', '.ci', 'README.md', 'CONTRIBUTING.md', 'Makefile', 'pyproject.toml')


def text_files():
    for name in SCANNED:
        p = ROOT / name
        for f in ([p] if p.is_file() else sorted(p.rglob('*')) if p.is_dir() else []):
            if not f.is_file() or '__pycache__' in f.parts or '.ipynb_checkpoints' in f.parts: continue
            if f.stat().st_size > 20_000_000: continue
            try: yield f, f.read_text()
            except UnicodeDecodeError: continue  # weights, images


def test_no_citation_of_files_outside_the_repository():
    bad = {str(f.relative_to(ROOT)): sorted({c for c in CITED if c in text}) for f, text in text_files()}
    bad = {k: v for k, v in bad.items() if v}
    assert not bad, 'cite files that are not in the repository:\n' + '\n'.join(f'  {k}: {v}' for k, v in sorted(bad.items()))


def long_functions(path: Path) -> list:
    "(name, first line, length) of every function or method in `path` that is `MAX_LINES` lines or longer."
    tree = ast.parse(path.read_text(), filename=str(path))
    return [(n.name, n.lineno, n.end_lineno - n.lineno + 1) for n in ast.walk(tree)
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.end_lineno - n.lineno + 1 >= MAX_LINES]


def test_long_function_detector(tmp_path):
    f = tmp_path / 'm.py'
    f.write_text('def short():\n    return 1\n\nclass A:\n    def long(self):\n' + '        x = 1\n' * 60)
    assert long_functions(f) == [('long', 5, 61)]


def test_no_function_of_60_lines_or_more():
    bad = [(str(p.relative_to(ROOT)), *fn) for p in sorted(LIB.rglob('*.py')) if p.name != '_modidx.py'
           for fn in long_functions(p)]
    assert not bad, f'functions of {MAX_LINES} lines or more (split them in the notebook):\n' + '\n'.join(
        f'  {f}:{line} {name} ({n} lines)' for f, name, line, n in bad)


def test_readme_lists_every_notebook():
    readme = (ROOT / 'README.md').read_text()
    missing = [p.stem for p in sorted(NBS.glob('*.ipynb')) if p.stem != 'index' and f'`{p.stem}`' not in readme]
    assert not missing, f'README.md (nbs/index.ipynb) module table does not list: {missing}'


def test_contributing_lists_every_module():
    text = (ROOT / 'CONTRIBUTING.md').read_text()
    missing = [f'{n:02d} {m}' for m, n in sorted(module_owners().items(), key=lambda kv: kv[1]) if f'`{m}`' not in text]
    assert not missing, f'CONTRIBUTING.md module list does not name: {missing}'
