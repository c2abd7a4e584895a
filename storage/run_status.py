"""The statuses of a queued job (a training run or an evaluation), defined once.

A job goes queued -> running -> succeeded | failed | cancelled (a queued one can be
cancelled directly); finished jobs never change again. ``RunStatus`` members are strings
(``RunStatus.QUEUED == "queued"``), so the stored values, the check constraints and the
JSON the API returns stay the same words; write ``.value`` where a ``repr`` would show.
"""

from enum import StrEnum


class RunStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


ACTIVE: tuple[RunStatus, ...] = (RunStatus.QUEUED, RunStatus.RUNNING)
FINISHED: tuple[RunStatus, ...] = (RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED)
