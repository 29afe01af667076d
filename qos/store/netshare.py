"""Refuse databases on network shares: SQLite's file locking is unreliable over SMB and NFS."""
from __future__ import annotations

import ntpath
import os
from collections.abc import Callable
from pathlib import Path

NETWORK_FS_TYPES = {
    "nfs", "nfs4", "cifs", "smbfs", "smb3", "ncpfs", "afs", "9p", "fuse.sshfs", "sshfs",
    "fuse.smbnetfs", "davfs", "fuse.davfs2", "glusterfs", "ceph", "lustre",
}


def on_windows() -> bool:
    return os.name == "nt"


def _mount_table() -> str:
    try:
        return Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def network_share_reason(path: Path, mounts: str | None = None) -> str | None:
    """Why `path` looks like a network share, or None when it is local."""
    raw = str(path)
    if raw.startswith(("\\\\", "//")):
        return f"{raw} is a network (UNC) path"
    if mounts is None:
        if on_windows():
            return mapped_drive_reason(path)
        mounts = _mount_table()
    target = Path(os.path.abspath(path))
    best_mount, best_type = "", ""
    for line in mounts.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        mount_point = fields[1].replace("\\040", " ")
        inside = str(target) == mount_point or str(target).startswith(mount_point.rstrip("/") + "/")
        if inside and len(mount_point) > len(best_mount):
            best_mount, best_type = mount_point, fields[2]
    if best_type in NETWORK_FS_TYPES:
        return f"{target} is on a {best_type} network share mounted at {best_mount}"
    return None


DRIVE_REMOTE = 4  # GetDriveTypeW's answer for a network drive mapped to a letter


def mapped_drive_reason(path: Path, drive_type: Callable[[str], int] | None = None) -> str | None:
    """On Windows, a drive letter mapped to a network share (net use Z: \\\\server\\share) is
    as unsafe as the UNC path itself. `drive_type` stands in for GetDriveTypeW in tests."""
    absolute = ntpath.abspath(str(path)) if on_windows() else str(path)
    drive = ntpath.splitdrive(absolute)[0]
    if not drive or not drive[0].isalpha():
        return None
    ask = drive_type or _get_drive_type
    if ask(drive[0].upper() + ":\\") == DRIVE_REMOTE:
        return f"{drive.upper()} is a network drive mapped to a letter"
    return None


def _get_drive_type(root: str) -> int:
    import ctypes

    return int(ctypes.windll.kernel32.GetDriveTypeW(root))  # type: ignore[attr-defined]
