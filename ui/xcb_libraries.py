"""Before Qt starts on Linux: are the system libraries Qt needs present?

A fresh Debian or Ubuntu machine lacks some. Without them `import PySide6.QtCore` fails with
a bare ImportError (libglib-2.0.so.0), or Qt aborts before any window appears and its own
message names the wrong library. No Qt import here: this runs before PySide6 is imported.
The lists are the NEEDED entries (`objdump -p`) of PySide6 6.x's Qt libraries and modules
that are not bundled in the wheel nor part of a minimal Debian system with python3, checked
on a debootstrap --variant=minbase bookworm; each with its Debian/Ubuntu package.
"""
from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable, Mapping

# shared library (soname) -> Debian/Ubuntu package: needed by QtCore, QtGui and QtWidgets
# themselves, on every platform plugin (offscreen too, as the tests run).
QT_LIBRARIES: dict[str, str] = {
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libdbus-1.so.3": "libdbus-1-3",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libfontconfig.so.1": "libfontconfig1",  # pulls fonts-dejavu-core: without a font no text
    "libfreetype.so.6": "libfreetype6",
    "libX11.so.6": "libx11-6",
    "libxkbcommon.so.0": "libxkbcommon0",
}

# ... and by the xcb (X11) platform plugin: libqxcb.so and libQt6XcbQpa.so.6.
XCB_LIBRARIES: dict[str, str] = {
    "libxcb.so.1": "libxcb1",
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
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
}


def all_packages() -> list[str]:
    """Every package the window may need, each once: the README's install line."""
    return list(dict.fromkeys([*QT_LIBRARIES.values(), *XCB_LIBRARIES.values()]))


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


def needed_libraries(environ: Mapping[str, str], platform: str = sys.platform
                     ) -> dict[str, str]:
    """What this start of Qt will load: nothing checked off Linux (the wheels carry all)."""
    if not platform.startswith("linux"):
        return {}
    return {**QT_LIBRARIES, **(XCB_LIBRARIES if uses_xcb(environ, platform) else {})}


def missing_packages(load: Callable[[str], bool] = can_load,
                     libraries: Mapping[str, str] | None = None) -> list[str]:
    """The packages to install, in the tables' order, one each."""
    table = {**QT_LIBRARIES, **XCB_LIBRARIES} if libraries is None else libraries
    return list(dict.fromkeys(package for soname, package in table.items()
                              if not load(soname)))


def install_advice(packages: list[str]) -> str:
    return ("QoS Checks cannot start Qt: this computer lacks system libraries that Qt needs "
            "to draw windows (" + ", ".join(packages) + ").\n"
            "Install them (Debian or Ubuntu), then run the command again:\n\n"
            "    sudo apt-get install " + " ".join(packages) + "\n")


def check(environ: Mapping[str, str] | None = None, load: Callable[[str], bool] = can_load,
          platform: str = sys.platform) -> str | None:
    """The message to print before giving up, or None when Qt can start."""
    libraries = needed_libraries(os.environ if environ is None else environ, platform)
    missing = missing_packages(load, libraries)
    return install_advice(missing) if missing else None
