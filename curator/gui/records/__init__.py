"""The Records screen: table, filter bar, review pane and chat bubbles, reject and bulk dialogs."""
