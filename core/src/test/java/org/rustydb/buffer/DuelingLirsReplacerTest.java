package org.rustydb.buffer;

class DuelingLirsReplacerTest extends ReplacerContractTest {

  @Override
  Replacer create(int capacity, long[] references) {
    return new DuelingLirsReplacer(capacity);
  }

  @Override
  String name() {
    return "dlirs";
  }
}
