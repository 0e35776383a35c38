package org.rustydb.buffer;

class AdaptiveLirsReplacerTest extends ReplacerContractTest {

  @Override
  Replacer create(int capacity, long[] references) {
    return LirsReplacer.adaptive(capacity);
  }

  @Override
  String name() {
    return "alirs";
  }
}
