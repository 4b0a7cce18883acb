package dev.meshflow.io.mesh.governance;

/** A read that governance refuses: the message names the domain, the product and the fix. */
public final class AccessRefusedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public AccessRefusedException(String message) {
    super(message);
  }
}
