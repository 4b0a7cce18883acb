package dev.meshflow.io.duckdb;

import dev.meshflow.io.BulkLoader;
import dev.meshflow.io.sql.LedgerAccess;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.values.Row;

/** Micro-batches into DuckDB through {@link DuckDbStaging}: rows, dead letters and ledger in one transaction. */
final class DuckDbBulkLoader implements BulkLoader {
  private final String file;

  DuckDbBulkLoader(String file) {
    this.file = file;
  }

  @Override
  public Map<String, String> loadedChecksums(List<String> paths) throws SQLException {
    synchronized (DuckDbDatabases.writeLock(file)) { // the lookup may create the ledger
      try (Connection c = DuckDbDatabases.connect(file)) {
        return LedgerAccess.checksums(c, paths);
      }
    }
  }

  @Override
  public long load(String table, List<String> keys, List<Row> rows, String deadLetterTable,
      List<String> deadLetterKeys, List<Row> deadLetters, List<LoadedFile> files) throws SQLException {
    return DuckDbStaging.inTransaction(file, c -> {
      long inserted = DuckDbStaging.merge(c, table, keys, rows, true);
      DuckDbStaging.merge(c, deadLetterTable, deadLetterKeys, deadLetters, false);
      LedgerAccess.record(c, files);
      return inserted;
    });
  }

  @Override
  public void close() {}
}
