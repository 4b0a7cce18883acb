package dev.meshflow.io.mesh.governance;

import java.time.Instant;

/**
 * One consumer domain's access to one product, as the grant log says it stands.
 *
 * @param pii whether personal data is delivered raw; without it, the product's PII fields reach
 *     the consumer hashed or dropped, as its contract says
 * @param decidedBy the domain that approved, denied or revoked it; null while pending
 */
public record Grant(String id, String domain, String product, boolean pii, String purpose,
    State state, String requestedBy, Instant requestedAt, String decidedBy, String decidedByUser,
    Instant decidedAt, String reason) {

  /** Where a grant is in its workflow: request, then approve or deny, then revoke. */
  public enum State { PENDING, ACTIVE, DENIED, REVOKED }

  Grant decided(State next, String domainDeciding, String user, Instant at, String why) {
    return new Grant(id, domain, product, pii, purpose, next, requestedBy, requestedAt, domainDeciding,
        user, at, why);
  }
}
