/**
 * Off-heap memory managers: slab allocator with magazines, transaction arenas, the large-object allocator
 * (mmap, huge pages), the engine-wide memory budget and the pressure forecaster.
 */
package org.rustydb.memory;
