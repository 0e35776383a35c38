package org.rustydb.disk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DiskOptionsTest {

  @Test
  void defaultsAreTheSpecs() {
    DiskOptions d = DiskOptions.defaults();
    assertThat(d.directIo()).isTrue();
    assertThat(d.sequentialThreshold()).isEqualTo(3);
    assertThat(d.prefetchPages()).isEqualTo(8);
    assertThat(d.growthChunkPages()).isEqualTo(64);
    assertThat(d.verifyChecksums()).isTrue();
    assertThat(d.mappedReads()).isTrue();
    assertThat(d.toBuilder().build()).isEqualTo(d);
  }

  @Test
  void builderSetsEveryField() {
    DiskOptions o = DiskOptions.builder().directIo(false).growthChunkPages(8).sequentialThreshold(5)
        .prefetchPages(16).readAheadCachePages(32).verifyChecksums(false).mappedReads(false).build();
    assertThat(o).isEqualTo(new DiskOptions(false, 8, 5, 16, 32, false, false));
  }

  @Test
  void nonsenseIsRefused() {
    assertThatThrownBy(() -> DiskOptions.builder().growthChunkPages(0).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("growthChunkPages");
    assertThatThrownBy(() -> DiskOptions.builder().sequentialThreshold(0).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DiskOptions.builder().prefetchPages(-1).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DiskOptions.builder().prefetchPages(16).readAheadCachePages(8).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("readAheadCachePages");
  }
}
