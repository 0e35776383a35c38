package org.rustydb.buffer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FrequencySketchTest {

  @Test
  void countsSaturateAtFifteen() {
    FrequencySketch s = new FrequencySketch(1024);
    assertThat(s.frequency(42)).isZero();
    for (int i = 0; i < 5; i++) s.increment(42);
    assertThat(s.frequency(42)).isEqualTo(5);
    for (int i = 0; i < 50; i++) s.increment(42);
    assertThat(s.frequency(42)).isEqualTo(15);
  }

  @Test
  void agingHalvesOldPopularity() {
    FrequencySketch s = new FrequencySketch(64); // ages every 640 increments
    for (int i = 0; i < 12; i++) s.increment(7);
    assertThat(s.frequency(7)).isEqualTo(12);
    for (int i = 0; i < 700; i++) s.increment(1_000_000 + i); // one-off pages push past the sample size
    assertThat(s.frequency(7)).isBetween(5, 7);
  }

  @Test
  void rarelyOverestimatesUnseenPages() {
    FrequencySketch s = new FrequencySketch(4096);
    for (long p = 0; p < 4096; p++) s.increment(p);
    int overestimated = 0;
    for (long p = 100_000; p < 104_096; p++) overestimated += s.frequency(p) > 0 ? 1 : 0;
    assertThat(overestimated).isLessThan(4096 / 10);
  }
}
