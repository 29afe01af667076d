"""qos/store/netshare.py: a database on a network share is refused (SQLite cannot lock there)."""
from __future__ import annotations

from pathlib import Path

import pytest

from qos.errors import NetworkShareRefused
from qos.store.core import open_store
from qos.store.netshare import network_share_reason


@pytest.mark.parametrize("path, mounts, refused", [
    ("//server/share/qos.db", "", True),
    ("\\\\server\\share\\qos.db", "", True),
    ("/mnt/shared/qos.db", "srv:/export /mnt/shared nfs4 rw 0 0\n/dev/sda1 / ext4 rw 0 0", True),
    ("/mnt/team/qos.db", "//srv/team /mnt/team cifs rw 0 0\n/dev/sda1 / ext4 rw 0 0", True),
    ("/home/me/qos.db", "srv:/export /mnt/shared nfs4 rw 0 0\n/dev/sda1 / ext4 rw 0 0", False),
])
def test_network_shares_are_detected(path, mounts, refused):
    assert (network_share_reason(Path(path), mounts) is not None) == refused


def test_open_store_refuses_a_unc_path():
    with pytest.raises(NetworkShareRefused, match="network share"):
        open_store("//fileserver/citizen-focus/qos.db")


def test_a_windows_drive_letter_mapped_to_a_share_is_refused():
    """GetDriveTypeW stood in: Z: is a mapped network drive (4), C: a fixed disk (3)."""
    from qos.store.netshare import mapped_drive_reason

    types = {"Z:\\": 4, "C:\\": 3}
    assert mapped_drive_reason(Path("Z:/qos/qos.db"), types.__getitem__) == (
        "Z: is a network drive mapped to a letter")
    assert mapped_drive_reason(Path("C:/qos/qos.db"), types.__getitem__) is None
    assert mapped_drive_reason(Path("relative/qos.db"), types.__getitem__) is None


def test_open_store_refuses_a_mapped_drive_on_windows(monkeypatch, tmp_path):
    from qos.store import netshare
    from qos.store.core import open_store

    monkeypatch.setattr(netshare, "on_windows", lambda: True)
    monkeypatch.setattr(netshare, "_get_drive_type", lambda root: 4)
    with pytest.raises(NetworkShareRefused, match="network drive mapped to a letter"):
        open_store(Path("Z:/shared/qos.db"))
