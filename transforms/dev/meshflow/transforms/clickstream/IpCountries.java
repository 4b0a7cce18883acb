package dev.meshflow.transforms.clickstream;

import java.util.Map;

/**
 * The country of an IPv4 address by its first octet: a small stand-in for a GeoIP database, enough
 * for the generator's address plan. Read before the IP is truncated or hashed; unknown is "ZZ".
 */
public final class IpCountries {
  private static final Map<Integer, String> BY_FIRST_OCTET = Map.of(
      31, "NL", 46, "DE", 62, "FR", 81, "GB", 104, "US", 177, "BR", 133, "JP", 49, "IN", 34, "US");

  private IpCountries() {}

  public static String of(String ip) {
    int dot = ip.indexOf('.');
    if (dot <= 0 || dot > 3) {
      return "ZZ";
    }
    try {
      return BY_FIRST_OCTET.getOrDefault(Integer.parseInt(ip.substring(0, dot)), "ZZ");
    } catch (NumberFormatException e) {
      return "ZZ";
    }
  }
}
