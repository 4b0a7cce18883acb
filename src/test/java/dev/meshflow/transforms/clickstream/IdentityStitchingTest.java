package dev.meshflow.transforms.clickstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.Test;

/**
 * The stitching state machines on their own: transitive linking, the person named after the
 * smallest user, merging two people, links expiring after the ttl (and the graph splitting where
 * they held it together), a cookie that forgets its person after the same idle time, and the
 * privacy rules.
 */
public class IdentityStitchingTest {
  private static final long MINUTE = 60_000;
  private static final long TTL = 60 * MINUTE;

  private static ClickEvent link(String id, long ts, String cookie, String device, String user) {
    return new ClickEvent(id, ts, cookie, device, user, "31.0.0.0", "NL", "", "/", "view", null, null,
        null, null, null, null, "test#" + id, new byte[0]);
  }

  private static List<String> step(IdentityGraph graph, IdentityGraph.State state, ClickEvent e) {
    List<String> changes = new ArrayList<>();
    graph.step(state, e, e.tsMillis, (Row r) -> changes.add(r.getString("identity") + "=" + r.getString("person_id")));
    return changes;
  }

  @Test
  public void linksAreTransitiveMergeIntoTheSmallestUserAndExpire() {
    IdentityGraph graph = new IdentityGraph(TTL);
    IdentityGraph.State s = graph.start();
    assertEquals(List.of("cookie:cA=person:u-2", "device:dB=person:u-2", "user:u-2=person:u-2"),
        sorted(step(graph, s, link("e1", 0, "cA", "dB", "u-2"))));
    // u-1 logs in with cookie cC on device dB: the two users are one person now, named after u-1.
    assertEquals(List.of("cookie:cA=person:u-1", "cookie:cC=person:u-1", "device:dB=person:u-1",
            "user:u-1=person:u-1", "user:u-2=person:u-1"),
        sorted(step(graph, s, link("e2", 10 * MINUTE, "cC", "dB", "u-1"))));
    assertEquals(5, s.identities());
    // 65 minutes on, e1's links (cA and dB to u-2) have expired; e2's hold dB, cC and u-1 together.
    // cA and u-2 fall back to themselves; nobody else changes.
    assertEquals(List.of("cookie:cA=cookie:cA", "user:u-2=user:u-2"),
        sorted(step(graph, s, link("e3", 65 * MINUTE, "cC", null, "u-1"))));
    assertEquals(3, s.identities());
  }

  private static List<String> sorted(List<String> l) {
    List<String> out = new ArrayList<>(l);
    out.sort(String::compareTo);
    return out;
  }

  @Test
  public void aCookieCarriesItsPersonUntilIdleForTheTtl() {
    PersonTrack.State s = new PersonTrack(TTL).start();
    assertEquals("cookie:cA", PersonTrack.advance(s, link("e0", 0, "cA", null, null), TTL).personId);
    assertNull(PersonTrack.advance(s, ClickEvent.personUpdate("cA", "person:u-1", MINUTE), TTL));
    assertEquals("person:u-1", PersonTrack.advance(s, link("e1", 2 * MINUTE, "cA", null, null), TTL).personId);
    assertNull(PersonTrack.advance(s, link("e1", 2 * MINUTE, "cA", null, null), TTL), "a re-send is a duplicate");
    assertEquals("cookie:cA",
        PersonTrack.advance(s, link("e2", 3 * MINUTE + TTL, "cA", null, null), TTL).personId, "idle longer than the ttl: forgotten");
  }

  @Test
  public void privacyTruncatesOrHashesIpsAndScrubsContactDetails() {
    ClickPrivacy truncate = ClickPrivacy.truncating();
    assertEquals("31.20.30.0", truncate.ip("31.20.30.40"));
    assertEquals("2001:db8:85a3::", truncate.ip("2001:db8:85a3:8d3:1319:8a2e:370:7348"));
    ClickPrivacy hmac = ClickPrivacy.hashing("0123456789abcdef0123".getBytes(java.nio.charset.StandardCharsets.UTF_8), "K");
    String hashed = hmac.ip("31.20.30.40");
    assertEquals(hashed, hmac.ip("31.20.30.40"));
    assertEquals(5 + 32, hashed.length());
    assertEquals("mail [email] or call [phone] about jazz vinyl 12",
        ClickPrivacy.scrub("mail jane.doe@example.com or call +31 6 1234 5678 about jazz vinyl 12"));
    assertEquals("NL", IpCountries.of("31.20.30.40"));
    assertEquals("ZZ", IpCountries.of("2001:db8::1"));
  }
}
