package org.rustydb.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class FlushRateControllerTest {

  @Test
  void stepsAsTheSpecSays() {
    FlushRateController c = new FlushRateController(100);
    assertThat(c.currentRate()).isEqualTo(100);
    c.adjust(89.9); // below 90 % of the target: flush harder
    assertThat(c.currentRate()).isCloseTo(110, within(1e-9));
    c.adjust(110.1); // above 110 %: back off
    assertThat(c.currentRate()).isCloseTo(99, within(1e-9));
    c.adjust(90); // inside the band (inclusive ends): unchanged
    c.adjust(110);
    c.adjust(100);
    assertThat(c.currentRate()).isCloseTo(99, within(1e-9));
  }

  @Test
  void repeatedStepsCompoundAndStayWithinBounds() {
    FlushRateController c = new FlushRateController(100);
    c.adjust(0);
    c.adjust(0);
    assertThat(c.currentRate()).isCloseTo(121, within(1e-9));
    for (int i = 0; i < 1000; i++) c.adjust(0);
    assertThat(c.currentRate()).isEqualTo(1600);
    for (int i = 0; i < 1000; i++) c.adjust(1e9);
    assertThat(c.currentRate()).isCloseTo(100 / 16.0, within(1e-9));
  }

  @Test
  void targetMustBePositive() {
    assertThatThrownBy(() -> new FlushRateController(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new FlushRateController(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
  }
}
