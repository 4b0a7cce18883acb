package dev.meshflow.io.kafka;

import dev.meshflow.io.EndpointUri;
import java.util.List;
import java.util.regex.Pattern;

/** The {@code //host:port[,host:port]/topic[,topic]} part of a Kafka URI. */
public final class KafkaAddress {
  private static final Pattern HOST_PORT = Pattern.compile("[A-Za-z0-9_.\\-]+:[0-9]{1,5}");
  private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._\\-]{1,249}");

  private final String bootstrap;
  private final List<String> topics;

  private KafkaAddress(String bootstrap, List<String> topics) {
    this.bootstrap = bootstrap;
    this.topics = topics;
  }

  public static KafkaAddress parse(EndpointUri uri) {
    String body = uri.body();
    int slash = body.startsWith("//") ? body.indexOf('/', 2) : -1;
    if (slash < 0 || slash == body.length() - 1) {
      throw new IllegalArgumentException(uri + ": expected kafka://host:port/topic");
    }
    String bootstrap = body.substring(2, slash);
    for (String hp : bootstrap.split(",")) {
      if (!HOST_PORT.matcher(hp).matches()) {
        throw new IllegalArgumentException(uri + ": '" + hp + "' is not host:port");
      }
    }
    List<String> topics = KafkaSource.split(body.substring(slash + 1));
    for (String t : topics) {
      if (!TOPIC.matcher(t).matches()) {
        throw new IllegalArgumentException(uri + ": '" + t + "' is not a valid topic name");
      }
    }
    return new KafkaAddress(bootstrap, topics);
  }

  public String bootstrap() {
    return bootstrap;
  }

  public List<String> topics() {
    return topics;
  }

  /** The single topic of a sink URI. */
  public String topic(EndpointUri uri) {
    if (topics.size() != 1) {
      throw new IllegalArgumentException(uri + ": a sink writes one topic; got " + topics);
    }
    return topics.get(0);
  }
}
