package org.rustydb.buffer;

class ClockReplacerTest extends ReplacerContractTest {

  @Override
  Replacer create(int capacity, long[] references) {
    return new ClockReplacer(capacity);
  }

  @Override
  String name() {
    return "clock";
  }
}
