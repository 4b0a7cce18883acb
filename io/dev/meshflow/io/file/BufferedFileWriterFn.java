package dev.meshflow.io.file;

import dev.meshflow.core.RunMetrics;
import dev.meshflow.io.RowJson;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.UUID;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResolveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.state.BagState;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Duration;

/**
 * Buffers one shard's rows in state, already rendered as JSON lines (each row is rendered once, and
 * the buffer's size is the size of the file it becomes), and writes them as one file when the
 * buffer reaches its size, when its interval (processing time) has passed since it opened, or when
 * the input ends.
 */
final class BufferedFileWriterFn extends DoFn<KV<Integer, Row>, Row> {
  private static final DateTimeFormatter HOUR_PATH =
      DateTimeFormatter.ofPattern("yyyy/MM/dd/HH").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private final String table;
  private final String dir;
  private final long bufferBytes;
  private final Duration bufferInterval;
  private final RunMetrics.StageCounter written;
  private final RunMetrics.StageCounter files;

  @StateId("rows")
  private final StateSpec<BagState<byte[]>> rowsSpec = StateSpecs.bag(ByteArrayCoder.of());

  @StateId("bytes")
  private final StateSpec<ValueState<Long>> bytesSpec = StateSpecs.value(VarLongCoder.of());

  @StateId("openedAt")
  private final StateSpec<ValueState<Long>> openedSpec = StateSpecs.value(VarLongCoder.of());

  @TimerId("interval")
  private final TimerSpec intervalSpec = TimerSpecs.timer(TimeDomain.PROCESSING_TIME);

  @TimerId("endOfInput")
  private final TimerSpec endSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

  BufferedFileWriterFn(String table, String dir, long bufferBytes, Duration bufferInterval) {
    this.table = table;
    this.dir = dir;
    this.bufferBytes = bufferBytes;
    this.bufferInterval = bufferInterval;
    this.written = RunMetrics.counter(RunMetrics.rowsWritten(table));
    this.files = RunMetrics.counter("files_written." + table);
  }

  @ProcessElement
  public void process(@Element KV<Integer, Row> element, @StateId("rows") BagState<byte[]> rows,
      @StateId("bytes") ValueState<Long> bytes, @StateId("openedAt") ValueState<Long> openedAt,
      @TimerId("interval") Timer interval, @TimerId("endOfInput") Timer endOfInput) throws IOException {
    if (openedAt.read() == null) {
      openedAt.write(System.currentTimeMillis());
      interval.offset(bufferInterval).setRelative();
      endOfInput.set(GlobalWindow.INSTANCE.maxTimestamp());
    }
    byte[] line = RowJson.toJson(element.getValue());
    rows.add(line);
    long size = (bytes.read() == null ? 0 : bytes.read()) + line.length + 1;
    bytes.write(size);
    if (size >= bufferBytes) {
      flush(element.getKey(), rows, bytes, openedAt);
    }
  }

  @OnTimer("interval")
  public void onInterval(@Key Integer shard, @StateId("rows") BagState<byte[]> rows,
      @StateId("bytes") ValueState<Long> bytes, @StateId("openedAt") ValueState<Long> openedAt)
      throws IOException {
    flush(shard, rows, bytes, openedAt);
  }

  @OnTimer("endOfInput")
  public void onEnd(@Key Integer shard, @StateId("rows") BagState<byte[]> rows,
      @StateId("bytes") ValueState<Long> bytes, @StateId("openedAt") ValueState<Long> openedAt)
      throws IOException {
    flush(shard, rows, bytes, openedAt);
  }

  private void flush(int shard, BagState<byte[]> rows, ValueState<Long> bytes, ValueState<Long> openedAt)
      throws IOException {
    Long opened = openedAt.read();
    if (opened == null) {
      return;
    }
    java.time.Instant at = java.time.Instant.ofEpochMilli(opened);
    String name = table + "-" + STAMP.format(at) + "-" + shard + "-" + UUID.randomUUID().toString().substring(0, 8)
        + ".jsonl";
    ResourceId folder = FileSystems.matchNewResource(dir + "/" + HOUR_PATH.format(at), true);
    ResourceId temp = folder.resolve("." + name + ".tmp", ResolveOptions.StandardResolveOptions.RESOLVE_FILE);
    ResourceId target = folder.resolve(name, ResolveOptions.StandardResolveOptions.RESOLVE_FILE);
    long count = 0;
    try (OutputStream out = Channels.newOutputStream(FileSystems.create(temp, "application/jsonl"))) {
      for (byte[] line : rows.read()) {
        out.write(line);
        out.write('\n');
        count++;
      }
    }
    FileSystems.rename(java.util.List.of(temp), java.util.List.of(target),
        MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
    rows.clear();
    bytes.clear();
    openedAt.clear();
    written.inc(count);
    files.inc();
  }

}
