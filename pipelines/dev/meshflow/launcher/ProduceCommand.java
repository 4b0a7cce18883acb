package dev.meshflow.launcher;

import dev.meshflow.io.EndpointUri;
import dev.meshflow.io.mesh.catalog.MeshCatalog;
import dev.meshflow.io.mesh.contract.DataContract;
import dev.meshflow.io.mesh.domains.Change;
import dev.meshflow.io.mesh.domains.DomainDatabase;
import dev.meshflow.io.mesh.domains.DomainSimulator;
import dev.meshflow.io.mesh.domains.OutboxWriter;
import dev.meshflow.io.postgres.PostgresConnections;
import dev.meshflow.io.postgres.PostgresSink;
import java.io.PrintStream;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ./meshflow produce}: the Users, Songs and Podcasts domains' services, simulated against
 * their own PostgreSQL tables with the transactional outbox. The first run creates the tables, the
 * outboxes, the publication and the replication slot, and writes the first state; every run then
 * makes seeded changes. The relay (runners-config/local/services.sh start relay) publishes them.
 */
public final class ProduceCommand {
  public static final String DEFAULT_DB = "postgresql://127.0.0.1:5432/postgres?user=postgres";
  private static final List<String> DOMAINS = List.of("users", "songs", "podcasts");
  private static final Pattern SET = Pattern.compile("([a-z]+)/([^.=]+)\\.([a-z_]+)=(.*)");
  private static final String USAGE = String.join("\n",
      "Usage: ./meshflow produce [options]",
      "",
      "Makes the producer domains' changes (users, songs, podcasts) in their PostgreSQL tables,",
      "each with its event in the domain's outbox, in one transaction. The first run creates the",
      "tables and the first state (2,000 users, 80 songs, 20 podcasts, as the interaction generator",
      "names them). The relay publishes the outbox events to the products' topics.",
      "",
      "  --db=URI          (default: " + DEFAULT_DB + ")",
      "                    the domains' database; it needs wal_level=logical. Password from PGPASSWORD.",
      "  --changes=N       (default: 1000) seeded creates, updates and deletes to make",
      "  --rate=N          (default: 0, as fast as the database allows) changes per second",
      "  --batch=N         (default: 1) changes per transaction",
      "  --seed=N          (default: 42) the changes are a pure function of the seed and the tables",
      "  --set=P/KEY.FIELD=VALUE   one change of your own instead, e.g. songs/song-0042.genre=jazz",
      "  --catalog=DIR     (default: " + CatalogCommand.DEFAULT_DIR + ") the products' contracts",
      "  --help, -h        this text");

  private ProduceCommand() {}

  public static int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
    String db = DEFAULT_DB;
    String catalogDir = null;
    String set = null;
    long changes = 1000;
    long rate = 0;
    int batch = 1;
    long seed = 42;
    Map<String, String> options = CommandArgs.options(args);
    if (CommandArgs.wantsHelp(options)) {
      out.println(USAGE);
      return Main.OK;
    }
    for (Map.Entry<String, String> option : options.entrySet()) {
      String name = option.getKey();
      String value = option.getValue();
      switch (name) {
        case "--db" -> db = value;
        case "--catalog" -> catalogDir = value;
        case "--set" -> set = value;
        case "--changes" -> changes = CommandArgs.wholeNumber("produce", name, value, 0, Long.MAX_VALUE);
        case "--rate" -> rate = CommandArgs.wholeNumber("produce", name, value, 0, 1_000_000);
        case "--batch" -> batch = (int) CommandArgs.wholeNumber("produce", name, value, 1, 10_000);
        case "--seed" -> seed = CommandArgs.wholeNumber("produce", name, value, Long.MIN_VALUE, Long.MAX_VALUE);
        default -> throw CommandArgs.unknown("produce", name, value);
      }
    }
    MeshCatalog catalog = CatalogCommand.open(catalogDir, err);
    List<DataContract> domains = DOMAINS.stream().map(catalog::product).toList();
    PostgresConnections.Target target = PostgresSink.from(EndpointUri.parse("db", db)).target();
    try (Connection c = target.open()) {
      DomainDatabase.create(c, domains);
      DomainDatabase.Snapshot snapshot = DomainDatabase.snapshot(c, domains);
      OutboxWriter writer = new OutboxWriter(c, domains, catalog.registry());
      DomainSimulator simulator;
      if (snapshot.events() == 0) {
        simulator = new DomainSimulator(seed, DomainSimulator.Sizes.DEFAULT);
        List<Change> first = simulator.initial();
        for (int i = 0; i < first.size(); i += 500) {
          writer.write(first.subList(i, Math.min(first.size(), i + 500)));
        }
        out.printf("produce: created the domain tables in %s; first state: %s%n", target.display(),
            counts(first));
      } else {
        simulator = DomainSimulator.resume(seed, snapshot);
      }
      if (set != null) {
        Matcher m = SET.matcher(set);
        if (!m.matches()) {
          throw new IllegalArgumentException("--set=" + set + ": expected PRODUCT/KEY.FIELD=VALUE,"
              + " e.g. songs/song-0042.genre=jazz");
        }
        DataContract contract = catalog.product(m.group(1));
        Object value = contract.field(m.group(3)).map(f -> f.logicalType().equals("integer")
            ? (Object) Long.valueOf(m.group(4)) : m.group(4)).orElse(m.group(4));
        Change change = simulator.set(m.group(1), m.group(2), m.group(3), value);
        writer.write(List.of(change));
        out.printf("produce: %s %s: %s = %s (event %s)%n", change.product(), change.key(), m.group(3),
            m.group(4), change.eventId());
        return Main.OK;
      }
      long start = System.nanoTime();
      long lastReport = start;
      List<Change> made = new ArrayList<>();
      List<Change> pending = new ArrayList<>(batch);
      for (long i = 0; i < changes; i++) {
        pending.add(simulator.next());
        if (pending.size() == batch || i == changes - 1) {
          writer.write(pending);
          made.addAll(pending);
          pending.clear();
          if (rate > 0) {
            long due = start + (long) ((i + 1) * 1e9 / rate);
            long wait = due - System.nanoTime();
            if (wait > 0) {
              Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
          }
        }
        long now = System.nanoTime();
        if (now - lastReport > 5_000_000_000L) {
          err.printf("produce: %,d of %,d changes (%,.0f/s)%n", i + 1, changes,
              (i + 1) / ((now - start) / 1e9));
          lastReport = now;
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      out.printf("produce: %,d changes in %.1f s (%,.0f/s): %s%n", made.size(), seconds,
          made.size() / Math.max(seconds, 1e-9), counts(made));
      out.printf("  outbox   %,d events in %s; the relay publishes them to the topics %s%n",
          simulator.events(), String.join(", ", domains.stream()
              .map(d -> DomainDatabase.table(d).outbox()).toList()), String.join(", ", DOMAINS));
    }
    return Main.OK;
  }

  /** e.g. {@code songs 450 (created 90, updated 315, deleted 45), users ...}. */
  private static String counts(List<Change> changes) {
    Map<String, Map<String, Integer>> by = new TreeMap<>();
    for (Change c : changes) {
      by.computeIfAbsent(c.product(), k -> new TreeMap<>()).merge(c.op(), 1, Integer::sum);
    }
    List<String> parts = new ArrayList<>();
    by.forEach((product, ops) -> parts.add(product + " " + String.format("%,d",
        ops.values().stream().mapToInt(Integer::intValue).sum()) + " (" + String.join(", ",
        ops.entrySet().stream().map(e -> e.getKey() + " " + String.format("%,d", e.getValue())).toList())
        + ")"));
    return parts.isEmpty() ? "none" : String.join(", ", parts);
  }
}
