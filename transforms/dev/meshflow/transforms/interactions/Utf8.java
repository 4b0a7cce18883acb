package dev.meshflow.transforms.interactions;

/** Strict UTF-8 validation (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF). */
final class Utf8 {
  private Utf8() {}

  static boolean isValid(byte[] b) {
    int i = 0;
    int n = b.length;
    while (i < n) {
      int c = b[i] & 0xFF;
      if (c < 0x80) {
        i++;
        continue;
      }
      int extra;
      int min;
      if (c >= 0xC2 && c <= 0xDF) {
        extra = 1;
        min = 0x80;
      } else if (c >= 0xE0 && c <= 0xEF) {
        extra = 2;
        min = 0x800;
      } else if (c >= 0xF0 && c <= 0xF4) {
        extra = 3;
        min = 0x10000;
      } else {
        return false;
      }
      if (i + extra >= n) {
        return false;
      }
      int cp = c & (0x3F >> extra);
      for (int k = 1; k <= extra; k++) {
        int cc = b[i + k] & 0xFF;
        if ((cc & 0xC0) != 0x80) {
          return false;
        }
        cp = (cp << 6) | (cc & 0x3F);
      }
      if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return false;
      }
      i += extra + 1;
    }
    return true;
  }
}
