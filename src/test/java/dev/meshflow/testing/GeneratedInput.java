package dev.meshflow.testing;

import dev.meshflow.io.endpoints.Endpoints;
import dev.meshflow.io.generator.GeneratedRecord;
import dev.meshflow.io.generator.GeneratorSource;
import dev.meshflow.io.generator.InteractionGenerator;
import dev.meshflow.io.generator.RecordGenerator;
import dev.meshflow.transforms.interactions.model.InteractionAnalyticsModel;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;

/** The records a generator URI produces, recomputed outside Beam for the model and for files. */
public final class GeneratedInput {
  private GeneratedInput() {}

  /** As {@code ./meshflow generate} does: mesh=1 reads the products as the Interactions domain. */
  public static RecordGenerator generator(String uri) {
    try (dev.meshflow.io.mesh.governance.AccessScope scope =
        dev.meshflow.io.mesh.governance.AccessScope.open("interactions", "test input")) {
      return ((GeneratorSource) Endpoints.source(uri, false)).generator();
    }
  }

  public static List<InteractionAnalyticsModel.Record> records(String uri, long events) {
    return records(uri, events, InteractionAnalyticsModel.Record::new);
  }

  /** The first {@code events} records as a model's input type, from each record's origin and bytes. */
  public static <R> List<R> records(String uri, long events, BiFunction<String, byte[], R> record) {
    RecordGenerator g = generator(uri);
    List<R> out = new ArrayList<>();
    for (long i = 0; i < events; i++) {
      out.add(record.apply(g.originOf(i), g.recordAt(i).payload));
    }
    return out;
  }

  /**
   * The event ids the generator planted as too late: an event time at least its {@code lateByMillis}
   * behind the record's nominal time. A stream may dead-letter these, and only these, as late.
   */
  public static Set<String> plantedLate(String uri, long events) {
    InteractionGenerator g = (InteractionGenerator) generator(uri);
    Pattern id = Pattern.compile("\"event_id\":\"([^\"]+)\"");
    Set<String> out = new HashSet<>();
    for (long i = 0; i < events; i++) {
      GeneratedRecord r = g.recordAt(i);
      Matcher m = id.matcher(new String(r.payload, StandardCharsets.UTF_8));
      if (g.nominalTimeMillis(i) - r.eventTimeMillis >= g.spec().lateByMillis && m.find()) {
        out.add(m.group(1));
      }
    }
    return out;
  }

  /** Writes the generated lines shuffled (seeded) across {@code files} files, the last gzipped. */
  public static List<byte[]> writeShuffled(String uri, long events, Path dir, int files, long seed)
      throws IOException {
    RecordGenerator g = generator(uri);
    List<byte[]> lines = new ArrayList<>();
    for (long i = 0; i < events; i++) {
      lines.add(g.recordAt(i).payload);
    }
    Collections.shuffle(lines, new Random(seed));
    Files.createDirectories(dir);
    int per = (lines.size() + files - 1) / files;
    for (int f = 0; f < files; f++) {
      boolean gzip = f == files - 1 && files > 1;
      Path path = dir.resolve("part-" + f + (gzip ? ".jsonl.gz" : ".jsonl"));
      try (OutputStream raw = Files.newOutputStream(path);
          OutputStream out = gzip ? new GZIPOutputStream(raw) : raw) {
        for (byte[] line : lines.subList(Math.min(lines.size(), f * per),
            Math.min(lines.size(), (f + 1) * per))) {
          out.write(line);
          out.write('\n');
        }
      }
    }
    return lines;
  }
}
