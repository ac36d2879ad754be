"""
SQLAlchemy (1.4, the postgresql+psycopg2 dialect) against `restsql serve`.
Usage: sqlalchemy_client.py HOST PORT; PGPASSWORD in the environment. JSON lines on stdout.

At its first connect the dialect asks `select pg_catalog.version()` (and parses the version),
`select current_schema()`, `show standard_conforming_strings` and more. Check "connect" is the
plain create_engine; check "dialect_queries" replaces only the version query (so a missing
catalog function shows in "connect" alone) and runs the rest of the dialect and text() queries.
"""
import os
import sys
import urllib.parse

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql.psycopg2 import PGDialect_psycopg2

from wire_common import check, emit, typed_rows


def url(host, port):
    password = urllib.parse.quote(os.environ["PGPASSWORD"], safe="")
    return f"postgresql+psycopg2://tester:{password}@{host}:{port}/restsql?sslmode=disable"


def run_queries(engine):
    out = {}
    with engine.connect() as c:
        out["rows"] = typed_rows(c.execute(sa.text("SELECT id, label FROM types WHERE id = :id"), {"id": 2}).fetchall())
        out["count"] = c.execute(sa.text("SELECT count(*) FROM big WHERE id <= :n"), {"n": 25}).scalar()
        out["in_list"] = typed_rows(c.execute(sa.text("SELECT id FROM types WHERE id IN :ids ORDER BY id").bindparams(sa.bindparam("ids", expanding=True)), {"ids": [1, 3]}).fetchall())
        out["default_schema"] = engine.dialect.default_schema_name
        out["server_version_info"] = list(engine.dialect.server_version_info or [])
    return out


def main(host, port):
    def connect():
        engine = sa.create_engine(url(host, port))
        try:
            return run_queries(engine)
        finally:
            engine.dispose()

    check("connect", connect)

    def dialect_queries():
        original = PGDialect_psycopg2._get_server_version_info
        PGDialect_psycopg2._get_server_version_info = lambda self, connection: (15, 18)
        try:
            engine = sa.create_engine(url(host, port))
            try:
                out = run_queries(engine)
            finally:
                engine.dispose()
        finally:
            PGDialect_psycopg2._get_server_version_info = original
        return out

    check("dialect_queries", dialect_queries)
    emit({"check": "done"})


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
