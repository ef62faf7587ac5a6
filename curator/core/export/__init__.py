"""Export: schema-validated, leak-free, atomically written fine-tuning files.

Public API (the GUI export dialog and the CLI use these names):
``ExportOptions``, ``preflight(ws, options) -> Preflight``,
``export_job(ws, options) -> Job[dict]`` (returns the manifest),
``validate_line(obj, fmt) -> list[(kind, detail)]``.
"""

from curator.core.export.job import Preflight, export_job, preflight
from curator.core.export.options import FORMAT_INFO, FORMATS, ExportOptions, Format
from curator.core.export.validate import validate_line

__all__ = [
    "FORMATS",
    "FORMAT_INFO",
    "ExportOptions",
    "Format",
    "Preflight",
    "export_job",
    "preflight",
    "validate_line",
]
