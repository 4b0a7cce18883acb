package dev.meshflow.pipelines.ingest;

import dev.meshflow.io.file.LandingFiles;
import dev.meshflow.options.GovernanceOptions;
import dev.meshflow.options.LauncherOptions;
import dev.meshflow.options.MicroBatchOptions;
import dev.meshflow.options.RunForOptions;
import dev.meshflow.options.SinkOptions;
import dev.meshflow.pipelines.MeshflowPipeline;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.IterableCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.options.StreamingOptions;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.GroupIntoBatches;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;

/**
 * Micro-batch file loading: landed files are loaded into {@code interactions} in one bulk,
 * transactional operation per batch, with a {@code loaded_files} ledger so that each file loads
 * exactly once across restarts.
 *
 * <p>Steps:
 *
 * <ol>
 *   <li>List the landing folder (once in batch; watched with {@code --streaming}).
 *   <li>Batch the paths: in streaming every {@code --batchInterval}, or at once when {@code
 *       --batchFiles} wait; in batch, the listing in chunks of {@code --batchFiles}.
 *   <li>Per batch: skip files the ledger holds, report changed ones, parse the new ones, and bulk
 *       load rows, dead letters and ledger entries in one transaction.
 * </ol>
 */
public final class MicroBatchLoadPipeline {
  public static final String NAME = "micro-batch-load";
  public static final String DESCRIPTION =
      "Landed JSON-lines files into the warehouse in bulk micro-batches, each file exactly once";

  /** Every option this pipeline reads. */
  public interface Options extends GovernanceOptions, MicroBatchOptions, SinkOptions, RunForOptions, LauncherOptions,
      StreamingOptions {}

  /** The launcher's view of this pipeline. */
  public static final MeshflowPipeline<Options, MicroBatchLoadSpec> PIPELINE =
      MeshflowPipeline.builder(NAME, DESCRIPTION, Options.class, MicroBatchLoadSpec::of)
          .domain("analytics")
          .steps(MicroBatchLoadPipeline::build)
          .exampleQuery("SELECT path, rows, loaded_at FROM loaded_files ORDER BY loaded_at DESC "
              + "LIMIT 10")
          .build();

  private MicroBatchLoadPipeline() {}

  /** Reads the options, then builds the pipeline and starts it; does not wait for it to finish. */
  public static PipelineResult run(Options options) {
    return PIPELINE.run(options);
  }

  static void build(Pipeline pipeline, MicroBatchLoadSpec spec) {
    pipeline
        .apply("ListLanding", spec.streaming()
            ? LandingFiles.watched(spec.landing(), spec.pollInterval(), spec.runFor())
            : LandingFiles.once(spec.landing()))
        // One key, so a batch gathers files from the whole folder. Batches may still load
        // concurrently; the ledger's primary key, written in each batch's transaction, keeps every
        // file loaded once (a losing batch fails, is retried, and finds the file loaded).
        .apply("OneLoadQueue", WithKeys.of("landing"))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()))
        .apply("BatchFiles", batches(spec))
        .apply("LoadBatch", ParDo.of(new LoadMicroBatchFn(spec.loader())));
  }

  /** Streaming: every --batchInterval, or once --batchFiles wait. Batch: the listing in chunks. */
  private static PTransform<PCollection<KV<String, String>>, PCollection<KV<String, Iterable<String>>>> batches(
      MicroBatchLoadSpec spec) {
    if (spec.streaming()) {
      return GroupIntoBatches.<String, String>ofSize(spec.batchFiles())
          .withMaxBufferingDuration(spec.batchInterval());
    }
    int size = spec.batchFiles();
    return new PTransform<>() {
      @Override
      public PCollection<KV<String, Iterable<String>>> expand(PCollection<KV<String, String>> paths) {
        return paths.apply("WholeListing", GroupByKey.create())
            .apply("InChunks", ParDo.of(new BatchFilesFn(size)))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), IterableCoder.of(StringUtf8Coder.of())));
      }
    };
  }
}
