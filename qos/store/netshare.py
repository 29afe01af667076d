"""Refuse databases on network shares: SQLite's file locking is unreliable over SMB and NFS."""
from __future__ import annotations

import os
from pathlib import Path

NETWORK_FS_TYPES = {
    "nfs", "nfs4", "cifs", "smbfs", "smb3", "ncpfs", "afs", "9p", "fuse.sshfs", "sshfs",
    "fuse.smbnetfs", "davfs", "fuse.davfs2", "glusterfs", "ceph", "lustre",
}


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
        if os.name == "nt":
            return None
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
