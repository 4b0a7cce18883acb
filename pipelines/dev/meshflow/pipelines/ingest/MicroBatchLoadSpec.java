package dev.meshflow.pipelines.ingest;

import dev.meshflow.io.BulkLoader;
import dev.meshflow.io.TableSink;
import dev.meshflow.io.endpoints.Endpoints;
import dev.meshflow.options.Durations;
import dev.meshflow.pipelines.Conservation;
import dev.meshflow.pipelines.RunSpec;
import dev.meshflow.transforms.ingest.InteractionsTable;
import org.joda.time.Duration;

/**
 * What {@code micro-batch-load}'s options say, read once.
 *
 * @param runFor null to run until stopped
 */
public record MicroBatchLoadSpec(String landing, TableSink sink, BulkLoader loader, boolean streaming,
    Duration runFor, Duration pollInterval, Duration batchInterval, int batchFiles) implements RunSpec {

  @Override
  public String describeInput() {
    return "landed files " + landing;
  }

  @Override
  public Conservation conservation() {
    return Conservation.rowsOf(InteractionsTable.TABLE);
  }

  /** Reads and checks the options, with messages that say how to fix them. */
  public static MicroBatchLoadSpec of(MicroBatchLoadPipeline.Options options) {
    Duration batchInterval = Durations.parse("batchInterval", options.getBatchInterval());
    Duration pollInterval = Durations.parse("pollInterval", options.getPollInterval());
    if (options.getBatchFiles() < 1) {
      throw new IllegalArgumentException("--batchFiles must be at least 1");
    }
    Duration runFor = Durations.lifetime(options, options.isStreaming());
    TableSink sink = Endpoints.sink(options.getSink());
    // Fails with a clear message where the sink cannot load batches.
    return new MicroBatchLoadSpec(options.getLanding(), sink, sink.bulkLoader(), options.isStreaming(),
        runFor, pollInterval, batchInterval, options.getBatchFiles());
  }
}
