"""Automations (workflow rules) at run time: compiled per object, fired by the write
pipeline, their scheduled actions run by the worker. See docs/flows.md, "Automations".

>>> from hulian.engine.automations import run_scheduled
>>> run_scheduled(engine, "acme")                      # doctest: +SKIP
0
"""

from hulian.engine.automations.apply import MAX_DEPTH
from hulian.engine.automations.worker import run_scheduled

__all__ = ["MAX_DEPTH", "run_scheduled"]
