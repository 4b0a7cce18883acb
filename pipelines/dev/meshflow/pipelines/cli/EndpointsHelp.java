package dev.meshflow.pipelines.cli;

import dev.meshflow.options.SinkOptions;
import java.io.PrintStream;

/** {@code ./meshflow endpoints}: the source and sink URI forms. */
public final class EndpointsHelp {
  private EndpointsHelp() {}

  public static void print(PrintStream out) {
    out.println("Sources (--source):");
    out.println("  generator:interactions?events=N&seed=S&rate=R&...");
    out.println("      Seeded synthetic Interactions producer; record i is a pure function of (seed, i).");
    out.println("      events=N           records to emit; required in batch, endless in streaming without it");
    out.println("      seed=S             random seed (default 42)");
    out.println("      rate=R             streaming: records per second (default 1000)");
    out.println("      start=INSTANT      event time of record 0 (default 2026-03-07T23:00:00Z; now when streaming)");
    out.println("      eventsPerSecond=E  event-time density (default 100 in batch, = rate in streaming)");
    out.println("      items=N users=N    catalog and audience size (default 100 and 2000)");
    out.println("      duplicates=F       share of exact re-sends of a recent record (default 0.02)");
    out.println("      outOfOrder=F       share moved back by up to maxDisorderSeconds (default 0.10, 30)");
    out.println("      late=F             share moved back by lateByMinutes to 1.5x that (default 0.01, 15)");
    out.println("      malformed=F        share of broken lines of 14 kinds (default 0.01)");
    out.println("  file:<path-or-glob>[?pollSeconds=S]");
    out.println("      JSON lines (.gz allowed). Batch reads the matching files; --streaming watches the");
    out.println("      pattern every S seconds (default 10) and reads each new file once.");
    out.println("  kafka://host:port[,host:port]/topic[,topic]?group=G&start=...  (needs --streaming)");
    out.println("      Raw bytes, parsed downstream; origin kafka:topic/partition/offset.");
    out.println("      group=G            consumer group; offsets are committed after results are durable");
    out.println("      start=S            earliest | latest | committed (default: committed with a group, else earliest)");
    out.println("      maxDelaySeconds=D  the watermark trails each partition's newest event time by D (default 30)");
    out.println("      idleSeconds=I      a partition with nothing waiting for I s stops holding the watermark (default 5)");
    out.println("      maxRecords=N       read N records, then end (also allows a batch run); Beam splits N");
    out.println("                         evenly over the partitions, so use it on balanced partitions");
    out.println("      With --runFor each reader stops after that long; the run then flushes and ends.");
    out.println();
    out.println("Sinks (--sink):");
    out.println("  duckdb:<file>      embedded warehouse (default " + SinkOptions.DEFAULT_SINK + ");");
    out.println("                     tables are upserted by key, so reruns never double rows");
    out.println("  postgresql://host:port/db?user=U[&password=P&schema=S&batchRows=N&copyRows=N]  (or jdbc:postgresql://...)");
    out.println("                     a real PostgreSQL; upserts flush every batchRows rows (default 5000)");
    out.println("                     and at each bundle's end: a flush of copyRows rows or more (default 500)");
    out.println("                     is COPYed to staging and merged, a smaller one sent with");
    out.println("                     reWriteBatchedInserts; micro-batches use COPY; the password (or");
    out.println("                     PGPASSWORD) is never printed");
    out.println("  console:           prints every row");
  }
}
