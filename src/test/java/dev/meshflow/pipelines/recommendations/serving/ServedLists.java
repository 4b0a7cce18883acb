package dev.meshflow.pipelines.recommendations.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshflow.transforms.recommendations.Scoring;
import dev.meshflow.transforms.recommendations.model.RecommendationsModel;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/** What the API serves, read over real HTTP and compared with the reference model's lists. */
public final class ServedLists {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private ServedLists() {}

  /** A GET's reply. */
  public static HttpResponse<String> get(String url) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** A POST's reply. */
  public static HttpResponse<String> post(String url, String body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A 200's body as JSON; anything else fails with the body. */
  public static JsonNode ok(String url) throws Exception {
    HttpResponse<String> reply = get(url);
    assertEquals(200, reply.statusCode(), url + ": " + reply.body());
    return JSON.readTree(reply.body());
  }

  /** Each served item is the model's, in order: id, type, reason and score. */
  public static void assertItems(List<Scoring.Scored> expected, JsonNode items, String who) {
    assertEquals(expected.size(), items.size(), who + ": " + items);
    for (int i = 0; i < expected.size(); i++) {
      Scoring.Scored e = expected.get(i);
      JsonNode item = items.get(i);
      assertEquals(e.item(), item.get("item_id").asText(), who + " #" + i);
      assertEquals(e.type(), item.get("item_type").asText(), who + " #" + i);
      assertEquals(e.because(), item.get("because").asText(), who + " #" + i);
      assertEquals(e.score(), item.get("score").asDouble(), 1e-12, who + " #" + i);
    }
  }

  /**
   * Every user's list and the similar items of every item that may be recommended (played, or
   * listed by the item products), as the model gives them.
   */
  public static void assertEveryListIsTheModels(String apiUrl, RecommendationsModel model) throws Exception {
    for (String user : model.users()) {
      assertItems(model.recommend(user, 10), ok(apiUrl + "/recommendations/" + user + "?n=10").get("items"), user);
    }
    java.util.Set<String> items = new java.util.TreeSet<>(model.plays().keySet());
    items.addAll(model.catalog().keySet());
    items.removeIf(item -> !model.available(item));
    for (String item : items) {
      assertItems(Scoring.similar(item, null, 10, model), ok(apiUrl + "/items/" + item + "/similar?n=10").get("items"),
          item);
    }
  }

  /** Whether the user's served list is, item for item, the one given. */
  public static boolean serves(String apiUrl, String user, List<Scoring.Scored> expected) throws Exception {
    HttpResponse<String> reply = get(apiUrl + "/recommendations/" + user + "?n=10");
    if (reply.statusCode() != 200) {
      return false;
    }
    JsonNode items = JSON.readTree(reply.body()).get("items");
    if (items.size() != expected.size()) {
      return false;
    }
    for (int i = 0; i < expected.size(); i++) {
      if (!expected.get(i).item().equals(items.get(i).get("item_id").asText())
          || Math.abs(expected.get(i).score() - items.get(i).get("score").asDouble()) > 1e-12) {
        return false;
      }
    }
    return true;
  }
}
