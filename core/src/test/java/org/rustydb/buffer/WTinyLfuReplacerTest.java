package org.rustydb.buffer;

class WTinyLfuReplacerTest extends ReplacerContractTest {

  @Override
  Replacer create(int capacity, long[] references) {
    return new WTinyLfuReplacer(capacity);
  }

  @Override
  String name() {
    return "wtinylfu";
  }
}
