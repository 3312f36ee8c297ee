"Set-up is idempotent: once `make venv` has run, a second run has nothing to do."
import shutil, subprocess
import pytest

@pytest.mark.skipif(shutil.which('make') is None, reason='make not installed')
def test_make_venv_is_up_to_date(root):
    # `make -q` exits 0 only when the target is up to date, i.e. a second `make venv` would install nothing
    r = subprocess.run(['make', '-q', '.venv/.emoxnet-installed'], cwd=root, capture_output=True, text=True)
    assert r.returncode == 0, 'make venv would reinstall: the install stamp is older than pyproject.toml'

def test_package_imports_without_torch_side_effects():
    import emoxnet, emoxnet.core
    assert emoxnet.__version__
