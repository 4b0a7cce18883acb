package dev.meshflow.io.file;

import dev.meshflow.io.DatasetName;
import dev.meshflow.io.EndpointUri;
import dev.meshflow.io.RecordSource;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Watch;
import org.apache.beam.sdk.transforms.errorhandling.BadRecord;
import org.apache.beam.sdk.transforms.errorhandling.ErrorHandler;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTagList;
import org.joda.time.Duration;

/**
 * {@code file:<path-or-glob>}: JSON lines, gzip allowed (by the {@code .gz} suffix). Bounded in
 * batch mode; with {@code --streaming} the pattern is polled and each new file is read once.
 * Lines are kept as raw bytes, so a line that is not valid UTF-8 reaches the dead-letter output
 * exactly as it was written.
 */
public final class FileSource implements RecordSource {
  public static final String SCHEME = "file";
  public static final Set<String> PARAMS = Set.of("pollSeconds");

  private final String pattern;
  private final boolean watch;
  private final long pollSeconds;

  private FileSource(String pattern, boolean watch, long pollSeconds) {
    this.pattern = pattern;
    this.watch = watch;
    this.pollSeconds = pollSeconds;
  }

  public static FileSource from(EndpointUri uri, boolean streaming) {
    uri.requireOnly(PARAMS);
    String pattern = uri.body().startsWith("//") ? uri.body().substring(2) : uri.body();
    if (pattern.isEmpty()) {
      throw new IllegalArgumentException(uri + ": no path; use file:<path-or-glob>");
    }
    long poll = uri.longParam("pollSeconds", 10, 1, 86_400);
    if (!streaming) {
      requireMatches(uri, pattern);
    }
    return new FileSource(pattern, streaming, poll);
  }

  private static void requireMatches(EndpointUri uri, String pattern) {
    try {
      MatchResult match = FileSystems.match(pattern, EmptyMatchTreatment.ALLOW);
      if (match.status() != MatchResult.Status.OK || match.metadata().isEmpty()) {
        throw new IllegalArgumentException(
            uri.option() + ": no file matches " + pattern
                + " (give an existing file, or a glob such as landing/*.jsonl)");
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(uri.option() + ": cannot list " + pattern + ": " + e);
    }
  }

  @Override
  public boolean isBounded() {
    return !watch;
  }

  @Override
  public List<DatasetName> datasets() {
    return List.of(new DatasetName("file", pattern));
  }

  @Override
  public String describe() {
    return "JSON lines from " + pattern + (watch ? ", watching every " + pollSeconds + " s" : "");
  }

  @Override
  public boolean mayFindUnreadableInput() {
    return true;
  }

  @Override
  public PTransform<PBegin, PCollection<KV<String, byte[]>>> read(Duration stopAfter) {
    return read(stopAfter, null);
  }

  /** With a null {@code unreadable}, a file that cannot be read fails the run, naming the file. */
  @Override
  public PTransform<PBegin, PCollection<KV<String, byte[]>>> read(
      Duration stopAfter, ErrorHandler<BadRecord, ?> unreadable) {
    return new PTransform<>() {
      @Override
      public PCollection<KV<String, byte[]>> expand(PBegin begin) {
        FileIO.Match match = FileIO.match().filepattern(pattern);
        if (watch) {
          match = match
              .withEmptyMatchTreatment(EmptyMatchTreatment.ALLOW)
              .continuously(Duration.standardSeconds(pollSeconds), stopAfter == null
                  ? Watch.Growth.never() : Watch.Growth.afterTotalOf(stopAfter));
        }
        PCollectionTuple lines = begin
            .apply("MatchFiles", match)
            .apply("OpenFiles", FileIO.readMatches().withCompression(Compression.AUTO))
            .apply("SplitLines", ParDo.of(new ReadLinesFn(unreadable != null))
                .withOutputTags(ReadLinesFn.LINES, TupleTagList.of(ReadLinesFn.UNREADABLE)));
        if (unreadable != null) {
          unreadable.addErrorCollection(
              lines.get(ReadLinesFn.UNREADABLE).setCoder(BadRecord.getCoder(begin.getPipeline())));
        }
        return lines.get(ReadLinesFn.LINES)
            .setCoder(KvCoder.of(StringUtf8Coder.of(), ByteArrayCoder.of()));
      }
    };
  }
}
