"""Import: readers, format detection, role mapping, structure repair, quarantine.

Public API (used by the CLI, the GUI's import dialog and the demo):
``ImportOptions``, ``detect_format``, ``list_sources``, ``preview``/``Preview``,
``import_job``/``ImportSummary``/``FileResult``, ``QuarantineEntry``.
"""

from curator.core.ingest.detect import detect_format, list_sources, scan_sources
from curator.core.ingest.job import FileResult, ImportSummary, import_job
from curator.core.ingest.model import QuarantineEntry
from curator.core.ingest.options import FORMATS, ImportOptions
from curator.core.ingest.pipeline import Preview, preview
from curator.core.ingest.roles import ALIASES

__all__ = [
    "ALIASES",
    "FORMATS",
    "FileResult",
    "ImportOptions",
    "ImportSummary",
    "Preview",
    "QuarantineEntry",
    "detect_format",
    "import_job",
    "list_sources",
    "preview",
    "scan_sources",
]
