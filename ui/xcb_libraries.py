"""Before Qt starts on Linux: are the system libraries Qt's xcb (X11) plugin needs present?

Without them Qt aborts before any window appears, and its own message names the wrong
library. No Qt import here: this runs before QApplication exists. The list is what `ldd`
reports for PySide6's plugins/platforms/libqxcb.so and lib/libQt6XcbQpa.so.6 (PySide6 6.x),
each with the Debian/Ubuntu package that provides it.
"""
from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable, Mapping

# shared library (soname) -> Debian/Ubuntu package
XCB_LIBRARIES: dict[str, str] = {
    "libxcb.so.1": "libxcb1",
    "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
}


def can_load(soname: str) -> bool:
    """True when the dynamic loader finds the library, exactly as Qt's plugin would."""
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def uses_xcb(environ: Mapping[str, str], platform: str = sys.platform) -> bool:
    """Qt will start its xcb plugin: Linux, and no other platform chosen (offscreen for the
    tests, wayland on a Wayland desktop)."""
    if not platform.startswith("linux"):
        return False
    chosen = environ.get("QT_QPA_PLATFORM", "")
    if chosen:
        return chosen.split(":")[0].split(";")[0] == "xcb"
    return not environ.get("WAYLAND_DISPLAY")


def missing_packages(load: Callable[[str], bool] = can_load) -> list[str]:
    """The packages to install, in the table's order, one each."""
    return list(dict.fromkeys(package for soname, package in XCB_LIBRARIES.items()
                              if not load(soname)))


def install_advice(packages: list[str]) -> str:
    return ("QoS Checks cannot open its window: this computer lacks system libraries that "
            "Qt needs to draw windows on X11 (" + ", ".join(packages) + ").\n"
            "Install them (Debian or Ubuntu), then start QoS Checks again:\n\n"
            "    sudo apt-get install " + " ".join(packages) + "\n")


def check(environ: Mapping[str, str] | None = None, load: Callable[[str], bool] = can_load,
          platform: str = sys.platform) -> str | None:
    """The message to print before giving up, or None when the window can start."""
    if not uses_xcb(os.environ if environ is None else environ, platform):
        return None
    missing = missing_packages(load)
    return install_advice(missing) if missing else None
