package dev.meshflow.transforms.recommendations.online;

import dev.meshflow.transforms.recommendations.RecommenderRules.Play;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;

/** What online evaluation learns about one user: a list served to them, or one of their plays. */
record UserSignal(ServedList served, Play play) {
  static UserSignal served(ServedList list) {
    return new UserSignal(list, null);
  }

  static UserSignal play(Play play) {
    return new UserSignal(null, play);
  }

  static final class Coder extends CustomCoder<UserSignal> {
    static final Coder INSTANCE = new Coder();

    @Override
    public void encode(UserSignal signal, OutputStream out) throws IOException {
      if (signal.served != null) {
        out.write(1);
        ServedList.Coder.of().encode(signal.served, out);
      } else {
        out.write(0);
        PlayCoder.INSTANCE.encode(signal.play, out);
      }
    }

    @Override
    public UserSignal decode(InputStream in) throws IOException {
      return in.read() == 1 ? served(ServedList.Coder.of().decode(in)) : play(PlayCoder.INSTANCE.decode(in));
    }
  }

  static final class PlayCoder extends CustomCoder<Play> {
    static final PlayCoder INSTANCE = new PlayCoder();

    @Override
    public void encode(Play play, OutputStream out) throws IOException {
      StringUtf8Coder.of().encode(play.item(), out);
      VarLongCoder.of().encode(play.timeMillis(), out);
    }

    @Override
    public Play decode(InputStream in) throws IOException {
      return new Play(StringUtf8Coder.of().decode(in), VarLongCoder.of().decode(in));
    }
  }
}
