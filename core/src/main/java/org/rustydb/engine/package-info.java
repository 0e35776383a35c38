/**
 * The index engines behind {@code Table}: B+tree, LSM-tree, extendible hash, columnar, tiered. Each lives in
 * its own sub-package and reaches pages only through the buffer pool.
 */
package org.rustydb.engine;
