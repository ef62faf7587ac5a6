"""The `curator` command: a thin terminal face over curator.core jobs."""
