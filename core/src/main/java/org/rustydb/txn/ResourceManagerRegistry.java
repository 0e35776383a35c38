package org.rustydb.txn;

import java.util.concurrent.atomic.AtomicReferenceArray;
import org.rustydb.OperationFailedException;

/**
 * Resource manager id (the page header's owner byte, the log record's rmId) to the engine's handlers.
 * Engines register once at open; recovery and rollback look them up per record.
 */
public final class ResourceManagerRegistry {

  private final AtomicReferenceArray<ResourceManager> byId = new AtomicReferenceArray<>(256);

  /**
   * Registers {@code rm}. Registering the same instance twice is harmless.
   *
   * @throws IllegalArgumentException when the id is out of range or taken by another manager
   */
  public void register(ResourceManager rm) {
    int id = rm.id();
    if (id < 1 || id > 255) throw new IllegalArgumentException("resource manager id out of range 1..255: " + id);
    if (!byId.compareAndSet(id, null, rm) && byId.get(id) != rm) {
      throw new IllegalArgumentException("resource manager id " + id + " is taken by " + byId.get(id).name());
    }
  }

  /**
   * The manager for {@code id}.
   *
   * @throws OperationFailedException when no engine registered it (a log record of an unknown engine)
   */
  public ResourceManager get(int id) {
    ResourceManager rm = id >= 0 && id < 256 ? byId.get(id) : null;
    if (rm == null) throw new OperationFailedException("no resource manager registered for id " + id);
    return rm;
  }
}
