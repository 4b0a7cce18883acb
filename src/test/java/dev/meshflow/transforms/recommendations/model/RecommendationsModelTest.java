package dev.meshflow.transforms.recommendations.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshflow.testing.GeneratedInput;
import dev.meshflow.transforms.recommendations.RecommenderRules;
import dev.meshflow.transforms.recommendations.Scoring;
import dev.meshflow.transforms.interactions.InteractionEvent;
import dev.meshflow.transforms.interactions.InteractionParser;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The recommender's reference model: exact neighbours, exclusions and fallbacks on a small planted
 * input; and on the generator's co-listening data ({@code recs=1}), an offline evaluation on a
 * time-ordered split against popularity and recent popularity.
 */
public class RecommendationsModelTest {
  private static final long MINUTE = 60_000;

  @Test
  public void neighboursComeFromPlaysWithinASessionGapAndExcludeWhatTheUserHeardOrSkipped() {
    RecommendationsModel m = new RecommendationsModel();
    m.play("u1", "song-a", "song", 0);
    m.play("u1", "song-b", "song", 5 * MINUTE);
    m.play("u1", "song-c", "song", 6 * MINUTE);
    m.play("u2", "song-a", "song", 0);
    m.play("u2", "song-b", "song", 10 * MINUTE);
    m.play("u2", "song-z", "song", 10 * MINUTE + RecommenderRules.SESSION_GAP_MILLIS + 1); // a new session
    m.play("u3", "song-a", "song", 100 * MINUTE);
    // u3 played a: b was co-listened with a twice, c once; z never with a.
    List<Scoring.Scored> forU3 = m.recommend("u3", 2);
    assertEquals(List.of("song-b", "song-c"), forU3.stream().map(Scoring.Scored::item).toList());
    assertEquals("because you played song-a", forU3.get(0).because());
    assertEquals(2 / Math.sqrt(3.0 * 2), forU3.get(0).score(), 1e-12); // co(a,b)=2, plays(a)=3, plays(b)=2
    m.skip("u3", "song-b", 101 * MINUTE);
    assertEquals(List.of("song-c"), m.recommend("u3", 1).stream().map(Scoring.Scored::item).toList());
    // u1 heard a, b and c: nothing co-listened is left, so the most played item not heard fills in.
    assertEquals(List.of(new Scoring.Scored("song-z", "song", 0, "popular")), m.recommend("u1", 1));
    // A user never seen gets the most played.
    assertEquals("song-a", m.recommend("nobody", 1).get(0).item());
  }

  @Test
  public void coListeningCountsDoNotDependOnTheOrderPlaysArriveIn() {
    List<long[]> plays = new ArrayList<>();
    java.util.Random random = new java.util.Random(1);
    for (int i = 0; i < 400; i++) {
      plays.add(new long[] {random.nextInt(5), random.nextInt(12), random.nextInt(180) * MINUTE});
    }
    RecommendationsModel inOrder = new RecommendationsModel();
    plays.stream().sorted(java.util.Comparator.comparingLong(p -> p[2]))
        .forEach(p -> inOrder.play("u" + p[0], "song-" + p[1], "song", p[2]));
    java.util.Collections.shuffle(plays, random);
    RecommendationsModel shuffled = new RecommendationsModel();
    plays.forEach(p -> shuffled.play("u" + p[0], "song-" + p[1], "song", p[2]));
    assertEquals(inOrder.coListens(), shuffled.coListens());
    assertEquals(inOrder.recent("u1"), shuffled.recent("u1"));
    assertEquals(inOrder.recommend("u2", 10), shuffled.recommend("u2", 10));
  }

  @Test
  public void onPlantedCoListeningTheModelBeatsRecentPopularityTwice() {
    String uri = "generator:interactions?events=60000&seed=7&taste=1&recs=1&items=400&users=600"
        + "&duplicates=0&malformed=0&outOfOrder=0&late=0&eventsPerSecond=2";
    List<OfflineQuality.Event> events = new ArrayList<>();
    for (byte[] payload : GeneratedInput.records(uri, 60_000, (origin, bytes) -> bytes)) {
      InteractionEvent e = InteractionParser.parse("test", payload).event();
      events.add(new OfflineQuality.Event(e.userId(), e.itemId(), e.itemType(), e.eventType(), e.timestampMillis()));
    }
    List<OfflineQuality.Quality> q = OfflineQuality.evaluate(events, 0.8, 60 * MINUTE);
    q.forEach(System.out::println);
    OfflineQuality.Quality knn = q.get(0);
    OfflineQuality.Quality recent = q.get(2);
    assertEquals("co-listening", knn.name());
    assertEquals("recent popularity", recent.name());
    assertTrue(knn.hitRate() >= 2 * recent.hitRate(), knn + " against " + recent);
    assertTrue(knn.coverage() > q.get(1).coverage(), "the model serves more of the catalogue than popularity");
  }
}
