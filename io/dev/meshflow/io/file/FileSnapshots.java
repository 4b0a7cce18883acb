package dev.meshflow.io.file;

import dev.meshflow.io.Ticker;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.AfterPane;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Repeatedly;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * A small reference file (a catalog, say) as whole-file snapshots of its lines: read once in
 * batch, re-read every {@code refresh} in streaming, so a side input built from it follows edits
 * while the pipeline runs (Beam's slowly-updating side input pattern).
 */
public final class FileSnapshots extends PTransform<PBegin, PCollection<List<String>>> {
  private final String path;
  private final Duration refresh;
  private final Duration stopAfter;
  /** The path is a glob: every matching file's lines, in file-name order; none is an empty list. */
  private final boolean glob;
  /** Each snapshot lists the matching files' paths instead of their lines (binary files: models). */
  private final boolean namesOnly;

  private FileSnapshots(String path, Duration refresh, Duration stopAfter, boolean glob, boolean namesOnly) {
    this.path = path;
    this.refresh = refresh;
    this.stopAfter = stopAfter;
    this.glob = glob;
    this.namesOnly = namesOnly;
  }

  private FileSnapshots(String path, Duration refresh, Duration stopAfter) {
    this(path, refresh, stopAfter, false, false);
  }

  /**
   * The lines of every file matching {@code glob} (none yet is fine: a directory that another job
   * fills), re-read every {@code refresh} while the input is endless.
   */
  public static FileSnapshots allMatching(String glob, boolean endlessInput, Duration refresh, Duration stopAfter) {
    return watching(glob, endlessInput, refresh, stopAfter, false);
  }

  /**
   * The paths of the files matching {@code glob}, in name order, re-listed every {@code refresh}
   * while the input is endless: how a job watches a directory that another job publishes into.
   */
  public static FileSnapshots namesMatching(String glob, boolean endlessInput, Duration refresh, Duration stopAfter) {
    return watching(glob, endlessInput, refresh, stopAfter, true);
  }

  private static FileSnapshots watching(String glob, boolean endlessInput, Duration refresh, Duration stopAfter,
      boolean namesOnly) {
    boolean refreshing = endlessInput && refresh.getMillis() > 0;
    return new FileSnapshots(glob, refreshing ? refresh : null, refreshing ? stopAfter : null, true, namesOnly);
  }

  public static FileSnapshots once(String path) {
    requireExists(path);
    return new FileSnapshots(path, null, null);
  }

  /** @param stopAfter when to stop refreshing (null: never), so a --runFor run can end */
  public static FileSnapshots every(String path, Duration refresh, Duration stopAfter) {
    requireExists(path);
    return new FileSnapshots(path, refresh, stopAfter);
  }

  /**
   * Re-read every {@code refresh} while the input is endless; read once when it is bounded (even in
   * streaming mode), since a refresh ticker would keep a bounded run alive, or when {@code refresh}
   * is zero.
   */
  public static FileSnapshots forInput(String path, boolean endlessInput, Duration refresh, Duration stopAfter) {
    return endlessInput && refresh.getMillis() > 0 ? every(path, refresh, stopAfter) : once(path);
  }

  private static void requireExists(String path) {
    try {
      MatchResult.Metadata m = FileSystems.matchSingleFileSpec(path);
      if (m.sizeBytes() < 0) {
        throw new IOException("unreadable");
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(path + ": no such reference file (" + e.getMessage() + ")");
    }
  }

  @Override
  public PCollection<List<String>> expand(PBegin begin) {
    // The first read does not depend on a ticker: a runner may start the pipeline after the
    // ticker's stop time (Flink takes seconds to start), and a side input that never got a value
    // fails when it is read.
    PCollection<String> ticks = begin.apply("FirstRead", Create.of(path));
    Instant start = Instant.now();
    Instant firstRefresh = refresh == null ? null : start.plus(refresh);
    if (firstRefresh != null && (stopAfter == null || firstRefresh.isBefore(start.plus(stopAfter)))) {
      Ticker ticker = Ticker.every(refresh, firstRefresh);
      if (stopAfter != null) {
        ticker = ticker.until(start.plus(stopAfter));
      }
      String p = path;
      PCollection<String> refreshes = begin.apply("RefreshTicks", ticker)
          .apply("PathPerTick", org.apache.beam.sdk.transforms.MapElements
              .into(org.apache.beam.sdk.values.TypeDescriptors.strings()).via(t -> p));
      ticks = PCollectionList.of(ticks).and(refreshes)
          .apply("FirstAndRefreshes", Flatten.pCollections())
          .apply("LatestTickWins", Window.<String>into(new GlobalWindows())
              .triggering(Repeatedly.forever(AfterPane.elementCountAtLeast(1)))
              .discardingFiredPanes());
    }
    return ticks.apply("ReadLines", ParDo.of(new ReadAllLinesFn(glob, namesOnly)))
        .setCoder(ListCoder.of(StringUtf8Coder.of()));
  }

  private static final class ReadAllLinesFn extends DoFn<String, List<String>> {
    private final boolean glob;
    private final boolean namesOnly;

    ReadAllLinesFn(boolean glob, boolean namesOnly) {
      this.glob = glob;
      this.namesOnly = namesOnly;
    }

    @ProcessElement
    public void process(@Element String path, OutputReceiver<List<String>> out) throws IOException {
      List<ResourceId> files = new ArrayList<>();
      if (glob) {
        for (MatchResult.Metadata m : FileSystems.match(path, EmptyMatchTreatment.ALLOW).metadata()) {
          files.add(m.resourceId());
        }
        files.sort(java.util.Comparator.comparing(ResourceId::toString));
      } else {
        files.add(FileSystems.matchSingleFileSpec(path).resourceId());
      }
      List<String> lines = new ArrayList<>();
      if (namesOnly) {
        files.forEach(f -> lines.add(f.toString()));
        out.output(lines);
        return;
      }
      for (ResourceId id : files) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
            Channels.newInputStream(FileSystems.open(id)), StandardCharsets.UTF_8))) {
          for (String line = r.readLine(); line != null; line = r.readLine()) {
            lines.add(line);
          }
        }
      }
      out.output(lines);
    }
  }
}
