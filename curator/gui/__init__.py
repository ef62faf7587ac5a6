"""The desktop app (PySide6). The only layer that imports Qt; drives core jobs in workers."""
