package dev.meshflow.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/** What {@code clickstream-backfill} reads, and how it sessionizes, stitches, protects and judges. */
public interface ClickstreamOptions extends OrderingOptions {
  @Description(
      "Web and app events {event_id, ts, cookie_id, device_id?, user_id?, ip, user_agent, page,"
          + " action, product_id?, price?, referrer?, search_text?} as a source URI:"
          + " generator:clicks?events=N&seed=S (seeded shop with planted people and bots),"
          + " file:<glob> (JSON lines; a backfill over history in batch, watched with --streaming),"
          + " kafka://host:port/topic or kinesis://stream (with --streaming).")
  @Default.String("generator:clicks?events=40000&seed=42")
  String getClicks();

  void setClicks(String value);

  @Description(
      "The product and price catalog: a file of JSON lines {product_id, category, price}."
          + " 'generator': the click generator's own catalog. Read once at start.")
  @Default.String("generator")
  String getProducts();

  void setProducts(String value);

  @Description("A cookie's session ends after this long without an event.")
  @Default.String("30m")
  String getSessionGap();

  void setSessionGap(String value);

  @Description(
      "An identity link (cookie or device to user) not seen again for this long expires, and a"
          + " cookie idle this long forgets its person: the stitching state stays bounded.")
  @Default.String("30d")
  String getIdentityTtl();

  void setIdentityTtl(String value);

  @Description(
      "How IP addresses are kept: 'truncate' (IPv4 to /24, IPv6 to /48) or 'hmac' (a keyed"
          + " HMAC-SHA256 with the key in the environment variable --ipKeyEnv names).")
  @Default.String("truncate")
  String getIpPrivacy();

  void setIpPrivacy(String value);

  @Description("The environment variable that holds the HMAC key for --ipPrivacy=hmac (never logged).")
  @Default.String("MESHFLOW_IP_KEY")
  String getIpKeyEnv();

  void setIpKeyEnv(String value);

  @Description("Bot rule: a session with more events per minute than this is a bot.")
  @Default.Double(30)
  double getBotMaxRate();

  void setBotMaxRate(double value);

  @Description(
      "Bot test: a session whose events per minute are above the mean plus this many standard"
          + " deviations of all sessions starting in the same --botStatsWindow is a bot. Bots"
          + " inflate the deviation themselves: at 3 the test misses them once they are more than"
          + " about a tenth of a window's sessions.")
  @Default.Double(2)
  double getBotSigmas();

  void setBotSigmas(double value);

  @Description("The window of session starts the bot test's mean and deviation are taken over.")
  @Default.String("1h")
  String getBotStatsWindow();

  void setBotStatsWindow(String value);

  @Description(
      "k-anonymity: a traffic_by_country_hour group with fewer distinct people than this is"
          + " withheld.")
  @Default.Integer(5)
  int getAnonymityK();

  void setAnonymityK(int value);

  @Description(
      "Backfill range start (inclusive): a date (2026-03-07) or an instant (2026-03-07T23:00:00Z)."
          + " Events before it are counted as filtered. Empty: from the beginning.")
  @Default.String("")
  String getFrom();

  void setFrom(String value);

  @Description("Backfill range end (exclusive), as --from. Empty: to the end.")
  @Default.String("")
  String getTo();

  void setTo(String value);
}
