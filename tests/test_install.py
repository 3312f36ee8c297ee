"Set-up is idempotent: once `make venv` has run, a second run has nothing to do."
import shutil, subprocess
import pytest

@pytest.mark.skipif(shutil.which('make') is None, reason='make not installed')
def test_make_venv_is_up_to_date(root):
    # `make -n` prints what would run: once installed for this pyproject.toml, a second `make venv` runs nothing
    r = subprocess.run(['make', '-n', 'venv'], cwd=root, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert 'pip install' not in r.stdout, f'make venv would reinstall:\n{r.stdout}'

def test_package_imports_without_torch_side_effects():
    import emoxnet, emoxnet.core
    assert emoxnet.__version__
