"""The Duplicates screen: clusters, members side by side, keeper choices."""
