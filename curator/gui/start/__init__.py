"""The start page: recent workspaces, new/open, the demo."""
