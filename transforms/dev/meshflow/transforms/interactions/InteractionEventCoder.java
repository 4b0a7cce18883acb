package dev.meshflow.transforms.interactions;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.util.VarInt;

/**
 * A compact, deterministic coder for {@link InteractionEvent}; no Java serialization. Kept over a
 * Beam schema: the inferred schema coder ran at 0.58 of its throughput (docs/benchmarks.md, "Coders").
 *
 * <p>An event is one length-prefixed block: a runner's stream (Flink's memory pages behind Beam's
 * wrappers) is written and read once per event, not once per field and length byte, and decoding
 * slices the block's strings in place. Layout: a 0 byte, the block's length, which optional fields
 * are present, the event id, the time, user, item, item type, event type, the optional device,
 * session and duration, the origin and the payload; strings as a varint byte count and UTF-8,
 * numbers as varints.
 *
 * <p>The 0 byte tells this layout from the field-by-field one before it, which began with the
 * event id's length and an id is never empty: a savepoint taken by an earlier build, whose state
 * holds events (an ordered pass's waiting values), still restores.
 */
public final class InteractionEventCoder extends CustomCoder<InteractionEvent> {
  private static final InteractionEventCoder INSTANCE = new InteractionEventCoder();
  private static final int BLOCK_LAYOUT = 0;
  private static final int HAS_DEVICE = 1;
  private static final int HAS_SESSION = 2;
  private static final int HAS_DURATION = 4;
  /** One growable block per thread, reused: encoding leaves no garbage but the caller's bytes. */
  private static final ThreadLocal<Block> BLOCKS = ThreadLocal.withInitial(Block::new);

  public static InteractionEventCoder of() {
    return INSTANCE;
  }

  @Override
  public void encode(InteractionEvent e, OutputStream out) throws IOException {
    if (e == null) {
      throw new CoderException("cannot encode a null InteractionEvent");
    }
    Block b = BLOCKS.get();
    b.size = 0;
    b.put((e.device() != null ? HAS_DEVICE : 0) | (e.sessionId() != null ? HAS_SESSION : 0)
        | (e.durationMs() != null ? HAS_DURATION : 0));
    b.string(e.eventId());
    b.varLong(e.timestampMillis());
    b.string(e.userId());
    b.string(e.itemId());
    b.string(e.itemType());
    b.string(e.eventType());
    if (e.device() != null) {
      b.string(e.device());
    }
    if (e.sessionId() != null) {
      b.string(e.sessionId());
    }
    if (e.durationMs() != null) {
      b.varLong(e.durationMs());
    }
    b.string(e.origin());
    b.bytes(e.payload());
    out.write(BLOCK_LAYOUT);
    VarInt.encode(b.size, out);
    out.write(b.buf, 0, b.size);
  }

  @Override
  public InteractionEvent decode(InputStream in) throws IOException {
    int layout = in.read();
    if (layout < 0) {
      throw new CoderException("no InteractionEvent: the stream ended");
    }
    if (layout != BLOCK_LAYOUT) {
      return FieldByFieldLayout.decode(layout, in);
    }
    int length = VarInt.decodeInt(in);
    if (length < 1) {
      throw new CoderException("InteractionEvent block of " + length + " bytes");
    }
    Reader r = new Reader(new byte[length]);
    if (in.readNBytes(r.buf, 0, length) != length) {
      throw new CoderException("InteractionEvent block of " + length + " bytes ends early");
    }
    int present = r.buf[r.pos++];
    String eventId = r.string();
    long timestampMillis = r.varLong();
    String userId = r.string();
    String itemId = r.string();
    String itemType = r.string();
    String eventType = r.string();
    String device = (present & HAS_DEVICE) != 0 ? r.string() : null;
    String sessionId = (present & HAS_SESSION) != 0 ? r.string() : null;
    Long durationMs = (present & HAS_DURATION) != 0 ? r.varLong() : null;
    String origin = r.string();
    byte[] payload = r.bytes();
    if (r.pos != length) {
      throw new CoderException("InteractionEvent block of " + length + " bytes held " + r.pos);
    }
    return new InteractionEvent(eventId, timestampMillis, userId, itemId, itemType, eventType,
        device, sessionId, durationMs, origin, payload);
  }

  @Override
  public void verifyDeterministic() {}

  private static final class Block {
    byte[] buf = new byte[512];
    int size;

    void put(int b) {
      room(1);
      buf[size++] = (byte) b;
    }

    void varLong(long v) {
      room(10);
      while ((v & ~0x7FL) != 0) {
        buf[size++] = (byte) ((v & 0x7F) | 0x80);
        v >>>= 7;
      }
      buf[size++] = (byte) v;
    }

    void string(String s) {
      bytes(s.getBytes(StandardCharsets.UTF_8));
    }

    void bytes(byte[] bytes) {
      varLong(bytes.length);
      room(bytes.length);
      System.arraycopy(bytes, 0, buf, size, bytes.length);
      size += bytes.length;
    }

    private void room(int n) {
      if (size + n > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + n));
      }
    }
  }

  private static final class Reader {
    private static final byte[] NO_BYTES = new byte[0];
    final byte[] buf;
    int pos;

    Reader(byte[] buf) {
      this.buf = buf;
    }

    long varLong() throws CoderException {
      long v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (pos >= buf.length) {
          throw new CoderException("InteractionEvent block ends inside a number");
        }
        byte b = buf[pos++];
        v |= (long) (b & 0x7F) << shift;
        if (b >= 0) {
          return v;
        }
      }
      throw new CoderException("InteractionEvent block holds a number longer than 64 bits");
    }

    String string() throws CoderException {
      int n = length();
      String s = new String(buf, pos, n, StandardCharsets.UTF_8);
      pos += n;
      return s;
    }

    byte[] bytes() throws CoderException {
      int n = length();
      byte[] b = n == 0 ? NO_BYTES : Arrays.copyOfRange(buf, pos, pos + n);
      pos += n;
      return b;
    }

    private int length() throws CoderException {
      long n = varLong();
      if (n < 0 || n > buf.length - pos) {
        throw new CoderException("InteractionEvent block holds a field of " + n + " bytes past its end");
      }
      return (int) n;
    }
  }

  /** The layout before the block: each field through Beam's own coders, the id's length first. */
  static final class FieldByFieldLayout {
    private static final StringUtf8Coder STRING = StringUtf8Coder.of();
    private static final NullableCoder<String> NULLABLE_STRING = NullableCoder.of(STRING);
    private static final VarLongCoder LONG = VarLongCoder.of();
    private static final NullableCoder<Long> NULLABLE_LONG = NullableCoder.of(LONG);
    private static final ByteArrayCoder BYTES = ByteArrayCoder.of();

    /** Encodes as builds before the block did: for tests that restore what those wrote. */
    static void encode(InteractionEvent e, OutputStream out) throws IOException {
      STRING.encode(e.eventId(), out);
      LONG.encode(e.timestampMillis(), out);
      STRING.encode(e.userId(), out);
      STRING.encode(e.itemId(), out);
      STRING.encode(e.itemType(), out);
      STRING.encode(e.eventType(), out);
      NULLABLE_STRING.encode(e.device(), out);
      NULLABLE_STRING.encode(e.sessionId(), out);
      NULLABLE_LONG.encode(e.durationMs(), out);
      STRING.encode(e.origin(), out);
      BYTES.encode(e.payload(), out);
    }

    /** @param first the first byte of the event id's length, already read */
    static InteractionEvent decode(int first, InputStream rest) throws IOException {
      InputStream in = new SequenceInputStream(new ByteArrayInputStream(new byte[] {(byte) first}), rest);
      return new InteractionEvent(STRING.decode(in), LONG.decode(in), STRING.decode(in),
          STRING.decode(in), STRING.decode(in), STRING.decode(in), NULLABLE_STRING.decode(in),
          NULLABLE_STRING.decode(in), NULLABLE_LONG.decode(in), STRING.decode(in), BYTES.decode(in));
    }
  }
}
