package org.rustydb.engine.heap;

import org.rustydb.CorruptionException;
import org.rustydb.buffer.WriteGuard;
import org.rustydb.disk.PageId;
import org.rustydb.page.PageType;
import org.rustydb.page.SlottedPage;
import org.rustydb.txn.ResourceManager;

/** The heap's redo and undo handlers (formats in {@link HeapRecordLayout}). Stateless; one per database. */
public final class HeapResourceManager implements ResourceManager {

  /** The heap's resource manager id, also its pages' owner byte. */
  public static final int ID = org.rustydb.page.PageOwner.HEAP;

  @Override
  public int id() {
    return ID;
  }

  @Override
  public String name() {
    return "heap";
  }

  @Override
  public void redo(WriteGuard page, byte[] redo, long lsn) {
    SlottedPage sp = new SlottedPage().wrap(page.segment());
    switch (redo[0]) {
      case HeapRecordLayout.OP_FORMAT -> {
        sp.format(page.pageId(), PageType.HEAP);
        sp.setOwner(ID);
      }
      case HeapRecordLayout.OP_INSERT -> {
        int want = HeapRecordLayout.slot(redo);
        int got = sp.insert(HeapRecordLayout.tupleOf(redo));
        if (got != want) throw damaged(page, "insert landed in slot " + got + ", the log says " + want);
      }
      case HeapRecordLayout.OP_SET -> {
        int slot = HeapRecordLayout.slot(redo);
        if (!sp.isLive(slot)) throw damaged(page, "slot " + slot + " to set does not exist");
        if (sp.update(slot, HeapRecordLayout.tupleOf(redo)) != slot) throw damaged(page, "no room to set slot " + slot);
      }
      default -> throw damaged(page, "unknown heap redo op " + redo[0]);
    }
    sp.setLsn(lsn);
  }

  @Override
  public boolean redoReadsPage(byte[] redo) {
    return redo[0] != HeapRecordLayout.OP_FORMAT;
  }

  @Override
  public byte[] compensation(WriteGuard page, byte[] undo) {
    SlottedPage sp = new SlottedPage().wrap(page.segment());
    int slot = HeapRecordLayout.slot(undo);
    if (!sp.isLive(slot)) throw damaged(page, "slot " + slot + " to undo does not exist");
    byte[] current = sp.read(slot);
    byte[] tuple = switch (undo[0]) {
      case HeapRecordLayout.OP_TOMBSTONE -> {
        current[HeapRecordLayout.FLAG_OFFSET] = 0;
        yield current;
      }
      case HeapRecordLayout.OP_SET -> {
        byte[] old = HeapRecordLayout.tupleOf(undo);
        yield HeapRecordLayout.tuple(HeapRecordLayout.live(old), HeapRecordLayout.value(old), current.length);
      }
      default -> throw damaged(page, "unknown heap undo op " + undo[0]);
    };
    return HeapRecordLayout.payload(HeapRecordLayout.OP_SET, slot, tuple);
  }

  private static CorruptionException damaged(WriteGuard page, String what) {
    long id = page.pageId();
    return new CorruptionException("heap page " + PageId.toString(id) + " (file " + PageId.fileId(id) + ", page "
        + PageId.pageNo(id) + "): " + what);
  }
}
