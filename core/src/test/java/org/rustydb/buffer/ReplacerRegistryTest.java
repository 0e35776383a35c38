package org.rustydb.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ReplacerRegistryTest {

  @Test
  void createsEveryNamedPolicy() {
    for (String name : ReplacerRegistry.NAMES) {
      Replacer r = ReplacerRegistry.create(name, 16, new long[] {1, 2, 3});
      assertThat(r.capacity()).isEqualTo(16);
      assertThat(r.size()).isZero();
      if (!name.equals(ReplacerRegistry.DEFAULT)) assertThat(r.name()).isEqualTo(name);
    }
  }

  @Test
  void defaultIsTheDefaultPolicyUnderItsOwnName() {
    assertThat(ReplacerRegistry.create("default", 8).name()).isEqualTo(ReplacerRegistry.DEFAULT_POLICY);
    assertThat(ReplacerRegistry.create("DEFAULT", 8).name()).isEqualTo(ReplacerRegistry.DEFAULT_POLICY);
    assertThat(ReplacerRegistry.NAMES).contains(ReplacerRegistry.DEFAULT_POLICY);
  }

  @Test
  void unknownNamesAndOptWithoutATraceAreErrors() {
    assertThatThrownBy(() -> ReplacerRegistry.create("mru", 8))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mru").hasMessageContaining("lru");
    assertThatThrownBy(() -> ReplacerRegistry.create("opt", 8))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("trace");
    assertThat(ReplacerRegistry.isKnown("ARC")).isTrue();
    assertThat(ReplacerRegistry.isKnown("nope")).isFalse();
  }
}
