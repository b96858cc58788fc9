"""Approval processes at run time (审批流程): submit, approve, reject and recall records
of objects whose metadata declares an approval flow (``flows/<api_name>.json``, type
``approval``), the lock on pending records, approvers' work items and each record's
approval history. See docs/flows.md#approvals.

- :mod:`~hulian.engine.approvals.processes`: what a deploy knows about an object's
  processes (compiled once per schema), and the lock plan of each object;
- :mod:`~hulian.engine.approvals.approvers`: who approves a step;
- :mod:`~hulian.engine.approvals.store`: the tenant's approval tables;
- :mod:`~hulian.engine.approvals.lock`: the write pipeline's ``locked`` step;
- :mod:`~hulian.engine.approvals.run`: the operations, called by
  :class:`hulian.engine.Session`.
"""
