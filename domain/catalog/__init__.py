"""The catalog: movies synced from TMDb, their genres and TMDb's curated lists."""
