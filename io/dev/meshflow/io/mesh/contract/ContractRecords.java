package dev.meshflow.io.mesh.contract;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * Checks one record against its product's contract (types, required fields and quality rules)
 * and makes it the Avro record of the product's schema. Values are as JSON gives them: strings,
 * numbers, booleans; a date is {@code yyyy-MM-dd} or a {@link LocalDate}, a timestamp an ISO-8601
 * instant or an {@link Instant}.
 */
public final class ContractRecords {
  private ContractRecords() {}

  /** One rule a record breaks. */
  public record Violation(String field, String reason) {
    public String describe() {
      return field + ": " + reason;
    }
  }

  /** Every rule {@code values} breaks; empty when the record keeps the contract. */
  public static List<Violation> violations(DataContract contract, Map<String, ?> values) {
    return new Checker(contract).violations(values);
  }

  /**
   * A contract's rules prepared once (patterns compiled, allowed values hashed, bounds as numbers),
   * for a producer that checks every record it makes.
   */
  /**
   * A JSON object's fields as a record for {@link Checker}: text, whole and other numbers, booleans;
   * a nested object or array stands as an empty one (no contract field takes them, so the checker
   * names it); null fields are left out.
   */
  public static Map<String, Object> values(JsonNode r) {
    Map<String, Object> record = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = r.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      JsonNode v = f.getValue();
      Object value;
      if (v.isNull()) {
        value = null;
      } else if (v.isTextual()) {
        value = v.textValue();
      } else if (v.isIntegralNumber() && v.canConvertToLong()) {
        value = v.longValue();
      } else if (v.isNumber()) {
        value = v.doubleValue();
      } else if (v.isBoolean()) {
        value = v.booleanValue();
      } else if (v.isObject()) {
        value = Map.of();
      } else {
        value = List.of();
      }
      if (value != null) {
        record.put(f.getKey(), value);
      }
    }
    return record;
  }

  public static final class Checker {
    private final DataContract contract;
    private final ContractField[] fields;
    private final Pattern[] patterns;
    private final java.util.Set<?>[] allowed;
    private final java.util.Set<String> names;

    public Checker(DataContract contract) {
      this.contract = contract;
      this.fields = contract.fields().toArray(new ContractField[0]);
      this.patterns = new Pattern[fields.length];
      this.allowed = new java.util.Set<?>[fields.length];
      this.names = new java.util.HashSet<>();
      for (int i = 0; i < fields.length; i++) {
        names.add(fields[i].name());
        patterns[i] = fields[i].pattern() == null ? null : Pattern.compile(fields[i].pattern());
        allowed[i] = fields[i].allowedValues().isEmpty() ? null : new java.util.HashSet<>(fields[i].allowedValues());
      }
    }

    /** @throws RefusedRecordException naming every rule {@code values} breaks, if any */
    public void require(Map<String, ?> values) {
      List<Violation> found = violations(values);
      if (!found.isEmpty()) {
        throw new RefusedRecordException(contract.name(), found);
      }
    }

    /** Every rule {@code values} breaks; empty when the record keeps the contract. */
    public List<Violation> violations(Map<String, ?> values) {
      List<Violation> found = new ArrayList<>(0);
      int present = 0;
      for (int i = 0; i < fields.length; i++) {
        ContractField f = fields[i];
        Object v = values.get(f.name());
        if (v == null) {
          if (f.required()) {
            found.add(new Violation(f.name(), "required, and missing"));
          }
          continue;
        }
        present++;
        String problem = problem(f, v, patterns[i], allowed[i]);
        if (problem != null) {
          found.add(new Violation(f.name(), problem));
        }
      }
      if (values.size() > present) { // a null value counts too, so look closer
        List<Violation> unknown = new ArrayList<>();
        for (String name : values.keySet()) {
          if (!names.contains(name)) {
            unknown.add(new Violation(name, "not a field of " + contract.name()));
          }
        }
        unknown.addAll(found);
        return unknown;
      }
      return found;
    }
  }

  /**
   * The record as Avro, for a schema made from the contract ({@link ContractAvro}).
   *
   * @throws RefusedRecordException naming every violation, if the record breaks the contract
   */
  public static GenericRecord toAvro(DataContract contract, Schema schema, Map<String, ?> values) {
    new Checker(contract).require(values);
    return toAvroChecked(contract, schema, values);
  }

  /** {@link #toAvro} for a record {@link #violations} found nothing wrong with. */
  public static GenericRecord toAvroChecked(DataContract contract, Schema schema, Map<String, ?> values) {
    GenericRecord record = new GenericData.Record(schema);
    List<ContractField> fields = contract.fields();
    for (int i = 0; i < fields.size(); i++) { // ContractAvro keeps the contract's field order
      ContractField f = fields.get(i);
      Object v = values.get(f.name());
      record.put(i, v == null ? null : avroValue(f, v));
    }
    return record;
  }

  private static String problem(ContractField f, Object v, Pattern pattern, java.util.Set<?> allowed) {
    switch (f.logicalType()) {
      case "string":
        if (!(v instanceof CharSequence)) {
          return "expected a string, got " + kind(v);
        }
        String s = v.toString();
        if (f.maxLength() != null && s.length() > f.maxLength()) {
          return "longer than " + f.maxLength() + " characters";
        }
        if (pattern != null && !pattern.matcher(s).find()) {
          return quoted(f, s) + " does not match " + f.pattern();
        }
        if (allowed != null && !allowed.contains(s)) {
          return quoted(f, s) + " is not one of " + String.join(", ", f.allowedValues());
        }
        return null;
      case "integer":
        if (!(v instanceof Long || v instanceof Integer || v instanceof Short)) {
          return "expected an integer, got " + kind(v);
        }
        long n = ((Number) v).longValue();
        if (f.physicalType().equals("int") && (n > Integer.MAX_VALUE || n < Integer.MIN_VALUE)) {
          return v + " does not fit a 32-bit int";
        }
        return f.minimum() == null && f.maximum() == null ? null : range(f, BigDecimal.valueOf(n));
      case "number":
        if (!(v instanceof Number)) {
          return "expected a number, got " + kind(v);
        }
        return f.minimum() == null && f.maximum() == null ? null : range(f, new BigDecimal(v.toString()));
      case "boolean":
        return v instanceof Boolean ? null : "expected true or false, got " + kind(v);
      case "date":
        if (v instanceof LocalDate) {
          return null;
        }
        try {
          date(v.toString());
          return null;
        } catch (java.time.DateTimeException e) {
          return quoted(f, v.toString()) + " is not a date (yyyy-MM-dd)";
        }
      default: // timestamp
        if (v instanceof Instant) {
          return null;
        }
        try {
          Instant.parse(v.toString());
          return null;
        } catch (DateTimeParseException e) {
          return quoted(f, v.toString()) + " is not an ISO-8601 instant";
        }
    }
  }

  /**
   * {@code yyyy-MM-dd}, read directly (a producer checks and converts every record's dates);
   * anything else goes to {@link LocalDate#parse}, which accepts or refuses it.
   */
  static LocalDate date(String s) {
    if (s.length() == 10 && s.charAt(4) == '-' && s.charAt(7) == '-') {
      int y = digits(s, 0, 4);
      int m = digits(s, 5, 7);
      int d = digits(s, 8, 10);
      if (y >= 0 && m >= 0 && d >= 0) {
        return LocalDate.of(y, m, d); // throws DateTimeException for a 31st of April
      }
    }
    return LocalDate.parse(s);
  }

  private static int digits(String s, int from, int to) {
    int n = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      n = n * 10 + (c - '0');
    }
    return n;
  }

  private static String range(ContractField f, BigDecimal n) {
    if (f.minimum() != null && n.compareTo(f.minimum()) < 0) {
      return n + " is below the minimum " + f.minimum().toPlainString();
    }
    if (f.maximum() != null && n.compareTo(f.maximum()) > 0) {
      return n + " is above the maximum " + f.maximum().toPlainString();
    }
    return null;
  }

  private static Object avroValue(ContractField f, Object v) {
    switch (f.physicalType()) {
      case "int":
        return ((Number) v).intValue();
      case "long":
        return ((Number) v).longValue();
      case "float":
        return ((Number) v).floatValue();
      case "double":
        return ((Number) v).doubleValue();
      case "date":
        return (int) (v instanceof LocalDate d ? d : date(v.toString())).toEpochDay();
      case "timestamp-millis":
        return (v instanceof Instant i ? i : Instant.parse(v.toString())).toEpochMilli();
      case "timestamp-micros": {
        Instant i = v instanceof Instant t ? t : Instant.parse(v.toString());
        return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000L), i.getNano() / 1000);
      }
      case "boolean":
        return v;
      default:
        return v.toString();
    }
  }

  private static String kind(Object v) {
    return v instanceof CharSequence ? "a string" : v instanceof Boolean ? "a boolean"
        : v instanceof Number ? "a number" : v instanceof Map ? "an object"
        : v instanceof List ? "a list" : v.getClass().getSimpleName();
  }

  /**
   * A value as a message may show it: cut short, since it may be large; and never for a PII field,
   * since messages reach logs.
   */
  private static String quoted(ContractField f, String s) {
    if (f.pii()) {
      return "the value (PII, not shown)";
    }
    return "'" + (s.length() <= 40 ? s : s.substring(0, 40) + "...") + "'";
  }
}
