"""
psycopg 3 (server-side parameters: Parse, Bind, Execute) or psycopg2 (libpq, parameters
interpolated into a simple query) writing through `restsql serve`, for
test/e2e/serve-writes.test.ts.

Usage: write_client.py DRIVER CONNINFO MODE [UPDATE_ID DELETE_ID]
  DRIVER: psycopg or psycopg2.
  MODE writes: INSERT, executemany, RETURNING, UPDATE, DELETE and refused rows with autocommit on, then a write
    with autocommit off (the drivers' default), which must be refused.
  MODE describe (psycopg only): Parse and Describe of writes through libpq's PQprepare and
    PQdescribePrepared, nothing executed.
PGPASSWORD in the environment. JSON lines on stdout (wire_common.check).
"""
import sys

from wire_common import check, describe_error, emit, typed_rows


def connect(driver, conninfo, autocommit):
    if driver == "psycopg":
        import psycopg

        return psycopg.connect(conninfo, autocommit=autocommit), psycopg.Error
    import psycopg2

    conn = psycopg2.connect(conninfo)
    conn.autocommit = autocommit
    return conn, psycopg2.Error


def status(cur):
    """The command tag as the driver reports it."""
    return cur.statusmessage


def writes(driver, conninfo, update_id, delete_id):
    conn, error = connect(driver, conninfo, True)
    label = driver

    def insert():
        with conn.cursor() as cur:
            cur.execute("INSERT INTO orders (name, total, priority) VALUES (%s, %s, %s)", [f"{label} one", 2.5, 4])
            one = {"rowcount": cur.rowcount, "status": status(cur)}
            cur.execute("INSERT INTO orders (name, customer_name) VALUES (%s, %s), (%s, %s)", [f"{label} two", "it's \"quoted\"", f"{label} three", None])
            two = {"rowcount": cur.rowcount, "status": status(cur)}
        return {"one": one, "two": two}

    check("insert", insert)

    def executemany():
        # psycopg 3 sends the three in one pipeline (Parse, Bind, Execute each, one Sync); psycopg2 one by one.
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO orders (name, priority) VALUES (%s, %s)", [(f"{label} many {i}", i) for i in (1, 2, 3)])
            return {"rowcount": cur.rowcount}

    check("executemany", executemany)

    def returning():
        with conn.cursor() as cur:
            cur.execute("INSERT INTO orders (name, total) VALUES (%s, %s) RETURNING id, name, status, total", [f"{label} returned", 7.25])
            row = cur.fetchone()
            rest = cur.fetchall()
            return {"row": typed_rows([row])[0], "more": len(rest), "rowcount": cur.rowcount, "status": status(cur)}

    check("returning", returning)

    def change():
        with conn.cursor() as cur:
            cur.execute("UPDATE orders SET status = %s, total = %s WHERE id = %s", ["paid", 1.5, update_id])
            update = {"rowcount": cur.rowcount, "status": status(cur)}
            cur.execute("DELETE FROM orders WHERE id = %s", [delete_id])
            delete = {"rowcount": cur.rowcount, "status": status(cur)}
            cur.execute("DELETE FROM orders WHERE id = %s", [999999])
            missing = {"rowcount": cur.rowcount, "status": status(cur)}
        return {"update": update, "delete": delete, "missing": missing}

    check("change", change)

    def refused():
        out = {}
        with conn.cursor() as cur:
            try:
                cur.execute("INSERT INTO orders (name) VALUES (%s), (%s), (%s)", [f"{label} before", "reject", f"{label} after"])
                out["error"] = None
            except error as e:
                out["error"] = describe_error(e)
            cur.execute("SELECT count(*) FROM orders WHERE name = %s", [f"{label} before"])
            out["usable"] = cur.fetchone()[0]
        return out

    check("refused", refused)
    conn.close()

    def transaction():
        # The drivers' default: autocommit off, so the INSERT runs inside BEGIN.
        tx, tx_error = connect(driver, conninfo, False)
        out = {}
        with tx.cursor() as cur:
            try:
                cur.execute("INSERT INTO orders (name) VALUES (%s)", [f"{label} in transaction"])
                out["error"] = None
            except tx_error as e:
                out["error"] = describe_error(e)
        tx.rollback()
        with tx.cursor() as cur:
            cur.execute("SELECT 40 + 2")
            out["usable"] = cur.fetchone()[0]
        tx.rollback()
        tx.close()
        return out

    check("transaction", transaction)


def describe(conninfo):
    import psycopg

    conn = psycopg.connect(conninfo, autocommit=True)
    pgconn = conn.pgconn
    statements = {
        "insert": "INSERT INTO orders (name, total, priority) VALUES ($1, $2, $3)",
        "update": "UPDATE orders SET status = $1 WHERE id = $2",
        "delete": "DELETE FROM orders WHERE id IN ($1, $2)",
        "returning": "INSERT INTO orders (name) VALUES ($1) RETURNING id, name",
    }
    for n, (name, sql) in enumerate(statements.items()):

        def one(sql=sql, n=n):
            stmt = f"w{n}".encode()
            prepared = pgconn.prepare(stmt, sql.encode())
            if prepared.status != psycopg.pq.ExecStatus.COMMAND_OK:
                return {"error": prepared.error_message.decode()}
            d = pgconn.describe_prepared(stmt)
            return {
                "params": [d.param_type(i) for i in range(d.nparams)],
                "fields": [[d.fname(i).decode(), d.ftype(i)] for i in range(d.nfields)],
            }

        check(name, one)
    conn.close()


def main(argv):
    driver, conninfo, mode = argv[1], argv[2], argv[3]
    if mode == "writes":
        writes(driver, conninfo, int(argv[4]), int(argv[5]))
    elif mode == "describe":
        describe(conninfo)
    else:
        raise SystemExit(f"unknown mode {mode}")
    emit({"check": "done"})


if __name__ == "__main__":
    main(sys.argv)
