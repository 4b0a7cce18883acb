package dev.meshflow.io.duckdb;

import dev.meshflow.io.EndpointUri;
import dev.meshflow.io.TableSink;
import dev.meshflow.options.SinkOptions;
import java.util.List;
import java.util.Set;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.Row;

/**
 * {@code duckdb:<file>}: the embedded warehouse. Tables are created from the rows' schema and
 * upserted by key. A DuckDB file has one writing process, so this sink suits local runs and
 * single-node engines; clusters write to a shared warehouse sink instead.
 */
public final class DuckDbSink implements TableSink {
  public static final String SCHEME = "duckdb";
  public static final String DEFAULT_FILE = SinkOptions.DEFAULT_DUCKDB_FILE;

  private final String file;

  private DuckDbSink(String file) {
    this.file = file;
  }

  public static DuckDbSink from(EndpointUri uri) {
    uri.requireOnly(Set.of());
    String file = uri.body().startsWith("//") ? uri.body().substring(2) : uri.body();
    if (file.isBlank()) {
      throw new IllegalArgumentException(uri + ": no file; use duckdb:<path>, e.g. " + SinkOptions.DEFAULT_SINK);
    }
    return new DuckDbSink(file);
  }

  public String file() {
    return file;
  }

  @Override
  public PTransform<PCollection<Row>, PDone> upsert(String table, List<String> keyColumns) {
    List<String> keys = List.copyOf(keyColumns);
    return new PTransform<>() {
      @Override
      public PDone expand(PCollection<Row> rows) {
        rows.apply("UpsertInto_" + table, ParDo.of(new DuckDbUpsertFn(file, table, keys)));
        return PDone.in(rows.getPipeline());
      }
    };
  }

  @Override
  public String describe() {
    return "DuckDB " + DuckDbDatabases.normalize(file);
  }

  @Override
  public String lookCommand(String sql) {
    boolean isDefault = DuckDbDatabases.normalize(file).equals(DuckDbDatabases.normalize(DEFAULT_FILE));
    return "./meshflow query " + (isDefault ? "" : "--db=" + file + " ") + "\"" + sql + "\"";
  }

  @Override
  public void close() {
    DuckDbDatabases.close(file);
  }
}
