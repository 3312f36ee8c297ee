import sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

@pytest.fixture(scope='session')
def root() -> Path: return ROOT

@pytest.fixture(scope='session')
def emoxnet_cmd() -> list[str]:
    "The installed console script (the same entry point users run)."
    exe = BIN / 'emoxnet'
    return [str(exe)] if exe.exists() else [sys.executable, '-m', 'emoxnet.cli']
