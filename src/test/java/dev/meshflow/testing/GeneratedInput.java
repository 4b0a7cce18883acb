package dev.meshflow.testing;

import dev.meshflow.io.Endpoints;
import dev.meshflow.io.generator.GeneratorSource;
import dev.meshflow.io.generator.RecordGenerator;
import dev.meshflow.transforms.interactions.model.InteractionAnalyticsModel;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/** The records a generator URI produces, recomputed outside Beam for the model and for files. */
public final class GeneratedInput {
  private GeneratedInput() {}

  public static RecordGenerator generator(String uri) {
    return ((GeneratorSource) Endpoints.source(uri, false)).generator();
  }

  public static List<InteractionAnalyticsModel.Record> records(String uri, long events) {
    RecordGenerator g = generator(uri);
    List<InteractionAnalyticsModel.Record> out = new ArrayList<>();
    for (long i = 0; i < events; i++) {
      out.add(new InteractionAnalyticsModel.Record(g.originOf(i), g.recordAt(i).payload));
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
