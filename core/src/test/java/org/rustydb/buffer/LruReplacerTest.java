package org.rustydb.buffer;

class LruReplacerTest extends ReplacerContractTest {

  @Override
  Replacer create(int capacity, long[] references) {
    return new LruReplacer(capacity);
  }

  @Override
  String name() {
    return "lru";
  }
}
