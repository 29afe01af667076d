"""The log file: rotating, in the folder asked for, and free of phone numbers and e-mails."""
from __future__ import annotations

import logging

import pytest

from qos import logs


@pytest.fixture
def restore_logging():
    yield
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h.get_name() == "qos-file"]:
        root.removeHandler(handler)
        handler.close()


def test_redact_masks_phone_numbers_and_emails_but_not_counts_or_dates():
    assert logs.redact("call 07700 900123 or +44 (0)7700-900124") == "call [number] or [number]"
    assert logs.redact("mail a.b+c@force.police.uk now") == "mail [e-mail] now"
    assert logs.redact("12 rows, 2026-10-31, crime NOR/123") == "12 rows, 2026-10-31, crime NOR/123"


def test_the_log_rotates_and_keeps_a_bounded_number_of_files(tmp_path, monkeypatch,
                                                            restore_logging):
    monkeypatch.setattr(logs, "MAX_BYTES", 2000)
    path = logs.configure_logging(tmp_path)
    assert logs.log_path() == path == tmp_path / "qos.log"
    log = logging.getLogger("qos.test")
    for n in range(200):  # about 100 bytes a line: 20,000 bytes, ten files' worth
        log.error("line %d of the rotation test, padded out to a realistic length....", n)
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["qos.log", "qos.log.1", "qos.log.2", "qos.log.3", "qos.log.4"]
    assert "line 199 " in path.read_text(encoding="utf-8")


def test_configuring_twice_keeps_one_file_handler(tmp_path, restore_logging):
    logs.configure_logging(tmp_path / "a")
    logs.configure_logging(tmp_path / "b")
    names = [h.get_name() for h in logging.getLogger().handlers]
    assert names.count("qos-file") == 1 and logs.log_path() == tmp_path / "b" / "qos.log"


def test_by_default_the_log_is_in_the_per_user_data_folder(tmp_path, monkeypatch,
                                                            restore_logging):
    from qos import paths

    monkeypatch.setattr(paths, "data_dir", lambda: tmp_path / "QoSChecks")
    assert logs.configure_logging() == tmp_path / "QoSChecks" / "logs" / "qos.log"
    logging.getLogger("qos.test").error("written")
    assert "ERROR qos.test MainThread: written" in logs.log_path().read_text(encoding="utf-8")
