package dev.meshflow.io.duckdb;

import dev.meshflow.io.sql.BufferedUpsertFn;
import java.sql.SQLException;
import java.util.List;
import org.apache.beam.sdk.values.Row;

/**
 * Upserts each batch through {@link DuckDbStaging}, in one transaction. Writes to one database are
 * serialised, since DuckDB admits one writer.
 */
final class DuckDbUpsertFn extends BufferedUpsertFn {
  static final int FLUSH_ROWS = 20_000;

  private final String file;

  DuckDbUpsertFn(String file, String table, List<String> keys, boolean insertOnly) {
    super(table, keys, insertOnly, FLUSH_ROWS);
    this.file = file;
  }

  @Override
  protected void writeBatch(List<Row> rows) throws SQLException {
    DuckDbStaging.inTransaction(file, c -> DuckDbStaging.merge(c, table, keys, rows, insertOnly));
  }

  @Override
  protected boolean isDataError(SQLException e) {
    return DuckDbErrors.isDataError(e);
  }
}
