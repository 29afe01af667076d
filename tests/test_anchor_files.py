"""The anchor history's file: temporary files left by a killed writer are swept, and
processes appending at the same moment take turns (none of their anchors is lost)."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from qos.store.audit import Anchor, add_anchor, read_anchors

ROOT = Path(__file__).parent.parent


def test_a_killed_writers_temporary_files_are_swept_but_not_a_live_ones(tmp_path):
    path = tmp_path / "qos.db.audit-anchor.json"
    stale = tmp_path / f"{path.name}.k1ll3d.tmp"
    live = tmp_path / f"{path.name}.wr1t1ng.tmp"
    other = tmp_path / "other.db.audit-anchor.json.k1ll3d.tmp"  # another database's
    for stray in (stale, live, other):
        stray.write_text('{"anchors": [')
    two_minutes_ago = time.time() - 120
    for old in (stale, other):
        os.utime(old, (two_minutes_ago, two_minutes_ago))
    add_anchor(path, Anchor(1, "ab" * 32, "now", "test"))
    assert not stale.exists()
    assert live.exists() and other.exists()
    assert [a.id for a in read_anchors(path)] == [1]


def test_eight_processes_adding_at_once_lose_no_anchor(tmp_path):
    """8 processes x 20 anchors, started together: all 160 are in the history."""
    path = tmp_path / "qos.db.audit-anchor.json"
    child_code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from qos.store.audit import Anchor, add_anchor\n"
        "first = int(sys.argv[1])\n"
        "print('ready', flush=True)\n"
        "sys.stdin.readline()\n"
        "for i in range(first, first + 20):\n"
        f"    add_anchor(Path({str(path)!r}), Anchor(i, 'cd' * 32, 'now', 'race'))\n")
    children = [subprocess.Popen([sys.executable, "-c", child_code, str(1000 * (n + 1))],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=ROOT)
                for n in range(8)]
    for child in children:  # all started (imports done) before any writes
        assert child.stdout is not None and child.stdout.readline() == b"ready\n"
    for child in children:
        assert child.stdin is not None
        child.stdin.write(b"go\n")
        child.stdin.close()
    for child in children:
        assert child.wait(timeout=120) == 0
        assert child.stdout is not None
        child.stdout.close()
    ids = sorted(a.id for a in read_anchors(path))
    assert ids == [1000 * (n + 1) + i for n in range(8) for i in range(20)]
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
