package dev.meshflow.io.stream;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.io.UnboundedSource;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.runners.TransformHierarchy;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * An unbounded source that stops reading once it has run for a while, or once it has caught up
 * with what was waiting when the job started: its readers then report no more records and a
 * watermark at the end of time, so every window fires its final pane, the sinks flush, and the
 * runner ends the job as DONE.
 *
 * <p>Why not Beam's {@code withMaxReadTime}: it turns the stream into a bounded read. The
 * DirectRunner then reads everything before any step sees a record (a two-minute run showed "read
 * 0" for two minutes), no window fires before the end, and event time and lateness are never
 * exercised: a test with it proves batch behaviour, not streaming. Here the job streams as it
 * would without a stop, with the same watermarks, triggers and late data.
 *
 * <p>The clock starts when the first reader of this JVM starts, so a runner's start-up does not
 * eat into the time. A record the reader has fetched but not emitted when time is up stays unread:
 * it is not in the checkpoint, so a restart reads it.
 */
public final class StoppingRead<T, C extends UnboundedSource.CheckpointMark>
    extends UnboundedSource<T, StoppingRead.Mark<C>> {
  /** When each stopping source's time is up, by source id, in this JVM. */
  private static final Map<String, Instant> DEADLINES = new ConcurrentHashMap<>();

  private final UnboundedSource<T, C> source;
  private final Duration lifetime;
  private final SerializableFunction<CheckpointMark, Boolean> caughtUp;
  private final String id;
  /** A split that reads nothing and is done at once: it only gives a reader without one a split. */
  private final boolean padding;

  private StoppingRead(UnboundedSource<T, C> source, Duration lifetime,
      SerializableFunction<CheckpointMark, Boolean> caughtUp, String id, boolean padding) {
    this.source = source;
    this.lifetime = lifetime;
    this.caughtUp = caughtUp;
    this.id = id;
    this.padding = padding;
  }

  /**
   * Whether the runner ends a job whose sources all reached the end of time. The SparkRunner's
   * streaming mode runs until it is stopped, so there a stopping stream stays Beam's bounded read.
   */
  public static boolean endsJobs(PipelineOptions options) {
    return !options.getRunner().getSimpleName().equals("SparkRunner");
  }

  /**
   * {@code read} stopping after {@code lifetime}: still streaming where the runner ends such a job,
   * else the IO's own bounded read for that long ({@code boundedFor}, e.g. {@code withMaxReadTime}).
   */
  public static <T> PTransform<PBegin, PCollection<T>> after(Duration lifetime,
      PTransform<PBegin, PCollection<T>> read,
      Function<Duration, PTransform<PBegin, PCollection<T>>> boundedFor,
      PipelineOptions options) {
    return endsJobs(options) ? of(read, options, lifetime, null) : boundedFor.apply(lifetime);
  }

  /**
   * {@code read} (a transform that reads an {@link UnboundedSource}, such as KafkaIO's or
   * KinesisIO's legacy read) as a read that stops after {@code lifetime} (null: no limit) or, where
   * {@code caughtUp} is given, once a reader finds nothing to read and {@code caughtUp} says its
   * checkpoint has reached the end of what it was to read.
   */
  public static <T> PTransform<PBegin, PCollection<T>> of(PTransform<PBegin, PCollection<T>> read,
      PipelineOptions options, Duration lifetime,
      SerializableFunction<CheckpointMark, Boolean> caughtUp) {
    if (lifetime == null && caughtUp == null) {
      throw new IllegalArgumentException("a stopping read needs a lifetime or a caught-up test");
    }
    return Read.from(wrap(sourceOf(read, options), lifetime, caughtUp));
  }

  private static <T, C extends UnboundedSource.CheckpointMark> StoppingRead<T, C> wrap(
      UnboundedSource<T, C> source, Duration lifetime,
      SerializableFunction<CheckpointMark, Boolean> caughtUp) {
    return new StoppingRead<>(source, lifetime, caughtUp, UUID.randomUUID().toString(), false);
  }

  /** The unbounded source that {@code read} expands to, found by expanding it aside. */
  @SuppressWarnings("unchecked")
  static <T> UnboundedSource<T, ?> sourceOf(PTransform<PBegin, PCollection<T>> read,
      PipelineOptions options) {
    Pipeline aside = Pipeline.create(options);
    aside.apply(read);
    List<UnboundedSource<?, ?>> found = new ArrayList<>();
    aside.traverseTopologically(new Pipeline.PipelineVisitor.Defaults() {
      @Override
      public CompositeBehavior enterCompositeTransform(TransformHierarchy.Node node) {
        if (node.getTransform() instanceof Read.Unbounded) {
          found.add(((Read.Unbounded<?>) node.getTransform()).getSource());
          return CompositeBehavior.DO_NOT_ENTER_TRANSFORM;
        }
        return CompositeBehavior.ENTER_TRANSFORM;
      }

      @Override
      public void visitPrimitiveTransform(TransformHierarchy.Node node) {
        // Read.Unbounded is a primitive where the deprecated read is asked for.
        if (node.getTransform() instanceof Read.Unbounded) {
          found.add(((Read.Unbounded<?>) node.getTransform()).getSource());
        }
      }
    });
    if (found.size() != 1) {
      throw new IllegalStateException(read.getName() + " reads " + found.size()
          + " unbounded sources; a stopping read needs exactly one");
    }
    return (UnboundedSource<T, ?>) found.get(0);
  }

  private Instant deadline() {
    return DEADLINES.computeIfAbsent(id, k -> Instant.now().plus(lifetime));
  }

  /**
   * The wrapped source's splits, and on Flink as many more that read nothing as it takes to give
   * each of the runner's readers one. FlinkRunner 2.70's split enumerator tells a reader without a
   * split that none will come only if the reader registers after the splits were made; one that
   * registered first waits for ever, and the job never ends (a Kinesis stream of one shard read
   * at parallelism 2 hung a test for 10 minutes, now and then, in CI).
   */
  @Override
  public List<StoppingRead<T, C>> split(int desiredNumSplits, PipelineOptions options)
      throws Exception {
    if (padding) {
      return List.of(this);
    }
    List<StoppingRead<T, C>> splits = new ArrayList<>();
    for (UnboundedSource<T, C> split : source.split(desiredNumSplits, options)) {
      splits.add(new StoppingRead<>(split, lifetime, caughtUp, id, false));
    }
    if (options.getRunner().getSimpleName().equals("FlinkRunner")) {
      while (splits.size() < desiredNumSplits) {
        splits.add(new StoppingRead<>(source, lifetime, caughtUp, id, true));
      }
    }
    return splits;
  }

  @Override
  public UnboundedReader<T> createReader(PipelineOptions options, Mark<C> checkpoint)
      throws IOException {
    if (padding) {
      return new NothingToRead();
    }
    C restored = checkpoint == null ? null : checkpoint.inner;
    return new Reader(source.createReader(options, restored), restored,
        options.getRunner().getSimpleName().equals("DirectRunner"));
  }

  @Override
  public Coder<Mark<C>> getCheckpointMarkCoder() {
    return new MarkCoder<>(source.getCheckpointMarkCoder());
  }

  /**
   * The wrapped source's checkpoint, or none. A reader created after time was up never starts the
   * wrapped reader, and some sources cannot encode the mark of a reader that never started (the
   * generator's counting source: "cannot encode a null Instant", which failed Flink's checkpoint of
   * a fleet-alerts run whose second reader opened after its stop). Such a reader keeps the
   * checkpoint it was restored from, which may be none: it has read nothing.
   */
  public static final class Mark<C extends UnboundedSource.CheckpointMark>
      implements UnboundedSource.CheckpointMark {
    final C inner;

    Mark(C inner) {
      this.inner = inner;
    }

    @Override
    public void finalizeCheckpoint() throws IOException {
      if (inner != null) {
        inner.finalizeCheckpoint();
      }
    }
  }

  /** Generic over the wrapped source's checkpoint, which a schema cannot be inferred for. */
  private static final class MarkCoder<C extends UnboundedSource.CheckpointMark>
      extends org.apache.beam.sdk.coders.StructuredCoder<Mark<C>> {
    private final Coder<C> inner;

    MarkCoder(Coder<C> inner) {
      this.inner = org.apache.beam.sdk.coders.NullableCoder.of(inner);
    }

    @Override
    public void encode(Mark<C> mark, java.io.OutputStream out) throws IOException {
      inner.encode(mark.inner, out);
    }

    @Override
    public Mark<C> decode(java.io.InputStream in) throws IOException {
      return new Mark<>(inner.decode(in));
    }

    @Override
    public List<? extends Coder<?>> getCoderArguments() {
      return List.of(inner);
    }

    @Override
    public void verifyDeterministic() throws NonDeterministicException {
      inner.verifyDeterministic();
    }
  }

  @Override
  public boolean requiresDeduping() {
    return source.requiresDeduping();
  }

  @Override
  public Coder<T> getOutputCoder() {
    return source.getOutputCoder();
  }

  private final class Reader extends UnboundedReader<T> {
    private final UnboundedReader<T> reader;
    /** No more records will be taken. */
    private boolean stopped;
    /**
     * The runner asked again after the stop, so it has taken the checkpoint that covers the last
     * record: only now does the watermark jump to the end of time. The DirectRunner never comes
     * back to a reader whose watermark has ended, so ending at once would leave the last records'
     * offsets uncommitted.
     */
    private boolean finished;

    /**
     * The DirectRunner finalizes the last checkpoint through the reader that took it, and that
     * reader may have been closed and replaced since (it replaces one in twenty at random): the
     * last offsets were then never committed (8 of a topic's in one test run). Here the replacing
     * reader commits them as it closes. Only on Direct, where a finished reader proves the runner
     * has committed the output of that checkpoint.
     */
    private final boolean commitOnClose;
    /** Whether the wrapped reader was started: one that never was has nothing to commit. */
    private boolean started;
    /** The checkpoint this reader resumed from (null: none), its mark until it starts. */
    private final C restored;

    Reader(UnboundedReader<T> reader, C restored, boolean commitOnClose) {
      this.reader = reader;
      this.restored = restored;
      this.commitOnClose = commitOnClose;
    }

    /** Once time is up, no record is taken from the wrapped reader any more. */
    private boolean timeIsUp() {
      if (stopped) {
        finished = true;
      } else if (lifetime != null && timeIsPast(deadline())) {
        stopped = true;
      }
      return stopped;
    }

    /**
     * The deadline is read before the clock: the first reader sets it to now + lifetime, so reading
     * the clock first made a zero lifetime a race that a slow millisecond lost (CI saw it).
     */
    private boolean timeIsPast(Instant deadline) {
      return !Instant.now().isBefore(deadline);
    }

    /** After the wrapped reader found nothing: whether it has read all it was to read. */
    private boolean found(boolean record) {
      if (!record && caughtUp != null && caughtUp.apply(reader.getCheckpointMark())) {
        stopped = true;
      }
      return record;
    }

    @Override
    public boolean start() throws IOException {
      if (timeIsUp()) {
        // Opened after the stop: the wrapped reader never starts, so nothing may be asked of it
        // (KinesisIO's reader has no shard pool before start; its watermark threw an NPE on a
        // busy Direct run). This reader is done.
        finished = true;
        return false;
      }
      started = true;
      return found(reader.start());
    }

    @Override
    public boolean advance() throws IOException {
      return !timeIsUp() && found(reader.advance());
    }

    @Override
    public T getCurrent() throws NoSuchElementException {
      return reader.getCurrent();
    }

    @Override
    public Instant getCurrentTimestamp() throws NoSuchElementException {
      return reader.getCurrentTimestamp();
    }

    @Override
    public byte[] getCurrentRecordId() throws NoSuchElementException {
      return reader.getCurrentRecordId();
    }

    @Override
    public Instant getWatermark() {
      return finished ? BoundedWindow.TIMESTAMP_MAX_VALUE : reader.getWatermark();
    }

    @Override
    @SuppressWarnings("unchecked") // the wrapped reader's mark is its source's C
    public CheckpointMark getCheckpointMark() {
      return new Mark<>(started ? (C) reader.getCheckpointMark() : restored);
    }

    @Override
    public long getSplitBacklogBytes() {
      return finished ? 0 : reader.getSplitBacklogBytes();
    }

    @Override
    public long getTotalBacklogBytes() {
      return finished ? 0 : reader.getTotalBacklogBytes();
    }

    @Override
    public UnboundedSource<T, ?> getCurrentSource() {
      return StoppingRead.this;
    }

    @Override
    public void close() throws IOException {
      if (finished && started && commitOnClose) {
        reader.getCheckpointMark().finalizeCheckpoint();
      }
      reader.close();
    }
  }

  /** The reader of a padding split: no record, and the end of time at once. */
  private final class NothingToRead extends UnboundedReader<T> {
    @Override
    public boolean start() {
      return false;
    }

    @Override
    public boolean advance() {
      return false;
    }

    @Override
    public T getCurrent() throws NoSuchElementException {
      throw new NoSuchElementException("a padding split reads nothing");
    }

    @Override
    public Instant getCurrentTimestamp() throws NoSuchElementException {
      throw new NoSuchElementException("a padding split reads nothing");
    }

    @Override
    public Instant getWatermark() {
      return BoundedWindow.TIMESTAMP_MAX_VALUE;
    }

    @Override
    public CheckpointMark getCheckpointMark() {
      return new Mark<C>(null);
    }

    @Override
    public UnboundedSource<T, ?> getCurrentSource() {
      return StoppingRead.this;
    }

    @Override
    public void close() {}
  }
}
