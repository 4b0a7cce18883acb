package dev.meshflow.launcher;

import dev.meshflow.io.RecordSource;
import dev.meshflow.options.RunForOptions;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.StreamingOptions;
import org.joda.time.Duration;

/**
 * Worker threads for a stopping stream on the Direct runner. With {@code --runFor}, each Kafka
 * partition or Kinesis shard is read as one bundle that lasts the whole run and holds a worker
 * thread. With fewer threads than readers (the default is max(cores, 3)), the last readers start
 * only once the first have stopped: the run takes a multiple of {@code --runFor}, and a Kinesis
 * shard read that late finds the watermark already moved on by the others, so its events become
 * {@code late} dead letters. So the launcher gives the Direct runner one thread per reader on top
 * of its usual ones, unless {@code --targetParallelism} is given.
 */
public final class ReaderThreads {
  private ReaderThreads() {}

  /** {@code launch}, plus {@code --targetParallelism} where the run needs more threads. */
  public static List<String> forReaders(List<String> launch, PipelineOptions options,
      RecordSource input, Duration timeout, PrintStream out) {
    boolean stoppingStream = options.as(StreamingOptions.class).isStreaming()
        && options instanceof RunForOptions && !((RunForOptions) options).getRunFor().isEmpty();
    if (input == null || !stoppingStream || !RunnerDefaults.runnerOf(launch).equals("direct")
        || RunnerDefaults.isGiven(launch, "targetParallelism")) {
      return launch;
    }
    int readers = input.readers(timeout);
    if (readers == 0) {
      return launch;
    }
    int threads = readers + Math.max(3, Runtime.getRuntime().availableProcessors());
    out.println("meshflow: " + readers + " partitions or shards, each read for the whole run:"
        + " --targetParallelism=" + threads + " so that the Direct runner reads them side by side");
    List<String> more = new ArrayList<>(launch);
    more.add("--targetParallelism=" + threads);
    return more;
  }
}
