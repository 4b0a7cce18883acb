package dev.meshflow.io.mesh.contract;

import java.math.BigDecimal;
import java.util.List;

/**
 * One field of a product's schema, as its contract describes it.
 *
 * @param logicalType ODCS's type: string, integer, number, boolean, date or timestamp
 * @param physicalType how it is stored: the Avro type (string, int, long, float, double, boolean,
 *     date, timestamp-millis, timestamp-micros)
 * @param pii classified {@code pii}: delivered only where a grant covers personal data
 * @param allowedValues the values an {@code invalidValues} quality rule allows; empty: any
 * @param minimum the smallest allowed number (or date), null: none
 * @param maximum the largest allowed number (or date), null: none
 * @param maxLength the longest allowed string, null: none
 * @param pattern a regular expression the whole string must match, null: none
 * @param piiDelivery for a {@code pii} field, what a consumer without a PII grant receives:
 *     {@code hash} (a keyed HMAC of the value, so it still joins) or {@code drop}; null otherwise
 */
public record ContractField(String name, String logicalType, String physicalType, boolean required,
    boolean primaryKey, boolean pii, String description, List<String> allowedValues,
    BigDecimal minimum, BigDecimal maximum, Integer maxLength, String pattern, String piiDelivery) implements java.io.Serializable {

  public ContractField {
    allowedValues = List.copyOf(allowedValues);
  }

  /** What a consumer without a PII grant receives of a {@code pii} field. */
  public static final String HASH = "hash";
  public static final String DROP = "drop";

  /** The type as a reader sees it, e.g. {@code string} or {@code integer (long)}. */
  public String typeLabel() {
    return physicalType.equals(logicalType) ? logicalType : logicalType + " (" + physicalType + ")";
  }
}
