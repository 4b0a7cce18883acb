package dev.meshflow.io.generator;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Web and app events of a shop, with planted truth. Records come in visits of
 * {@code visitEvents} events: record {@code i} is event {@code i % visitEvents} of visit
 * {@code i / visitEvents}, and a new visit starts every {@code visitSeconds}.
 *
 * <ul>
 *   <li><b>People.</b> Person p has one user id, one to three cookies and one or two devices. A
 *       registered person logs in on part of their visits; from the login on, the visit's events
 *       carry the user id, which links that cookie and device to the person (planted links).
 *   <li><b>Bots.</b> A share of visits are bots, each with a fresh cookie: half announce themselves
 *       in the user agent (crawlers, at a human pace), half pose as browsers and click every 0.3 to
 *       1.5 seconds.
 *   <li><b>Anomalies.</b> A share of visits ({@code anomalies}, none by default) are shoppers who
 *       behave like nobody else, each with a fresh cookie, of one of the {@link AnomalyKind}s.
 *   <li><b>Imperfections.</b> Exact re-sends of the visit's previous event (duplicates), malformed
 *       lines, late events (an app that was offline: event time {@code lateByMinutes} earlier),
 *       prices left out (the catalog has them), and e-mail addresses or phone numbers typed into
 *       the search box.
 * </ul>
 *
 * <p>A visit's events are out of order with the next visits' (a visit lasts minutes, visits start
 * seconds apart). {@link GeneratedRecord#eventTimeMillis} is the visit's start: the order records
 * are emitted in, which a live run's watermark follows.
 */
public final class ClickGenerator implements RecordGenerator {
  static final String[] COUNTRY_PREFIX = {"31", "46", "62", "81", "104", "177", "133", "49"};
  // Most people are in the first few countries; the last ones are small (k-anonymity withholds them).
  private static final int[] COUNTRY_WEIGHT = {30, 25, 15, 12, 10, 5, 2, 1};
  private static final String[] CATEGORIES = {"vinyl", "headphones", "speakers", "merch", "gift-cards"};
  private static final String[] BROWSERS = {
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
      "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0",
      "MeshMusic/5.2 (Android 14; Pixel 8)", "MeshMusic/5.2 (iOS 17.5; iPhone15,2)"};
  private static final String[] CRAWLERS = {
      "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
      "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
      "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)"};
  private static final String[] SEARCHES = {"jazz vinyl", "noise cancelling", "bluetooth speaker",
      "tour shirt", "gift card 50"};

  private final Spec spec;

  public ClickGenerator(Spec spec) {
    this.spec = spec;
  }

  /** Generator parameters; see {@link GeneratorSource} for the URI form. */
  public static final class Spec implements Serializable {
    public long seed = 42;
    public long startMillis = java.time.Instant.parse("2026-03-07T23:00:00Z").toEpochMilli();
    public int persons = 400;
    public int products = 60;
    public int visitEvents = 8;
    public int visitSeconds = 6;
    public double registered = 0.6;
    public double login = 0.5;
    public double bots = 0.06;
    public double anomalies = 0;
    public double duplicates = 0.01;
    public double malformed = 0.01;
    public double late = 0.003;
    public int lateByMinutes = 90;
    public double missingPrice = 0.2;
    public double pii = 0.3;
  }

  /** The kinds of anomalous visit the generator plants; each is normal in all other respects. */
  public enum AnomalyKind {
    /** Browses, then buys in bulk: four purchases at 20 to 40 times the list price. */
    BULK_BUYER,
    /** Lingers: 20 to 28 minutes between clicks, so one visit is a session of about three hours. */
    MARATHON,
    /** Fills the cart at speed: every click after the first is an add-to-cart, 2 to 6 s apart. */
    CART_STUFFER
  }

  static final int BOT = -1;
  static final int ANOMALY = -2;

  /** One event as planned, before it is rendered (or broken). */
  public static final class Planned {
    public final String eventId;
    public final long tsMillis;
    public final String cookieId;
    public final String deviceId;
    public final String userId;
    /** -1 for a bot, -2 for an anomalous shopper. */
    public final int person;

    Planned(String eventId, long tsMillis, String cookieId, String deviceId, String userId, int person) {
      this.eventId = eventId;
      this.tsMillis = tsMillis;
      this.cookieId = cookieId;
      this.deviceId = deviceId;
      this.userId = userId;
      this.person = person;
    }
  }

  public Spec spec() {
    return spec;
  }

  @Override
  public String originOf(long index) {
    return "generator:clicks?seed=" + spec.seed + "#" + index;
  }

  /** The catalog as JSON lines {product_id, category, price}. */
  public String productsJsonLines() {
    StringBuilder out = new StringBuilder();
    for (int p = 0; p < spec.products; p++) {
      out.append(String.format(Locale.ROOT, "{\"product_id\":\"%s\",\"category\":\"%s\",\"price\":%.2f}%n",
          productId(p), CATEGORIES[p % CATEGORIES.length], priceCents(p) / 100.0));
    }
    return out.toString();
  }

  private static String productId(int p) {
    return "sku-" + (1000 + p);
  }

  private long priceCents(int p) {
    return 499 + (mix(spec.seed, p, 7) & 0x7fffffffL) % 15000;
  }

  // ---- visits -------------------------------------------------------------------------------

  private long visitStart(long visit) {
    return spec.startMillis + visit * spec.visitSeconds * 1000L
        + Math.floorMod(mix(spec.seed, visit, 1), spec.visitSeconds * 1000L);
  }

  private boolean isBot(long visit) {
    return unit(mix(spec.seed, visit, 2)) < spec.bots;
  }

  /** The visit's anomaly, or null for an ordinary one (bots are never anomalies). */
  public AnomalyKind anomalyOf(long visit) {
    double u = unit(mix(spec.seed, visit, 2));
    if (u < spec.bots || u >= spec.bots + spec.anomalies) {
      return null;
    }
    return AnomalyKind.values()[(int) Math.floorMod(mix(spec.seed, visit, 18), (long) AnomalyKind.values().length)];
  }

  private boolean isCrawler(long visit) {
    return (mix(spec.seed, visit, 3) & 1) == 0;
  }

  private int personOf(long visit) {
    return (int) Math.floorMod(mix(spec.seed, visit, 4), (long) spec.persons);
  }

  private boolean registered(int person) {
    return unit(mix(spec.seed, person, 5)) < spec.registered;
  }

  private int cookies(int person) {
    return 1 + (int) Math.floorMod(mix(spec.seed, person, 6), 3L);
  }

  private int devices(int person) {
    return 1 + (int) Math.floorMod(mix(spec.seed, person, 8), 2L);
  }

  /** The step of the visit from which events carry the user id, or -1 when there is no login. */
  private int loginStep(long visit, int person) {
    if (!registered(person) || unit(mix(spec.seed, visit, 9)) >= spec.login) {
      return -1;
    }
    return (int) Math.floorMod(mix(spec.seed, visit, 10), (long) spec.visitEvents);
  }

  private String cookieOf(long visit, int person) {
    if (person < 0) {
      return "c-" + hex(mix(spec.seed, visit, 11));
    }
    int k = (int) Math.floorMod(mix(spec.seed, visit, 12), (long) cookies(person));
    return "c-" + hex(mix(spec.seed, person * 8L + k, 13));
  }

  private String deviceOf(long visit, int person) {
    if (person < 0) {
      return null; // bots have no device id
    }
    int k = (int) Math.floorMod(mix(spec.seed, visit, 12), (long) cookies(person)) % devices(person);
    return "d-" + hex(mix(spec.seed, person * 8L + k, 14));
  }

  public static String userOf(int person) {
    return "u-" + person;
  }

  /** Milliseconds from the visit's start to each of its events. */
  private long offsetOf(long visit, int step) {
    SplittableRandom r = rng(-1 - visit);
    boolean bot = isBot(visit);
    boolean fast = bot && !isCrawler(visit);
    AnomalyKind anomaly = anomalyOf(visit);
    long at = 0;
    for (int s = 1; s <= step; s++) {
      if (anomaly == AnomalyKind.MARATHON) {
        at += 20 * 60_000 + r.nextInt(8 * 60_000);
      } else if (anomaly == AnomalyKind.CART_STUFFER) {
        at += 2_000 + r.nextInt(4_000);
      } else {
        at += fast ? 300 + r.nextInt(1200) : bot ? 5_000 + r.nextInt(25_000) : 15_000 + r.nextInt(165_000);
      }
    }
    return at;
  }

  /** Event {@code index} as planned; null when the record is malformed. */
  public Planned planned(long index) {
    long event = eventOf(index);
    return event < 0 ? null : plannedValid(event);
  }

  /**
   * Which planned event record {@code index} carries: its own, the visit's previous one (an exact
   * re-send), or none (-1: a malformed line). The one decision both the records and the truth use.
   */
  private long eventOf(long index) {
    double kind = rng(index).nextDouble();
    if (kind < spec.malformed) {
      return -1;
    }
    return kind < spec.malformed + spec.duplicates && index % spec.visitEvents > 0 ? index - 1 : index;
  }

  private Planned plannedValid(long index) {
    long visit = index / spec.visitEvents;
    int step = (int) (index % spec.visitEvents);
    int person = isBot(visit) ? BOT : anomalyOf(visit) != null ? ANOMALY : personOf(visit);
    long ts = visitStart(visit) + offsetOf(visit, step);
    if (unit(mix(spec.seed, index, 15)) < spec.late) {
      ts -= spec.lateByMinutes * 60_000L;
    }
    int login = person < 0 ? -1 : loginStep(visit, person);
    String user = login >= 0 && step >= login ? userOf(person) : null;
    return new Planned("e-" + spec.seed + "-" + index, ts, cookieOf(visit, person), deviceOf(visit, person), user, person);
  }

  /** Which identities the first {@code events} records link to which person: planted truth. */
  public Map<String, Integer> plantedIdentities(long events) {
    Map<String, Integer> out = new HashMap<>();
    for (long i = 0; i < events; i++) {
      Planned p = planned(i);
      if (p != null && p.userId != null) {
        out.put("user:" + p.userId, p.person);
        out.put("cookie:" + p.cookieId, p.person);
        if (p.deviceId != null) {
          out.put("device:" + p.deviceId, p.person);
        }
      }
    }
    return out;
  }

  /** The cookies of the bot visits in the first {@code events} records: planted truth. */
  public Set<String> plantedBotCookies(long events) {
    Set<String> out = new HashSet<>();
    for (long i = 0; i < events; i++) {
      Planned p = planned(i);
      if (p != null && p.person == BOT) {
        out.add(p.cookieId);
      }
    }
    return out;
  }

  /** The cookie of each anomalous visit in the first {@code events} records, with its kind. */
  public Map<String, AnomalyKind> plantedAnomalies(long events) {
    Map<String, AnomalyKind> out = new HashMap<>();
    for (long i = 0; i < events; i++) {
      Planned p = planned(i);
      if (p != null && p.person == ANOMALY) {
        out.put(p.cookieId, anomalyOf(i / spec.visitEvents));
      }
    }
    return out;
  }

  @Override
  public GeneratedRecord recordAt(long index) {
    long event = eventOf(index);
    if (event < 0) {
      SplittableRandom r = rng(index);
      r.nextDouble(); // the draw eventOf decided by
      return new GeneratedRecord(index, malformed(index, r), emitTimeMillis(index));
    }
    return new GeneratedRecord(index, render(event), emitTimeMillis(index));
  }

  /** A record is emitted at its visit's start, known without rendering it. */
  @Override
  public long emitTimeMillis(long index) {
    return visitStart(index / spec.visitEvents);
  }

  private byte[] render(long index) {
    Planned p = plannedValid(index);
    long visit = index / spec.visitEvents;
    int step = (int) (index % spec.visitEvents);
    SplittableRandom r = rng(index ^ 0x5A5A5A5AL);
    String ua;
    if (p.person == ANOMALY) {
      ua = BROWSERS[(int) Math.floorMod(visit, (long) BROWSERS.length)];
    } else if (p.person < 0) {
      ua = isCrawler(visit) ? CRAWLERS[(int) Math.floorMod(visit, (long) CRAWLERS.length)] : BROWSERS[0];
    } else {
      ua = BROWSERS[(int) Math.floorMod(mix(spec.seed, p.person, 16), (long) BROWSERS.length)];
    }
    String action;
    double a = r.nextDouble();
    AnomalyKind anomaly = anomalyOf(visit);
    if (step == 0) {
      action = "view";
    } else if (anomaly == AnomalyKind.CART_STUFFER) {
      action = "add_to_cart";
    } else if (anomaly == AnomalyKind.BULK_BUYER && step >= spec.visitEvents / 2) {
      action = "purchase";
    } else if (a < 0.5) {
      action = "view";
    } else if (a < 0.65) {
      action = "search";
    } else if (a < 0.8) {
      action = "click";
    } else if (a < 0.93) {
      action = "add_to_cart";
    } else {
      action = "purchase";
    }
    int product = r.nextInt(spec.products);
    StringBuilder json = new StringBuilder(400);
    json.append("{\"event_id\":\"").append(p.eventId).append('"');
    json.append(",\"ts\":\"").append(java.time.Instant.ofEpochMilli(p.tsMillis)).append('"');
    json.append(",\"cookie_id\":\"").append(p.cookieId).append('"');
    if (p.deviceId != null) {
      json.append(",\"device_id\":\"").append(p.deviceId).append('"');
    }
    if (p.userId != null) {
      json.append(",\"user_id\":\"").append(p.userId).append('"');
    }
    json.append(",\"ip\":\"").append(ipOf(p, visit)).append('"');
    json.append(",\"user_agent\":\"").append(ua).append('"');
    switch (action) {
      case "search":
        json.append(",\"page\":\"/search\"");
        String text = SEARCHES[r.nextInt(SEARCHES.length)];
        if (r.nextDouble() < spec.pii) {
          text += r.nextBoolean() ? " mail me at fan" + p.person + "@example.com" : " call +31 6 1234 " + (1000 + r.nextInt(9000));
        }
        json.append(",\"search_text\":\"").append(text).append('"');
        break;
      case "add_to_cart":
      case "purchase":
        json.append(",\"page\":\"/").append(action.equals("purchase") ? "checkout" : "cart").append('"');
        json.append(",\"product_id\":\"").append(productId(product)).append('"');
        if (anomaly == AnomalyKind.BULK_BUYER && action.equals("purchase")) {
          long bulk = priceCents(product) * (20 + r.nextInt(21));
          json.append(String.format(Locale.ROOT, ",\"price\":%.2f", bulk / 100.0));
        } else if (r.nextDouble() >= spec.missingPrice) {
          json.append(String.format(Locale.ROOT, ",\"price\":%.2f", priceCents(product) / 100.0));
        }
        break;
      default:
        json.append(",\"page\":\"/product/").append(productId(product)).append('"');
        json.append(",\"product_id\":\"").append(productId(product)).append('"');
    }
    json.append(",\"action\":\"").append(action).append('"');
    if (step == 0 && r.nextBoolean()) {
      json.append(",\"referrer\":\"https://www.example-search.com/\"");
    }
    json.append('}');
    return json.toString().getBytes(StandardCharsets.UTF_8);
  }

  private String ipOf(Planned p, long visit) {
    if (p.person == ANOMALY) {
      return "31." + Math.floorMod(visit, 250L) + "." + Math.floorMod(visit * 3, 250L) + ".20";
    }
    if (p.person < 0) {
      return "34." + Math.floorMod(visit, 250L) + "." + Math.floorMod(visit * 7, 250L) + ".10";
    }
    long h = mix(spec.seed, p.person, 17);
    int pick = (int) Math.floorMod(h, 100L);
    int country = 0;
    for (int w = COUNTRY_WEIGHT[0]; pick >= w; w += COUNTRY_WEIGHT[++country]) {
      // walk the cumulative weights
    }
    return COUNTRY_PREFIX[country] + "." + Math.floorMod(h >>> 8, 250L) + "." + Math.floorMod(h >>> 16, 250L)
        + "." + (1 + Math.floorMod(h >>> 24, 250L));
  }

  private byte[] malformed(long index, SplittableRandom r) {
    Planned p = plannedValid(index);
    String head = "{\"event_id\":\"" + p.eventId + "\",\"ts\":\"" + java.time.Instant.ofEpochMilli(p.tsMillis) + "\"";
    switch (r.nextInt(5)) {
      case 0:
        return utf8(head + ",\"cookie_id\":\"" + p.cookieId); // truncated
      case 1:
        return utf8(head + ",\"ip\":\"31.0.0.1\",\"page\":\"/\",\"action\":\"view\"}"); // no cookie
      case 2:
        return utf8("{\"event_id\":\"" + p.eventId + "\",\"ts\":\"yesterday\",\"cookie_id\":\"" + p.cookieId
            + "\",\"ip\":\"31.0.0.1\",\"page\":\"/\",\"action\":\"view\"}");
      case 3:
        return utf8(head + ",\"cookie_id\":\"" + p.cookieId + "\",\"ip\":\"31.0.0.1\",\"page\":\"/\",\"action\":\"teleport\"}");
      default:
        return utf8(head + ",\"cookie_id\":\"" + p.cookieId
            + "\",\"ip\":\"31.0.0.1\",\"page\":\"/cart\",\"action\":\"purchase\",\"price\":\"free\"}");
    }
  }

  private SplittableRandom rng(long i) {
    return SeededRandom.of(spec.seed, i);
  }

  private static long mix(long seed, long a, long salt) {
    return SeededRandom.of(seed ^ (salt * 0x632BE59BD9B4E019L), a).nextLong();
  }

  private static double unit(long bits) {
    return (bits >>> 11) * 0x1.0p-53;
  }

  private static String hex(long bits) {
    return Long.toHexString(bits & 0xFFFFFFFFFFFFL);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
