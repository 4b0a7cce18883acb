package dev.meshflow.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** How often a streaming pipeline puts each key's waiting events in event-time order. */
public interface OrderingOptions extends PipelineOptions {
  @Description(
      "Streaming: how often each key's waiting events (a vehicle's reports, a cookie's clicks) are"
          + " put in time order and processed. An event older than its key's last processed time"
          + " is a dead letter (stage late).")
  @Default.String("10s")
  String getOrderingInterval();

  void setOrderingInterval(String value);
}
