package dev.meshflow.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.meshflow.io.file.LineSplitter;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

public class LineSplitterTest {
  private static List<String> split(byte[] data, int readSize) throws IOException {
    List<String> out = new ArrayList<>();
    InputStream in = new ByteArrayInputStream(data) {
      @Override
      public synchronized int read(byte[] b, int off, int len) {
        return super.read(b, off, Math.min(len, readSize)); // short reads, as streams may give
      }
    };
    LineSplitter.forEachLine(in, (n, line) -> out.add(n + ":" + new String(line, StandardCharsets.ISO_8859_1)));
    return out;
  }

  @Test
  public void keepsLineNumbersSkipsBlankLinesAndStripsCarriageReturns() throws IOException {
    byte[] data = "a\r\n\nbb\n   \nccc".getBytes(StandardCharsets.ISO_8859_1);
    List<String> expected = List.of("1:a", "3:bb", "4:   ", "5:ccc");
    for (int readSize : new int[] {1, 2, 3, 7, 1 << 16}) {
      assertEquals(expected, split(data, readSize), "read size " + readSize);
    }
  }

  @Test
  public void keepsLongLinesAndRawBytesIntact() throws IOException {
    byte[] data = new byte[300_001];
    for (int i = 0; i < 300_000; i++) {
      data[i] = (byte) (0x80 + i % 100); // not UTF-8, and longer than any buffer
    }
    data[300_000] = '\n';
    List<String> lines = split(data, 4096);
    assertEquals(1, lines.size());
    assertEquals(300_000 + 2, lines.get(0).length());
  }
}
