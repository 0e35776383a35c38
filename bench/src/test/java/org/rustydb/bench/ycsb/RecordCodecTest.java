package org.rustydb.bench.ycsb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecordCodecTest {

  @Test
  void layoutIsLengthPrefixedAndRoundTrips() {
    Map<String, byte[]> m = new LinkedHashMap<>();
    m.put("f", new byte[] {7, 8, 9});
    m.put("", new byte[0]);
    byte[] enc = RecordCodec.encodeRaw(m);
    assertThat(enc.length).isEqualTo(RecordCodec.NAME_LEN_BYTES + 1 + RecordCodec.VALUE_LEN_BYTES + 3
        + RecordCodec.NAME_LEN_BYTES + RecordCodec.VALUE_LEN_BYTES);
    assertThat(Arrays.copyOf(enc, 10)).containsExactly(0, 1, 'f', 0, 0, 0, 3, 7, 8, 9);
    Map<String, byte[]> back = RecordCodec.decodeRaw(enc);
    assertThat(back.keySet()).containsExactly("f", "");
    assertThat(back.get("f")).containsExactly(7, 8, 9);
    assertThat(back.get("")).isEmpty();
  }

  @Test
  void truncatedValueIsAClearError() {
    byte[] enc = RecordCodec.encodeRaw(Map.of("field0", new byte[10]));
    assertThatThrownBy(() -> RecordCodec.decodeRaw(Arrays.copyOf(enc, enc.length - 1)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("truncated");
  }
}
