package dev.meshflow.transforms.ingest;

import java.io.Serializable;
import java.util.List;
import java.util.Set;

/** The configurable transformation chain of ETL ingestion, in the order it is applied. */
public final class EtlSpec implements Serializable {
  /** Event types to keep; empty keeps all. */
  public final Set<String> keepEventTypes;
  /** Item types (domains) to keep; empty keeps all. */
  public final Set<String> keepItemTypes;
  public final boolean fillMissingDevice;
  /** Whether a catalog miss is a dead letter (else the event keeps empty catalog columns). */
  public final boolean catalogMissIsError;
  public final PrivacyRules privacy;

  public EtlSpec(Set<String> keepEventTypes, Set<String> keepItemTypes, boolean fillMissingDevice,
      boolean catalogMissIsError, PrivacyRules privacy) {
    this.keepEventTypes = Set.copyOf(keepEventTypes);
    this.keepItemTypes = Set.copyOf(keepItemTypes);
    this.fillMissingDevice = fillMissingDevice;
    this.catalogMissIsError = catalogMissIsError;
    this.privacy = privacy;
  }

  /** Parse, dedupe and map only: the chain under which ETL and ELT give the same typed rows. */
  public static EtlSpec identity() {
    return new EtlSpec(Set.of(), Set.of(), false, false, PrivacyRules.none());
  }

  public boolean keeps(String eventType, String itemType) {
    return (keepEventTypes.isEmpty() || keepEventTypes.contains(eventType))
        && (keepItemTypes.isEmpty() || keepItemTypes.contains(itemType));
  }

  static List<String> csv(String text) {
    return text == null || text.isBlank() ? List.of() : List.of(text.trim().split("\\s*,\\s*"));
  }
}
