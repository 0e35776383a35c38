package org.rustydb.txn;

import org.rustydb.buffer.WriteGuard;

/**
 * An engine's redo and undo handlers for its own log records ({@code LogRecord.Update} and
 * {@code LogRecord.Compensation} carrying its {@link #id()}). The log treats the payloads as opaque bytes;
 * only the engine knows what they mean. Its pages carry the same id in the page header's owner byte.
 *
 * <p>All calls are made with the page latched exclusively (the guard) and must not take other latches.
 */
public interface ResourceManager {

  /** The engine's id, 1..255 (it must fit the page header's owner byte). */
  int id();

  /** A short name for messages ("heap"). */
  String name();

  /**
   * Applies a redo payload (of an update or a compensation record) to the page and sets the page LSN to
   * {@code lsn}. Called during normal operation (right after logging) and by recovery's redo pass when the
   * page LSN is older than {@code lsn}: it must give the same bytes both times.
   */
  void redo(WriteGuard page, byte[] redo, long lsn);

  /**
   * Whether applying {@code redo} needs the page's old contents. A payload that rebuilds the whole page (a
   * format) answers false, so recovery can apply it to a page whose on-disk copy was torn.
   */
  boolean redoReadsPage(byte[] redo);

  /**
   * Turns an undo payload into the redo payload of the compensation record that undoes it, given the
   * page as it is now (the engine may need its current state to undo in place). Must not change the page.
   */
  byte[] compensation(WriteGuard page, byte[] undo);

  /**
   * Whether {@code undo} is undone logically: the engine finds the affected item again itself (a B+tree key
   * that a split may have moved to another page) instead of undoing on the record's page. Such payloads go
   * to {@link #undoLogically}, the others to {@link #compensation}.
   */
  default boolean undoesLogically(byte[] undo) {
    return false;
  }

  /**
   * Undoes {@code undo} (an update of page {@code pageId}) by performing the inverse operation, logging
   * its one page change with {@link Compensator#log} (exactly once) as the compensation record. Called
   * with no latch held; the engine latches what it needs.
   */
  default void undoLogically(Compensator clr, long pageId, byte[] undo) {
    throw new IllegalStateException(name() + " has no logical undo");
  }
}
