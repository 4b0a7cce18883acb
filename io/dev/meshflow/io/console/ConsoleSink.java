package dev.meshflow.io.console;

import dev.meshflow.core.RunMetrics;
import dev.meshflow.io.EndpointUri;
import dev.meshflow.io.SinkRejects;
import dev.meshflow.io.TableSink;
import java.util.List;
import java.util.Set;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;

/** {@code console:}: prints each row as {@code table {column=value, ...}}, one per line. */
public final class ConsoleSink implements TableSink {
  public static final String SCHEME = "console";

  public static ConsoleSink from(EndpointUri uri) {
    uri.requireOnly(Set.of());
    return new ConsoleSink();
  }

  @Override
  public PTransform<PCollection<Row>, PCollection<Row>> upsert(String table, List<String> keyColumns) {
    return new PTransform<>() {
      @Override
      public PCollection<Row> expand(PCollection<Row> rows) {
        return rows.apply("Print_" + table, ParDo.of(new PrintFn(table)))
            .setRowSchema(SinkRejects.SCHEMA); // standard output refuses nothing
      }
    };
  }

  @Override
  public String describe() {
    return "standard output";
  }

  private static final class PrintFn extends DoFn<Row, Row> {
    private final String table;
    private final RunMetrics.StageCounter written;

    PrintFn(String table) {
      this.table = table;
      this.written = RunMetrics.counter(RunMetrics.rowsWritten(table));
    }

    @ProcessElement
    public void process(@Element Row row) {
      StringBuilder line = new StringBuilder(table).append(" {");
      for (int i = 0; i < row.getFieldCount(); i++) {
        Object v = row.getValue(i);
        line.append(i == 0 ? "" : ", ").append(row.getSchema().getField(i).getName()).append('=')
            .append(v instanceof byte[] ? ((byte[]) v).length + " bytes" : v);
      }
      System.out.println(line.append('}'));
      written.inc();
    }
  }
}
