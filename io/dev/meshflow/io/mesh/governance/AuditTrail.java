package dev.meshflow.io.mesh.governance;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Every access decision and every grant change, with who, what, when and why: one JSON object per
 * line in {@code DIR/access/audit.jsonl}, appended under a file lock. Values are names, ids and
 * reasons; never a record's data, and never a key.
 */
public final class AuditTrail {
  public static final String FILE = "audit.jsonl";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;

  private AuditTrail(Path file) {
    this.file = file;
  }

  public static AuditTrail at(Path accessDir) {
    return new AuditTrail(accessDir.resolve(FILE));
  }

  public Path file() {
    return file;
  }

  /** Appends one entry: {@code action} and {@code details} (null values left out), stamped now. */
  public void record(String action, Map<String, ?> details) {
    ObjectNode e = JSON.createObjectNode();
    e.put("at", Instant.now().toString()).put("action", action).put("user", user());
    details.forEach((k, v) -> {
      if (v instanceof Boolean b) {
        e.put(k, b);
      } else if (v != null) {
        e.put(k, v.toString());
      }
    });
    try {
      Files.createDirectories(file.getParent());
      byte[] line = (JSON.writeValueAsString(e) + "\n").getBytes(StandardCharsets.UTF_8);
      try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock lock = channel.lock()) {
        channel.write(ByteBuffer.wrap(line), channel.size());
      }
    } catch (IOException ex) {
      throw new UncheckedIOException("cannot write the audit trail " + file + ": " + ex.getMessage(), ex);
    }
  }

  /** Every entry, oldest first; a line that is not JSON is reported, not skipped. */
  public List<JsonNode> entries() {
    List<JsonNode> out = new ArrayList<>();
    if (!Files.isRegularFile(file)) {
      return out;
    }
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      for (int i = 0; i < lines.size(); i++) {
        if (lines.get(i).isBlank()) {
          continue;
        }
        try {
          out.add(JSON.readTree(lines.get(i)));
        } catch (JsonProcessingException e) {
          throw new IllegalStateException(file + ":" + (i + 1) + ": not a JSON object");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** The operating-system user acting, as the audit's "who" beside the domain. */
  public static String user() {
    return System.getProperty("user.name", "unknown");
  }
}
