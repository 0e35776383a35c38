package org.rustydb.buffer;

import java.lang.foreign.MemorySegment;
import java.util.function.LongConsumer;

/** An in-memory store that calls a hook with the first page id before every write (to order or block writes). */
class HookedPageFileStore extends InMemoryPageFileStore {

  volatile LongConsumer beforeWrite = p -> {};

  @Override
  public void writePage(long pageId, MemorySegment src) {
    beforeWrite.accept(pageId);
    super.writePage(pageId, src);
  }

  @Override
  public void writePages(long firstPageId, MemorySegment src) {
    beforeWrite.accept(firstPageId);
    super.writePages(firstPageId, src);
  }
}
