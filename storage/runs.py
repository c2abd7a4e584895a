"""The training-run queue: runs queued by the Admin tab, claimed by worker processes, and
their status, progress, per-step losses and norms, and log lines as the workers write them.

    runs = RunStore(engine)
    run_id = runs.enqueue_run({"method": "lora", "data": "iterater-sent"}, created_by="ada")
    run = runs.claim_next_run(worker_pid=os.getpid())      # in the worker (training.worker)
    cancel = runs.record_step(run.id, stage=2, step=1, loss=2.3, selected=[0, 1], ...)
    runs.finish_run(run.id, RunStatus.SUCCEEDED, output_dir="runs/run-1")

Everything lives in the database, so a reloaded page shows the live run. Each method is one
transaction. A run goes queued -> running -> succeeded | failed | cancelled (a queued run
can be cancelled directly; ``storage.run_status``); finished runs never change again.
"""

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from storage.errors import InvalidState, RecordNotFound
from storage.models import RunLogRow, RunStepRow, TrainingRunRow
from storage.registry import Adapter, NewAdapter, insert_adapter
from storage.run_status import FINISHED, RunStatus
from storage.store import _now, _utc

logger = logging.getLogger(__name__)

MAX_LOG_LINE_CHARS = 4000


@dataclass(frozen=True)
class TrainingRun:
    """One training run as stored.

    ``config`` is the job's config as queued (``training.worker`` reads it);
    ``progress`` is the fraction of all steps done (0-1); ``step`` counts steps over every
    stage; ``total_steps`` is the expected total (known once a stage starts).
    """

    id: int
    created_at: datetime
    created_by: str | None
    status: str
    config: dict[str, Any]
    progress: float
    step: int
    total_steps: int | None
    error: str | None
    output_dir: str | None
    started_at: datetime | None
    finished_at: datetime | None
    cancel_requested: bool
    worker_pid: int | None
    heartbeat_at: datetime | None

    @property
    def finished(self) -> bool:
        return self.status in FINISHED


@dataclass(frozen=True)
class RunStep:
    """One optimiser step: ``step`` is 1-based within its ``stage``; ``norms`` maps block
    index (as a string, JSON keys) to the gradient norm measured in the step."""

    stage: int
    step: int
    loss: float | None
    selected: tuple[int, ...]
    norms: dict[str, float]
    created_at: datetime


@dataclass(frozen=True)
class RunLogLine:
    id: int
    created_at: datetime
    line: str


def _opt_utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else _utc(moment)


def _run_record(row: TrainingRunRow) -> TrainingRun:
    return TrainingRun(
        id=row.id,
        created_at=_utc(row.created_at),
        created_by=row.created_by,
        status=row.status,
        config=dict(row.config),
        progress=row.progress,
        step=row.step,
        total_steps=row.total_steps,
        error=row.error,
        output_dir=row.output_dir,
        started_at=_opt_utc(row.started_at),
        finished_at=_opt_utc(row.finished_at),
        cancel_requested=row.cancel_requested,
        worker_pid=row.worker_pid,
        heartbeat_at=_opt_utc(row.heartbeat_at),
    )


def _run_row(session: Session, run_id: int) -> TrainingRunRow:
    row = session.get(TrainingRunRow, run_id)
    if row is None:
        raise RecordNotFound(f"training run {run_id} does not exist")
    return row


def _running_row(session: Session, run_id: int) -> TrainingRunRow:
    row = _run_row(session, run_id)
    if row.status != RunStatus.RUNNING:
        raise InvalidState(f"training run {run_id} is {row.status}, not running")
    return row


def _finite(value: float | None) -> float | None:
    # JSON and some databases refuse NaN/inf; a diverged loss is stored as NULL.
    if value is None:
        return None
    value = float(value)
    return value if value == value and abs(value) != float("inf") else None


class RunStore:
    """The training-run queue on one database; safe to share between threads."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # --- the Admin tab's side --------------------------------------------------------------

    def enqueue_run(self, config: Mapping[str, Any], created_by: str | None = None) -> int:
        """Queue a run (validate ``config`` first: ``training.worker.check_job``).

        Args:
            config: the job, JSON-ready (``TrainConfig`` keys, ``output`` optional).
            created_by: the admin who started it.

        Returns:
            The run's id.

        Raises:
            ValueError: ``config`` is not a mapping.
        """
        if not isinstance(config, Mapping):
            raise ValueError(f"a run config must be a mapping, got {type(config).__name__}")
        with Session(self.engine) as session, session.begin():
            row = TrainingRunRow(
                created_at=_now(),
                created_by=created_by,
                status=RunStatus.QUEUED,
                config=dict(config),
                progress=0.0,
                step=0,
                cancel_requested=False,
            )
            session.add(row)
            session.flush()
            run_id = row.id
        logger.info("queued training run %d", run_id)
        return run_id

    def request_cancel(self, run_id: int) -> TrainingRun:
        """Cancel a run: a queued one at once, a running one at its worker's next step.

        Returns:
            The run after the request.

        Raises:
            RecordNotFound: no such run.
            InvalidState: the run has already finished.
        """
        with Session(self.engine) as session, session.begin():
            row = _run_row(session, run_id)
            if row.status in FINISHED:
                raise InvalidState(f"training run {run_id} has already {row.status}")
            row.cancel_requested = True
            if row.status == RunStatus.QUEUED:
                row.status = RunStatus.CANCELLED
                row.finished_at = _now()
            session.flush()
            return _run_record(row)

    def get_run(self, run_id: int) -> TrainingRun:
        """Raises: RecordNotFound: no such run."""
        with Session(self.engine) as session, session.begin():
            return _run_record(_run_row(session, run_id))

    def list_runs(self, limit: int = 50, status: str | None = None) -> list[TrainingRun]:
        """The most recent runs, newest first (optionally of one status)."""
        if limit < 1:
            raise ValueError(f"limit must be at least 1, got {limit}")
        if status is not None and status not in tuple(RunStatus):
            raise ValueError(f"status must be one of {', '.join(RunStatus)}, got {status!r}")
        query = sa.select(TrainingRunRow).order_by(TrainingRunRow.id.desc()).limit(limit)
        if status is not None:
            query = query.where(TrainingRunRow.status == status)
        with Session(self.engine) as session, session.begin():
            return [_run_record(row) for row in session.scalars(query)]

    def run_steps(self, run_id: int) -> list[RunStep]:
        """Every step of a run in order (loss curve, norm heatmap)."""
        query = sa.select(RunStepRow).where(RunStepRow.run_id == run_id).order_by(RunStepRow.id)
        with Session(self.engine) as session, session.begin():
            _run_row(session, run_id)
            return [
                RunStep(
                    stage=r.stage,
                    step=r.step,
                    loss=r.loss,
                    selected=tuple(r.selected),
                    norms=dict(r.norms),
                    created_at=_utc(r.created_at),
                )
                for r in session.scalars(query)
            ]

    def run_logs(self, run_id: int, after_id: int = 0) -> list[RunLogLine]:
        """A run's log lines in order; ``after_id`` returns only lines newer than that."""
        query = (
            sa.select(RunLogRow)
            .where(RunLogRow.run_id == run_id, RunLogRow.id > after_id)
            .order_by(RunLogRow.id)
        )
        with Session(self.engine) as session, session.begin():
            _run_row(session, run_id)
            return [
                RunLogLine(id=r.id, created_at=_utc(r.created_at), line=r.line)
                for r in session.scalars(query)
            ]

    # --- the worker's side -----------------------------------------------------------------

    def claim_next_run(self, worker_pid: int) -> TrainingRun | None:
        """Take the oldest queued run and mark it running for this worker.

        Atomic across processes: the conditional UPDATE (``WHERE status = 'queued'``)
        succeeds for exactly one claimer; a loser tries the next queued run.

        Returns:
            The claimed run, or None when nothing is queued.
        """
        while True:
            with Session(self.engine) as session, session.begin():
                run_id = session.scalar(
                    sa.select(TrainingRunRow.id)
                    .where(TrainingRunRow.status == RunStatus.QUEUED)
                    .order_by(TrainingRunRow.id)
                    .limit(1)
                )
                if run_id is None:
                    return None
                now = _now()
                claimed = session.execute(
                    sa.update(TrainingRunRow)
                    .where(TrainingRunRow.id == run_id, TrainingRunRow.status == RunStatus.QUEUED)
                    .values(
                        status=RunStatus.RUNNING,
                        worker_pid=worker_pid,
                        started_at=now,
                        heartbeat_at=now,
                    )
                    .execution_options(synchronize_session=False)
                ).rowcount
                if claimed == 1:
                    return _run_record(_run_row(session, run_id))
            # Another worker took it between the SELECT and the UPDATE: try the next one.

    def record_step(
        self,
        run_id: int,
        *,
        stage: int,
        step: int,
        loss: float | None,
        selected: Sequence[int],
        norms: Mapping[int | str, float],
        progress: float,
        total_steps: int | None = None,
    ) -> bool:
        """Store one optimiser step with the run's progress, and beat its heartbeat.

        Args:
            run_id: a running run.
            stage, step: the stage (1 or 2) and the 1-based step within it.
            loss: the batch loss (NaN/inf stored as NULL).
            selected: the blocks trained in the step.
            norms: gradient norm per block.
            progress: fraction of all steps done, clipped to 0-1.
            total_steps: the expected number of steps over all stages, when known.

        Returns:
            Whether a cancel has been requested (the worker stops when it has).

        Raises:
            RecordNotFound, InvalidState: no such run, or it is not running.
        """
        with Session(self.engine) as session, session.begin():
            row = _running_row(session, run_id)
            now = _now()
            session.add(
                RunStepRow(
                    run_id=run_id,
                    stage=int(stage),
                    step=int(step),
                    loss=_finite(loss),
                    selected=[int(b) for b in selected],
                    norms={str(k): _finite(v) for k, v in norms.items()},
                    created_at=now,
                )
            )
            row.step += 1
            row.progress = min(1.0, max(0.0, float(progress)))
            if total_steps is not None:
                row.total_steps = int(total_steps)
            row.heartbeat_at = now
            return row.cancel_requested

    def heartbeat(self, run_id: int) -> bool:
        """Mark a running run alive. Returns whether a cancel has been requested."""
        with Session(self.engine) as session, session.begin():
            row = _running_row(session, run_id)
            row.heartbeat_at = _now()
            return row.cancel_requested

    def append_log(self, run_id: int, line: str) -> None:
        """Add one line to a run's log (cut at 4000 characters)."""
        text = str(line)
        if len(text) > MAX_LOG_LINE_CHARS:
            text = text[: MAX_LOG_LINE_CHARS - 1] + "…"
        with Session(self.engine) as session, session.begin():
            _run_row(session, run_id)
            session.add(RunLogRow(run_id=run_id, created_at=_now(), line=text))

    def finish_run(
        self,
        run_id: int,
        status: str,
        *,
        error: str | None = None,
        output_dir: str | None = None,
    ) -> TrainingRun:
        """End a running run as ``failed`` or ``cancelled`` (or ``succeeded`` without an
        adapter; ``complete_run`` registers one). The active adapter is never touched.

        Raises:
            ValueError: ``status`` is not a finished status.
            RecordNotFound, InvalidState: no such run, or it has already finished.
        """
        if status not in FINISHED:
            raise ValueError(f"status must be one of {', '.join(FINISHED)}, got {status!r}")
        with Session(self.engine) as session, session.begin():
            row = _run_row(session, run_id)
            if row.status in FINISHED:
                raise InvalidState(f"training run {run_id} has already {row.status}")
            self._finish(session, row, status, error, output_dir)
            return _run_record(row)

    def complete_run(self, run_id: int, output_dir: str, adapter: NewAdapter) -> Adapter:
        """Mark a run succeeded and register its adapter, in one transaction (so neither
        exists without the other). The adapter is not activated.

        Raises:
            RecordNotFound, InvalidState: no such run, it is not running, or the adapter's
                name is taken.
        """
        with Session(self.engine) as session, session.begin():
            row = _running_row(session, run_id)
            registered = insert_adapter(session, adapter, run_id=run_id)
            self._finish(session, row, RunStatus.SUCCEEDED, None, output_dir)
            return registered

    @staticmethod
    def _finish(session, row, status, error, output_dir) -> None:
        now = _now()
        row.status = status
        row.error = error
        row.finished_at = now
        row.heartbeat_at = now
        if output_dir is not None:
            row.output_dir = output_dir
        if status == RunStatus.SUCCEEDED:
            row.progress = 1.0
        if error:
            session.add(RunLogRow(run_id=row.id, created_at=now, line=f"error: {error}"))

    def fail_stale_runs(
        self,
        *,
        stale_after: timedelta,
        is_alive: Callable[[int], bool] | None = None,
    ) -> list[int]:
        """Mark failed the running runs whose worker is gone: no heartbeat for
        ``stale_after``, or (given ``is_alive``) a worker pid that is no longer alive.

        Returns:
            The ids of the runs marked failed.
        """
        cutoff = _now() - stale_after
        failed = []
        with Session(self.engine) as session, session.begin():
            rows = session.scalars(
                sa.select(TrainingRunRow).where(TrainingRunRow.status == RunStatus.RUNNING)
            ).all()
            for row in rows:
                beat = row.heartbeat_at or row.started_at or row.created_at
                silent = _utc(beat) < cutoff
                dead = (
                    is_alive is not None
                    and row.worker_pid is not None
                    and not is_alive(row.worker_pid)
                )
                if silent or dead:
                    reason = (
                        f"worker {row.worker_pid} died"
                        if dead
                        else f"no heartbeat for {stale_after.total_seconds():.0f} s"
                    )
                    self._finish(
                        session, row, RunStatus.FAILED, f"{reason}; the run was abandoned", None
                    )
                    failed.append(row.id)
        if failed:
            logger.warning("marked stale training runs failed: %s", failed)
        return failed
