package dev.meshflow.architecture;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The layering rule, read from the source text rather than the class files: javac inlines
 * constants, so a class-file check (ArchUnit) never sees {@code transforms} using an {@code io}
 * constant. Every mention of a meshflow package counts, in an import, a static import, a wildcard
 * or a fully qualified name; comments and string literals do not.
 *
 * <p>The rooms, from the top:
 *
 * <ul>
 *   <li>{@code launcher}: may use everything below.
 *   <li>{@code pipelines.<domain>}: its own domain, the shared {@code pipelines} package, and the
 *       layers below; never another domain.
 *   <li>{@code pipelines}: the contract with the launcher and the glue every domain shares.
 *   <li>{@code transforms} and {@code io}: side by side; neither uses the other. The generic
 *       transforms ({@code inference}, {@code ordering}, {@code timestamps}, {@code deadletter})
 *       use no domain's transforms.
 *   <li>The floor, in the {@code options/} source root: {@code core} (dead letters and their
 *       stages, run metrics, pane versions: what io and transforms both need) and {@code options}
 *       (what a user sets), which may use core. Neither uses anything above.
 * </ul>
 */
final class SourceLayers {
  private static final Pattern PACKAGE = Pattern.compile("(?m)^package\\s+([\\w.]+)\\s*;");
  /** A meshflow package named in code: before a type name, or before a wildcard. */
  private static final Pattern REFERENCE =
      Pattern.compile("\\bdev\\.meshflow((?:\\.[a-z_]\\w*)+)\\s*\\.\\s*(?:[A-Z]|\\*)");
  static final Pattern COMMENTS_AND_STRINGS = Pattern.compile(
      "//[^\\n]*|/\\*.*?\\*/|\"\"\".*?\"\"\"|\"(?:\\\\.|[^\"\\\\])*\"|'(?:\\\\.|[^'\\\\])+'",
      Pattern.DOTALL);

  /** The transforms packages that serve every domain; the others are a domain's own. */
  private static final java.util.Set<String> GENERIC_TRANSFORMS =
      java.util.Set.of("inference", "ordering", "timestamps", "deadletter");

  private SourceLayers() {}

  /** Each use of a package its file may not use, as "file: package -> package". */
  static List<String> violations(Path projectRoot, List<String> sourceRoots) throws IOException {
    List<String> found = new ArrayList<>();
    for (String root : sourceRoots) {
      Path dir = projectRoot.resolve(root);
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path file : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java")).sorted()::iterator) {
          String text = Files.readString(file);
          Matcher pkg = PACKAGE.matcher(text);
          if (!pkg.find()) {
            found.add(projectRoot.relativize(file) + ": no package line");
            continue;
          }
          String from = pkg.group(1);
          Matcher ref = REFERENCE.matcher(COMMENTS_AND_STRINGS.matcher(text).replaceAll(" "));
          while (ref.find()) {
            String to = "dev.meshflow" + ref.group(1);
            if (!allowed(from, to)) {
              found.add(projectRoot.relativize(file) + ": " + from + " -> " + to);
            }
          }
        }
      }
    }
    return found;
  }

  /** Whether code in package {@code from} may use package {@code to} (a package or a type's prefix). */
  static boolean allowed(String from, String to) {
    String fromRoom = room(from);
    String toRoom = room(to);
    if (toRoom == null) {
      return true; // a nested name that only looked like a package
    }
    switch (fromRoom) {
      case "launcher":
        return true;
      case "pipelines":
        return !toRoom.equals("launcher") && !isDomain(to);
      case "transforms":
        if (isGenericTransform(from) && toRoom.equals("transforms") && !isGenericTransform(to)) {
          return false; // RunInference, ordering and the like serve every domain and depend on none
        }
        return toRoom.equals("transforms") || isFloor(toRoom);
      case "io":
        return toRoom.equals("io") || isFloor(toRoom);
      case "options":
        return toRoom.equals("options") || toRoom.equals("core");
      case "core":
        return toRoom.equals("core");
      default:
        if (fromRoom.startsWith("pipelines.")) { // a domain
          return toRoom.equals(fromRoom) || toRoom.equals("pipelines") || toRoom.equals("transforms")
              || toRoom.equals("io") || isFloor(toRoom);
        }
        return false;
    }
  }

  private static boolean isGenericTransform(String pkg) {
    String[] parts = pkg.split("\\.");
    return parts.length > 3 && parts[2].equals("transforms") && GENERIC_TRANSFORMS.contains(parts[3]);
  }

  /** The floor, in the options/ source root: the options, and core (what every layer shares). */
  private static boolean isFloor(String room) {
    return room.equals("options") || room.equals("core");
  }

  /** launcher, pipelines (the shared package), pipelines.<domain>, transforms, io or options. */
  static String room(String pkg) {
    String[] parts = pkg.split("\\.");
    if (parts.length < 3 || !parts[0].equals("dev") || !parts[1].equals("meshflow")) {
      return null;
    }
    if (parts[2].equals("pipelines") && parts.length > 3) {
      return "pipelines." + parts[3];
    }
    return parts[2];
  }

  private static boolean isDomain(String pkg) {
    String room = room(pkg);
    return room != null && room.startsWith("pipelines.");
  }
}
