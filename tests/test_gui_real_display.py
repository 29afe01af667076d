"""It starts: the xcb library check, and the real window on a real X server (Xvfb)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PASSWORD
from ui.xcb_libraries import XCB_LIBRARIES, check, missing_packages, uses_xcb

ROOT = Path(__file__).resolve().parent.parent


def test_missing_xcb_libraries_are_named_with_the_exact_install_line():
    absent = {"libxcb-icccm.so.4", "libxcb-keysyms.so.1"}  # as on a fresh Debian 12
    message = check({"DISPLAY": ":0"}, load=lambda soname: soname not in absent,
                    platform="linux")
    assert message is not None
    assert "    sudo apt-get install libxcb-icccm4 libxcb-keysyms1\n" in message
    assert check({"DISPLAY": ":0"}, load=lambda soname: True, platform="linux") is None


def test_every_library_is_checked_and_each_package_asked_for_once():
    assert missing_packages(lambda soname: False) == list(XCB_LIBRARIES.values())
    assert len(set(XCB_LIBRARIES.values())) == len(XCB_LIBRARIES)
    looked_up: list[str] = []
    missing_packages(lambda soname: looked_up.append(soname) or True)
    assert looked_up == list(XCB_LIBRARIES)


def test_only_an_xcb_start_on_linux_is_checked():
    assert uses_xcb({}, "linux") and uses_xcb({"QT_QPA_PLATFORM": "xcb"}, "linux")
    assert not uses_xcb({"QT_QPA_PLATFORM": "offscreen"}, "linux")
    assert not uses_xcb({"WAYLAND_DISPLAY": "wayland-0"}, "linux")
    assert uses_xcb({"WAYLAND_DISPLAY": "wayland-0", "QT_QPA_PLATFORM": "xcb"}, "linux")
    assert not uses_xcb({}, "win32") and not uses_xcb({}, "darwin")
    assert check({}, load=lambda soname: False, platform="win32") is None


def test_the_readme_lists_every_package():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "apt-get install " + " ".join(XCB_LIBRARIES.values()) in readme


def _cannot_run_here(reason: str) -> None:
    """CI must run the real-display test; elsewhere it is skipped, saying why."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must run the real-display test: {reason}")
    pytest.skip(reason)


@pytest.mark.real_display
def test_real_window_on_xvfb_signs_in_fits_1366x768_and_quits_with_ctrl_q(
        store, admin, tmp_path):
    if shutil.which("xvfb-run") is None:
        _cannot_run_here("Xvfb is not installed (apt-get install xvfb)")
    missing = missing_packages()
    if missing:
        _cannot_run_here("Qt's xcb libraries are missing (apt-get install "
                         + " ".join(missing) + ")")
    store.close()  # the child process opens it
    out = tmp_path / "seen.json"
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["QT_QPA_PLATFORM"] = "xcb"
    run = subprocess.run(
        ["xvfb-run", "-a", "-s", "-screen 0 1366x768x24", sys.executable,
         str(ROOT / "tests" / "real_window.py"), str(store.path), "admin", PASSWORD, str(out)],
        env=env, capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0 and out.exists(), run.stdout + run.stderr
    seen = json.loads(out.read_text())
    assert seen["platform"] == "xcb"
    assert seen["stages"] == ["signed in", "measured"], seen
    assert seen["exit_code"] == 0  # Ctrl+Q quit the app normally
    assert seen["screen"] == [1366, 768]
    x, y, width, height = seen["window"]
    assert x >= 0 and y >= 0 and x + width <= 1366 and y + height <= 768, seen
    assert seen["status_visible"] and seen["status_bottom"] < seen["window_height"]
    assert seen["pages"][0] == "Call-backs"


def test_ci_installs_exactly_what_the_check_looks_for():
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    listed = script.split("packages=(", 1)[1].split(")", 1)[0].split()
    assert set(listed) == {"xvfb", "xauth", *XCB_LIBRARIES.values()}
    assert script.rstrip().endswith("python3 dev.py test")  # the README's test command


def test_without_xvfb_the_real_display_test_skips_here_but_fails_under_ci(monkeypatch):
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception, match="Xvfb is not installed"):
        _cannot_run_here("Xvfb is not installed")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must run"):
        _cannot_run_here("Xvfb is not installed")
