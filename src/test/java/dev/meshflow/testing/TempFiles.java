package dev.meshflow.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** New folders and files under a JUnit 5 {@code @TempDir}, named or fresh. */
public final class TempFiles {
  private TempFiles() {}

  /** A fresh, uniquely named folder under {@code root}. */
  public static Path newFolder(Path root) {
    try {
      return Files.createTempDirectory(root, "folder");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code root/first/more...}, created with its parents; it must not exist yet. */
  public static Path newFolder(Path root, String first, String... more) {
    Path folder = root.resolve(Path.of(first, more));
    try {
      if (Files.exists(folder)) {
        throw new IllegalStateException(folder + " exists already");
      }
      return Files.createDirectories(folder);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A fresh, uniquely named empty file under {@code root}. */
  public static Path newFile(Path root) {
    try {
      return Files.createTempFile(root, "file", "");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The empty file {@code root/name}; it must not exist yet. */
  public static Path newFile(Path root, String name) {
    try {
      return Files.createFile(root.resolve(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
