package dev.meshflow.io.generator;

/** One generated line: its bytes and its event time (nominal time for a malformed line). */
public final class GeneratedRecord {
  public final long index;
  public final byte[] payload;
  public final long eventTimeMillis;

  public GeneratedRecord(long index, byte[] payload, long eventTimeMillis) {
    this.index = index;
    this.payload = payload;
    this.eventTimeMillis = eventTimeMillis;
  }
}
