/**
 * ARIES crash recovery (analysis, redo, undo) and fuzzy checkpoints.
 */
package org.rustydb.recovery;
