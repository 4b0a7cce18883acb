package dev.meshflow.io.sql;

import dev.meshflow.io.BulkLoader;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The {@code loaded_files} ledger, the same in DuckDB and PostgreSQL. */
public final class LedgerAccess {
  private LedgerAccess() {}

  public static void create(Connection c) throws SQLException {
    try {
      RowSql.execute(c, "CREATE TABLE IF NOT EXISTS " + BulkLoader.LEDGER + " (path VARCHAR PRIMARY KEY,"
          + " size BIGINT NOT NULL, checksum VARCHAR NOT NULL, rows BIGINT NOT NULL,"
          + " loaded_at TIMESTAMP NOT NULL)");
    } catch (SQLException e) {
      // Another session created it at the same moment (see CatalogRace).
      if (!CatalogRace.lost(e)) {
        throw e;
      }
    }
  }

  public static Map<String, String> checksums(Connection c, List<String> paths) throws SQLException {
    create(c);
    Map<String, String> out = new HashMap<>();
    try (PreparedStatement st = c.prepareStatement(
        "SELECT checksum FROM " + BulkLoader.LEDGER + " WHERE path = ?")) {
      for (String p : paths) {
        st.setString(1, p);
        try (ResultSet rs = st.executeQuery()) {
          if (rs.next()) {
            out.put(p, rs.getString(1));
          }
        }
      }
    }
    return out;
  }

  public static void record(Connection c, List<BulkLoader.LoadedFile> files) throws SQLException {
    create(c);
    try (PreparedStatement st = c.prepareStatement("INSERT INTO " + BulkLoader.LEDGER
        + " (path, size, checksum, rows, loaded_at) VALUES (?, ?, ?, ?, ?)")) {
      for (BulkLoader.LoadedFile f : files) {
        st.setString(1, f.path);
        st.setLong(2, f.size);
        st.setString(3, f.sha256);
        st.setLong(4, f.rows);
        st.setObject(5, RowSql.utc(System.currentTimeMillis()));
        st.addBatch();
      }
      st.executeBatch();
    }
  }
}
