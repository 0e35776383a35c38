/**
 * The I/O engine: asynchronous reads, writes (single and vectored) and syncs against open files, the
 * bottom of the layer chain: it knows files, offsets and buffers, not pages, tables or logs.
 *
 * <ul>
 *   <li>{@link org.rustydb.io.IoEngine} is the SPI; {@link org.rustydb.io.IoEngines#create} picks
 *       {@link org.rustydb.io.UringIoEngine} (Linux io_uring through the FFM API; every native call in
 *       {@code LinuxNative}, the kernel ABI in {@code UringLayout}) or the portable
 *       {@link org.rustydb.io.FileChannelIoEngine}.</li>
 *   <li>{@link org.rustydb.io.IoScheduler} orders requests by {@link org.rustydb.io.IoPriority} with aging
 *       ({@link org.rustydb.io.AgingPriorityQueue}); each priority's callers get
 *       {@link org.rustydb.io.IoScheduler#lane}, an {@code IoEngine} view at that priority;
 *       {@link org.rustydb.io.IoBatcher} merges adjacent page
 *       writes into vectored writes.</li>
 *   <li>{@link org.rustydb.io.IoMetrics} feeds {@code org.rustydb.stats.IoStats};
 *       {@link org.rustydb.io.FaultInjectingIoEngine} fails chosen requests and simulates a crash for
 *       tests.</li>
 * </ul>
 */
package org.rustydb.io;
