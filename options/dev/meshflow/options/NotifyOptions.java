package dev.meshflow.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Where {@code fleet-notify} reads alerts, and how it delivers them. */
public interface NotifyOptions extends PipelineOptions {
  @Description(
      "The alerts stream to act on, as a source URI: file:<glob> of the JSON lines fleet-alerts"
          + " writes (watched with --streaming), or kafka://host:port/topic.")
  @Default.String("file:warehouse/alerts-stream/alerts_stream/*/*/*/*/*.jsonl")
  String getAlerts();

  void setAlerts(String value);

  @Description("POST each delivered alert here (JSON body, Idempotency-Key header). Empty: print it as a line 'ALERT {json}' on standard output.")
  @Default.String("")
  String getNotifyUrl();

  void setNotifyUrl(String value);

  @Description(
      "Per vehicle, deliver at most one alert in this much alert time; the others are recorded"
          + " as suppressed (ISO-8601 or 90s/5m/1h; 0s: no limit).")
  @Default.String("5m")
  String getNotifyMinInterval();

  void setNotifyMinInterval(String value);

  @Description("Retries after a failed POST (connection error, timeout, 429 or 5xx), with exponential backoff.")
  @Default.Integer(3)
  int getNotifyRetries();

  void setNotifyRetries(int value);

  @Description("Timeout of one POST, and the first retry's backoff is a tenth of it.")
  @Default.String("10s")
  String getNotifyTimeout();

  void setNotifyTimeout(String value);
}
