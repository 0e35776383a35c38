/**
 * Heap tables: unordered rows in slotted pages of one page file, addressed by record id, every change
 * logged through {@code org.rustydb.txn.TransactionManager} and recoverable.
 */
package org.rustydb.engine.heap;
