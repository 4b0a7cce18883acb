package dev.meshflow.io.generator;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * The Interactions domain's synthetic producer. Record {@code i} is a pure function of (seed, i),
 * so any runner, at any parallelism, produces the same records, and a test can recompute them.
 *
 * <p>Planted imperfections, each a configurable share of the records:
 *
 * <ul>
 *   <li>duplicates: an exact re-send of one of the previous 20 records;
 *   <li>out-of-order: event time moved back by up to {@code maxDisorderMillis};
 *   <li>late: event time moved back by {@code lateByMillis} to 1.5 times that;
 *   <li>malformed: one of {@link #MALFORMED_KINDS} kinds of broken line.
 * </ul>
 */
public final class InteractionGenerator implements RecordGenerator {
  public static final int MALFORMED_KINDS = 14;
  static final String[] DEVICES = {"ios", "android", "web", "desktop"};
  private static final int DUPLICATE_LOOKBACK = 20;

  private final Spec spec;

  public InteractionGenerator(Spec spec) {
    this.spec = spec;
  }

  public Spec spec() {
    return spec;
  }

  /** Generator parameters; see {@link GeneratorSource} for the URI form. */
  public static final class Spec implements Serializable {
    public long seed = 42;
    public long startMillis = java.time.Instant.parse("2026-03-07T23:00:00Z").toEpochMilli();
    public double eventsPerSecond = 100;
    public int items = 100;
    public int users = 2000;
    public double duplicates = 0.02;
    public double outOfOrder = 0.10;
    public double late = 0.01;
    public double malformed = 0.01;
    public long maxDisorderMillis = 30_000;
    public long lateByMillis = 15 * 60_000;
    /** Listens with a learnable skip signal: see {@link Taste}. Off keeps the original data. */
    public boolean taste = false;
    /** With taste: listens starting at or after this instant follow the drifted tastes. */
    public long driftAtMillis = Long.MAX_VALUE;
    /** With taste: users, items, cohorts and genres from the products instead of ids; null: ids. */
    public ProductWorld world;
    /** With taste: users and items follow taste groups and artists ({@link CoListening}). */
    public boolean recs = false;

    /** How many item numbers are songs: the first 80 %; the rest are podcasts. */
    public int songs() {
      return Math.max(1, items * 8 / 10);
    }
  }

  @Override
  public String originOf(long index) {
    return "generator:seed=" + spec.seed + "#" + index;
  }

  /**
   * With taste, a live run stamps records with their nominal time: an outcome's event time lies up
   * to 200 s ahead, and a source watermark that followed it would make the next plays late.
   */
  @Override
  public long emitTimeMillis(long index) {
    return spec.taste ? nominalTimeMillis(index) : recordAt(index).eventTimeMillis;
  }

  public long nominalTimeMillis(long index) {
    return spec.startMillis + (long) (index * 1000.0 / spec.eventsPerSecond);
  }

  @Override
  public GeneratedRecord recordAt(long index) {
    long i = index;
    // A duplicate re-sends an earlier record; follow the chain to the original.
    while (true) {
      SplittableRandom r = rng(i);
      double kind = r.nextDouble();
      if (kind < spec.malformed) {
        return new GeneratedRecord(index, malformed(i, r), nominalTimeMillis(i));
      }
      if (kind < spec.malformed + spec.duplicates && i > 0) {
        i = i - 1 - r.nextInt((int) Math.min(i, DUPLICATE_LOOKBACK));
        continue;
      }
      return spec.taste ? Taste.listenRecord(index, i, r, this) : valid(index, i, r);
    }
  }

  private SplittableRandom rng(long i) {
    return SeededRandom.of(spec.seed, i);
  }

  private GeneratedRecord valid(long index, long i, SplittableRandom r) {
    long ts = shifted(nominalTimeMillis(i), r);
    // Squaring skews popularity towards low item and user numbers, as real catalogs are skewed.
    int item = (int) (spec.items * Math.pow(r.nextDouble(), 2));
    boolean song = item < spec.songs();
    int user = (int) (spec.users * Math.pow(r.nextDouble(), 1.5));
    double e = r.nextDouble();
    String eventType = e < 0.55 ? "play" : e < 0.80 ? "skip" : e < 0.92 ? "like" : "playlist_add";
    String device = r.nextDouble() < 0.9 ? DEVICES[r.nextInt(DEVICES.length)] : null;
    Long duration = eventType.equals("play") ? Long.valueOf(r.nextLong(30_000, 400_000))
        : eventType.equals("skip") ? Long.valueOf(r.nextLong(500, 30_000)) : null;
    byte[] json = eventJson(i, ts, user, itemId(item, song), song, eventType, device,
        "s-" + user + "-" + (i / 500), duration);
    return new GeneratedRecord(index, json, ts);
  }

  /** Moves an event time back as the late and out-of-order shares say. */
  long shifted(long ts, SplittableRandom r) {
    double shift = r.nextDouble();
    if (shift < spec.late) {
      return ts - spec.lateByMillis - r.nextLong(spec.lateByMillis / 2 + 1);
    }
    if (shift < spec.late + spec.outOfOrder) {
      return ts - r.nextLong(spec.maxDisorderMillis + 1);
    }
    return ts;
  }

  static String itemId(int item, boolean song) {
    return (song ? "song-" : "podcast-") + pad4(item);
  }

  /** One valid event as a JSON line; {@code device} and {@code durationMs} may be absent (null). */
  byte[] eventJson(long i, long ts, int user, String itemId, boolean song, String eventType, String device,
      String sessionId, Long durationMs) {
    StringBuilder json = new StringBuilder(220);
    json.append("{\"event_id\":\"ev-").append(spec.seed).append('-').append(i).append('"');
    json.append(",\"ts\":\"").append(java.time.Instant.ofEpochMilli(ts)).append('"');
    json.append(",\"user_id\":\"user-").append(user).append('"');
    json.append(",\"item_id\":\"").append(itemId).append('"');
    json.append(",\"item_type\":\"").append(song ? "song" : "podcast").append('"');
    json.append(",\"event_type\":\"").append(eventType).append('"');
    if (device != null) {
      json.append(",\"device\":\"").append(device).append('"');
    }
    json.append(",\"session_id\":\"").append(sessionId).append('"');
    if (durationMs != null) {
      json.append(",\"duration_ms\":").append(durationMs);
    }
    json.append('}');
    return json.toString().getBytes(StandardCharsets.UTF_8);
  }

  private byte[] malformed(long i, SplittableRandom r) {
    String id = "ev-" + spec.seed + "-" + i;
    String ts = java.time.Instant.ofEpochMilli(nominalTimeMillis(i)).toString();
    String tail = ",\"user_id\":\"user-1\",\"item_id\":\"song-0001\",\"item_type\":\"song\"";
    switch (r.nextInt(MALFORMED_KINDS)) {
      case 0:
        return utf8("{\"event_id\":\"" + id + "\",\"ts\":\"" + ts); // truncated
      case 1:
        return utf8("[\"" + id + "\",\"" + ts + "\"]");
      case 2:
        return utf8("{\"ts\":\"" + ts + "\"" + tail + ",\"event_type\":\"play\"}");
      case 3:
        return utf8("{\"event_id\":\"" + id + "\",\"ts\":\"yesterday\"" + tail + ",\"event_type\":\"play\"}");
      case 4:
        return utf8(("{\"event_id\":\"" + id + "\",\"ts\":\"" + ts + "\"" + tail + ",\"event_type\":\"play\"}")
            .replace("\"item_type\":\"song\"", "\"item_type\":\"video\""));
      case 5:
        return utf8("{\"event_id\":\"" + id + "\",\"ts\":\"" + ts + "\"" + tail + ",\"event_type\":\"pause\"}");
      case 6:
        return utf8(base(id, ts, tail) + ",\"duration_ms\":12.5}");
      case 7:
        return utf8(base(id, ts, tail) + ",\"duration_ms\":\"1200\"}");
      case 8:
        return utf8(base(id, ts, tail) + ",\"duration_ms\":9223372036854775808}");
      case 9:
        {
          byte[] prefix = utf8("{\"event_id\":\"" + id + "\",\"ts\":\"" + ts + "\",\"user_id\":\"us");
          byte[] suffix = utf8("r\",\"item_id\":\"song-0001\",\"item_type\":\"song\",\"event_type\":\"play\"}");
          byte[] out = new byte[prefix.length + 2 + suffix.length];
          System.arraycopy(prefix, 0, out, 0, prefix.length);
          out[prefix.length] = (byte) 0xC3; // a lead byte followed by a non-continuation byte
          out[prefix.length + 1] = (byte) 0x28;
          System.arraycopy(suffix, 0, out, prefix.length + 2, suffix.length);
          return out;
        }
      case 10:
        return utf8(base(id, ts, tail.replace("user-1", "u".repeat(257))) + "}");
      case 11:
        return utf8(base(id, ts, tail.replace("song-0001", "")) + "}");
      case 12:
        return utf8(base(id, ts, tail) + ",\"duration_ms\":-5}");
      default:
        return utf8("   "); // blank but not empty: an empty line is no record in JSON lines
    }
  }

  static String pad4(int n) {
    String digits = Integer.toString(n);
    return digits.length() >= 4 ? digits : "0000".substring(digits.length()) + digits;
  }

  private static String base(String id, String ts, String tail) {
    return "{\"event_id\":\"" + id + "\",\"ts\":\"" + ts + "\"" + tail + ",\"event_type\":\"play\"";
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
