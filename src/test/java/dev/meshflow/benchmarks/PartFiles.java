package dev.meshflow.benchmarks;

import dev.meshflow.io.file.LineSplitter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/** The benchmarks' plain-Java read of the part-* files: the pipelines' line splitter, no engine. */
final class PartFiles {
  private PartFiles() {}

  /** Each line of each part file, in file order, with its origin as the file source names it. */
  static void forEachLine(Path dir, BiConsumer<String, byte[]> line) throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.getFileName().toString().startsWith("part-")).sorted()
          .collect(Collectors.toList());
    }
    for (Path file : files) {
      String origin = "file:" + file + "#L";
      try (InputStream raw = Files.newInputStream(file);
          InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw) {
        LineSplitter.forEachLine(in, (n, bytes) -> line.accept(origin + n, bytes));
      }
    }
  }
}
