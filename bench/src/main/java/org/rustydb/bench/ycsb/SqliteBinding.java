package org.rustydb.bench.ycsb;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * SQLite (sqlite-jdbc) binding: table {@code usertable(k TEXT PRIMARY KEY, v BLOB) WITHOUT ROWID} in WAL
 * journal mode, one connection per client thread (SQLite connections are not shared between threads), every
 * statement auto-committed. {@code nosync} is {@code synchronous=NORMAL} (WAL appended, fsynced only at
 * checkpoints), {@code sync} is {@code synchronous=FULL} (WAL fsynced at every commit). The cache budget is
 * split evenly over the connections' {@code cache_size}.
 */
public final class SqliteBinding extends KvBinding {

  @Override
  protected KvStore open(StoreSettings s) throws SQLException {
    return new Store(s);
  }

  private static final class Store implements KvStore {
    private final String url;
    private final StoreSettings settings;
    private final List<Connection> all = new ArrayList<>();
    private final ThreadLocal<Conn> local = new ThreadLocal<>();

    private record Conn(Connection c, PreparedStatement get, PreparedStatement put, PreparedStatement del,
        PreparedStatement scan) {}

    Store(StoreSettings s) throws SQLException {
      settings = s;
      url = "jdbc:sqlite:" + s.dir().resolve("data.db");
      try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
        st.execute("PRAGMA journal_mode=WAL");
        st.execute("CREATE TABLE IF NOT EXISTS usertable (k TEXT PRIMARY KEY, v BLOB) WITHOUT ROWID");
      }
    }

    private Conn conn() {
      Conn c = local.get();
      if (c != null) return c;
      try {
        Connection con = DriverManager.getConnection(url);
        try (Statement st = con.createStatement()) {
          st.execute("PRAGMA synchronous=" + (settings.durability() == YcsbDurability.SYNC ? "FULL" : "NORMAL"));
          // Negative cache_size is in KiB.
          st.execute("PRAGMA cache_size=-" + Math.max(1, settings.cacheMb() * 1024L / settings.threads()));
          st.execute("PRAGMA busy_timeout=60000");
        }
        c = new Conn(con, con.prepareStatement("SELECT v FROM usertable WHERE k = ?"),
            con.prepareStatement("INSERT OR REPLACE INTO usertable (k, v) VALUES (?, ?)"),
            con.prepareStatement("DELETE FROM usertable WHERE k = ?"),
            con.prepareStatement("SELECT v FROM usertable WHERE k >= ? ORDER BY k LIMIT ?"));
        synchronized (all) {
          all.add(con);
        }
        local.set(c);
        return c;
      } catch (SQLException e) {
        throw new IllegalStateException("sqlite connect: " + e.getMessage(), e);
      }
    }

    @Override
    public byte[] get(String key) {
      Conn c = conn();
      try {
        c.get().setString(1, key);
        try (ResultSet rs = c.get().executeQuery()) {
          return rs.next() ? rs.getBytes(1) : null;
        }
      } catch (SQLException e) {
        throw new IllegalStateException("sqlite get: " + e.getMessage(), e);
      }
    }

    @Override
    public void put(String key, byte[] value) {
      Conn c = conn();
      try {
        c.put().setString(1, key);
        c.put().setBytes(2, value);
        c.put().executeUpdate();
      } catch (SQLException e) {
        throw new IllegalStateException("sqlite put: " + e.getMessage(), e);
      }
    }

    @Override
    public boolean delete(String key) {
      Conn c = conn();
      try {
        c.del().setString(1, key);
        return c.del().executeUpdate() > 0;
      } catch (SQLException e) {
        throw new IllegalStateException("sqlite delete: " + e.getMessage(), e);
      }
    }

    @Override
    public void scan(String startKey, int count, ValueVisitor visitor) {
      Conn c = conn();
      try {
        c.scan().setString(1, startKey);
        c.scan().setInt(2, count);
        try (ResultSet rs = c.scan().executeQuery()) {
          while (rs.next()) visitor.accept(rs.getBytes(1));
        }
      } catch (SQLException e) {
        throw new IllegalStateException("sqlite scan: " + e.getMessage(), e);
      }
    }

    @Override
    public void close() {
      SQLException first = null;
      synchronized (all) {
        for (Connection c : all) {
          try {
            c.close();
          } catch (SQLException e) {
            if (first == null) first = e;
          }
        }
        all.clear();
      }
      if (first != null) throw new IllegalStateException("sqlite close: " + first.getMessage(), first);
    }
  }
}
