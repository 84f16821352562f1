"""Effectiveness statistics, their explanation and reconciliation with published figures, and bulletins.

Everything a bulletin or a table shows is computed by `service.compute_statistics` (or the listings beside it)
from stored records; `explain` lists the records behind any figure, `reconcile` sets published figures beside
the computed ones.
"""
