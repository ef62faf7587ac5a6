"""The open workspace as the window sees it: controller, display frame, queue filters, workers."""
