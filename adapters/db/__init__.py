"""PostgreSQL: one metadata for write and read tables, the engine, the unit of work."""
