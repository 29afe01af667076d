"""What the main window needs to know about a page: its key, title, who may see it and how
to build it. Its own module so the window and the page registry both import it, not each
other."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QWidget

from qos.roles import Action, Actor
from qos.store.core import Store


@dataclass(frozen=True)
class PageSpec:
    key: str
    title: str
    needs: tuple[Action, ...]  # any one of these actions shows the page
    build: Callable[[Store, Actor], QWidget]
