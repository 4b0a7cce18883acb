package dev.meshflow.transforms.recommendations;

import dev.meshflow.transforms.recommendations.model.RecommendationsModel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Random;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link LatestVersions#items} against the reference model's catalog: the Songs and Podcasts changelogs'
 * versions, shuffled (genre changes, a delete, a delete then a re-release, a podcast's new topic),
 * give one row per item at its latest version by changelog position; the Users changelog's (a
 * country change, a tier change, a delete) one row per user.
 */
@ExtendWith(TestPipelineExtension.class)
public class LatestVersionsTest {
  private static final Schema SONG = Schema.builder().addStringField("song_id")
      .addNullableField("title", Schema.FieldType.STRING).addNullableField("artist", Schema.FieldType.STRING)
      .addNullableField("genre", Schema.FieldType.STRING).addBooleanField("_deleted")
      .addNullableField("_partition", Schema.FieldType.INT32).addNullableField("_offset", Schema.FieldType.INT64)
      .build();
  private static final Schema EPISODE = Schema.builder().addStringField("episode_id")
      .addNullableField("show", Schema.FieldType.STRING).addNullableField("title", Schema.FieldType.STRING)
      .addNullableField("topic", Schema.FieldType.STRING).addBooleanField("_deleted")
      .addNullableField("_partition", Schema.FieldType.INT32).addNullableField("_offset", Schema.FieldType.INT64)
      .build();

  private static final Schema USER = Schema.builder().addStringField("user_id")
      .addNullableField("country", Schema.FieldType.STRING).addNullableField("tier", Schema.FieldType.STRING)
      .addBooleanField("_deleted").addNullableField("_partition", Schema.FieldType.INT32)
      .addNullableField("_offset", Schema.FieldType.INT64).build();

  private static Row user(String id, String country, String tier, boolean deleted, long offset) {
    return Row.withSchema(USER).addValues(id, country, tier, deleted, 1, offset).build();
  }

  @Test
  public void eachUserIsTheirLatestVersion(TestPipeline pipeline) {
    List<Row> versions = new ArrayList<>(List.of(
        user("user-1", "DE", "free", false, 0), user("user-1", "FR", "free", false, 4),
        user("user-1", "FR", "premium", false, 6), user("user-2", "US", "family", false, 1),
        user("user-2", null, null, true, 8), user("user-3", "JP", "student", false, 2)));
    Collections.shuffle(versions, new Random(3));
    Map<String, ListedUser> latest = new TreeMap<>();
    versions.stream().sorted(java.util.Comparator.comparingLong(r -> r.getInt64("_offset")))
        .forEach(r -> latest.put(r.getString("user_id"), ListedUser.of(r)));
    List<List<Object>> expected = new ArrayList<>();
    latest.values().forEach(u -> expected.add(java.util.Arrays.asList(u.user(), u.country(), u.tier(), u.deleted())));
    PCollection<Row> rows = PCollectionList.of(pipeline.apply(Create.of(versions).withRowSchema(USER)))
        .apply(LatestVersions.users(false, org.joda.time.Duration.ZERO));
    assertLatest(rows, expected);
    pipeline.run().waitUntilFinish();
  }

  /**
   * The rows' values are {@code expected}'s, in any order, and each carries this run's version of
   * a running total: never final, so that the next run replaces it.
   */
  private static void assertLatest(PCollection<Row> rows, List<List<Object>> expected) {
    PAssert.that(rows).satisfies(out -> {
      List<List<Object>> values = new ArrayList<>();
      for (Row r : out) {
        org.junit.jupiter.api.Assertions.assertFalse(r.getBoolean("is_final"));
        values.add(r.getValues().subList(0, r.getFieldCount() - 2));
      }
      org.hamcrest.MatcherAssert.assertThat(values,
          org.hamcrest.Matchers.containsInAnyOrder(expected.toArray()));
      return null;
    });
  }

  private static Row song(String id, String artist, String genre, long offset) {
    return Row.withSchema(SONG).addValues(id, "Song " + id, artist, genre, false, 0, offset).build();
  }

  private static Row songDeleted(String id, long offset) {
    return Row.withSchema(SONG).addValues(id, null, null, null, true, 0, offset).build();
  }

  private static Row episode(String id, String show, String topic, long offset) {
    return Row.withSchema(EPISODE).addValues(id, show, "Episode " + id, topic, false, 0, offset).build();
  }

  @Test
  public void eachItemIsItsLatestVersion(TestPipeline pipeline) {
    List<Row> songs = new ArrayList<>(List.of(
        song("song-0001", "Artist 1", "pop", 1), song("song-0001", "Artist 1", "jazz", 7),
        song("song-0002", "Artist 2", "rock", 2), songDeleted("song-0002", 9),
        song("song-0003", "Artist 1", "pop", 3), songDeleted("song-0003", 4), song("song-0003", "Artist 1", "rock", 12),
        song("song-0004", "Artist 4", "classical", 5)));
    List<Row> episodes = new ArrayList<>(List.of(
        episode("podcast-0050", "Show 2", "news", 0), episode("podcast-0050", "Show 2", "science", 3),
        episode("podcast-0051", "Show 3", "comedy", 1)));
    Collections.shuffle(songs, new Random(7));
    Collections.shuffle(episodes, new Random(7));

    List<CatalogItem> inOrder = new ArrayList<>();
    songs.stream().sorted(java.util.Comparator.comparingLong(r -> r.getInt64("_offset")))
        .forEach(r -> inOrder.add(CatalogItem.of(r)));
    episodes.stream().sorted(java.util.Comparator.comparingLong(r -> r.getInt64("_offset")))
        .forEach(r -> inOrder.add(CatalogItem.of(r)));
    List<List<Object>> expected = new ArrayList<>();
    new RecommendationsModel().withCatalog(inOrder).catalog().values().forEach(i -> expected.add(
        java.util.Arrays.asList(i.item(), i.type(), i.creator(), i.genre(), i.deleted())));

    PCollection<Row> rows = PCollectionList
        .of(pipeline.apply("Songs", Create.of(songs).withRowSchema(SONG)))
        .and(pipeline.apply("Episodes", Create.of(episodes).withRowSchema(EPISODE)))
        .apply(LatestVersions.items(false, org.joda.time.Duration.ZERO));
    assertLatest(rows, expected);
    pipeline.run().waitUntilFinish();
  }
}
