"""Every path the app uses, in one place (data directory, database, backups, resources)."""
from __future__ import annotations

import json
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


def resolve_db_path(cli_value: str | os.PathLike[str] | None) -> Path | str:
    """--db beats the QOS_DB environment variable, which beats the database chosen in the
    first-run wizard (remembered per user), which beats the per-user default file.

    A postgresql:// URL (the force's shared database) comes back as it is, a str: a Path
    would fold its '//'. Anything else is a SQLite file's path."""
    chosen = cli_value or os.environ.get("QOS_DB") or remembered_db()
    if chosen and str(chosen).startswith(("postgresql://", "postgres://")):
        return str(chosen)
    if chosen:
        return Path(chosen).expanduser()
    return default_db_path()


def db_choice_file() -> Path:
    """Where the first-run wizard's choice of database is kept for this user."""
    return data_dir() / "database.json"


def remembered_db() -> str | None:
    """The database this user chose in the first-run wizard (a path or a URL), if any."""
    try:
        chosen = json.loads(db_choice_file().read_text(encoding="utf-8")).get("database")
    except (OSError, ValueError, AttributeError):
        return None  # none chosen yet, or a damaged file: the wizard asks again
    return str(chosen) if chosen else None


def remember_db(target: str) -> None:
    """Keep the chosen database for the next start. The URL may hold a password, so the file
    is readable by this user only (as libpq's own password file must be); written to a
    temporary file and renamed, so a crash never leaves half a file."""
    path = db_choice_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        json.dump({"database": target}, out)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)


def backup_dir_for(db_path: Path) -> Path:
    return db_path.parent / "backups"


def resource(*parts: str) -> Path:
    return RESOURCES.joinpath(*parts)
