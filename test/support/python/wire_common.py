"""
Shared by the Python client scripts that test `restsql serve` (test/e2e/wire-python.test.ts).

Each script prints one JSON object per line on stdout: {"check": name, ...} with what it saw, and
the test asserts on them. A check that raises prints {"check": name, "raised": {...}} instead, so
one failing check does not hide the others. Values are printed as [python type name, text] so
the test can assert that a client gave back the Python type it should (int, Decimal, datetime...).

The password comes from the environment (PGPASSWORD, which libpq reads), never from argv.
"""
import datetime
import decimal
import json
import sys
import threading
import traceback
import uuid


def emit(obj):
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def typed(value):
    """[type name, text] for one value, the text in a form that does not depend on the locale."""
    name = type(value).__name__
    if value is None:
        return [name, None]
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return [name, value.isoformat()]
    if isinstance(value, (dict, list)):
        return [name, json.dumps(value, sort_keys=True, ensure_ascii=False)]
    if isinstance(value, float):
        return [name, repr(value)]
    if isinstance(value, (decimal.Decimal, uuid.UUID, int, bool, str)):
        return [name, str(value)]
    return [name, repr(value)]


def typed_rows(rows):
    return [[typed(v) for v in row] for row in rows]


def describe_error(e):
    # SQLAlchemy wraps the driver's error: its SQLSTATE is on .orig.
    driver = getattr(e, "orig", None) or e
    return {
        "type": type(e).__name__,
        "pgcode": getattr(driver, "pgcode", None) or getattr(getattr(driver, "diag", None), "sqlstate", None),
        "message": str(e).strip().splitlines()[0] if str(e).strip() else "",
    }


def check(name, fn):
    """Runs one check; prints its result, or the error it raised (with a traceback on stderr)."""
    try:
        result = fn()
        emit({"check": name, **(result or {})})
    except Exception as e:  # noqa: BLE001 - every failure is reported to the test
        traceback.print_exc(file=sys.stderr)
        emit({"check": name, "raised": describe_error(e)})


def wait_for_go():
    """Blocks until the test writes a line on stdin (it does once the statement reached the API)."""
    line = sys.stdin.readline()
    if not line:
        raise RuntimeError("stdin closed before the test said go")


def cancel_slow_query(conn, error_type):
    """Runs SELECT count(*) FROM slow while a thread cancels it (conn.cancel()) once the test says
    go (the API has the request); returns {"error": ...} as the client raised it, or the rows."""
    out = {}

    def canceller():
        wait_for_go()
        conn.cancel()

    t = threading.Thread(target=canceller)
    t.start()
    emit({"event": "cancel-ready"})
    with conn.cursor() as cur:
        try:
            cur.execute("SELECT count(*) FROM slow")
            out["unexpected_rows"] = cur.fetchall()
        except error_type as e:
            out["error"] = describe_error(e)
    t.join()
    return out
