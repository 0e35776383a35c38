package org.rustydb.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BufferPoolOptionsTest {

  @Test
  void theDefaultPolicyIsTheRegistrysDefault() {
    Replacer r = BufferPoolOptions.builder().frames(64).build().replacer().apply(64);
    assertThat(r.name()).isEqualTo(ReplacerRegistry.DEFAULT_POLICY);
    assertThat(r.capacity()).isEqualTo(64);
  }

  @Test
  void aGivenPolicyIsUsed() {
    Replacer r = BufferPoolOptions.builder().replacer(LruReplacer::new).build().replacer().apply(8);
    assertThat(r).isInstanceOf(LruReplacer.class);
  }

  @Test
  void badValuesAreRefused() {
    assertThatThrownBy(() -> BufferPoolOptions.builder().frames(0).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("frames");
    assertThatThrownBy(() -> BufferPoolOptions.builder().replacer(null).build())
        .isInstanceOf(NullPointerException.class).hasMessageContaining("replacer");
  }
}
