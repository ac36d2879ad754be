"""
SQLAlchemy's inspect() (1.4, the postgresql+psycopg2 dialect, a plain create_engine) against
`restsql serve`: the reflection calls tools and applications make to learn a database's tables,
columns, keys and indexes. Each one reads pg_catalog.
Usage: sqlalchemy_inspect.py HOST PORT; PGPASSWORD in the environment. JSON lines on stdout.
"""
import os
import sys
import urllib.parse

import sqlalchemy as sa

from wire_common import check, emit

TABLES = ("big", "items", "slow", "tags", "types")


def url(host, port):
    password = urllib.parse.quote(os.environ["PGPASSWORD"], safe="")
    return f"postgresql+psycopg2://tester:{password}@{host}:{port}/restsql?sslmode=disable"


def main(host, port):
    engine = sa.create_engine(url(host, port))
    try:
        # inspect() connects: the dialect's first-connect queries (select pg_catalog.version(), ...)
        # run here. Without a connection there is nothing more to check.
        inspector = []
        check("connect", lambda: inspector.append(sa.inspect(engine)))
        if not inspector:
            return
        insp = inspector[0]

        def column(c):
            # The type as the dialect writes it in DDL, and its SQLAlchemy class.
            return [c["name"], c["type"].compile(dialect=engine.dialect), type(c["type"]).__name__, c["nullable"], c["default"]]

        check("schemas", lambda: {"default": insp.default_schema_name, "names": insp.get_schema_names()})
        check("tables", lambda: {"public": insp.get_table_names(), "restsql": insp.get_table_names(schema="restsql"), "views": insp.get_view_names()})
        check("columns", lambda: {
            **{t: [column(c) for c in insp.get_columns(t)] for t in TABLES},
            "restsql.sampling_status": [column(c) for c in insp.get_columns("sampling_status", schema="restsql")],
        })
        check("pk", lambda: {t: insp.get_pk_constraint(t) for t in TABLES})
        check("fk", lambda: {t: insp.get_foreign_keys(t) for t in TABLES})
        check("indexes", lambda: {t: insp.get_indexes(t) for t in TABLES})
        check("unique", lambda: {t: insp.get_unique_constraints(t) for t in TABLES})

        def reflect():
            # MetaData.reflect: every table at once, the keys as Table objects carry them.
            meta = sa.MetaData()
            meta.reflect(bind=engine)
            out = {}
            for name, table in sorted(meta.tables.items()):
                out[name] = {
                    "columns": [c.name for c in table.columns],
                    "primary_key": [c.name for c in table.primary_key.columns],
                    "foreign_keys": sorted(f"{fk.parent.name}->{fk.target_fullname}" for fk in table.foreign_keys),
                }
            return {"tables": out}

        check("reflect", reflect)
        check("version", lambda: {"server_version_info": list(engine.dialect.server_version_info or [])})
        emit({"check": "done"})
    finally:
        engine.dispose()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
