"""Every path the app uses, in one place (data directory, database, backups, resources)."""
from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "QoSChecks"
RESOURCES = Path(__file__).resolve().parent.parent / "resources"


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def log_dir() -> Path:
    """The app's rotating log (qos/logs.py): per user, beside the default database."""
    return data_dir() / "logs"


def default_db_path() -> Path:
    return data_dir() / "qos.db"


def resolve_db_path(cli_value: str | os.PathLike[str] | None) -> Path:
    """--db beats the QOS_DB environment variable, which beats the per-user default."""
    if cli_value:
        return Path(cli_value).expanduser()
    env = os.environ.get("QOS_DB")
    if env:
        return Path(env).expanduser()
    return default_db_path()


def backup_dir_for(db_path: Path) -> Path:
    return db_path.parent / "backups"


def resource(*parts: str) -> Path:
    return RESOURCES.joinpath(*parts)
