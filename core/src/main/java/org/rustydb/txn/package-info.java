/**
 * Storage-level transactions, the transaction table, row locks, and the resource-manager registry
 * through which engines register redo and undo handlers.
 */
package org.rustydb.txn;
