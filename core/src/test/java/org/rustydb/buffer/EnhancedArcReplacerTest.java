package org.rustydb.buffer;

class EnhancedArcReplacerTest extends ReplacerContractTest {

  @Override
  Replacer create(int capacity, long[] references) {
    return new EnhancedArcReplacer(capacity);
  }

  @Override
  String name() {
    return "earc";
  }
}
