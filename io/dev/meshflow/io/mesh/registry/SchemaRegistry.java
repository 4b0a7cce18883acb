package dev.meshflow.io.mesh.registry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * Avro schema versions per subject (a data product), with global ids and a compatibility mode, kept
 * as plain files so that a catalog can live in git and be reviewed like code:
 *
 * <pre>
 * ROOT/ids.tsv                       one line per registered version: id, subject, version
 * ROOT/SUBJECT/compatibility         the subject's mode (absent: BACKWARD)
 * ROOT/SUBJECT/v1.avsc, v2.avsc ...  its versions, oldest first
 * </pre>
 *
 * <p>Lines of {@code ids.tsv} are appended in version order, so a subject's lines list its versions
 * oldest first.
 *
 * <p>Registering follows the Confluent registry: the same schema again (by Avro's parsing
 * canonical form) returns its existing id; an incompatible one is refused with every reason; a
 * compatible one becomes the next version under the next global id. Ids are never reused, and a
 * file lock keeps them unique across processes.
 */
public final class SchemaRegistry {
  private static final Pattern SUBJECT = Pattern.compile("[a-z0-9][a-z0-9._-]{0,99}");
  private static final String IDS = "ids.tsv";
  private static final java.util.Map<Path, Object> MONITORS =
      new java.util.concurrent.ConcurrentHashMap<>();

  private final Path root;

  private SchemaRegistry(Path root) {
    this.root = root;
  }

  /** The registry kept under {@code root}, created on first write. */
  public static SchemaRegistry at(Path root) {
    return new SchemaRegistry(root);
  }

  /** A version as registered. */
  public record Registered(int id, String subject, int version, Schema schema) {}

  /** Refused: the candidate breaks the subject's mode. */
  public static final class IncompatibleSchemaException extends IllegalArgumentException {
    private final transient List<Incompatibility> reasons;

    IncompatibleSchemaException(String subject, CompatibilityMode mode,
        List<Incompatibility> reasons) {
      super(subject + ": not " + mode + " compatible with its registered versions ("
          + reasons.size() + (reasons.size() == 1 ? " reason" : " reasons") + "):\n  "
          + String.join("\n  ", reasons.stream().map(Incompatibility::describe).toList()));
      this.reasons = List.copyOf(reasons);
    }

    public List<Incompatibility> reasons() {
      return reasons;
    }
  }

  /**
   * The subject's versions, oldest first (empty if it has none). {@code ids.tsv} says which exist:
   * a version file is written before its line, so one left by a crash between the two is not a
   * version, and the next registration replaces it.
   */
  public List<Schema> versions(String subject) {
    return registered(subject, rows()).stream().map(Registered::schema).toList();
  }

  /** The subject's versions with their global ids, oldest first. */
  public List<Registered> history(String subject) {
    return registered(subject, rows());
  }

  /** One line of {@code ids.tsv}. */
  private record Row(int id, String subject, int version) {}

  /** The subject's versions as {@code rows} list them, oldest first, each read from its file. */
  private List<Registered> registered(String subject, List<Row> rows) {
    Path dir = subjectDir(subject);
    List<Registered> versions = new ArrayList<>();
    for (Row row : rows) {
      if (row.subject().equals(subject)) {
        versions.add(new Registered(row.id(), subject, row.version(),
            parse(dir.resolve("v" + row.version() + ".avsc"))));
      }
    }
    return versions;
  }

  /** The subject's mode: its {@code compatibility} file, else {@link CompatibilityMode#DEFAULT}. */
  public CompatibilityMode mode(String subject) {
    Path file = subjectDir(subject).resolve("compatibility");
    try {
      return Files.isRegularFile(file)
          ? CompatibilityMode.parse(Files.readString(file, StandardCharsets.UTF_8))
          : CompatibilityMode.DEFAULT;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sets the subject's mode for the versions registered after this. */
  public void setMode(String subject, CompatibilityMode mode) {
    write(subjectDir(subject).resolve("compatibility"), mode.name() + "\n");
  }

  /** What registering {@code candidate} would be refused for; empty when it would be accepted. */
  public List<Incompatibility> check(String subject, Schema candidate) {
    return check(subject, candidate, mode(subject));
  }

  /** What registering {@code candidate} under {@code mode} would be refused for. */
  public List<Incompatibility> check(String subject, Schema candidate, CompatibilityMode mode) {
    return CompatibilityCheck.check(mode, candidate, versions(subject));
  }

  /**
   * Registers {@code candidate} as the subject's next version, or returns the version it already is.
   *
   * @throws IncompatibleSchemaException naming every field that breaks the subject's mode
   */
  public Registered register(String subject, Schema candidate) {
    return register(subject, candidate, null);
  }

  /**
   * Registers {@code candidate} under {@code mode}, which becomes the subject's mode once the
   * candidate is accepted (null: keep the subject's mode). A refused candidate changes nothing.
   */
  public Registered register(String subject, Schema candidate, CompatibilityMode newMode) {
    return locked(() -> {
      List<Row> rows = rows();
      List<Registered> registered = registered(subject, rows);
      long fingerprint = SchemaNormalization.parsingFingerprint64(candidate);
      for (Registered r : registered) {
        if (SchemaNormalization.parsingFingerprint64(r.schema()) == fingerprint) {
          if (newMode != null) {
            setMode(subject, newMode);
          }
          return r;
        }
      }
      CompatibilityMode mode = newMode == null ? mode(subject) : newMode;
      List<Incompatibility> reasons = CompatibilityCheck.check(mode, candidate,
          registered.stream().map(Registered::schema).toList());
      if (!reasons.isEmpty()) {
        throw new IncompatibleSchemaException(subject, mode, reasons);
      }
      int version = registered.size() + 1;
      int id = 1 + rows.stream().mapToInt(Row::id).max().orElse(0);
      write(subjectDir(subject).resolve("v" + version + ".avsc"), candidate.toString(true) + "\n");
      append(root.resolve(IDS), id + "\t" + subject + "\t" + version + "\n");
      if (newMode != null) {
        setMode(subject, newMode);
      }
      return new Registered(id, subject, version, candidate);
    });
  }

  /** The version registered under a global id, as a consumer decoding a record needs it. */
  public Optional<Registered> byId(int id) {
    for (Row row : rows()) {
      if (row.id() == id) {
        return Optional.of(new Registered(id, row.subject(), row.version(),
            parse(subjectDir(row.subject()).resolve("v" + row.version() + ".avsc"))));
      }
    }
    return Optional.empty();
  }

  /** The subject's newest version, if it has one. */
  public Optional<Registered> latest(String subject) {
    List<Registered> registered = registered(subject, rows());
    return registered.isEmpty() ? Optional.empty()
        : Optional.of(registered.get(registered.size() - 1));
  }

  /** {@code ids.tsv}, read once per operation. */
  private List<Row> rows() {
    Path file = root.resolve(IDS);
    if (!Files.isRegularFile(file)) {
      return List.of();
    }
    try {
      List<Row> rows = new ArrayList<>();
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (!line.isBlank()) {
          String[] f = line.split("\t");
          rows.add(new Row(Integer.parseInt(f[0]), f[1], Integer.parseInt(f[2])));
        }
      }
      return rows;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Path subjectDir(String subject) {
    if (!SUBJECT.matcher(subject).matches()) {
      throw new IllegalArgumentException("subject '" + subject + "' is not lower-case letters,"
          + " digits, '.', '_' or '-'");
    }
    return root.resolve(subject);
  }

  private static Schema parse(Path file) {
    try {
      return new Schema.Parser().parse(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      throw new IllegalStateException(file + ": not an Avro schema: " + e.getMessage(), e);
    }
  }

  private static void write(Path file, String text) {
    try {
      Files.createDirectories(file.getParent());
      Path partial = file.resolveSibling(file.getFileName() + ".partial");
      Files.writeString(partial, text, StandardCharsets.UTF_8);
      Files.move(partial, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void append(Path file, String line) {
    try {
      Files.writeString(file, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND, StandardOpenOption.SYNC);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Runs {@code work} holding the registry's lock: a file lock against other processes, and a
   * monitor against other threads of this one (a JVM holds a file lock for all its threads).
   */
  private <T> T locked(java.util.function.Supplier<T> work) {
    Object monitor = MONITORS.computeIfAbsent(root.toAbsolutePath().normalize(), k -> new Object());
    synchronized (monitor) {
      try {
        Files.createDirectories(root);
        try (FileChannel channel = FileChannel.open(root.resolve(".lock"),
            StandardOpenOption.CREATE, StandardOpenOption.WRITE); FileLock lock = channel.lock()) {
          return work.get();
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
