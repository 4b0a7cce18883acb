package dev.meshflow.io.mesh.contract;

/**
 * A contract that cannot be used, said in one line: {@code FILE:LINE: FIELD: what is wrong}.
 * It is an {@link IllegalArgumentException}, so the launcher prints it as a usage error.
 */
public final class ContractException extends IllegalArgumentException {
  private final String file;
  private final int line;
  private final String field;

  public ContractException(String file, int line, String field, String problem) {
    super(file + ":" + line + ": " + (field.isEmpty() ? "" : field + ": ") + problem);
    this.file = file;
    this.line = line;
    this.field = field;
  }

  public String file() {
    return file;
  }

  public int line() {
    return line;
  }

  /** Where in the contract, as a path such as {@code schema[0].properties[2].logicalType}. */
  public String field() {
    return field;
  }
}
