"""
psycopg2 (libpq, client-side parameter interpolation) against `restsql serve`.
Usage: psycopg2_client.py CONNINFO; PGPASSWORD in the environment. JSON lines on stdout.
"""
import sys

import psycopg2
import psycopg2.errors

from wire_common import cancel_slow_query, check, describe_error, emit, typed_rows

TYPED = "SELECT id, big, amount, CAST(amount AS DECIMAL(30,2)) AS exact, ok, created, day, uid, label, note FROM types ORDER BY id"


def main(conninfo):
    conn = psycopg2.connect(conninfo)

    def connect():
        return {
            "server_version": conn.server_version,
            "encoding": conn.encoding,
            "status": {n: conn.get_parameter_status(n) for n in ("server_version", "client_encoding", "standard_conforming_strings", "integer_datetimes", "DateStyle")},
            "ssl_in_use": conn.info.ssl_in_use,
        }

    check("connect", connect)

    def interpolation():
        with conn.cursor() as cur:
            cur.execute("SELECT id, label FROM types WHERE id = %s", (2,))
            sent = cur.query.decode()
            rows = cur.fetchall()
            cur.execute("SELECT %s AS s, %s AS n", ("it's \\ \"quoted\"", None))
            echo = cur.fetchall()
        conn.rollback()
        return {"sent": sent, "rows": typed_rows(rows), "echo": typed_rows(echo)}

    check("interpolation", interpolation)

    def types():
        with conn.cursor() as cur:
            cur.execute(TYPED)
            rows = cur.fetchall()
            cols = [d.name for d in cur.description]
        conn.rollback()
        return {"columns": cols, "rows": typed_rows(rows)}

    check("types", types)

    def error_then_rollback():
        out = {}
        with conn.cursor() as cur:
            try:
                cur.execute("SELECT * FROM no_such_table")
            except psycopg2.Error as e:
                out["error"] = describe_error(e)
            # psycopg2 opened a transaction (BEGIN) before the statement: it is failed now.
            out["status_after_error"] = conn.get_transaction_status()
            try:
                cur.execute("SELECT 1")
            except psycopg2.Error as e:
                out["in_failed"] = describe_error(e)
        conn.rollback()
        with conn.cursor() as cur:
            cur.execute("SELECT 40 + 2")
            out["after_rollback"] = cur.fetchone()[0]
        conn.rollback()
        return out

    check("error", error_then_rollback)

    def cancel():
        out = cancel_slow_query(conn, psycopg2.Error)
        conn.rollback()
        with conn.cursor() as cur:
            cur.execute("SELECT label FROM types WHERE id = %s", (1,))
            out["after"] = cur.fetchone()[0]
        conn.rollback()
        return out

    if "--cancel" in sys.argv:
        check("cancel", cancel)

    conn.close()
    emit({"check": "done"})


if __name__ == "__main__":
    main(sys.argv[1])
