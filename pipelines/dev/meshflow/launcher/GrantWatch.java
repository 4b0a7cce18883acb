package dev.meshflow.launcher;

import dev.meshflow.io.mesh.catalog.MeshCatalog;
import dev.meshflow.io.mesh.governance.AccessRefusedException;
import dev.meshflow.io.mesh.governance.AccessScope;
import dev.meshflow.io.mesh.governance.Grant;
import java.io.IOException;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.beam.sdk.PipelineResult;

/**
 * Keeps a streaming run to its grants: every {@value #EVERY_SECONDS} s it reads the grant log of
 * each product the run reads, and when a grant is no longer active (revoked, or the log no longer
 * checks) it stops the run. What the run wrote before stays; nothing more is read.
 *
 * <p>Where the runner hands back a running job (Direct), the job is cancelled and the launcher
 * ends with the run's summary. Where starting waits for the job to end (an embedded Flink or Spark
 * streaming run), the launcher's JVM exits instead, through the hook that closes the sink and
 * prints the counts, as Ctrl-C does. A batch run reads what it was granted at launch and is not
 * watched.
 */
final class GrantWatch implements AutoCloseable {
  static final int EVERY_SECONDS = 2;

  private final List<AccessScope.Read> granted;
  private final String job;
  private final PrintStream err;
  private final AtomicReference<PipelineResult> result = new AtomicReference<>();
  private final ScheduledExecutorService timer;
  private volatile String stopReason;

  private GrantWatch(List<AccessScope.Read> reads, String job, PrintStream err) {
    this.granted = reads.stream().filter(r -> r.grantId() != null).toList();
    this.job = job;
    this.err = err;
    this.timer = this.granted.isEmpty() ? null : Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "meshflow-grant-watch");
      t.setDaemon(true);
      return t;
    });
    if (timer != null) {
      timer.scheduleWithFixedDelay(this::check, EVERY_SECONDS, EVERY_SECONDS, TimeUnit.SECONDS);
    }
  }

  /** Watches the grants behind {@code reads}; an owner's own products need none. */
  static GrantWatch start(List<AccessScope.Read> reads, String job, PrintStream err) {
    return new GrantWatch(reads, job, err);
  }

  /** The running job, to cancel when a grant goes. */
  void watching(PipelineResult running) {
    result.set(running);
    if (stopReason != null) {
      cancel(running);
    }
  }

  /** Why the watch stopped the run; null while it has not. */
  String stopReason() {
    return stopReason;
  }

  private void check() {
    for (AccessScope.Read use : granted) {
      String why;
      MeshCatalog catalog;
      try {
        catalog = MeshCatalog.open(use.catalogDir());
        Grant grant = catalog.grants().get(use.grantId()).orElse(null);
        why = grant == null ? "grant " + use.grantId() + " is gone from the grant log"
            : grant.state() == Grant.State.ACTIVE ? null
            : "grant " + grant.id() + " (" + grant.domain() + " reads " + grant.product() + ") was "
                + grant.state().name().toLowerCase(java.util.Locale.ROOT) + " by " + grant.decidedBy()
                + (grant.reason() == null ? "" : " (" + grant.reason() + ")");
      } catch (AccessRefusedException e) {
        why = e.getMessage();
        catalog = null;
      } catch (RuntimeException unreadable) {
        continue; // a catalog being rewritten; the next check reads it again
      }
      if (why != null) {
        stop(use, why, catalog);
        return;
      }
    }
  }

  private void stop(AccessScope.Read use, String why, MeshCatalog catalog) {
    stopReason = why + "; the streaming run of " + job + " was stopped (what it wrote before stays)";
    timer.shutdown();
    if (catalog != null) {
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("product", use.product());
      details.put("grant", use.grantId());
      details.put("job", job);
      details.put("decision", "stopped");
      details.put("why", why);
      catalog.audit().record("stop", details);
    }
    err.println("meshflow: access ended: " + stopReason);
    PipelineResult running = result.get();
    if (running != null) {
      cancel(running);
    } else {
      // The runner's start waits for the job to end, so nothing here can cancel it: end the JVM.
      System.exit(Main.REFUSED);
    }
  }

  private void cancel(PipelineResult running) {
    try {
      running.cancel();
    } catch (IOException | RuntimeException e) {
      err.println("meshflow: could not cancel the run (" + e.getMessage() + "); exiting");
      System.exit(Main.REFUSED);
    }
  }

  @Override
  public void close() {
    if (timer != null) {
      timer.shutdownNow();
    }
  }
}
