import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.JDBCType;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.Properties;
import org.postgresql.PGStatement;

/**
 * pgjdbc against restsql serve, for test/e2e/wire-jdbc.test.ts: each scenario connects with
 * jdbc:postgresql://127.0.0.1:PORT/restsql, does one thing the way Java applications do it, and
 * prints lines the test compares with what PostgreSQL would give. The password comes from the
 * WIRE_PASSWORD environment variable (never the command line, which `ps` shows).
 *
 * Usage: java -cp DIR:postgresql.jar WireClient PORT[,PORT...] SSLMODE SCENARIO...
 * With several ports (one JVM for several servers, e.g. restsql serve and a real PostgreSQL) the
 * scenarios run against each in turn, each server's lines after a line "server PORT".
 * Scenarios: query, prepared, fetch, errors, meta, tls, cancel (waits for a line on stdin, then
 * cancels the running statement from another thread), catalog (DatabaseMetaData: schemas, tables,
 * columns, keys, indexes and types, as tools like DBeaver read them).
 *
 * Any unexpected exception prints FAIL and its stack trace, ends that server's scenarios, and makes
 * the exit status 1 (without the final "done").
 */
public final class WireClient {
  private static final PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);

  private WireClient() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println("usage: WireClient PORT[,PORT...] SSLMODE SCENARIO...");
      System.exit(2);
    }
    String[] ports = args[0].split(",");
    Properties props = new Properties();
    props.setProperty("user", "tester");
    props.setProperty("password", System.getenv("WIRE_PASSWORD"));
    props.setProperty("sslmode", args[1]);
    props.setProperty("ApplicationName", "WireClient");
    props.setProperty("connectTimeout", "30");
    boolean failed = false;
    for (String port : ports) {
      String url = "jdbc:postgresql://127.0.0.1:" + Integer.parseInt(port) + "/restsql";
      if (ports.length > 1) out.println("server " + port);
      try {
        for (int i = 2; i < args.length; i++) {
          try (Connection conn = DriverManager.getConnection(url, props)) {
            switch (args[i]) {
              case "query" -> query(conn);
              case "prepared" -> prepared(conn);
              case "fetch" -> fetch(conn);
              case "errors" -> errors(conn);
              case "meta" -> meta(conn);
              case "tls" -> tls(conn);
              case "cancel" -> cancel(conn);
              case "catalog" -> catalog(conn);
              default -> throw new IllegalArgumentException("unknown scenario " + args[i]);
            }
          }
        }
      } catch (Throwable e) {
        // The next server still runs: what one server got wrong does not hide the other's lines.
        out.println("FAIL " + e);
        e.printStackTrace();
        failed = true;
      }
    }
    if (failed) System.exit(1);
    out.println("done");
  }

  /** A value as the line shows it: "null" when SQL NULL. */
  private static String show(ResultSet rs, Object v) throws SQLException {
    return rs.wasNull() ? "null" : String.valueOf(v);
  }

  /** A plain Statement over an API table (pgjdbc: extended protocol, unnamed statement, text results). */
  private static void query(Connection conn) throws SQLException {
    try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT id, name, region, price, address_city FROM items WHERE id <= 3 ORDER BY id")) {
      while (rs.next()) {
        out.println("query " + rs.getInt(1) + "|" + rs.getString(2) + "|" + rs.getString("region") + "|" + rs.getDouble(4) + "|" + rs.getString(5));
      }
    }
    // pgjdbc sends ApplicationName as SET application_name once connected (not in the startup packet).
    try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SHOW application_name")) {
      rs.next();
      out.println("query application_name " + rs.getString(1));
    }
  }

  private static String typedRow(ResultSet rs) throws SQLException {
    StringBuilder b = new StringBuilder();
    b.append(rs.getInt("id"));
    b.append('|').append(show(rs, rs.getLong("big")));
    b.append('|').append(show(rs, rs.getDouble("amount")));
    b.append('|').append(show(rs, rs.getBoolean("ok")));
    b.append('|').append(show(rs, rs.getTimestamp("created")));
    b.append('|').append(show(rs, rs.getDate("day")));
    b.append('|').append(show(rs, rs.getObject("uid")));
    b.append('|').append(show(rs, rs.getString("label")).replace("\t", "\\t").replace("\n", "\\n"));
    return b.toString();
  }

  /**
   * One PreparedStatement run 10 times: from the 5th run on (prepareThreshold) pgjdbc uses a
   * named server-side statement and asks for binary results of int4, int8, float8, numeric, bool,
   * timestamp, date and uuid. Every run must give the same rows.
   */
  private static void prepared(Connection conn) throws SQLException {
    String echo = "SELECT CAST(? AS INTEGER) + 1 AS i, CAST(? AS BIGINT) * 2 AS l, upper(CAST(? AS VARCHAR)) AS s, "
        + "CAST(? AS TIMESTAMP) + INTERVAL 1 DAY AS ts, CAST(? AS DECIMAL(18,3)) * 2 AS d, NOT CAST(? AS BOOLEAN) AS b";
    String filter = "SELECT id, big, amount, ok, created, day, uid, label FROM types "
        + "WHERE id >= ? AND big <> ? AND label <> ? AND (created IS NULL OR created < ?) AND amount < ? AND (ok IS NULL OR ok <> ?) ORDER BY id";
    try (PreparedStatement e = conn.prepareStatement(echo); PreparedStatement f = conn.prepareStatement(filter)) {
      for (int run = 1; run <= 10; run++) {
        e.setInt(1, 41);
        e.setLong(2, 4611686018427387903L);
        e.setString(3, "héllo wörld");
        e.setTimestamp(4, Timestamp.valueOf("2024-02-28 23:59:59.123456"));
        e.setBigDecimal(5, new BigDecimal("12345678901234.567"));
        e.setBoolean(6, false);
        try (ResultSet rs = e.executeQuery()) {
          while (rs.next()) {
            out.println("echo " + run + " " + e.unwrap(PGStatement.class).isUseServerPrepare() + " " + rs.getInt("i") + "|" + rs.getLong("l") + "|" + rs.getString("s") + "|" + rs.getTimestamp("ts") + "|"
                + rs.getBigDecimal("d").toPlainString() + "|" + rs.getBoolean("b"));
          }
        }
        f.setInt(1, 1);
        f.setLong(2, 7L);
        f.setString(3, "nothing");
        f.setTimestamp(4, Timestamp.valueOf("2030-01-01 00:00:00"));
        f.setBigDecimal(5, new BigDecimal("1e30"));
        f.setBoolean(6, true);
        try (ResultSet rs = f.executeQuery()) {
          while (rs.next()) out.println("filter " + run + " " + f.unwrap(PGStatement.class).isUseServerPrepare() + " " + typedRow(rs));
        }
      }
    }
  }

  /** setFetchSize in a transaction: pgjdbc reads through a portal, 3 rows per Execute (PortalSuspended). */
  private static void fetch(Connection conn) throws SQLException {
    conn.setAutoCommit(false);
    try (Statement st = conn.createStatement()) {
      st.setFetchSize(3);
      try (ResultSet rs = st.executeQuery("SELECT id, name, score, active, created FROM big ORDER BY id")) {
        while (rs.next()) {
          out.println("fetch " + rs.getInt(1) + "|" + rs.getString(2) + "|" + rs.getDouble(3) + "|" + rs.getBoolean(4) + "|" + rs.getTimestamp(5));
        }
      }
      // The same statement again (a portal per query), then a COMMIT.
      try (ResultSet rs = st.executeQuery("SELECT count(*) FROM big")) {
        rs.next();
        out.println("fetch count " + rs.getLong(1));
      }
    }
    conn.commit();
  }

  private static void expectError(Connection conn, String label, String sql) {
    try (Statement st = conn.createStatement()) {
      st.executeQuery(sql).close();
      out.println("error " + label + " none");
    } catch (SQLException e) {
      out.println("error " + label + " " + e.getSQLState());
    }
  }

  private static void one(Connection conn, String label) throws SQLException {
    try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT 40 + 2")) {
      rs.next();
      out.println("after " + label + " " + rs.getInt(1));
    }
  }

  /** getSQLState of errors, the connection usable after each; in a transaction, after ROLLBACK. */
  private static void errors(Connection conn) throws SQLException {
    expectError(conn, "table", "SELECT * FROM nope");
    one(conn, "table");
    expectError(conn, "column", "SELECT nope FROM types");
    one(conn, "column");
    expectError(conn, "syntax", "SELEC 1");
    one(conn, "syntax");
    try (PreparedStatement ps = conn.prepareStatement("SELECT * FROM nope WHERE id = ?")) {
      ps.setInt(1, 1);
      ps.executeQuery().close();
      out.println("error prepared none");
    } catch (SQLException e) {
      out.println("error prepared " + e.getSQLState());
    }
    one(conn, "prepared");
    conn.setAutoCommit(false);
    expectError(conn, "in-transaction", "SELECT * FROM nope");
    expectError(conn, "aborted", "SELECT 1");
    conn.rollback();
    one(conn, "rollback");
    conn.commit();
    conn.setAutoCommit(true);
  }

  /** What pgjdbc makes of the type OIDs in RowDescription. */
  private static void meta(Connection conn) throws SQLException {
    try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT id, big, amount, ok, created, day, uid, label, note FROM types ORDER BY id")) {
      ResultSetMetaData md = rs.getMetaData();
      for (int c = 1; c <= md.getColumnCount(); c++) {
        out.println("meta " + md.getColumnLabel(c) + " " + JDBCType.valueOf(md.getColumnType(c)).getName() + " " + md.getColumnTypeName(c) + " " + md.getColumnClassName(c));
      }
      while (rs.next()) out.println("meta row " + typedRow(rs));
    }
  }

  private static void tls(Connection conn) throws SQLException {
    try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*), max(name) FROM items")) {
      rs.next();
      out.println("tls " + rs.getLong(1) + "|" + rs.getString(2));
    }
  }

  /** Statement.cancel() from another thread (a CancelRequest on a new connection), once stdin says so. */
  private static void cancel(Connection conn) throws Exception {
    try (Statement st = conn.createStatement()) {
      Thread canceller = new Thread(() -> {
        try {
          BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
          if ("cancel".equals(in.readLine())) {
            st.cancel();
            out.println("cancel sent");
          }
        } catch (Exception e) {
          out.println("FAIL canceller " + e);
        }
      });
      canceller.setDaemon(true);
      canceller.start();
      out.println("cancel running");
      try (ResultSet rs = st.executeQuery("SELECT count(*) FROM slow")) {
        rs.next();
        out.println("cancel none " + rs.getLong(1));
      } catch (SQLException e) {
        out.println("cancel state " + e.getSQLState() + " " + e.getMessage().split("\n")[0]);
      }
      canceller.join(60_000);
    }
    one(conn, "cancel");
  }

  /** A JDBC type code by its java.sql.JDBCType name ("INTEGER"), or the number when it has none. */
  private static String jdbcType(int code) {
    try {
      return JDBCType.valueOf(code).getName();
    } catch (IllegalArgumentException e) {
      return String.valueOf(code);
    }
  }

  /** A DatabaseMetaData call (it runs catalog queries on the server). */
  private interface MetaCall {
    ResultSet call() throws SQLException;
  }

  /**
   * Each row the call gives as "prefix a|b|c" over the named columns (DATA_TYPE as its JDBCType
   * name); when the call fails, "prefix ERROR sqlstate message" instead, and the next call goes on.
   */
  private static void rows(String prefix, MetaCall call, String... columns) throws SQLException {
    ResultSet rs;
    try {
      rs = call.call();
    } catch (SQLException e) {
      out.println(prefix + " ERROR " + e.getSQLState() + " " + String.valueOf(e.getMessage()).split("\n")[0]);
      return;
    }
    try (rs) {
      while (rs.next()) {
        StringBuilder b = new StringBuilder(prefix);
        for (int i = 0; i < columns.length; i++) {
          String c = columns[i];
          b.append(i == 0 ? ' ' : '|');
          if (c.equals("DATA_TYPE")) b.append(jdbcType(rs.getInt(c)));
          else b.append(show(rs, rs.getString(c)));
        }
        out.println(b);
      }
    }
  }

  /**
   * DatabaseMetaData as tools read the catalog: getSchemas, getTables (TABLE), getColumns of every
   * table in public and restsql, getPrimaryKeys, getImportedKeys of the child table tags and
   * getExportedKeys of its parent items (and of tables without keys), getIndexInfo, getTypeInfo.
   */
  private static void catalog(Connection conn) throws SQLException {
    DatabaseMetaData md = conn.getMetaData();
    out.println("product " + md.getDatabaseProductName() + "|" + md.getDatabaseMajorVersion() + "|" + md.getDatabaseMinorVersion() + "|" + md.getUserName());
    rows("schemas", () -> md.getSchemas(), "TABLE_SCHEM", "TABLE_CATALOG");
    rows("tables", () -> md.getTables(null, null, "%", new String[] {"TABLE"}), "TABLE_CAT", "TABLE_SCHEM", "TABLE_NAME", "TABLE_TYPE", "REMARKS");
    rows("views", () -> md.getTables(null, null, "%", new String[] {"VIEW"}), "TABLE_SCHEM", "TABLE_NAME");
    for (String schema : new String[] {"public", "restsql"}) {
      rows("columns", () -> md.getColumns(null, schema, "%", "%"), "TABLE_SCHEM", "TABLE_NAME", "COLUMN_NAME", "DATA_TYPE", "TYPE_NAME", "COLUMN_SIZE", "DECIMAL_DIGITS", "NULLABLE", "IS_NULLABLE", "ORDINAL_POSITION", "IS_AUTOINCREMENT");
    }
    for (String table : new String[] {"big", "items", "slow", "tags", "types"}) {
      rows("pk", () -> md.getPrimaryKeys(null, "public", table), "TABLE_SCHEM", "TABLE_NAME", "COLUMN_NAME", "KEY_SEQ", "PK_NAME");
    }
    rows("pk", () -> md.getPrimaryKeys(null, "restsql", "sampling_status"), "TABLE_SCHEM", "TABLE_NAME", "COLUMN_NAME", "KEY_SEQ", "PK_NAME");
    String[] keyColumns = {"PKTABLE_SCHEM", "PKTABLE_NAME", "PKCOLUMN_NAME", "FKTABLE_SCHEM", "FKTABLE_NAME", "FKCOLUMN_NAME", "KEY_SEQ", "UPDATE_RULE", "DELETE_RULE", "FK_NAME", "PK_NAME", "DEFERRABILITY"};
    for (String table : new String[] {"items", "tags", "types"}) {
      rows("imported " + table, () -> md.getImportedKeys(null, "public", table), keyColumns);
      rows("exported " + table, () -> md.getExportedKeys(null, "public", table), keyColumns);
    }
    rows("crossref", () -> md.getCrossReference(null, "public", "items", null, "public", "tags"), keyColumns);
    for (String table : new String[] {"items", "tags"}) {
      rows("index", () -> md.getIndexInfo(null, "public", table, false, false), "TABLE_SCHEM", "TABLE_NAME", "NON_UNIQUE", "INDEX_NAME", "TYPE", "ORDINAL_POSITION", "COLUMN_NAME", "ASC_OR_DESC");
    }
    rows("type", () -> md.getTypeInfo(), "TYPE_NAME", "DATA_TYPE", "PRECISION", "LITERAL_PREFIX", "NULLABLE", "CASE_SENSITIVE", "SEARCHABLE", "UNSIGNED_ATTRIBUTE", "AUTO_INCREMENT");
  }
}
