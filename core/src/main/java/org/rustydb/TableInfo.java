package org.rustydb;

/**
 * One entry of {@link Database#listTables()}.
 *
 * @param name the table's name
 * @param engine its storage engine
 * @param file its page file's name in the data directory's {@code base/} folder
 */
public record TableInfo(String name, EngineKind engine, String file) {}
