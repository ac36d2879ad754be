import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ParameterMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.Arrays;
import java.util.Properties;
import org.postgresql.PGStatement;

/**
 * pgjdbc writing through restsql serve, for test/e2e/serve-writes.test.ts. One JVM serves the
 * whole test file: it reads commands from stdin, one a line ("SCENARIO PORT"), runs the scenario
 * on a new connection to jdbc:postgresql://127.0.0.1:PORT/restsql, and prints lines starting with
 * the scenario's name, then "end SCENARIO". At a line "wait LABEL" it stops until stdin gives a
 * line: the test looks at what the API received up to that point (nothing before executeUpdate),
 * then lets it go on. The password comes from the WIRE_PASSWORD environment variable.
 *
 * Scenarios: describe (Parse and Describe of writes, nothing executed), insert (a PreparedStatement
 * with setString, setDouble, setInt, setNull), batch (executeBatch of three inserts), change
 * (UPDATE and DELETE with parameters), returning (INSERT ... RETURNING by executeQuery, and
 * getGeneratedKeys), refused (rows the API refuses: SQLState, the connection still usable; a
 * batch refused half-way), transaction (autocommit off: the write is refused), ignored
 * (autocommit off against a server with TransactionMode=Ignore: the write is sent at once).
 *
 * An unexpected exception prints "FAIL" and its stack trace before "end SCENARIO"; the next
 * command still runs.
 */
public final class WriteClient {
  private static final PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
  private static final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));

  private WriteClient() {}

  public static void main(String[] args) throws Exception {
    Properties props = new Properties();
    props.setProperty("user", "tester");
    props.setProperty("password", System.getenv("WIRE_PASSWORD"));
    props.setProperty("sslmode", "disable");
    props.setProperty("ApplicationName", "WriteClient");
    props.setProperty("connectTimeout", "30");
    out.println("ready");
    for (String line; (line = in.readLine()) != null; ) {
      String[] cmd = line.trim().split(" ");
      if (cmd.length != 2) {
        out.println("FAIL bad command " + line);
        continue;
      }
      String name = cmd[0];
      String url = "jdbc:postgresql://127.0.0.1:" + Integer.parseInt(cmd[1]) + "/restsql";
      try (Connection conn = DriverManager.getConnection(url, props)) {
        switch (name) {
          case "describe" -> describe(conn);
          case "insert" -> insert(conn);
          case "batch" -> batch(conn);
          case "change" -> change(conn);
          case "returning" -> returning(conn);
          case "refused" -> refused(conn);
          case "transaction" -> transaction(conn);
          case "ignored" -> ignored(conn);
          default -> throw new IllegalArgumentException("unknown scenario " + name);
        }
      } catch (Throwable e) {
        out.println("FAIL " + e);
        e.printStackTrace();
      }
      out.println("end " + name);
    }
  }

  /** Prints "wait LABEL" and blocks until the test answers with a line on stdin. */
  private static void await(String label) throws Exception {
    out.println("wait " + label);
    if (in.readLine() == null) throw new IllegalStateException("stdin closed at " + label);
  }

  /** The parameter types the server described (getParameterMetaData: Parse and Describe, nothing executed). */
  private static String paramTypes(PreparedStatement ps) throws SQLException {
    ParameterMetaData md = ps.getParameterMetaData();
    StringBuilder b = new StringBuilder();
    for (int i = 1; i <= md.getParameterCount(); i++) b.append(i == 1 ? "" : ",").append(md.getParameterTypeName(i));
    return b.toString();
  }

  /** The result columns the server described ("none" when NoData). */
  private static String resultColumns(PreparedStatement ps) throws SQLException {
    ResultSetMetaData md = ps.getMetaData();
    if (md == null || md.getColumnCount() == 0) return "none";
    StringBuilder b = new StringBuilder();
    for (int i = 1; i <= md.getColumnCount(); i++) b.append(i == 1 ? "" : ",").append(md.getColumnLabel(i)).append(':').append(md.getColumnTypeName(i));
    return b.toString();
  }

  private static String show(ResultSet rs, int column) throws SQLException {
    String v = rs.getString(column);
    return rs.wasNull() ? "null" : v;
  }

  /** Every row of `rs` as "a|b|c". */
  private static void printRows(String prefix, ResultSet rs) throws SQLException {
    int n = rs.getMetaData().getColumnCount();
    while (rs.next()) {
      StringBuilder b = new StringBuilder(prefix);
      for (int i = 1; i <= n; i++) b.append(i == 1 ? ' ' : '|').append(show(rs, i));
      out.println(b);
    }
  }

  private static void selectOne(Connection conn, String prefix) throws SQLException {
    try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT 40 + 2")) {
      rs.next();
      out.println(prefix + " usable " + rs.getInt(1));
    }
  }

  /** Parse and Describe of INSERT, UPDATE, DELETE and INSERT ... RETURNING: their types, nothing run. */
  private static void describe(Connection conn) throws Exception {
    String[] statements = {
      "INSERT INTO orders (name, status, total, priority) VALUES (?, ?, ?, ?)",
      "UPDATE orders SET status = ?, total = ? WHERE id = ?",
      "DELETE FROM orders WHERE id = ?",
      "INSERT INTO orders (name) VALUES (?) RETURNING id, name, created_at",
      "DELETE FROM tags WHERE tag IN (?, ?)",
    };
    for (String sql : statements) {
      try (PreparedStatement ps = conn.prepareStatement(sql)) {
        out.println("describe " + paramTypes(ps) + " -> " + resultColumns(ps));
      }
    }
    await("described");
  }

  /**
   * One INSERT with setString, setDouble, setInt and setNull, its types described before anything
   * is bound, then run 6 times: from the 5th run (prepareThreshold) pgjdbc uses a named server-side
   * statement and sends the int4 and float8 parameters in binary.
   */
  private static void insert(Connection conn) throws Exception {
    try (PreparedStatement ps = conn.prepareStatement("INSERT INTO orders (name, status, total, priority, customer_name) VALUES (?, ?, ?, ?, ?)")) {
      out.println("insert params " + paramTypes(ps));
      await("described");
      for (int run = 1; run <= 6; run++) {
        ps.setString(1, "jdbc " + run);
        ps.setString(2, run % 2 == 0 ? "open" : "new");
        ps.setDouble(3, run * 2.5 - 5.25);
        ps.setInt(4, run * -7);
        if (run % 2 == 0) ps.setString(5, "Zoë " + run);
        else ps.setNull(5, Types.VARCHAR);
        int count = ps.executeUpdate();
        out.println("insert run " + run + " " + ps.unwrap(PGStatement.class).isUseServerPrepare() + " " + count);
      }
    }
  }

  /** executeBatch of three inserts: one Sync, three Executes. */
  private static void batch(Connection conn) throws Exception {
    try (PreparedStatement ps = conn.prepareStatement("INSERT INTO orders (name, priority) VALUES (?, ?)")) {
      for (int i = 1; i <= 3; i++) {
        ps.setString(1, "batch " + i);
        ps.setInt(2, i);
        ps.addBatch();
      }
      out.println("batch counts " + Arrays.toString(ps.executeBatch()));
    }
  }

  /** UPDATE and DELETE with parameters, and a DELETE of a row the API does not have. */
  private static void change(Connection conn) throws Exception {
    try (PreparedStatement up = conn.prepareStatement("UPDATE orders SET status = ?, total = ? WHERE id = ?");
        PreparedStatement del = conn.prepareStatement("DELETE FROM orders WHERE id IN (?, ?)")) {
      out.println("change params " + paramTypes(up) + " " + paramTypes(del));
      await("described");
      up.setString(1, "shipped");
      up.setDouble(2, 99.5);
      up.setInt(3, 1);
      out.println("change update " + up.executeUpdate());
      del.setInt(1, 2);
      del.setInt(2, 3);
      out.println("change delete " + del.executeUpdate());
    }
  }

  /** INSERT ... RETURNING by executeQuery; getGeneratedKeys (pgjdbc adds RETURNING itself). */
  private static void returning(Connection conn) throws Exception {
    try (PreparedStatement ps = conn.prepareStatement("INSERT INTO orders (name, total) VALUES (?, ?) RETURNING id, name, status, total")) {
      out.println("returning columns " + resultColumns(ps));
      await("described");
      ps.setString(1, "returned");
      ps.setDouble(2, 5);
      try (ResultSet rs = ps.executeQuery()) {
        printRows("returning row", rs);
      }
    }
    try (PreparedStatement ps = conn.prepareStatement("INSERT INTO orders (name) VALUES (?)", Statement.RETURN_GENERATED_KEYS)) {
      ps.setString(1, "generated");
      out.println("returning count " + ps.executeUpdate());
      try (ResultSet keys = ps.getGeneratedKeys()) {
        ResultSetMetaData md = keys.getMetaData();
        while (keys.next()) out.println("returning keys " + keys.getInt("id") + "|" + keys.getString("name") + "|" + keys.getString("status") + "|" + md.getColumnCount());
      }
    }
    try (PreparedStatement ps = conn.prepareStatement("INSERT INTO orders (name) VALUES (?)", new String[] {"id"})) {
      ps.setString(1, "named key");
      out.println("returning count " + ps.executeUpdate());
      try (ResultSet keys = ps.getGeneratedKeys()) {
        while (keys.next()) out.println("returning id " + keys.getInt(1) + "|" + keys.getMetaData().getColumnCount());
      }
    }
  }

  /** Rows the API refuses (422, 409): SQLState, the connection still usable; a batch stopped half-way. */
  private static void refused(Connection conn) throws Exception {
    try (PreparedStatement ps = conn.prepareStatement("INSERT INTO orders (name) VALUES (?)")) {
      for (String name : new String[] {"reject", "conflict"}) {
        ps.setString(1, name);
        try {
          out.println("refused none " + ps.executeUpdate());
        } catch (SQLException e) {
          out.println("refused " + name + " " + e.getSQLState());
        }
        selectOne(conn, "refused");
      }
      ps.setString(1, "accepted");
      out.println("refused accepted " + ps.executeUpdate());
      for (String name : new String[] {"batch a", "reject", "batch c"}) {
        ps.setString(1, name);
        ps.addBatch();
      }
      try {
        out.println("refused batch none " + Arrays.toString(ps.executeBatch()));
      } catch (BatchUpdateException e) {
        SQLException cause = e.getNextException() != null ? e.getNextException() : e;
        out.println("refused batch " + cause.getSQLState() + " " + Arrays.toString(e.getUpdateCounts()));
      }
      selectOne(conn, "refused");
    }
  }

  /** autocommit off: the write is refused (25001) before anything is sent; rollback, and autocommit works again. */
  private static void transaction(Connection conn) throws Exception {
    conn.setAutoCommit(false);
    try (PreparedStatement ps = conn.prepareStatement("INSERT INTO orders (name) VALUES (?)")) {
      ps.setString(1, "in transaction");
      try {
        out.println("transaction none " + ps.executeUpdate());
      } catch (SQLException e) {
        out.println("transaction refused " + e.getSQLState());
      }
      conn.rollback();
      selectOne(conn, "transaction");
      conn.commit();
      conn.setAutoCommit(true);
      ps.setString(1, "after autocommit");
      out.println("transaction autocommit " + ps.executeUpdate());
    }
  }

  /** autocommit off under TransactionMode=Ignore: the write is sent at once, and rollback does not undo it. */
  private static void ignored(Connection conn) throws Exception {
    conn.setAutoCommit(false);
    try (PreparedStatement ps = conn.prepareStatement("INSERT INTO orders (name) VALUES (?)")) {
      ps.setString(1, "ignored tx");
      out.println("ignored count " + ps.executeUpdate());
      await("sent");
      conn.rollback();
      out.println("ignored rolled back");
    }
    try (PreparedStatement ps = conn.prepareStatement("UPDATE orders SET status = ? WHERE id = ?")) {
      ps.setString(1, "ignored");
      ps.setInt(2, 1);
      out.println("ignored update " + ps.executeUpdate());
      conn.commit();
    }
  }
}
