package dev.meshflow.benchmarks.nativeflink;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * The native jobs' sink: runs the job, collects its rows and its dead letters' origins to the
 * client (DuckDB takes one writer per file) and appends them with DuckDB's Appender; prints
 * {@code rows N dead_letters M}.
 */
final class CollectIntoDuckDb {
  /** One row's columns, appended in the table's order. */
  interface RowWriter<R> {
    void append(DuckDBAppender out, R row) throws SQLException;
  }

  private CollectIntoDuckDb() {}

  static <R> void run(String jobName, DataStream<R> rows, Class<R> type, DataStream<String> dead, String db,
      String table, String createTable, RowWriter<R> writer) throws Exception {
    long rowCount = 0;
    long deadLetters = 0;
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db);
        Statement s = c.createStatement()) {
      s.execute(createTable);
      s.execute("CREATE OR REPLACE TABLE dead_letter (origin VARCHAR)");
      // Both outputs from one job.
      DataStream<Object> both = rows.map(r -> (Object) r).returns(Object.class)
          .union(dead.map(d -> (Object) d).returns(Object.class));
      try (DuckDBAppender rowsOut = ((DuckDBConnection) c).createAppender(DuckDBConnection.DEFAULT_SCHEMA, table);
          DuckDBAppender deadOut = ((DuckDBConnection) c).createAppender(DuckDBConnection.DEFAULT_SCHEMA, "dead_letter");
          var results = both.executeAndCollect(jobName)) {
        while (results.hasNext()) {
          Object o = results.next();
          if (type.isInstance(o)) {
            rowsOut.beginRow();
            writer.append(rowsOut, type.cast(o));
            rowsOut.endRow();
            rowCount++;
          } else {
            deadOut.beginRow();
            deadOut.append((String) o);
            deadOut.endRow();
            deadLetters++;
          }
        }
      }
    }
    System.out.println("rows " + rowCount + " dead_letters " + deadLetters);
  }

  static LocalDateTime utc(long millis) {
    return LocalDateTime.ofEpochSecond(Math.floorDiv(millis, 1000), (int) Math.floorMod(millis, 1000) * 1_000_000,
        ZoneOffset.UTC);
  }
}
