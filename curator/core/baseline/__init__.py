"""The prompt/RAG baseline kit: try the cheaper road before fine-tuning.

``baseline_job`` writes, from the records an export would contain, a held-out
evaluation set, a few-shot system prompt and retrieval passages of the facts that
change, validated and published atomically (see ``job.py``).
"""

from curator.core.baseline.job import BaselineOptions, baseline_job

__all__ = ["BaselineOptions", "baseline_job"]
