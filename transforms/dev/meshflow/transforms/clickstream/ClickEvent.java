package dev.meshflow.transforms.clickstream;

/**
 * One web or app event after parsing and the privacy step: the IP is already truncated or hashed
 * and the search text scrubbed; {@code country} was read from the IP before that. Enrichment adds
 * the product's category (and its list price where the event had none); {@link PersonTrack} adds
 * the person the cookie belongs to.
 *
 * <p>The per-cookie ordered step also carries identity updates on the same stream: an element with
 * no {@code eventId} is the news that {@code cookieId} now belongs to {@code personId}.
 */
public final class ClickEvent {
  public final String eventId;
  public final long tsMillis;
  public final String cookieId;
  public final String deviceId;
  public final String userId;
  public final String ip;
  public final String country;
  public final String userAgent;
  public final String page;
  public final String action;
  public final String productId;
  public final Long priceCents;
  public final String referrer;
  public final String searchText;
  public final String category;
  public final String personId;
  public final String origin;
  /** The original bytes, kept until the ordered step (a too-late event is dead-lettered there). */
  public final byte[] payload;

  public ClickEvent(String eventId, long tsMillis, String cookieId, String deviceId, String userId,
      String ip, String country, String userAgent, String page, String action, String productId,
      Long priceCents, String referrer, String searchText, String category, String personId,
      String origin, byte[] payload) {
    this.eventId = eventId;
    this.tsMillis = tsMillis;
    this.cookieId = cookieId;
    this.deviceId = deviceId;
    this.userId = userId;
    this.ip = ip;
    this.country = country;
    this.userAgent = userAgent;
    this.page = page;
    this.action = action;
    this.productId = productId;
    this.priceCents = priceCents;
    this.referrer = referrer;
    this.searchText = searchText;
    this.category = category;
    this.personId = personId;
    this.origin = origin;
    this.payload = payload;
  }

  /** The news that {@code cookieId} belongs to {@code personId} from {@code tsMillis} on. */
  public static ClickEvent personUpdate(String cookieId, String personId, long tsMillis) {
    return new ClickEvent(null, tsMillis, cookieId, null, null, "", "", "", "", "", null, null,
        null, null, null, personId, "identity-graph", new byte[0]);
  }

  public boolean isPersonUpdate() {
    return eventId == null;
  }

  public ClickEvent enriched(String category, Long listPriceCents) {
    return new ClickEvent(eventId, tsMillis, cookieId, deviceId, userId, ip, country, userAgent,
        page, action, productId, priceCents != null ? priceCents : listPriceCents, referrer,
        searchText, category, personId, origin, payload);
  }

  /** With its person, and without the raw bytes: past the ordered step nothing is dead-lettered. */
  public ClickEvent ofPerson(String person) {
    return new ClickEvent(eventId, tsMillis, cookieId, deviceId, userId, ip, country, userAgent,
        page, action, productId, priceCents, referrer, searchText, category, person, origin,
        new byte[0]);
  }

  public boolean isPurchase() {
    return "purchase".equals(action);
  }
}
