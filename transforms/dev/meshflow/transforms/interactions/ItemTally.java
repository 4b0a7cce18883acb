package dev.meshflow.transforms.interactions;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.HashSet;
import java.util.Set;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.SetCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;

/** The running counts for one item in one window; the accumulator of {@link CountItemStats}. */
final class ItemTally {
  String itemType;
  long plays;
  long skips;
  long likes;
  long playlistAdds;
  Set<String> users = new HashSet<>();

  void add(InteractionEvent e) {
    // An item's type should never vary; if a producer disagrees with itself, pick deterministically.
    if (itemType == null || e.itemType().compareTo(itemType) < 0) {
      itemType = e.itemType();
    }
    switch (e.eventType()) {
      case "play":
        plays++;
        break;
      case "skip":
        skips++;
        break;
      case "like":
        likes++;
        break;
      default:
        playlistAdds++;
    }
    users.add(e.userId());
  }

  void merge(ItemTally o) {
    if (o.itemType != null && (itemType == null || o.itemType.compareTo(itemType) < 0)) {
      itemType = o.itemType;
    }
    plays += o.plays;
    skips += o.skips;
    likes += o.likes;
    playlistAdds += o.playlistAdds;
    users.addAll(o.users);
  }

  /** Kept over a Beam schema, which has no set type for the users counted. */
  static final class Coder extends CustomCoder<ItemTally> {
    private static final StringUtf8Coder STRING = StringUtf8Coder.of();
    private static final VarLongCoder LONG = VarLongCoder.of();
    private static final SetCoder<String> USERS = SetCoder.of(STRING);

    @Override
    public void encode(ItemTally t, OutputStream out) throws IOException {
      STRING.encode(t.itemType == null ? "" : t.itemType, out);
      LONG.encode(t.plays, out);
      LONG.encode(t.skips, out);
      LONG.encode(t.likes, out);
      LONG.encode(t.playlistAdds, out);
      USERS.encode(t.users, out);
    }

    @Override
    public ItemTally decode(InputStream in) throws IOException {
      ItemTally t = new ItemTally();
      String type = STRING.decode(in);
      t.itemType = type.isEmpty() ? null : type;
      t.plays = LONG.decode(in);
      t.skips = LONG.decode(in);
      t.likes = LONG.decode(in);
      t.playlistAdds = LONG.decode(in);
      t.users = USERS.decode(in);  // a HashSet of its own (SetCoder), so merges may add to it
      return t;
    }
  }
}
