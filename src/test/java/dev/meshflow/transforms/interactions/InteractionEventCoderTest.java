package dev.meshflow.transforms.interactions;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.testing.CoderProperties;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.values.KV;
import org.junit.jupiter.api.Test;

/** The event coder's block layout: every field back as it went in, in any context, or a clear refusal. */
public class InteractionEventCoderTest {
  private static final InteractionEventCoder CODER = InteractionEventCoder.of();

  private static final InteractionEvent WHOLE = new InteractionEvent("ev-1", 1_772_924_400_123L,
      "user-7", "song-0042", "song", "play", "android", "s-7-0", 215_000L, "file:/in/a.jsonl:3",
      "{\"event_id\":\"ev-1\"}".getBytes(StandardCharsets.UTF_8));
  private static final InteractionEvent BARE = new InteractionEvent("ev-2", -5L, "user-8",
      "podcast-0090", "podcast", "like", null, null, null, "generator:seed=42#2", new byte[0]);
  private static final InteractionEvent WIDE = new InteractionEvent("ev-ß-🎵", 0L, "ユーザー",
      "song-é".repeat(300), "song", "skip", null, "s-x", 0L, "kafka:t/0@9", new byte[70_000]);

  @Test
  public void everyFieldComesBackInEveryContext() throws Exception {
    for (InteractionEvent e : List.of(WHOLE, BARE, WIDE, WHOLE.forTally(), WHOLE.withoutPayload())) {
      CoderProperties.coderDecodeEncodeEqual(CODER, e);
      CoderProperties.coderDeterministic(CODER, e, e);
      InteractionEvent back = CoderUtils.clone(CODER, e);
      assertThat(back.device(), equalTo(e.device()));
      assertThat(back.sessionId(), equalTo(e.sessionId()));
      assertThat(back.durationMs(), equalTo(e.durationMs()));
      assertThat(back.origin(), equalTo(e.origin()));
      assertArrayEquals(e.payload(), back.payload());
    }
  }

  @Test
  public void blocksFollowEachOtherInOneStream() throws Exception {
    KvCoder<String, InteractionEvent> kv = KvCoder.of(StringUtf8Coder.of(), CODER);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    kv.encode(KV.of("a", WIDE), out);
    kv.encode(KV.of("b", BARE), out);
    CODER.encode(WHOLE, out);
    ByteArrayInputStream in = new ByteArrayInputStream(out.toByteArray());
    assertThat(kv.decode(in), equalTo(KV.of("a", WIDE)));
    assertThat(kv.decode(in), equalTo(KV.of("b", BARE)));
    assertThat(CODER.decode(in), equalTo(WHOLE));
    assertThat(in.available(), equalTo(0));
  }

  @Test
  public void eventsWrittenFieldByFieldByEarlierBuildsStillDecode() throws Exception {
    // A savepoint of an earlier build holds events in that layout (an ordered pass's waiting values).
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (InteractionEvent e : List.of(WHOLE, BARE, WIDE)) {
      InteractionEventCoder.FieldByFieldLayout.encode(e, out);
    }
    CODER.encode(WHOLE, out);
    ByteArrayInputStream in = new ByteArrayInputStream(out.toByteArray());
    for (InteractionEvent e : List.of(WHOLE, BARE, WIDE, WHOLE)) {
      InteractionEvent back = CODER.decode(in);
      assertThat(back, equalTo(e));
      assertThat(back.device(), equalTo(e.device()));
      assertThat(back.durationMs(), equalTo(e.durationMs()));
    }
    assertThat(in.available(), equalTo(0));
  }

  @Test
  public void aCutBlockIsRefusedWithItsReason() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CODER.encode(WHOLE, out);
    byte[] whole = out.toByteArray();
    CoderException cut = assertThrows(CoderException.class,
        () -> CODER.decode(new ByteArrayInputStream(Arrays.copyOf(whole, whole.length - 4))));
    assertThat(cut.getMessage(), containsString("ends early"));

    // The block's own length (after the layout byte) says one byte less than its fields hold.
    byte[] lying = whole.clone();
    lying[1]--;
    CoderException inside = assertThrows(CoderException.class,
        () -> CODER.decode(new ByteArrayInputStream(lying)));
    assertThat(inside.getMessage(), containsString("past its end"));
    assertThrows(CoderException.class, () -> CODER.encode(null, new ByteArrayOutputStream()));
  }
}
