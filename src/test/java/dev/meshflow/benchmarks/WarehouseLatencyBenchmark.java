package dev.meshflow.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.meshflow.io.duckdb.DuckDbDatabases;
import dev.meshflow.launcher.Main;
import dev.meshflow.testing.services.Postgres;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

/**
 * Latency from Kafka to the warehouse: how long after Kafka acknowledged an event its row can be
 * read in the warehouse, for streaming {@code ingest} (the launcher, in this JVM, on embedded Flink
 * with its defaults) at 1,000, 5,000 and 10,000 events/s, into DuckDB and into PostgreSQL.
 *
 * <p>Probes: every record whose index is a multiple of rate/20 (20 a second) is timed from its
 * producer acknowledgement to the first 25 ms poll that finds its {@code event_id} in the table,
 * after a warm-up that lets the job start and drain what was produced meanwhile. The baseline, in
 * the same run, is the floor a hand-written consumer reaches: a plain-Java loop that polls the
 * topic and writes each poll's records (event id and payload) into the same warehouse in one
 * transaction (PostgreSQL: a batched upsert; DuckDB: its Appender, since a row-at-a-time insert
 * falls behind 1,000 rows/s), timed by the same probes. The ratio is the job's latency over the floor's.
 *
 * <p>DuckDB admits one writing process, so the poll reads through the job's own instance, which is
 * why the launcher runs in this JVM ({@code Main.execute}, as {@code ./meshflow} calls it).
 *
 * <p>Run with {@code mvn -B -Pbenchmarks test -Dtest=WarehouseLatencyBenchmark
 * [-Dbench.latency.rates=1000,5000,10000] [-Dbench.latency.seconds=45] [-Dbench.latency.warmup=30]
 * [-Dbench.latency.sinks=duckdb,postgres] [-Dbench.latency.jobArgs=--maxBundleTimeMills=100]}; the
 * table is printed and written to target/benchmarks/warehouse-latency.md.
 */
public class WarehouseLatencyBenchmark {
  private static final List<Long> RATES = Arrays.stream(
      System.getProperty("bench.latency.rates", "1000,5000,10000").split(",")).map(Long::valueOf).toList();
  private static final long SECONDS = Long.getLong("bench.latency.seconds", 45);
  private static final long WARMUP = Long.getLong("bench.latency.warmup", 30);
  private static final List<String> SINKS =
      List.of(System.getProperty("bench.latency.sinks", "duckdb,postgres").split(","));
  /** Options added to the job's, for levers: -Dbench.latency.jobArgs=--maxBundleTimeMills=100 */
  private static final List<String> JOB_ARGS = System.getProperty("bench.latency.jobArgs", "").isBlank()
      ? List.of() : List.of(System.getProperty("bench.latency.jobArgs").split(" "));
  private static final long PROBES_PER_SECOND = 20;
  private static final long POLL_MILLIS = 25;
  private static final Pattern EVENT_ID = Pattern.compile("\"event_id\":\"([^\"]+)\"");
  private static final Pattern READ = Pattern.compile("\\bread\\s+([\\d,]+) records");
  // No planted disorder, lateness, duplicates or malformed records: each probe is a row.
  private static final String GENERATOR = "generator:interactions?outOfOrder=0&late=0&duplicates=0&malformed=0";

  @Test
  public void kafkaToWarehouseLatencyAgainstAPlainConsumerLoop() throws Exception {
    Path dir = Files.createTempDirectory("meshflow-latency");
    List<String> rows = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    for (String sink : SINKS) {
      for (long rate : RATES) {
        String name = sink + "-" + rate;
        Warehouse floorWarehouse = Warehouse.of(sink, dir, "floor_" + rate);
        double[] floor = measure(rate, "latency-floor-" + name, floorWarehouse, "floor_events",
            feed -> new FloorLoop(feed, floorWarehouse));
        Warehouse jobWarehouse = Warehouse.of(sink, dir, "job_" + rate);
        JobRun[] job = new JobRun[1];
        double[] pipeline = measure(rate, "latency-job-" + name, jobWarehouse, "interactions",
            feed -> job[0] = new JobRun(feed, jobWarehouse, dir.resolve(name + ".log"), rate));
        if (job[0].code != 0) {
          failed.add(name + ": the job exited " + job[0].code + ", see " + dir.resolve(name + ".log"));
        }
        rows.add(String.format("| %s | %,d | %,.0f | %s | %s | %.0f× / %.0f× |", sink, rate,
            job[0].read / (double) (WARMUP + SECONDS + 10), ms(pipeline), ms(floor), pipeline[0] / floor[0],
            pipeline[2] / floor[2]));
      }
    }
    BenchmarkReport.publish("warehouse-latency.md", String.join("\n",
        "Streaming `ingest` on embedded FlinkRunner (the launcher's defaults: parallelism 2, a checkpoint every"
            + " 10 s" + (JOB_ARGS.isEmpty() ? "" : "; with " + String.join(" ", JOB_ARGS))
            + ") from a 4-partition topic on one local Kafka 3.9 broker; " + PROBES_PER_SECOND
            + " probes a second for " + SECONDS + " s after a " + WARMUP + " s warm-up, each from Kafka's"
            + " acknowledgement to the first " + POLL_MILLIS + " ms poll that finds its row; "
            + BenchmarkReport.machine(),
        "",
        "| warehouse | events/s | job read, events/s | meshflow p50 / p95 / p99, ms (probes) | plain consumer loop"
            + " p50 / p95 / p99, ms (probes) | meshflow over the loop, p50 / p99 |",
        "|---|---:|---:|---|---|---:|",
        String.join("\n", rows)));
    assertEquals(List.of(), failed, "every job ended cleanly");
  }

  /**
   * Feeds a new topic at {@code rate}, starts the reader under test on it, and times the probes
   * acknowledged between the warm-up's end and the window's end. Returns p50, p95, p99 (ms) and
   * the number of probes.
   */
  private static double[] measure(long rate, String topic, Warehouse warehouse, String table,
      java.util.function.Function<String, AutoCloseable> reader) throws Exception {
    Map<String, Long> outstanding = new ConcurrentHashMap<>();
    List<Double> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
    long start = System.nanoTime();
    long from = start + TimeUnit.SECONDS.toNanos(WARMUP);
    long to = from + TimeUnit.SECONDS.toNanos(SECONDS);
    KafkaFeed feed = KafkaFeed.start(topic, GENERATOR, rate, WARMUP + SECONDS + 60, rate / PROBES_PER_SECOND,
        (index, payload, ackNanos) -> {
          if (ackNanos >= from && ackNanos < to) {
            Matcher id = EVENT_ID.matcher(new String(payload, StandardCharsets.UTF_8));
            if (id.find()) {
              outstanding.put(id.group(1), ackNanos);
            }
          }
        });
    try (AutoCloseable running = reader.apply(feed.sourceUri(topic))) {
      Connection c = null;
      String lastError = null;
      long deadline = to + TimeUnit.SECONDS.toNanos(30); // the last probes' own latency
      while (System.nanoTime() < deadline && (System.nanoTime() < to || !outstanding.isEmpty())) {
        long pollAt = System.nanoTime();
        try {
          if (c == null) {
            c = warehouse.connect();
          }
          for (String seen : found(c, table, List.copyOf(outstanding.keySet()))) {
            Long acked = outstanding.remove(seen);
            if (acked != null) {
              latencies.add(Math.max(0, System.nanoTime() - acked) / 1e6);
            }
          }
        } catch (SQLException tableNotYetThere) {
          lastError = tableNotYetThere.getMessage(); // the reader creates its table with its first write
        }
        long next = pollAt + TimeUnit.MILLISECONDS.toNanos(POLL_MILLIS) - System.nanoTime();
        if (next > 0) {
          java.util.concurrent.locks.LockSupport.parkNanos(next); // the poll's period, not a wait for a condition
        }
      }
      if (c != null) {
        c.close();
      }
      if (!outstanding.isEmpty() && lastError != null) {
        System.out.printf("%s: the last poll failed: %s%n", topic, lastError);
      }
    } finally {
      feed.stopFeeding();
    }
    List<Double> sorted = new ArrayList<>(latencies);
    sorted.sort(null);
    if (!outstanding.isEmpty()) {
      System.out.printf("%s: %d probes never seen within 30 s of the window's end%n", topic, outstanding.size());
    }
    if (sorted.isEmpty()) {
      return new double[] {Double.NaN, Double.NaN, Double.NaN, 0};
    }
    return new double[] {at(sorted, 0.5), at(sorted, 0.95), at(sorted, 0.99), sorted.size()};
  }

  /** Which of {@code ids} the table holds: one parameterised lookup by key. */
  private static List<String> found(Connection c, String table, List<String> ids) throws SQLException {
    List<String> seen = new ArrayList<>();
    if (ids.isEmpty()) {
      return seen;
    }
    String marks = String.join(",", java.util.Collections.nCopies(ids.size(), "?"));
    try (PreparedStatement st = c.prepareStatement("SELECT event_id FROM " + table + " WHERE event_id IN (" + marks
        + ")")) {
      for (int i = 0; i < ids.size(); i++) {
        st.setString(i + 1, ids.get(i));
      }
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          seen.add(rs.getString(1));
        }
      }
    }
    if (!c.getAutoCommit()) {
      c.commit();
    }
    return seen;
  }

  private static double at(List<Double> sorted, double q) {
    return sorted.get((int) Math.min(sorted.size() - 1, Math.round(q * (sorted.size() - 1))));
  }

  private static String ms(double[] p) {
    return String.format("%,.0f / %,.0f / %,.0f (%d)", p[0], p[1], p[2], (long) p[3]);
  }

  /** A warehouse for one reader: a DuckDB file of its own, or a PostgreSQL database of its own. */
  private record Warehouse(String sinkUri, String duckDbFile, String postgresDatabase) {
    static Warehouse of(String sink, Path dir, String name) throws Exception {
      if (sink.equals("duckdb")) {
        String file = dir.resolve(name + ".duckdb").toString();
        return new Warehouse("duckdb:" + file, file, null);
      }
      String db = Postgres.newDatabase("latency_" + name);
      return new Warehouse(Postgres.sinkUri(db), null, db);
    }

    /** DuckDB: the instance this JVM's writer holds (a second process may not open the file). */
    Connection connect() throws Exception {
      return duckDbFile != null ? DuckDbDatabases.connect(duckDbFile) : Postgres.connect(postgresDatabase);
    }
  }

  /** {@code ./meshflow ingest} streaming from the topic, in this JVM, for the warm-up, the window and 10 s. */
  private static final class JobRun implements AutoCloseable {
    private final Thread thread;
    private final Path log;
    volatile int code = -1;
    long read;

    JobRun(String source, Warehouse warehouse, Path log, long rate) {
      this.log = log;
      List<String> args = new ArrayList<>(List.of("ingest", "--runner=FlinkRunner", "--streaming",
          "--source=" + source, "--sink=" + warehouse.sinkUri(), "--runFor=PT" + (WARMUP + SECONDS + 10) + "S",
          "--progressSeconds=10"));
      args.addAll(JOB_ARGS);
      thread = new Thread(() -> {
        try (PrintStream out = new PrintStream(Files.newOutputStream(log), true, StandardCharsets.UTF_8)) {
          code = Main.execute(args, out, out);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }, "latency-job-" + rate);
      thread.start();
    }

    @Override
    public void close() throws Exception {
      thread.join(TimeUnit.MINUTES.toMillis(3));
      Matcher m = READ.matcher(Files.readString(log));
      read = m.find() ? Long.parseLong(m.group(1).replace(",", "")) : 0;
    }
  }

  /**
   * The baseline: a consumer loop as a user would write it without a framework. Each poll's records
   * are upserted into {@code floor_events} in one transaction, then the offsets are committed.
   */
  private static final class FloorLoop implements AutoCloseable {
    private volatile boolean running = true;
    private volatile Exception failure;
    private final Thread thread;

    FloorLoop(String source, Warehouse warehouse) {
      Matcher uri = Pattern.compile("kafka://([^/]+)/([^?]+)\\?group=(.+)").matcher(source);
      if (!uri.matches()) {
        throw new IllegalArgumentException(source);
      }
      thread = new Thread(() -> loop(uri.group(1), uri.group(2), uri.group(3), warehouse), "latency-floor");
      thread.start();
    }

    private void loop(String bootstrap, String topic, String group, Warehouse warehouse) {
      Properties config = new Properties();
      config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
      config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
      try (KafkaConsumer<byte[], byte[]> consumer =
              new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
          Connection c = warehouse.connect()) {
        try (Statement st = c.createStatement()) {
          st.execute("CREATE TABLE IF NOT EXISTS floor_events (event_id VARCHAR PRIMARY KEY, payload VARCHAR)");
        }
        c.setAutoCommit(false);
        consumer.subscribe(List.of(topic));
        try (PreparedStatement upsert = c.prepareStatement(
            "INSERT INTO floor_events VALUES (?, ?) ON CONFLICT (event_id) DO NOTHING")) {
          while (running) {
            ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(50));
            if (batch.isEmpty()) {
              continue;
            }
            if (c instanceof org.duckdb.DuckDBConnection duck) {
              // DuckDB's bulk path: its Appender (one INSERT per row falls behind 1,000 rows/s).
              try (org.duckdb.DuckDBAppender appender = duck.createAppender(
                  org.duckdb.DuckDBConnection.DEFAULT_SCHEMA, "floor_events")) {
                for (ConsumerRecord<byte[], byte[]> r : batch) {
                  String payload = new String(r.value(), StandardCharsets.UTF_8);
                  Matcher id = EVENT_ID.matcher(payload);
                  if (id.find()) {
                    appender.beginRow();
                    appender.append(id.group(1));
                    appender.append(payload);
                    appender.endRow();
                  }
                }
              }
            } else {
              for (ConsumerRecord<byte[], byte[]> r : batch) {
                String payload = new String(r.value(), StandardCharsets.UTF_8);
                Matcher id = EVENT_ID.matcher(payload);
                if (id.find()) {
                  upsert.setString(1, id.group(1));
                  upsert.setString(2, payload);
                  upsert.addBatch();
                }
              }
              upsert.executeBatch();
            }
            c.commit();
            consumer.commitSync();
          }
        }
      } catch (Exception e) {
        failure = e; // the benchmark's thread reports it at close
      }
    }

    @Override
    public void close() throws Exception {
      running = false;
      thread.join(TimeUnit.MINUTES.toMillis(1));
      if (failure != null) {
        throw new IllegalStateException("the plain consumer loop failed", failure);
      }
    }
  }
}
