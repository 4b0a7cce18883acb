package dev.meshflow.io.mesh.contract;

import java.util.List;

/** A record refused at the boundary: it breaks its product's contract, by every rule listed. */
public final class RefusedRecordException extends IllegalArgumentException {
  private final transient List<ContractRecords.Violation> violations;

  public RefusedRecordException(String product, List<ContractRecords.Violation> violations) {
    super(product + " record refused: " + String.join("; ",
        violations.stream().map(ContractRecords.Violation::describe).toList()));
    this.violations = List.copyOf(violations);
  }

  public List<ContractRecords.Violation> violations() {
    return violations;
  }
}
