package dev.meshflow.transforms.clickstream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.TreeSet;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;

/**
 * The analytics aggregate {@code traffic_by_country_hour}: human sessions (bots excluded) by the
 * hour they started in and country. A group with fewer than k distinct people is withheld, so no
 * row describes a handful of identifiable visitors (k-anonymity). Plain Java: the pipeline and
 * the model share it.
 */
public final class TrafficStats {
  public static final String TABLE = "traffic_by_country_hour";
  public static final List<String> KEY = List.of("hour_start", "country");
  public static final Schema SCHEMA = Schema.builder()
      .addDateTimeField("hour_start")
      .addStringField("country")
      .addInt64Field("sessions")
      .addInt64Field("visitors")
      .addInt64Field("page_views")
      .addInt64Field("purchases")
      .addInt64Field("revenue_cents")
      .build();
  /** Groups withheld for having fewer than k people. */
  public static final String SUPPRESSED = "groups_suppressed";

  long sessions;
  long pageViews;
  long purchases;
  long revenueCents;
  final TreeSet<String> people = new TreeSet<>();

  public void add(Row session) {
    sessions++;
    pageViews += session.getInt64("page_views");
    purchases += session.getBoolean("purchased") ? 1 : 0;
    revenueCents += session.getInt64("revenue_cents");
    people.add(session.getString("person_id"));
  }

  public void merge(TrafficStats o) {
    sessions += o.sessions;
    pageViews += o.pageViews;
    purchases += o.purchases;
    revenueCents += o.revenueCents;
    people.addAll(o.people);
  }

  /** The row, or null when fewer than {@code k} people are in the group. */
  public Row toRow(long hourStartMillis, String country, int k) {
    if (people.size() < k) {
      return null;
    }
    return Row.withSchema(SCHEMA).attachValues(new Instant(hourStartMillis), country, sessions,
        (long) people.size(), pageViews, purchases, revenueCents);
  }

  /** The combine over one hour's sessions of one country. */
  public static final class Fn extends Combine.CombineFn<Row, TrafficStats, TrafficStats> {
    @Override
    public TrafficStats createAccumulator() {
      return new TrafficStats();
    }

    @Override
    public TrafficStats addInput(TrafficStats acc, Row session) {
      acc.add(session);
      return acc;
    }

    @Override
    public TrafficStats mergeAccumulators(Iterable<TrafficStats> accs) {
      TrafficStats out = new TrafficStats();
      for (TrafficStats a : accs) {
        out.merge(a);
      }
      return out;
    }

    @Override
    public TrafficStats extractOutput(TrafficStats acc) {
      return acc;
    }

    @Override
    public Coder<TrafficStats> getAccumulatorCoder(CoderRegistry registry, Coder<Row> input) {
      return StatsCoder.INSTANCE;
    }

    @Override
    public Coder<TrafficStats> getDefaultOutputCoder(CoderRegistry registry, Coder<Row> input) {
      return StatsCoder.INSTANCE;
    }
  }

  /** Kept over a Beam schema, which has no set type for the people counted. */
  private static final class StatsCoder extends CustomCoder<TrafficStats> {
    static final StatsCoder INSTANCE = new StatsCoder();
    private static final VarLongCoder LONG = VarLongCoder.of();
    private static final StringUtf8Coder TEXT = StringUtf8Coder.of();

    @Override
    public void encode(TrafficStats s, OutputStream out) throws IOException {
      LONG.encode(s.sessions, out);
      LONG.encode(s.pageViews, out);
      LONG.encode(s.purchases, out);
      LONG.encode(s.revenueCents, out);
      LONG.encode((long) s.people.size(), out);
      for (String p : s.people) {
        TEXT.encode(p, out);
      }
    }

    @Override
    public TrafficStats decode(InputStream in) throws IOException {
      TrafficStats s = new TrafficStats();
      s.sessions = LONG.decode(in);
      s.pageViews = LONG.decode(in);
      s.purchases = LONG.decode(in);
      s.revenueCents = LONG.decode(in);
      long n = LONG.decode(in);
      for (long i = 0; i < n; i++) {
        s.people.add(TEXT.decode(in));
      }
      return s;
    }

    @Override
    public void verifyDeterministic() {}
  }
}
