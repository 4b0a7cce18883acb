package dev.meshflow.io.mesh.domains;

import java.util.Map;
import java.util.UUID;

/**
 * One change a producer domain makes to an entity, and the event it publishes about it.
 *
 * @param eventId the event's id: unique, so a consumer drops an event it sees again
 * @param product the product (and domain) it belongs to: users, songs or podcasts
 * @param op created, updated or deleted
 * @param key the entity's key (user_id, song_id, episode_id)
 * @param after the entity after the change, field by field; null for deleted
 */
public record Change(UUID eventId, String product, String op, String key, Map<String, Object> after) {
  public static final String CREATED = "created";
  public static final String UPDATED = "updated";
  public static final String DELETED = "deleted";
}
