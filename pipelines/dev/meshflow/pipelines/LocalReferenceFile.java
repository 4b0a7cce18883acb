package dev.meshflow.pipelines;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/** A small reference file given by an option (zones, products), checked on the launcher. */
public final class LocalReferenceFile {
  private LocalReferenceFile() {}

  /**
   * Fails now, not on a worker, when the file cannot be read or {@code parse} refuses its text
   * (whose own message then reaches the user as it is).
   */
  public static void check(String option, String path, Consumer<String> parse) {
    Path file = Path.of(path);
    if (!Files.isReadable(file)) {
      throw new IllegalArgumentException("--" + option + "=" + file + ": no such readable file");
    }
    try {
      parse.accept(Files.readString(file));
    } catch (IOException e) {
      throw new IllegalArgumentException("--" + option + "=" + file + ": " + e.getMessage());
    }
  }
}
