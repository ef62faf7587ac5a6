"""The import dialog: preview, role mapping, progress, summary with quarantine."""
