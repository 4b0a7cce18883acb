package dev.meshflow.io.file;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits a stream into lines of raw bytes, scanning 64 KiB chunks rather than reading byte by byte.
 * A trailing carriage return is dropped; empty lines are skipped (they are no records in JSON
 * lines) but still counted, so line numbers match what an editor shows.
 */
public final class LineSplitter {
  /** Receives each non-empty line with its 1-based line number. */
  public interface LineConsumer {
    void accept(long lineNumber, byte[] line);
  }

  private LineSplitter() {}

  public static void forEachLine(InputStream in, LineConsumer consumer) throws IOException {
    byte[] chunk = new byte[1 << 16];
    byte[] carry = new byte[256];
    int carried = 0;
    long lineNumber = 0;
    int n;
    while ((n = in.read(chunk)) != -1) {
      int start = 0;
      for (int i = 0; i < n; i++) {
        if (chunk[i] != '\n') {
          continue;
        }
        lineNumber++;
        byte[] line;
        if (carried == 0) {
          line = Arrays.copyOfRange(chunk, start, i);
        } else {
          line = Arrays.copyOf(carry, carried + (i - start));
          System.arraycopy(chunk, start, line, carried, i - start);
          carried = 0;
        }
        emit(lineNumber, line, consumer);
        start = i + 1;
      }
      int rest = n - start;
      if (rest > 0) {
        if (carried + rest > carry.length) {
          carry = Arrays.copyOf(carry, Math.max(carry.length * 2, carried + rest));
        }
        System.arraycopy(chunk, start, carry, carried, rest);
        carried += rest;
      }
    }
    if (carried > 0) {
      emit(lineNumber + 1, Arrays.copyOf(carry, carried), consumer);
    }
  }

  private static void emit(long lineNumber, byte[] line, LineConsumer consumer) {
    int length = line.length;
    if (length > 0 && line[length - 1] == '\r') {
      length--;
    }
    if (length > 0) {
      consumer.accept(lineNumber, length == line.length ? line : Arrays.copyOf(line, length));
    }
  }
}
