"""Builds dist/ once per session with `python build.py all` and reports the measured figures."""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from build_testkit import FIGURES, clean_env, record_figure

ROOT = Path(__file__).resolve().parents[2]


def pytest_terminal_summary(terminalreporter):
    if FIGURES:
        terminalreporter.section("netral build figures")
        for name, value in FIGURES.items():
            terminalreporter.write_line(f"{name}: {value}")


@pytest.fixture(scope="session")
def figure():
    """Records a measured figure; all of them are printed at the end of the run."""
    return record_figure


@pytest.fixture(scope="session")
def dist(tmp_path_factory) -> Path:
    """A complete dist/ from `python build.py all`; NETRAL_TEST_DIST reuses one already built."""
    prebuilt = os.environ.get("NETRAL_TEST_DIST")
    if prebuilt:
        return Path(prebuilt)
    assert shutil.which("chromium"), "Chromium packs the extension; scripts/test.sh installs it"
    out = tmp_path_factory.mktemp("dist")
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "--dist", str(out), "all"],
        cwd=ROOT, capture_output=True, text=True, timeout=1200, env=clean_env(),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    record_figure("build.py all (wall time)", f"{time.monotonic() - started:.0f} s")
    return out
