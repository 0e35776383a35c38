package org.rustydb.buffer;

/** Name, capacity and the argument checks every {@link Replacer} shares. */
abstract class AbstractReplacer implements Replacer {

  private final String name;
  protected final int capacity;

  protected AbstractReplacer(String name, int capacity) {
    if (capacity < 1) throw new IllegalArgumentException(name + ": capacity must be positive: " + capacity);
    this.name = name;
    this.capacity = capacity;
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final int capacity() {
    return capacity;
  }

  @Override
  public String toString() {
    return name + "(capacity=" + capacity + ", size=" + size() + ", " + sizes() + ")";
  }

  /** Throws unless {@code pageId} is a valid page id: {@link #NONE} and {@link #NO_ROOM} are reserved. */
  protected static void checkPageId(long pageId) {
    if (pageId < 0) throw new IllegalArgumentException("page ids are non-negative: " + pageId);
  }

  protected final IllegalArgumentException notResident(long pageId) {
    return new IllegalArgumentException(name + ": recordHit on a page that is not resident: " + pageId);
  }

  protected final IllegalArgumentException alreadyResident(long pageId) {
    return new IllegalArgumentException(name + ": admit of a page that is already resident: " + pageId);
  }
}
