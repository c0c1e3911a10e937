"""Engine settings of SPEC §8: no SQL parameters in errors (and so in logs), SQLite FULL sync."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.persistence.db import Database


def test_a_failed_statement_shows_no_parameters(database):
    secret = "b-7f3a9c-do-not-log"
    with pytest.raises(DBAPIError) as failure:
        with database.transaction() as session:
            session.execute(text("SELECT * FROM no_such_table WHERE x = :x"), {"x": secret})
    assert secret not in str(failure.value)
    assert "hidden" in str(failure.value)


def test_the_sqlite_file_database_syncs_every_commit(tmp_path):
    database = Database(f"sqlite:///{tmp_path}/sync.db")
    try:
        with database.engine.connect() as connection:
            # 2 = FULL (0 OFF, 1 NORMAL, 3 EXTRA)
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2
    finally:
        database.dispose()
