/**
 * The buffer pool: off-heap frames, the page table, guards that pin and latch, replacement policies
 * ({@code Replacer}), prefetching and dirty-page flushing. Every engine reaches page bytes only through it.
 */
package org.rustydb.buffer;
