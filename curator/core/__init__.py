"""Qt-free core: records, ingest, workspace, dedup, filters, export, readiness, jobs."""
