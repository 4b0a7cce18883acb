package dev.meshflow.transforms.ingest;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.schemas.SchemaCoder;
import org.apache.beam.sdk.state.MapState;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Instant;

/**
 * Fills a missing {@code device} with the same user's last known device and sets
 * {@code device_filled}.
 *
 * <ul>
 *   <li>Batch: exact. Users are grouped (in hash buckets, to keep key groups few on the Direct
 *       runner), each user's events are sorted by (event time, event_id), and a missing device
 *       takes the last one seen before it.
 *   <li>Streaming: the user's latest device so far, by event time, from what has arrived; an
 *       event that arrives before an earlier event carrying a device is not filled.
 * </ul>
 */
public final class FillMissingDevice extends PTransform<PCollection<Row>, PCollection<Row>> {
  private static final int BUCKETS = 64;
  private final boolean streaming;

  private FillMissingDevice(boolean streaming) {
    this.streaming = streaming;
  }

  public static FillMissingDevice batch() {
    return new FillMissingDevice(false);
  }

  public static FillMissingDevice streaming() {
    return new FillMissingDevice(true);
  }

  static int bucket(Row row) {
    String user = row.getString("user_id");
    return user == null ? 0 : Math.floorMod(user.hashCode(), BUCKETS);
  }

  @Override
  public PCollection<Row> expand(PCollection<Row> rows) {
    PCollection<KV<Integer, Row>> keyed = rows
        .apply("KeyByUserBucket", WithKeys.of(FillMissingDevice::bucket).withKeyType(TypeDescriptors.integers()))
        .setCoder(KvCoder.of(VarIntCoder.of(), SchemaCoder.of(InteractionsTable.SCHEMA)));
    PCollection<Row> out = streaming
        ? keyed.apply("FillFromLatest", ParDo.of(new LatestDeviceFn()))
        : keyed.apply("GroupUsers", GroupByKey.create())
            .apply("FillInEventTimeOrder", ParDo.of(new SortAndFillFn()));
    return out.setRowSchema(InteractionsTable.SCHEMA);
  }

  static Row filled(Row row, String device) {
    return Row.fromRow(row).withFieldValue("device", device).withFieldValue("device_filled", true).build();
  }

  /** The batch order: by user, then event time, then event_id. The model uses the same. */
  public static final Comparator<Row> ORDER = Comparator
      .comparing((Row r) -> r.getString("user_id"), Comparator.nullsFirst(Comparator.naturalOrder()))
      .thenComparing(r -> r.getDateTime("event_ts").getMillis())
      .thenComparing(r -> r.getString("event_id"));

  /**
   * Fills rows sorted by {@link #ORDER}: a missing device takes the last device of the same user
   * seen before it. The batch transform and the reference model both call this.
   */
  public static List<Row> fillSorted(List<Row> sorted) {
    List<Row> out = new ArrayList<>(sorted.size());
    String user = null;
    String last = null;
    for (Row r : sorted) {
      if (!java.util.Objects.equals(user, r.getString("user_id"))) {
        user = r.getString("user_id");
        last = null;
      }
      String device = r.getString("device");
      if (device != null) {
        last = device;
        out.add(r);
      } else {
        out.add(last != null && user != null ? filled(r, last) : r);
      }
    }
    return out;
  }

  private static final class SortAndFillFn extends DoFn<KV<Integer, Iterable<Row>>, Row> {
    @ProcessElement
    public void process(@Element KV<Integer, Iterable<Row>> bucket, OutputReceiver<Row> out) {
      List<Row> rows = new ArrayList<>();
      bucket.getValue().forEach(rows::add);
      rows.sort(ORDER);
      fillSorted(rows).forEach(out::output);
    }
  }

  private static final class LatestDeviceFn extends DoFn<KV<Integer, Row>, Row> {
    @StateId("device")
    private final StateSpec<MapState<String, String>> deviceSpec =
        StateSpecs.map(StringUtf8Coder.of(), StringUtf8Coder.of());

    @StateId("deviceTime")
    private final StateSpec<MapState<String, Long>> timeSpec =
        StateSpecs.map(StringUtf8Coder.of(), VarLongCoder.of());

    @ProcessElement
    public void process(@Element KV<Integer, Row> keyed, @Timestamp Instant ts,
        @StateId("device") MapState<String, String> devices,
        @StateId("deviceTime") MapState<String, Long> times, OutputReceiver<Row> out) {
      Row r = keyed.getValue();
      String user = r.getString("user_id");
      String device = r.getString("device");
      long at = r.getDateTime("event_ts").getMillis();
      if (user == null) {
        out.output(r);
        return;
      }
      Long known = times.get(user).read();
      if (device != null) {
        if (known == null || at >= known) {
          devices.put(user, device);
          times.put(user, at);
        }
        out.output(r);
      } else if (known != null && known <= at) {
        out.output(filled(r, devices.get(user).read()));
      } else {
        out.output(r);
      }
    }
  }
}
