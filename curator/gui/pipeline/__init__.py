"""The Pipeline screen: one card per step (dedup, filters) with live counts and Run."""
