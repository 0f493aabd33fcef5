"""The demo database is built once per demo key and then reused or restored; a change to the
migrations, the demo code or the day makes another key, and the stale copy is rebuilt."""

import datetime as dt
import sqlite3
from pathlib import Path

from django.apps import apps
from django.conf import settings

from cadence import demo_database
from cadence.demo_database import BUILT, RESTORED, REUSED, demo_files, demo_key, prepare

TODAY = dt.date(2026, 12, 4)


class Builds:
    """A build that writes a real SQLite database as migrate + seed_demo would (a row naming the
    build), counting its runs."""

    def __init__(self, database: Path):
        self.database, self.count = database, 0

    def __call__(self):
        self.count += 1
        with sqlite3.connect(self.database) as db:
            db.execute("PRAGMA journal_mode=WAL")  # as the demo's settings have it
            db.execute("CREATE TABLE built (number INTEGER)")
            db.execute("INSERT INTO built VALUES (?)", (self.count,))
        db.close()


def rows(database: Path, table: str = "built") -> list:
    db = sqlite3.connect(database)
    try:
        return db.execute(f"SELECT * FROM {table}").fetchall()  # noqa: S608 (a test's own table name)
    finally:
        db.close()


def test_built_once_then_reused_with_what_was_done_in_it(tmp_path):
    database, cache = tmp_path / "pagar.sqlite3", tmp_path / "demo-cache"
    build = Builds(database)
    assert prepare(database, cache, "key-1", build) == BUILT
    assert rows(database) == [(1,)] and (cache / "key-1.sqlite3").exists()
    with sqlite3.connect(database) as db:
        db.execute("INSERT INTO built VALUES (99)")  # someone used the demo
    db.close()
    assert prepare(database, cache, "key-1", build) == REUSED
    assert build.count == 1 and rows(database) == [(1,), (99,)]


def test_restored_from_the_cache_without_building_again(tmp_path):
    database, cache = tmp_path / "pagar.sqlite3", tmp_path / "demo-cache"
    build = Builds(database)
    prepare(database, cache, "key-1", build)
    database.unlink()
    assert prepare(database, cache, "key-1", build) == RESTORED
    assert build.count == 1 and rows(database) == [(1,)]
    with sqlite3.connect(database) as db:
        db.execute("INSERT INTO built VALUES (99)")
    db.close()
    assert prepare(database, cache, "key-1", build, fresh=True) == RESTORED  # bin/demo --fresh
    assert rows(database) == [(1,)]


def test_a_stale_copy_is_rebuilt_and_dropped(tmp_path):
    database, cache = tmp_path / "pagar.sqlite3", tmp_path / "demo-cache"
    build = Builds(database)
    prepare(database, cache, "key-1", build)
    assert prepare(database, cache, "key-2", build) == BUILT
    assert build.count == 2 and rows(database) == [(2,)]
    assert sorted(p.name for p in cache.iterdir()) == ["key-2.sqlite3"]


def test_a_database_from_before_the_cache_is_replaced(tmp_path):
    """A demo database without a key (an older demo's) is not trusted to be this build's."""
    database, cache = tmp_path / "pagar.sqlite3", tmp_path / "demo-cache"
    with sqlite3.connect(database) as db:
        db.execute("CREATE TABLE old (x INTEGER)")
    db.close()
    assert prepare(database, cache, "key-1", Builds(database)) == BUILT
    assert rows(database) == [(1,)]


def _tree(root: Path) -> list[Path]:
    for name in demo_database.DEMO_CODE:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(f"# {name}\n")
    (root / "shop" / "migrations").mkdir(parents=True)
    (root / "shop" / "migrations" / "0001_initial.py").write_text("# first\n")
    return [root / "shop"]


def test_the_key_follows_the_migrations_the_demo_code_and_the_day(tmp_path):
    apps_in_tree = _tree(tmp_path)
    key = demo_key(tmp_path, demo_files(tmp_path, apps_in_tree), TODAY)
    assert demo_key(tmp_path, demo_files(tmp_path, apps_in_tree), TODAY) == key  # stable
    assert demo_key(tmp_path, demo_files(tmp_path, apps_in_tree), TODAY + dt.timedelta(days=1)) != key
    (tmp_path / "shop" / "migrations" / "0002_more.py").write_text("# second\n")
    with_migration = demo_key(tmp_path, demo_files(tmp_path, apps_in_tree), TODAY)
    assert with_migration != key
    (tmp_path / "experiments" / "demo_data.py").write_text("# another demo\n")
    assert demo_key(tmp_path, demo_files(tmp_path, apps_in_tree), TODAY) not in {key, with_migration}


def test_the_project_s_key_covers_every_migration_and_the_demo_code():
    root = Path(settings.BASE_DIR)
    files = demo_files(root, [Path(app.path) for app in apps.get_app_configs()])
    names = {str(file.relative_to(root)) for file in files}
    assert "experiments/migrations/0001_initial.py" in names
    assert "experiments/live/demo_history.py" in names and "cadence/demo_data.py" in names
    assert all(file.exists() for file in files)
    assert not any("site-packages" in file.parts for file in files)
