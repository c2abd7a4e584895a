"""The evaluation queue: an adapter (or a baseline) to score on a data set's split, queued by
the Admin tab, run by a worker process (``training.worker``), its report stored whole.

    evaluations = EvaluationStore(engine)
    job = evaluations.enqueue_evaluation(adapter_id=3, data="iterater-sent", split="test")
    evaluations.list_evaluations()     # status and report (SARI, GLEU, Update-R, F1) of each

Each method is one transaction; an evaluation goes queued -> running -> succeeded |
failed (or cancelled while still queued).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from storage.errors import InvalidState, RecordNotFound
from storage.models import AdapterRow, EvaluationRow
from storage.run_status import FINISHED, RunStatus
from storage.store import _now, _utc


@dataclass(frozen=True)
class Evaluation:
    """One evaluation job; ``settings`` holds the other EvalConfig fields (limit, ...);
    ``report`` is ``training.evaluate``'s report once it succeeded."""

    id: int
    adapter_id: int | None
    adapter_name: str | None
    baseline: str | None
    data: str
    split: str
    settings: dict[str, Any]
    status: str
    report: dict[str, Any] | None
    error: str | None
    created_at: datetime
    created_by: str | None
    started_at: datetime | None
    finished_at: datetime | None
    worker_pid: int | None


def _record(row: EvaluationRow, adapter_name: str | None) -> Evaluation:
    return Evaluation(
        id=row.id,
        adapter_id=row.adapter_id,
        adapter_name=adapter_name,
        baseline=row.baseline,
        data=row.data,
        split=row.split,
        settings=dict(row.settings),
        status=row.status,
        report=row.report,
        error=row.error,
        created_at=_utc(row.created_at),
        created_by=row.created_by,
        started_at=None if row.started_at is None else _utc(row.started_at),
        finished_at=None if row.finished_at is None else _utc(row.finished_at),
        worker_pid=row.worker_pid,
    )


def _row(session: Session, evaluation_id: int) -> EvaluationRow:
    row = session.get(EvaluationRow, evaluation_id)
    if row is None:
        raise RecordNotFound(f"evaluation {evaluation_id} does not exist")
    return row


def _name(session: Session, adapter_id: int | None) -> str | None:
    if adapter_id is None:
        return None
    return session.scalar(sa.select(AdapterRow.name).where(AdapterRow.id == adapter_id))


class EvaluationStore:
    """Evaluation jobs on one database; safe to share between threads."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def enqueue_evaluation(
        self,
        *,
        data: str,
        split: str = "test",
        adapter_id: int | None = None,
        baseline: str | None = None,
        settings: Mapping[str, Any] | None = None,
        created_by: str | None = None,
    ) -> int:
        """Queue an evaluation of a registered adapter or of a baseline.

        Args:
            data: a data set name or a .jsonl path.
            split: the split scored.
            adapter_id: the adapter scored; or None with ``baseline``.
            baseline: ``copy`` or ``zero-shot`` (checked by the worker); or None.
            settings: other ``EvalConfig`` fields (``limit``, ``batch_size``, ...).
            created_by: the admin who asked.

        Returns:
            The evaluation's id.

        Raises:
            ValueError: neither or both of adapter and baseline, or empty data/split.
            RecordNotFound: no such adapter.
            InvalidState: the adapter was deleted.
        """
        if (adapter_id is None) == (baseline is None):
            raise ValueError("give either an adapter or a baseline, not both or neither")
        for name, value in (("data", data), ("split", split)):
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"{name} must be a non-empty string, got {value!r}")
        with Session(self.engine) as session, session.begin():
            if adapter_id is not None:
                adapter = session.get(AdapterRow, adapter_id)
                if adapter is None:
                    raise RecordNotFound(f"adapter {adapter_id} does not exist")
                if adapter.deleted_at is not None:
                    raise InvalidState(f"adapter {adapter.name!r} was deleted")
            row = EvaluationRow(
                adapter_id=adapter_id,
                baseline=baseline,
                data=data,
                split=split,
                settings=dict(settings or {}),
                status=RunStatus.QUEUED,
                created_at=_now(),
                created_by=created_by,
            )
            session.add(row)
            session.flush()
            return row.id

    def claim_next_evaluation(self, worker_pid: int) -> Evaluation | None:
        """Take the oldest queued evaluation (atomic, as ``RunStore.claim_next_run``)."""
        while True:
            with Session(self.engine) as session, session.begin():
                evaluation_id = session.scalar(
                    sa.select(EvaluationRow.id)
                    .where(EvaluationRow.status == RunStatus.QUEUED)
                    .order_by(EvaluationRow.id)
                    .limit(1)
                )
                if evaluation_id is None:
                    return None
                claimed = session.execute(
                    sa.update(EvaluationRow)
                    .where(
                        EvaluationRow.id == evaluation_id, EvaluationRow.status == RunStatus.QUEUED
                    )
                    .values(status=RunStatus.RUNNING, worker_pid=worker_pid, started_at=_now())
                    .execution_options(synchronize_session=False)
                ).rowcount
                if claimed == 1:
                    row = _row(session, evaluation_id)
                    return _record(row, _name(session, row.adapter_id))

    def finish_evaluation(
        self,
        evaluation_id: int,
        status: str,
        *,
        report: dict[str, Any] | None = None,
        error: str | None = None,
    ) -> Evaluation:
        """End an evaluation with its report (succeeded) or its error (failed).

        Raises:
            ValueError: a status that is not a finished one.
            RecordNotFound, InvalidState: no such evaluation, or it has already finished.
        """
        if status not in FINISHED:
            raise ValueError(f"status must be one of {', '.join(FINISHED)}, got {status!r}")
        with Session(self.engine) as session, session.begin():
            row = _row(session, evaluation_id)
            if row.status in FINISHED:
                raise InvalidState(f"evaluation {evaluation_id} has already {row.status}")
            row.status, row.report, row.error, row.finished_at = status, report, error, _now()
            session.flush()
            return _record(row, _name(session, row.adapter_id))

    def cancel_evaluation(self, evaluation_id: int) -> Evaluation:
        """Cancel a queued evaluation.

        Raises:
            RecordNotFound, InvalidState: no such evaluation, or it is no longer queued.
        """
        with Session(self.engine) as session, session.begin():
            row = _row(session, evaluation_id)
            if row.status != RunStatus.QUEUED:
                raise InvalidState(f"evaluation {evaluation_id} is {row.status}, not queued")
            row.status, row.finished_at = RunStatus.CANCELLED, _now()
            session.flush()
            return _record(row, _name(session, row.adapter_id))

    def get_evaluation(self, evaluation_id: int) -> Evaluation:
        """Raises: RecordNotFound: no such evaluation."""
        with Session(self.engine) as session, session.begin():
            row = _row(session, evaluation_id)
            return _record(row, _name(session, row.adapter_id))

    def list_evaluations(self, limit: int = 50, adapter_id: int | None = None) -> list[Evaluation]:
        """The latest evaluations, newest first (optionally of one adapter)."""
        if limit < 1:
            raise ValueError(f"limit must be at least 1, got {limit}")
        query = (
            sa.select(EvaluationRow, AdapterRow.name)
            .outerjoin(AdapterRow, EvaluationRow.adapter_id == AdapterRow.id)
            .order_by(EvaluationRow.id.desc())
            .limit(limit)
        )
        if adapter_id is not None:
            query = query.where(EvaluationRow.adapter_id == adapter_id)
        with Session(self.engine) as session, session.begin():
            return [_record(row, name) for row, name in session.execute(query)]

    def fail_abandoned_evaluations(self, is_alive: Callable[[int], bool]) -> list[int]:
        """Mark failed the running evaluations whose worker process is no longer alive."""
        failed = []
        with Session(self.engine) as session, session.begin():
            rows = session.scalars(
                sa.select(EvaluationRow).where(EvaluationRow.status == RunStatus.RUNNING)
            ).all()
            for row in rows:
                if row.worker_pid is None or not is_alive(row.worker_pid):
                    row.status, row.finished_at = RunStatus.FAILED, _now()
                    row.error = f"worker {row.worker_pid} died; the evaluation was abandoned"
                    failed.append(row.id)
        return failed
