package dev.meshflow.io.file;

import dev.meshflow.io.DatasetName;
import dev.meshflow.io.EndpointUri;
import dev.meshflow.io.SinkRejects;
import dev.meshflow.io.TableSink;
import java.util.List;
import java.util.Set;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.schemas.SchemaCoder;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;

/**
 * {@code file:<dir>?bufferSize=MB&bufferInterval=S}: Firehose-style delivery of each table as
 * JSON-lines files under {@code <dir>/<table>/yyyy/MM/dd/HH/} (the hour a buffer opened, UTC).
 * A file is closed when its buffer reaches {@code bufferSize} megabytes or has been open for
 * {@code bufferInterval} seconds, whichever comes first, and at the end of the input. Files are
 * written under a hidden temporary name and renamed when complete, so readers never see a partial
 * file and a clean stop leaves no temporary file. Names carry no ':'. Rows are appended, not
 * upserted: consumers deduplicate by the key columns.
 */
public final class FileSink implements TableSink {
  public static final String SCHEME = "file";
  public static final Set<String> PARAMS = Set.of("bufferSize", "bufferInterval", "shards");

  private final String dir;
  private final long bufferBytes;
  private final Duration bufferInterval;
  private final int shards;

  private FileSink(String dir, long bufferBytes, Duration bufferInterval, int shards) {
    this.dir = dir;
    this.bufferBytes = bufferBytes;
    this.bufferInterval = bufferInterval;
    this.shards = shards;
  }

  public static FileSink from(EndpointUri uri) {
    uri.requireOnly(PARAMS);
    String dir = uri.body().startsWith("//") ? uri.body().substring(2) : uri.body();
    if (dir.isBlank()) {
      throw new IllegalArgumentException(uri + ": no folder; use file:<dir>?bufferSize=5&bufferInterval=300");
    }
    double megabytes;
    try {
      megabytes = Double.parseDouble(uri.params().getOrDefault("bufferSize", "5"));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(uri + ": bufferSize is megabytes, e.g. 5 or 0.5");
    }
    if (!(megabytes > 0 && megabytes <= 1024)) {
      throw new IllegalArgumentException(uri + ": bufferSize must be above 0 and at most 1024 (MB)");
    }
    return new FileSink(dir, (long) (megabytes * 1024 * 1024),
        Duration.standardSeconds(uri.longParam("bufferInterval", 300, 1, 86_400)),
        (int) uri.longParam("shards", 2, 1, 1024));
  }

  @Override
  public PTransform<PCollection<Row>, PCollection<Row>> upsert(String table, List<String> keyColumns) {
    String tableDir = dir + "/" + dev.meshflow.io.sql.RowSql.identifier(table);
    return new PTransform<>() {
      @Override
      public PCollection<Row> expand(PCollection<Row> rows) {
        int n = shards;
        return rows
            // Buffers live per key and window; one global window lets a buffer span the input.
            .apply("Unwindowed_" + table, Window.<Row>into(new GlobalWindows())
                .triggering(DefaultTrigger.of()).discardingFiredPanes()
                .withAllowedLateness(Duration.ZERO))
            .apply("Shard_" + table, WithKeys.of((Row r) -> Math.floorMod(r.hashCode(), n))
                .withKeyType(TypeDescriptors.integers()))
            .setCoder(KvCoder.of(VarIntCoder.of(), SchemaCoder.of(rows.getSchema())))
            .apply("Buffer_" + table,
                ParDo.of(new BufferedFileWriterFn(table, tableDir, bufferBytes, bufferInterval)))
            .setRowSchema(SinkRejects.SCHEMA);
      }
    };
  }

  @Override
  public DatasetName dataset(String table) {
    return new DatasetName("file", tableDir(table));
  }

  @Override
  public String describe() {
    return "JSON-lines files under " + dir + "/<table>/yyyy/MM/dd/HH/";
  }

  /** The folder the files of {@code table} go to. */
  public String tableDir(String table) {
    return dir + "/" + table;
  }
}
