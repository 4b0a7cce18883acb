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
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The mesh's access grants: an append-only log of requests and decisions, one JSON object per
 * line, kept with the catalog ({@code DIR/access/grants.jsonl}) so that it is reviewed in git like
 * the contracts.
 *
 * <pre>
 * {"at":"...","event":"request","grant":"g-3","domain":"ml","product":"users","pii":false,"purpose":"...","by":"ml","user":"..."}
 * {"at":"...","event":"approve","grant":"g-3","by":"users","user":"...","reason":"..."}
 * </pre>
 *
 * <p>The log is checked as a whole each time it is read. A domain requests for itself; only the
 * product's owning domain approves or denies; the owner or the grantee revokes; a decision
 * follows the workflow (pending, then active or denied; active, then revoked). A line that breaks
 * any rule (a hand edit, a bad merge) refuses the whole log with its file and line, and no access
 * follows from it.
 */
public final class GrantLog {
  public static final String FILE = "grants.jsonl";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;
  private final Function<String, String> ownerOf;
  private final Map<String, Grant> grants = new LinkedHashMap<>();
  private int lastId;

  private GrantLog(Path file, Function<String, String> ownerOf) {
    this.file = file;
    this.ownerOf = ownerOf;
  }

  /**
   * Reads and checks the log in {@code accessDir}; a missing log holds no grants.
   *
   * @param ownerOf a product's owning domain, null for a product the catalog does not have
   */
  public static GrantLog load(Path accessDir, Function<String, String> ownerOf) {
    GrantLog log = new GrantLog(accessDir.resolve(FILE), ownerOf);
    if (Files.isRegularFile(log.file)) {
      try {
        List<String> lines = Files.readAllLines(log.file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
          if (!lines.get(i).isBlank()) {
            try {
              log.apply(lines.get(i));
            } catch (Problem p) {
              throw new AccessRefusedException(log.file + ":" + (i + 1) + ": " + p.getMessage()
                  + "; the grant log is refused as a whole, so no access follows from it (fix the"
                  + " line, or git checkout the file)");
            }
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + log.file + ": " + e.getMessage(), e);
      }
    }
    return log;
  }

  public Path file() {
    return file;
  }

  /** Every grant, in the order requested. */
  public List<Grant> all() {
    return List.copyOf(grants.values());
  }

  public Optional<Grant> get(String id) {
    return Optional.ofNullable(grants.get(id));
  }

  /** The active grant for {@code domain} to read {@code product}; a PII one first. */
  public Optional<Grant> active(String domain, String product) {
    Grant best = null;
    for (Grant g : grants.values()) {
      if (g.state() == Grant.State.ACTIVE && g.domain().equals(domain) && g.product().equals(product)
          && (best == null || g.pii() && !best.pii())) {
        best = g;
      }
    }
    return Optional.ofNullable(best);
  }

  /** The latest grant of any state for {@code domain} and {@code product}, for messages. */
  public Optional<Grant> latest(String domain, String product) {
    Grant last = null;
    for (Grant g : grants.values()) {
      if (g.domain().equals(domain) && g.product().equals(product)) {
        last = g;
      }
    }
    return Optional.ofNullable(last);
  }

  /** Appends a pending request by {@code domain}; returns it with its new id. */
  public Grant request(String domain, String product, boolean pii, String purpose, String user) {
    MeshNames.require("domain", domain);
    MeshNames.require("product", product);
    if (purpose == null || purpose.isBlank()) {
      throw new IllegalArgumentException("a request says why: --purpose=\"...\"");
    }
    return append(next -> {
      ObjectNode e = event("request", next, user);
      e.put("domain", domain).put("product", product).put("pii", pii).put("purpose", purpose)
          .put("by", domain);
      return e;
    });
  }

  /** Appends a decision on grant {@code id}: approve, deny or revoke, made by {@code asDomain}. */
  public Grant decide(String action, String id, String asDomain, String user, String reason) {
    MeshNames.requireGrantId(id);
    MeshNames.require("domain", asDomain);
    return append(next -> {
      ObjectNode e = event(action, id, user);
      e.put("by", asDomain);
      if (reason != null && !reason.isBlank()) {
        e.put("reason", reason);
      }
      return e;
    });
  }

  private static ObjectNode event(String action, String id, String user) {
    ObjectNode e = JSON.createObjectNode();
    e.put("at", Instant.now().toString()).put("event", action).put("grant", id).put("user", user);
    return e;
  }

  /**
   * Under a lock on the file: reads it again (another person may have appended), checks the new
   * event against it exactly as a later load will, and appends it.
   */
  private Grant append(Function<String, ObjectNode> newEvent) {
    try {
      Files.createDirectories(file.getParent());
      try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE,
              StandardOpenOption.READ, StandardOpenOption.WRITE);
          FileLock lock = channel.lock()) {
        GrantLog current = load(file.getParent(), ownerOf);
        ObjectNode event = newEvent.apply("g-" + (current.lastId + 1));
        String line = JSON.writeValueAsString(event);
        String id;
        try {
          id = current.apply(line);
        } catch (Problem p) {
          throw new AccessRefusedException(p.getMessage()); // nothing was written
        }
        long end = channel.size();
        ByteBuffer last = ByteBuffer.allocate(1);
        boolean needsNewline = end > 0 && channel.read(last, end - 1) == 1 && last.get(0) != '\n';
        channel.write(ByteBuffer.wrap(((needsNewline ? "\n" : "") + line + "\n")
            .getBytes(StandardCharsets.UTF_8)), end);
        channel.force(true);
        grants.clear();
        grants.putAll(current.grants);
        lastId = current.lastId;
        return grants.get(id);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /** Applies one line of the log; returns the grant it is about. */
  private String apply(String text) {
    JsonNode e;
    try {
      e = JSON.readTree(text);
    } catch (JsonProcessingException ex) {
      throw refused("not a JSON object: " + ex.getOriginalMessage());
    }
    if (e == null || !e.isObject()) {
      throw refused("not a JSON object");
    }
    String action = text(e, "event");
    String id = text(e, "grant");
    if (!MeshNames.isGrantId(id)) {
      throw refused("'" + MeshNames.printable(id) + "' is not a grant id");
    }
    Instant at;
    try {
      at = Instant.parse(text(e, "at"));
    } catch (DateTimeParseException ex) {
      throw refused("'at' is not an ISO-8601 instant");
    }
    String by = name(e, "by", "domain");
    String user = e.path("user").asText("");
    String reason = e.hasNonNull("reason") ? e.get("reason").asText() : null;
    if (action.equals("request")) {
      int number = Integer.parseInt(id.substring(2));
      if (grants.containsKey(id) || number != lastId + 1) {
        throw refused("request " + id + " is out of sequence; the next id is g-" + (lastId + 1));
      }
      String domain = name(e, "domain", "domain");
      String product = name(e, "product", "product");
      if (!by.equals(domain)) {
        throw refused("request " + id + " is made by '" + by + "' for '" + domain + "'; a domain"
            + " requests access only for itself");
      }
      if (ownerOf.apply(product) == null) {
        throw refused("request " + id + " names product '" + product + "', which the catalog"
            + " does not have");
      }
      if (!e.path("pii").isBoolean()) {
        throw refused("request " + id + " needs \"pii\": true or false");
      }
      grants.put(id, new Grant(id, domain, product, e.get("pii").asBoolean(), text(e, "purpose"),
          Grant.State.PENDING, user, at, null, null, null, null));
      lastId = number;
      return id;
    }
    Grant g = grants.get(id);
    if (g == null) {
      throw refused(action + " of " + id + ", which no request made");
    }
    String owner = ownerOf.apply(g.product());
    switch (action) {
      case "approve", "deny" -> {
        if (!by.equals(owner)) {
          throw refused(action + " of " + id + " by '" + by + "': only the " + owner
              + " domain, which owns " + g.product() + ", decides who reads it");
        }
        if (g.state() != Grant.State.PENDING) {
          throw refused(action + " of " + id + ", which is " + lower(g.state()) + ", not pending");
        }
        grants.put(id, g.decided(action.equals("approve") ? Grant.State.ACTIVE : Grant.State.DENIED,
            by, user, at, reason));
      }
      case "revoke" -> {
        if (!by.equals(owner) && !by.equals(g.domain())) {
          throw refused("revoke of " + id + " by '" + by + "': only " + owner + " (the owner) or "
              + g.domain() + " (the grantee) can revoke it");
        }
        if (g.state() != Grant.State.ACTIVE) {
          throw refused("revoke of " + id + ", which is " + lower(g.state()) + ", not active");
        }
        grants.put(id, g.decided(Grant.State.REVOKED, by, user, at, reason));
      }
      default -> throw refused("unknown event '" + MeshNames.printable(action)
          + "'; events are request, approve, deny and revoke");
    }
    return id;
  }

  private static String lower(Grant.State state) {
    return state.name().toLowerCase(java.util.Locale.ROOT);
  }

  private static String text(JsonNode e, String field) {
    JsonNode v = e.get(field);
    if (v == null || !v.isTextual() || v.asText().isBlank()) {
      throw refused("needs a \"" + field + "\" text");
    }
    return v.asText();
  }

  private static String name(JsonNode e, String field, String kind) {
    String value = text(e, field);
    try {
      return MeshNames.require(kind, value);
    } catch (IllegalArgumentException bad) {
      throw refused("\"" + field + "\": " + bad.getMessage());
    }
  }

  private static Problem refused(String problem) {
    return new Problem(problem);
  }

  /** What is wrong with one event; the caller says where it is. */
  private static final class Problem extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Problem(String message) {
      super(message, null, false, false);
    }
  }
}
