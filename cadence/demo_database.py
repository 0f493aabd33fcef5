"""The demo's SQLite database, built once and reused (bin/demo).

Building the demo (migrations, then the weeks of history replayed through ingestion and the
checks) takes most of the demo's start. Its result depends only on the migrations, the demo-data
code, the locked dependencies and the day it is replayed up to, so it is built once per `demo_key`
of those and kept in the cache folder; a later start restores that copy instead of building again.

- Same key as the database in use: the database is reused as it is (what people did in it stays).
- Another key (code or migrations changed, or a new day), or no database yet: the database is
  replaced by the cached copy for the key, built first if there is none (older copies removed).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path

# What the demo's data is made by, besides the migrations (relative to the project root).
DEMO_CODE = (
    "requirements.lock",  # third-party migrations and behaviour
    "cadence/demo_database.py",
    "cadence/management/commands/seed_demo.py",
    "cadence/demo_data.py",
    "cadence/duties/demo_data.py",
    "experiments/demo_data.py",
    "experiments/demo_users.py",
    "experiments/live/demo_history.py",
)

BUILT, RESTORED, REUSED = "built", "restored", "reused"


def demo_files(root: Path, app_paths: Iterable[Path]) -> list[Path]:
    """The demo code and every migration of the project's apps (those under `root`)."""
    # Third-party apps are covered by the lock file (a .venv may sit inside the project).
    ours = [app for app in app_paths if app.is_relative_to(root) and "site-packages" not in app.parts]
    migrations = [file for app in ours for file in (app / "migrations").glob("*.py")]
    return sorted({root / name for name in DEMO_CODE} | set(migrations))


def demo_key(root: Path, files: Iterable[Path], today: dt.date) -> str:
    """A hash of the files' names and contents and of the day the history is replayed up to."""
    digest = hashlib.sha256(today.isoformat().encode())
    for file in sorted(files):
        digest.update(str(file.relative_to(root)).encode() + b"\0")
        digest.update(file.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def _stamp(database: Path) -> Path:
    return database.with_name(database.name + ".demo-key")


def _remove(database: Path) -> None:
    for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm"), _stamp(database)):
        path.unlink(missing_ok=True)


def _copy(source: Path, target: Path) -> None:
    """A consistent copy through SQLite's backup (a WAL database's pages included)."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def prepare(
    database: Path,
    cache: Path,
    key: str,
    build: Callable[[], None],
    *,
    close: Callable[[], None] = lambda: None,
    fresh: bool = False,
) -> str:
    """Make `database` the demo for `key`; `build` fills an empty `database` (migrate and seed),
    `close` closes the connections to it before its file is replaced. `fresh`: replace it even
    when it is current (the demo as built, without what was done in it since)."""
    if not fresh and database.exists() and _stamp(database).exists() and _stamp(database).read_text() == key:
        return REUSED
    cached = cache / f"{key}.sqlite3"
    close()
    _remove(database)
    outcome = RESTORED
    if not cached.exists():
        build()
        close()
        cache.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        _copy(database, partial)
        partial.rename(cached)  # whole or absent: an interrupted build leaves no copy to trust
        for old in cache.glob("*.sqlite3"):
            if old != cached:
                old.unlink()
        outcome = BUILT
    else:
        _copy(cached, database)
    _stamp(database).write_text(key)
    return outcome
