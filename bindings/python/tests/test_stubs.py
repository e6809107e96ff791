"""The type stubs match the compiled module (mypy.stubtest), and the typed
package type-checks (mypy --strict on the package's Python sources)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import traceprop

PACKAGE = Path(traceprop.__file__).parent


def run(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, MYPY_CACHE_DIR=str(tmp / "mypy-cache"))
    return subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True, check=False, env=env)


def test_stubtest_compiled_module(tmp_path: Path) -> None:
    r = run(tmp_path, "mypy.stubtest", "traceprop._traceprop")
    assert r.returncode == 0, r.stdout + r.stderr


def test_package_is_typed_and_strict_clean(tmp_path: Path) -> None:
    assert (PACKAGE / "py.typed").exists()
    assert (PACKAGE / "_traceprop.pyi").exists()
    r = run(tmp_path, "mypy", "--strict", "-p", "traceprop")
    assert r.returncode == 0, r.stdout + r.stderr
