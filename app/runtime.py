"""The process's runtime: the cyclic garbage collector tuned once the app has started.

A 5,000-child page (the round overview, the round page, a pedagogue's start page) builds
hundreds of thousands of short-lived objects: result rows, dicts, template output. With
CPython's default thresholds (700, 10, 10) every 700 net allocations start a young
collection, and every 100th of those a full one that walks every tracked object of the
process, the parsed catalogs, the Jinja2 templates, SQLAlchemy's compiled mappers and the
imported modules included. Those full collections were the tail of the round pages: p95
three to four times p50 on a quiet machine (docs/performance.md, "Rounds").

:func:`tune_garbage_collector` does three things, once per process:

- ``gc.collect()`` then ``gc.freeze()``: what start-up left alive (modules, the app, the
  parsed guide and catalogs, the templates) moves to the permanent generation, which no
  collection walks again. It lives as long as the process anyway.
- ``gc.set_threshold(50_000, 20, 10)``: a young collection after 50,000 net allocations
  instead of 700. Most of a request's objects die by reference counting before that; what
  survives is promoted less often, and the full collection (after 20 × 10 young ones, i.e.
  every 10 million net allocations instead of 70,000) comes seldom enough that a request
  rarely pays for one. Cycles are still collected: memory stays bounded by a generation of
  50,000 objects, a few MB.

Reference counting frees almost everything a request makes; the collector is only for
cycles, so the higher thresholds change when memory of a cycle is returned, never whether.
``TRIVSEL_GC_TUNING=false`` keeps CPython's defaults (to compare, or if a deployment shows
growing memory).
"""

from __future__ import annotations

import gc

GC_THRESHOLDS = (50_000, 20, 10)
"""Young-generation allocations, young collections per middle one, middle per full one."""

_tuned = False


def tune_garbage_collector(*, enabled: bool = True) -> bool:
    """Freeze what start-up left alive and raise the collector's thresholds, once per
    process; True when this call did it (False when ``enabled`` is off or it was done)."""
    global _tuned  # once per process, whatever the number of apps
    if not enabled or _tuned:
        return False
    _tuned = True
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    return True
