package org.rustydb.buffer;

class LirsReplacerTest extends ReplacerContractTest {

  @Override
  Replacer create(int capacity, long[] references) {
    return new LirsReplacer(capacity);
  }

  @Override
  String name() {
    return "lirs";
  }
}
