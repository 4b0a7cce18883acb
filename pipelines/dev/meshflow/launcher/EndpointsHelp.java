package dev.meshflow.launcher;

import dev.meshflow.options.SinkOptions;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ./meshflow endpoints}: every source and sink URI form with every parameter it accepts.
 * Held as data so that {@code EndpointsHelpTest} can check each entry against the parameters its
 * endpoint really accepts, and the listing cannot fall behind the code.
 */
public final class EndpointsHelp {
  /** One URI form: what it is, and its parameters as {@code name=VALUE} to a description. */
  public static final class Entry {
    public final String form;
    /** What the endpoint is; the listing wraps it. */
    public final String about;
    public final Map<String, String> params = new LinkedHashMap<>();

    Entry(String form, String... about) {
      this.form = form;
      this.about = String.join(" ", about);
    }

    Entry param(String nameAndValue, String description) {
      params.put(nameAndValue, description);
      return this;
    }

    /** events, seed, rate and start, which every generator takes; {@code what} it emits. */
    Entry generated(String what, String rateDefault, String firstTime) {
      return param("events=N", what + " to emit; required in batch, endless in streaming without it")
          .param("seed=S", "random seed (default 42)")
          .param("rate=R", "streaming: " + what + " per second " + rateDefault)
          .param("start=INSTANT", firstTime + " (default 2026-03-07T23:00:00Z; now when streaming)");
    }

    /** The parameter names, without their {@code =VALUE} placeholders. */
    public List<String> paramNames() {
      List<String> names = new ArrayList<>();
      params.keySet().forEach(p -> names.add(p.substring(0, p.indexOf('='))));
      return names;
    }
  }

  public static final Entry INTERACTIONS = new Entry("generator:interactions?events=N&seed=S&...",
      "The Interactions domain's seeded producer; record i is a pure function of (seed, i).")
      .generated("records", "(default 1000)", "event time of record 0")
      .param("eventsPerSecond=E", "event-time density (default 100 in batch, = rate in streaming)")
      .param("items=N", "catalog size (default 100)")
      .param("users=N", "audience size (default 2000)")
      .param("duplicates=F", "share of exact re-sends of a recent record (default 0.02)")
      .param("outOfOrder=F", "share moved back by up to maxDisorderSeconds (default 0.10)")
      .param("maxDisorderSeconds=S", "how far out-of-order records move back (default 30)")
      .param("late=F", "share moved back by lateByMinutes to 1.5x that (default 0.01)")
      .param("lateByMinutes=M", "how far late records move back (default 15)")
      .param("malformed=F", "share of broken lines of 14 kinds (default 0.01)")
      .param("taste=0|1", "1: skips follow users' taste for genres, a signal a model can learn (default 0)")
      .param("driftAfterMinutes=M", "with taste=1: tastes change this long after start (default: never)")
      .param("mesh=0|1", "with taste=1: draw users and items from the Users, Songs and Podcasts products, their"
          + " tiers and genres deciding the skips (read from the domains' tables at start; default 0: from ids)")
      .param("recs=0|1", "with taste=1: sessions of 6 listens by one user follow taste groups and artists,"
          + " co-listening a recommender can learn (default 0)")
      .param("catalog=DIR", "with mesh=1: the products' catalog (default catalog)")
      .param("db=URI", "with mesh=1: the domains' database instead of the products' postgres ports"
          + " (percent-encode its ? and &)");

  public static final Entry VEHICLES = new Entry("generator:vehicles?vehicles=V&events=N&seed=S&...",
      "The fleet's seeded position reports, with planted speeding episodes and geofence exits",
      "(the truth fleet-alerts is scored against).")
      .generated("reports", "(default: the fleet's pace, vehicles/reportSeconds)", "time of the first report")
      .param("vehicles=V", "fleet size (default 50)")
      .param("zones=Z", "zones on the map, each with its own speed limit (default 6)")
      .param("reportSeconds=S", "seconds between a vehicle's reports (default 10)")
      .param("missingSpeed=F", "share of reports without a speed, to be filled (default 0.05)")
      .param("duplicates=F", "share of exact re-sends of the vehicle's previous report (default 0.01)")
      .param("malformed=F", "share of malformed lines (default 0.01)")
      .param("speedingPerSlot=F", "chance a vehicle speeds in a 30-minute slot (default 0.5)")
      .param("exitPerSlot=F", "chance a vehicle leaves its zone in a 30-minute slot (default 0.4)");

  public static final Entry CLICKS = new Entry("generator:clicks?events=N&seed=S&persons=P&...",
      "A shop's seeded web and app events in visits, with planted identity links, bots and",
      "anomalous shoppers (the truth clickstream-backfill and anomaly-detection are scored against).")
      .generated("events", "(default: the shop's pace, visitEvents/visitSeconds)", "time of the first visit")
      .param("persons=P", "people, each with one user id, one to three cookies, one or two devices (default 400)")
      .param("products=N", "catalog size (default 60)")
      .param("visitEvents=N", "events per visit (default 8)")
      .param("visitSeconds=S", "seconds between the starts of two visits (default 6)")
      .param("registered=F", "share of people with an account (default 0.6)")
      .param("login=F", "share of a registered person's visits with a login (default 0.5)")
      .param("bots=F", "share of visits that are bots (default 0.06)")
      .param("anomalies=F", "share of visits by anomalous shoppers (default 0)")
      .param("duplicates=F", "share of exact re-sends of the visit's previous event (default 0.01)")
      .param("malformed=F", "share of malformed lines (default 0.01)")
      .param("late=F", "share of events from an app that was offline (default 0.003)")
      .param("lateByMinutes=M", "how far late events move back (default 90)")
      .param("missingPrice=F", "share of events without a price; the catalog has it (default 0.2)")
      .param("pii=F", "share of searches with an e-mail address or phone number typed in (default 0.3)");

  public static final Entry FILE_SOURCE = new Entry("file:<path-or-glob>?pollSeconds=S",
      "JSON lines (.gz allowed). Batch reads the matching files; --streaming watches the pattern",
      "and reads each new file once. Origin file:<path>#L<line>.")
      .param("pollSeconds=S", "streaming: seconds between looks at the pattern (default 10)");

  public static final Entry KAFKA_SOURCE = new Entry(
      "kafka://host:port[,host:port]/topic[,topic]?group=G&start=...",
      "A Kafka broker through KafkaIO, as raw bytes parsed downstream; origin",
      "kafka:topic/partition/offset. Needs --streaming, or maxRecords=N for a batch read. With",
      "--runFor each reader stops after that long, still streaming; the run then flushes and ends.")
      .param("group=G", "consumer group; offsets are committed once results are durable: at each"
          + " checkpoint on Flink (every --checkpointingInterval), when the run finishes on Direct")
      .param("start=S", "earliest | latest | committed (default: committed with a group, else earliest)")
      .param("maxDelaySeconds=D", "the watermark trails each partition's newest event time by D (default 30)")
      .param("idleSeconds=I", "a partition with nothing waiting for I s stops holding the watermark (default 5)")
      .param("until=caughtUp", "stream until every partition reaches the end it had at launch, then"
          + " flush and end: a historical replay with the same windows and lateness as a live run")
      .param("maxRecords=N", "read N records, then end (allows a batch run); Beam splits N evenly over"
          + " the partitions, so use it on balanced partitions");

  public static final Entry MESH_SOURCE = new Entry("mesh://PRODUCT?catalog=DIR&start=...",
      "A data product's stream, found through the catalog (docs/mesh.md): the product's Kafka port,",
      "read as a kafka:// source, so its parameters (start, group, maxRecords, until, ...) apply too.",
      "The product must publish JSON lines, as mesh://interactions does; a deprecated product warns.")
      .param("catalog=DIR", "the catalog (default catalog)")
      .param("bootstrap=HOST:PORT", "the broker instead of the port's")
      .param("topic=NAME", "the topic instead of the port's");

  public static final Entry KINESIS_SOURCE = new Entry("kinesis://stream?region=R&endpoint=URL&start=...",
      "An AWS Kinesis data stream through KinesisIO (polling reads), or a local emulator",
      "(kinesis-local) with endpoint. Origin kinesis:stream/shard/sequence; event time and watermark",
      "follow the payload's ts, as for Kafka. Credentials: the default AWS chain (any, for an",
      "emulator). Needs --streaming, or maxRecords=N.")
      .param("region=R", "AWS region (default us-east-1)")
      .param("endpoint=URL", "a Kinesis-compatible endpoint instead of AWS, e.g. http://localhost:4568")
      .param("start=S", "trim_horizon | latest (default trim_horizon)")
      .param("maxRecords=N", "read N records, then end (allows a batch run)")
      .param("maxDelaySeconds=D", "the watermark trails each shard's newest event time by D (default 30)")
      .param("idleSeconds=I", "a shard with nothing waiting for I s stops holding the watermark (default 5)");

  public static final Entry DUCKDB_SINK = new Entry("duckdb:<file>",
      "The embedded warehouse (default " + SinkOptions.DEFAULT_SINK + "). Tables are created from",
      "the rows' schema and upserted by key, in bulk through the Appender, so reruns never double rows.")
      .param("createFolder=true", "create the file's folder if it does not exist (otherwise an error;"
          + " the default folder, warehouse/, is always created)");

  public static final Entry POSTGRES_SINK = new Entry(
      "postgresql://host:port/db?user=U&...  (or jdbc:postgresql://...)",
      "A real PostgreSQL. Upserts (ON CONFLICT ... DO UPDATE) flush every batchRows rows and at each",
      "bundle's end; micro-batches use COPY. The password is never printed.")
      .param("user=U", "database user")
      .param("password=P", "password (or the PGPASSWORD environment variable)")
      .param("schema=S", "schema for meshflow's tables (default public)")
      .param("batchRows=N", "rows per flush (default 5000)")
      .param("copyRows=N", "a flush of this many rows or more is COPYed to staging and merged; a"
          + " smaller one is sent as batched upserts with reWriteBatchedInserts (default 500)");

  public static final Entry KAFKA_SINK = new Entry("kafka://host:port/topic?table=T",
      "One JSON message per row, keyed by the table's key columns (event_id for interactions).",
      "The main table goes to the topic, every other one to <topic>.<table> (dead letters:",
      "<topic>.dead_letter). Idempotent producer, acks=all; consumers deduplicate a replay by key.")
      .param("table=T", "the table that goes to the topic itself (default interactions)");

  public static final Entry FILE_SINK = new Entry("file:<dir>?bufferSize=MB&bufferInterval=S",
      "Firehose-style JSON-lines files under <dir>/<table>/yyyy/MM/dd/HH/. A file is closed when",
      "either buffering hint is reached, and at the end of the input; it is written under a hidden",
      "name and renamed when complete, so a clean stop leaves no temporary file. No ':' in names.",
      "Rows are appended: consumers deduplicate by the key columns.")
      .param("bufferSize=MB", "megabytes per file, above 0 and at most 1024 (default 5)")
      .param("bufferInterval=S", "seconds a file stays open at most (default 300)")
      .param("shards=N", "files written at once per table (default 2)");

  public static final Entry CONSOLE_SINK = new Entry("console:", "Prints every row.");

  public static final List<Entry> SOURCES =
      List.of(INTERACTIONS, VEHICLES, CLICKS, FILE_SOURCE, KAFKA_SOURCE, MESH_SOURCE, KINESIS_SOURCE);
  public static final List<Entry> SINKS =
      List.of(DUCKDB_SINK, POSTGRES_SINK, KAFKA_SINK, FILE_SINK, CONSOLE_SINK);

  private static final int WIDTH = 100;
  private static final int ABOUT_INDENT = 6;
  private static final int PARAM_INDENT = 29;

  private EndpointsHelp() {}

  public static void print(PrintStream out) {
    out.println("Sources (--source):");
    SOURCES.forEach(e -> print(e, out));
    out.println();
    out.println("Sinks (--sink):");
    SINKS.forEach(e -> print(e, out));
  }

  /** The same entries as a Markdown page: docs/endpoints.md, which GeneratedDocsTest keeps equal. */
  public static String markdown() {
    StringBuilder md = new StringBuilder("# Endpoints: the --source and --sink URIs\n\n")
        .append("Generated from the table that `./meshflow endpoints` prints (`EndpointsHelp`);")
        .append(" `GeneratedDocsTest` fails when the two differ, and\n`mvn -B test")
        .append(" -Dtest=GeneratedDocsTest -Ddocs.write=true` writes this page again.\n");
    section(md, "Sources (`--source`)", SOURCES);
    section(md, "Sinks (`--sink`)", SINKS);
    return md.toString();
  }

  private static void section(StringBuilder md, String title, List<Entry> entries) {
    md.append("\n## ").append(title).append("\n");
    for (Entry e : entries) {
      md.append("\n### `").append(e.form).append("`\n\n").append(e.about.replace("<", "&lt;"))
          .append("\n");
      if (!e.params.isEmpty()) {
        md.append("\n| parameter | meaning |\n|---|---|\n");
        e.params.forEach((param, description) -> md.append("| `").append(param.replace("|", "\\|"))
            .append("` | ")
            .append(description.replace("|", "\\|").replace("<", "&lt;")).append(" |\n"));
      }
    }
  }

  private static void print(Entry entry, PrintStream out) {
    out.println("  " + entry.form);
    wrap("     ", entry.about, ABOUT_INDENT, out);
    entry.params.forEach((param, description) ->
        wrap(String.format("      %-22s", param), description, PARAM_INDENT, out));
  }

  /** Prints {@code first} followed by {@code text}, wrapped at {@link #WIDTH} columns. */
  private static void wrap(String first, String text, int indent, PrintStream out) {
    StringBuilder line = new StringBuilder(first);
    for (String word : text.split(" ")) {
      if (line.length() + 1 + word.length() > WIDTH && line.length() > indent) {
        out.println(line);
        line = new StringBuilder(" ".repeat(indent - 1));
      }
      line.append(' ').append(word);
    }
    out.println(line);
  }
}
