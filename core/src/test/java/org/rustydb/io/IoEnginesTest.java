package org.rustydb.io;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IoEnginesTest {

  @Test
  void anEngineCanBeForced() {
    try (IoEngine e = IoEngines.create(IoOptions.builder().engine(IoOptions.Kind.FILE_CHANNEL).build())) {
      assertThat(e).isInstanceOf(FileChannelIoEngine.class);
      assertThat(e.name()).isEqualTo("filechannel");
    }
  }

  @Test
  void autoPicksUringExactlyWhenTheProbeSaysItWorks() {
    try (IoEngine e = IoEngines.create(IoOptions.defaults())) {
      if (IoEngines.uringUnavailableReason() == null) {
        assertThat(e).isInstanceOf(UringIoEngine.class);
      } else {
        assertThat(e).isInstanceOf(FileChannelIoEngine.class);
      }
    }
  }

  @Test
  void optionsRefuseNonsense() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> IoOptions.builder().queueDepth(3).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("power of two");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new FileOpenOptions(false, true, false))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
