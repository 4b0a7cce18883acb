package dev.meshflow.io.http;

import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * POSTs a body to a URL with retries: a connection failure, a timeout, 429 or a 5xx is retried
 * after an exponential backoff; any other status is final. Each request carries an
 * {@code Idempotency-Key}, so a receiver can drop the repeats a retry or a replay sends.
 */
public final class HttpPoster implements Serializable {
  private final String url;
  private final long timeoutMillis;
  private final int retries;
  private final long backoffMillis;
  private transient HttpClient client;

  public HttpPoster(String url, long timeoutMillis, int retries, long backoffMillis) {
    URI parsed = URI.create(url);
    if (parsed.getScheme() == null || !parsed.getScheme().matches("https?")) {
      throw new IllegalArgumentException("--notifyUrl=" + url + ": expected an http:// or https:// URL");
    }
    this.url = url;
    this.timeoutMillis = timeoutMillis;
    this.retries = retries;
    this.backoffMillis = backoffMillis;
  }

  /** How a delivery ended: the last HTTP status (null if none came back) after so many attempts. */
  public static final class Outcome {
    public final boolean delivered;
    public final Integer status;
    public final int attempts;
    public final String error;

    Outcome(boolean delivered, Integer status, int attempts, String error) {
      this.delivered = delivered;
      this.status = status;
      this.attempts = attempts;
      this.error = error;
    }
  }

  public Outcome post(String idempotencyKey, byte[] body) throws InterruptedException {
    if (client == null) {
      client = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(timeoutMillis)).build();
    }
    HttpRequest request = HttpRequest.newBuilder(URI.create(url))
        .timeout(Duration.ofMillis(timeoutMillis))
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", idempotencyKey)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .build();
    Integer status = null;
    String error = null;
    for (int attempt = 1; attempt <= retries + 1; attempt++) {
      if (attempt > 1) {
        Thread.sleep(backoffMillis << (attempt - 2)); // backoff between real network calls
      }
      try {
        status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        if (status >= 200 && status < 300) {
          return new Outcome(true, status, attempt, null);
        }
        error = "HTTP " + status;
        if (status != 429 && status < 500) {
          return new Outcome(false, status, attempt, error);
        }
      } catch (IOException e) {
        error = e.getClass().getSimpleName() + ": " + e.getMessage();
      }
    }
    return new Outcome(false, status, retries + 1, error);
  }
}
