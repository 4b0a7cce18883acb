package dev.meshflow.transforms.clickstream;

import java.util.regex.Pattern;

/**
 * The rule-based half of bot detection: a user agent that names itself a bot, or a session whose
 * request rate is above a fixed limit. The statistical half is {@link RateOutliers}. Plain Java:
 * the pipeline and the model share it.
 */
public final class BotRules {
  public static final String USER_AGENT = "user_agent";
  public static final String RATE = "rate";
  public static final String OUTLIER = "outlier";
  /** A session shorter than this is rated as if it lasted this long: one click is not a burst. */
  public static final long MIN_RATED_MILLIS = 10_000;

  private static final Pattern BOT_AGENT = Pattern.compile(
      "(?i)bot\\b|bot/|crawler|spider|slurp|headless|curl/|wget/|python-requests|httpclient|scrapy");

  private BotRules() {}

  public static boolean isBotAgent(String userAgent) {
    return userAgent != null && BOT_AGENT.matcher(userAgent).find();
  }

  /** Events per minute in hundredths, an exact integer so that every runner compares alike. */
  public static long rateCenti(long events, long startMillis, long lastMillis) {
    long millis = Math.max(lastMillis - startMillis, MIN_RATED_MILLIS);
    return events * 6_000_000L / millis;
  }

  /** The rule that marks the session a bot, or null. */
  public static String ruleReason(boolean botAgent, long rateCenti, double maxRatePerMinute) {
    if (botAgent) {
      return USER_AGENT;
    }
    return rateCenti > maxRatePerMinute * 100 ? RATE : null;
  }
}
