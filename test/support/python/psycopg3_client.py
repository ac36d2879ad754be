"""
psycopg 3 (server-side parameters over the extended protocol, prepared statements, binary
results and binary parameters) against `restsql serve`.
Usage: psycopg3_client.py CONNINFO; PGPASSWORD in the environment. JSON lines on stdout.
"""
import sys

import psycopg

from wire_common import cancel_slow_query, check, describe_error, emit, typed_rows

TYPED = "SELECT id, big, amount, CAST(amount AS DECIMAL(30,2)) AS exact, ok, created, day, uid, label, note FROM types ORDER BY id"


def main(conninfo):
    conn = psycopg.connect(conninfo, autocommit=True)

    def server_params():
        out = {}
        with conn.cursor() as cur:
            cur.execute("SELECT id, label FROM types WHERE id = %s", [2])
            out["rows"] = typed_rows(cur.fetchall())
            cur.execute("SELECT %s AS s, %s AS t", ["it's \\ \"quoted\" %s $1", None])
            out["echo"] = typed_rows(cur.fetchall())
            # Parameters go in Bind, so the statement goes through Parse: PostgreSQL refuses two
            # statements in one Parse. A client-side interpolating driver would run both.
            try:
                cur.execute("SELECT %s AS a; SELECT 2", [1])
                out["multi"] = "ran"
            except psycopg.Error as e:
                out["multi"] = describe_error(e)
        return out

    check("server_params", server_params)

    def prepared():
        out = {"runs": []}
        with conn.cursor() as cur:
            for i in range(6):
                cur.execute("SELECT id, label FROM types WHERE id = %s", [i % 3 + 1], prepare=True)
                out["runs"].append(typed_rows(cur.fetchall()))
            # The statement is prepared on the server under psycopg's name, listed nowhere else.
            out["prepared_names"] = sorted(n.decode() if isinstance(n, bytes) else str(n) for n in conn._prepared._names.values()) if hasattr(conn, "_prepared") and hasattr(conn._prepared, "_names") else None
        return out

    check("prepared", prepared)

    def binary():
        with conn.cursor() as text_cur:
            text_cur.execute(TYPED)
            text_rows = text_cur.fetchall()
            text_formats = [d.type_code for d in text_cur.description]
        with conn.cursor(binary=True) as bin_cur:
            bin_cur.execute(TYPED)
            bin_rows = bin_cur.fetchall()
            bin_formats = [bin_cur.pgresult.fformat(i) for i in range(bin_cur.pgresult.nfields)]
        return {
            "text": typed_rows(text_rows),
            "binary": typed_rows(bin_rows),
            "same": text_rows == bin_rows,
            "oids": text_formats,
            "binary_formats": bin_formats,
        }

    check("binary", binary)

    def int_params():
        out = {}
        with conn.cursor() as cur:
            # psycopg 3 dumps a Python int as int2, int4 or int8 by its size (numeric beyond);
            # %b forces the binary format, %s lets psycopg choose.
            for label, query, value in [
                ("int2_id", "SELECT id, label FROM types WHERE id = %b", 2),
                ("int8_big", "SELECT id FROM types WHERE big = %b", 9007199254740993),
                ("int8_negative", "SELECT id FROM types WHERE big = %b", -42),
                ("int4_echo", "SELECT %b AS v", 40000),
                ("int2_echo", "SELECT %b AS v", -7),
                ("int8_echo", "SELECT %b AS v", 2**40),
                ("auto_id", "SELECT id FROM types WHERE id = %s", 3),
            ]:
                try:
                    cur.execute(query, [value])
                    out[label] = {"rows": typed_rows(cur.fetchall()), "oids": [d.type_code for d in cur.description]}
                except psycopg.Error as e:
                    out[label] = {"error": describe_error(e)}
        return out

    check("int_params", int_params)

    def cancel():
        out = cancel_slow_query(conn, psycopg.Error)
        with conn.cursor() as cur:
            cur.execute("SELECT label FROM types WHERE id = %s", [1])
            out["after"] = cur.fetchone()[0]
        return out

    if "--cancel" in sys.argv:
        check("cancel", cancel)

    conn.close()
    emit({"check": "done"})


if __name__ == "__main__":
    main(sys.argv[1])
