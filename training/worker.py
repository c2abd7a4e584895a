"""The training worker: a process apart from the web app that runs the queued training runs
and evaluations and writes their progress to the database.

    python -m training.worker --db sqlite:///data-local/itune.db --runs-dir data-local/runs
    python -m training.worker --db URL --runs-dir DIR --once     # run what is queued, exit

The Admin tab only queues jobs (``submit_run``; ``storage.evaluations``); this process
claims them one at a time (atomically, so several workers may share a queue) and runs the
recipe in-process through its ``TrainingProgress`` hook (``training.recipes.train``): every step
becomes a ``run_steps`` row with the run's progress, and the recipe's log lines go to
``run_logs``. Cancelling is checked at every step: the hook raises, the recipe deletes its
staging folder, and the run ends ``cancelled``. A finished run's adapter is registered
(its lineage and metrics) in the same transaction that marks it ``succeeded``, and is
not activated: only an admin activates, so a failed or cancelled run never changes the
active adapter.

A worker beats a heartbeat while it runs a job; at start it marks ``failed`` the running
jobs whose worker died (pid gone: workers on one host) or fell silent (``--stale-after``),
so a crash never leaves a run "running" for ever. Run it under a supervisor (systemd,
Docker ``restart:``) so it comes back after a crash.

Outputs: ``RUNS_DIR/run-<id>/`` (the recipe's output folder), ``RUNS_DIR/run-<id>-feedback.jsonl``
(a run trained on ``data: feedback``), ``RUNS_DIR/eval-<id>.json`` (an evaluation's report).
"""

import argparse
import gc
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from itune_core.bundle import AdapterBundle
from itune_core.errors import ItuneError
from itune_core.jsonable import strict_json
from storage.environment import database_url, home_folder
from storage.errors import InvalidState
from storage.evaluations import Evaluation, EvaluationStore
from storage.feedback import FeedbackStore
from storage.registry import Adapter, NewAdapter, Registry
from storage.run_status import RunStatus
from storage.runs import RunStore, TrainingRun
from storage.store import Store
from training.config import SETTINGS, TrainConfig
from training.loop import StepLog, TrainingProgress
from training.vocabulary import DataSetName

log = logging.getLogger("training.worker")

FEEDBACK_DATA = DataSetName.FEEDBACK  # a job's ``data``: export the app's feedback first
# Keys of a job that are not TrainConfig fields: the adapter's name, and its parent (a
# registered adapter's id or name; the worker trains from its folder, ``init_from``).
JOB_KEYS = ("name", "parent")
# TrainConfig fields that only say how the worker exports ``data: feedback``.
FEEDBACK_KEYS = ("replay_data", "replay_limit", "feedback_negatives")
# The built-in data sets a feedback run may replay (labelled with the app's intentions).
REPLAY_DATA = (DataSetName.ITERATER_SENT.value, DataSetName.ITERATER_DOC.value)
# TrainConfig fields the worker sets itself (output, overwrite): dropped from a job.
WORKER_KEYS = tuple(name for name, s in SETTINGS.items() if not s.job)
HEARTBEAT_SECONDS = 15.0
EVAL_KEYS = ("limit", "batch_size", "max_new_tokens", "model", "unit", "dtype", "cpu")


class RunCancelled(Exception):
    """Raised inside the recipe's progress hook when an admin cancelled the run."""


def check_job(config: Mapping[str, Any]) -> dict[str, Any]:
    """Validate a training job before it is queued, so a bad one fails in the Admin tab.

    A job is a ``TrainConfig`` mapping without ``output`` (the worker puts each run in
    ``RUNS_DIR/run-<id>``), plus ``name``: the adapter's registry name (optional), and
    ``parent``: a registered adapter (id or name) to start from (``Admin.start_training``
    resolves it; the worker trains from its folder, ``init_from``, and records it as the
    new adapter's parent). ``data`` may be ``feedback``: the writers' accepted edits,
    exported when the run starts, with ``replay_data`` / ``replay_limit`` (a built-in
    data set's train split added) and ``feedback_negatives`` (rejected edits as "keep"
    lines, ``training.feedback``), which only such a job may give. ``init_from`` must be
    a finished run's folder of the same method.

    Returns:
        The job as a plain dict (``output`` and ``overwrite`` removed).

    Raises:
        ValueError: unknown keys, a missing method or data, or a bad value (the message
            names the field).
    """
    if not isinstance(config, Mapping):
        raise ValueError(f"a training job must be a mapping, got {type(config).__name__}")
    job = {k: v for k, v in config.items() if k not in WORKER_KEYS}
    name = job.get("name")
    if name is not None and (not isinstance(name, str) or not name.strip() or len(name) > 200):
        raise ValueError(f"name must be a non-empty string of at most 200 characters: {name!r}")
    parent = job.get("parent")
    if parent is not None and (
        isinstance(parent, bool) or not isinstance(parent, int | str) or not str(parent).strip()
    ):
        raise ValueError(f"parent must be a registered adapter's id or name, got {parent!r}")
    trial = {k: v for k, v in job.items() if k not in JOB_KEYS}
    feedback = trial.get("data") == FEEDBACK_DATA
    if feedback:
        trial["data"] = "feedback.jsonl"
    config = TrainConfig.from_dict({**trial, "output": "run"})
    _check_feedback_keys(config, feedback)
    if config.init_from is not None:
        _check_parent_folder(config)
    return job


def _check_feedback_keys(config: TrainConfig, feedback: bool) -> None:
    given = [k for k in FEEDBACK_KEYS if getattr(config, k) not in (None, False)]
    if given and not feedback:
        raise ValueError(f"{', '.join(given)}: only a job on data: feedback may give them")
    if config.replay_data is not None and config.replay_data not in REPLAY_DATA:
        raise ValueError(
            f"replay_data must be one of {', '.join(REPLAY_DATA)}, got {config.replay_data!r}"
        )
    if config.replay_limit is not None and config.replay_data is None:
        raise ValueError("replay_limit needs replay_data")


def _check_parent_folder(config: TrainConfig) -> None:
    """What can be checked of ``init_from`` without the model: a finished run's folder
    of the same method (the recipe checks the base model too)."""
    folder = Path(config.init_from).expanduser()
    try:
        lineage, _ = AdapterBundle.read(folder).require_records()
    except (OSError, ValueError) as err:
        raise ValueError(f"init_from: {config.init_from} is not an adapter bundle: {err}") from None
    if not AdapterBundle.has_generation_adapter(folder):
        raise ValueError(f"init_from: {config.init_from} is not an adapter bundle")
    if lineage.get("method") != config.method:
        raise ValueError(
            f"init_from: {config.init_from} was trained with method "
            f"{lineage.get('method')!r}, not {config.method!r}"
        )


def submit_run(runs: RunStore, config: Mapping[str, Any], created_by: str | None = None) -> int:
    """Validate a training job (``check_job``) and queue it. Returns the run's id.

    Raises:
        ValueError: a bad job; nothing is queued.
    """
    return runs.enqueue_run(check_job(config), created_by=created_by)


def find_adapter(registry: Registry, ref: int | str) -> Adapter:
    """A live registered adapter by id or name (``Registry.find_adapter``).

    Raises:
        ValueError: no such adapter, or it was deleted (the message names ``parent``).
    """
    adapter = registry.find_adapter(ref)
    if adapter is None:
        raise ValueError(f"parent: no registered adapter with id or name {ref!r}")
    if adapter.deleted_at is not None:
        raise ValueError(f"parent: adapter {adapter.name!r} was deleted")
    return adapter


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists on this host."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True


def adapter_from_output(
    folder: Path,
    name: str,
    feedback_revision_ids: tuple[int, ...] = (),
    parent_id: int | None = None,
) -> NewAdapter:
    """What the registry records of a finished run's folder (an adapter bundle).

    Raises:
        ValueError, KeyError: not a finished run, or malformed records.
    """
    bundle = AdapterBundle.read(folder)
    lineage, metrics = bundle.require_records()
    summary = bundle.selection_summary()
    if summary is not None:
        # What the registry shows without reading the folder: G, S_gen, alignment ratio.
        lineage = {**lineage, "selection": summary}
    return NewAdapter(
        name=name,
        path=str(folder),
        base_model=lineage["base_model"],
        method=lineage["method"],
        s_gen=tuple(lineage.get("s_gen") or ()),
        lineage=strict_json(lineage),
        metrics=strict_json(metrics),
        data_hash=(lineage.get("data") or {}).get("sha256"),
        feedback_revision_ids=tuple(feedback_revision_ids),
        parent_id=parent_id,
    )


def _release_memory() -> None:
    # One worker runs many jobs: give back what the last one held before the next starts.
    gc.collect()
    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available():
        torch.cuda.empty_cache()


class RecordedTrainingProgress(TrainingProgress):
    """The recipe's observer inside the worker: each step to the database; raises
    ``RunCancelled`` at the first step (or stage start) after a cancel request."""

    def __init__(self, runs: RunStore, run_id: int, stages: int, cancelled: threading.Event):
        self.runs, self.run_id, self.stages, self.cancelled = runs, run_id, stages, cancelled
        self.done = 0
        self.total: int | None = None

    def _check(self) -> None:
        if self.cancelled.is_set():
            raise RunCancelled

    def on_stage_start(self, stage: int, name: str, total_steps: int) -> None:
        # Stage I of a two-stage run: Stage II's budget is not known yet; guess the same.
        remaining = 2 if stage == 1 and self.stages == 2 else 1
        self.total = self.done + total_steps * remaining
        self.runs.append_log(self.run_id, f"{name}: {total_steps} steps")
        if self.runs.heartbeat(self.run_id):
            self.cancelled.set()
        self._check()

    def on_step(self, entry: StepLog) -> None:
        self.done += 1
        total = max(self.total or self.done, self.done)
        if self.runs.record_step(
            self.run_id,
            stage=entry.stage,
            step=entry.step,
            loss=entry.loss,
            selected=entry.selected,
            norms=entry.norms,
            progress=self.done / total,
            total_steps=total,
        ):
            self.cancelled.set()
        self._check()


class _RunLogHandler(logging.Handler):
    """The recipe's log records (INFO and up) as lines of the run's log."""

    def __init__(self, runs: RunStore, run_id: int) -> None:
        super().__init__(logging.INFO)
        self.runs, self.run_id = runs, run_id
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith("storage"):
            return  # never log the log's own writes
        try:
            self.runs.append_log(self.run_id, self.format(record))
        except SQLAlchemyError:
            self.handleError(record)


class _Heartbeat:
    """Beats a running run's heartbeat from a thread while the recipe loads the model or
    runs a long step, and notices a cancel request meanwhile."""

    def __init__(self, runs: RunStore, run_id: int, cancelled: threading.Event, every: float):
        self.runs, self.run_id, self.cancelled, self.every = runs, run_id, cancelled, every
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._beat, name=f"heartbeat-{run_id}", daemon=True)

    def _beat(self) -> None:
        while not self.stop.wait(self.every):
            try:
                if self.runs.heartbeat(self.run_id):
                    self.cancelled.set()
            except (SQLAlchemyError, ItuneError):
                log.warning("heartbeat of run %d failed", self.run_id, exc_info=True)

    def __enter__(self) -> "_Heartbeat":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join()


@dataclass
class Worker:
    """Claims and runs jobs from one database.

    Attributes:
        engine: the database (migrated).
        runs_dir: where run folders and evaluation reports go.
        home: ITUNE_HOME (the embedded model is converted once into ``home/models``).
        heartbeat_seconds: how often a running job's heartbeat is beaten.
    """

    engine: Engine
    runs_dir: Path
    home: Path
    heartbeat_seconds: float = HEARTBEAT_SECONDS

    def __post_init__(self) -> None:
        self.runs = RunStore(self.engine)
        self.evaluations = EvaluationStore(self.engine)
        self.registry = Registry(self.engine)
        self.pid = os.getpid()

    def recover(self, stale_after: timedelta, check_pids: bool = True) -> list[int]:
        """Mark failed the runs (and evaluations) whose worker died. Returns the run ids."""
        alive = pid_alive if check_pids else None
        failed = self.runs.fail_stale_runs(stale_after=stale_after, is_alive=alive)
        if check_pids:
            self.evaluations.fail_abandoned_evaluations(pid_alive)
        return failed

    def run_next(self) -> bool:
        """Run the oldest queued training run, else the oldest queued evaluation.

        Returns:
            Whether there was a job to run.
        """
        run = self.runs.claim_next_run(self.pid)
        if run is not None:
            self.process_run(run)
            return True
        evaluation = self.evaluations.claim_next_evaluation(self.pid)
        if evaluation is not None:
            self.process_evaluation(evaluation)
            return True
        return False

    def process_run(self, run: TrainingRun) -> None:
        """Train one claimed run and record how it ended (never raises for a failed run;
        KeyboardInterrupt marks it failed and propagates)."""
        log.info("run %d started", run.id)
        cancelled = threading.Event()
        handler = _RunLogHandler(self.runs, run.id)
        training_log = logging.getLogger("training")
        training_log.addHandler(handler)
        try:
            with _Heartbeat(self.runs, run.id, cancelled, self.heartbeat_seconds):
                self._train(run, cancelled)
        except RunCancelled:
            self._end_run(run.id, RunStatus.CANCELLED)
            log.info("run %d cancelled", run.id)
        except KeyboardInterrupt:
            self._end_run(run.id, RunStatus.FAILED, "the worker was stopped")
            raise
        except Exception as err:  # the worker's edge: any failure ends the run, not the worker
            log.exception("run %d failed", run.id)
            self._end_run(run.id, RunStatus.FAILED, f"{type(err).__name__}: {err}")
        finally:
            training_log.removeHandler(handler)
            _release_memory()

    def _end_run(self, run_id: int, status: str, error: str | None = None) -> None:
        try:
            self.runs.finish_run(run_id, status, error=error)
        except InvalidState:
            # Already ended elsewhere (marked stale by another worker): keep that verdict.
            log.warning("run %d had already finished; left as it is", run_id)

    def _train(self, run: TrainingRun, cancelled: threading.Event) -> None:
        from training.recipes import train

        job = dict(run.config)
        name = job.pop("name", None) or f"{job.get('method', 'run')}-run{run.id}"
        parent_id = self._resolve_parent(job)
        feedback_ids: tuple[int, ...] = ()
        if job.get("data") == FEEDBACK_DATA:
            job["data"], feedback_ids = self._export_feedback(run.id, job)
        output = (self.runs_dir / f"run-{run.id}").resolve()
        config = TrainConfig.from_dict({**job, "output": str(output), "overwrite": False})
        stages = 2 if config.method == "intention-tuning" and config.init_from is None else 1
        progress = RecordedTrainingProgress(self.runs, run.id, stages, cancelled)
        result = train(
            config,
            home=self.home,
            progress=progress,
            command=f"python -m training.worker (run {run.id})",
        )
        if self.registry.get_adapter_by_name(name) is not None:
            name = f"{name}-run{run.id}"  # the name was taken while the run trained
        adapter = adapter_from_output(result.output, name, feedback_ids, parent_id)
        self.runs.complete_run(run.id, str(result.output), adapter)
        log.info("run %d succeeded: adapter %r in %s", run.id, name, result.output)

    def _resolve_parent(self, job: dict[str, Any]) -> int | None:
        """The registered adapter a job trains from: its ``parent`` (id or name; its
        folder becomes ``init_from``), else the adapter registered at ``init_from``'s
        folder, if any. Removes ``parent`` from ``job``.

        Raises:
            ValueError: ``parent`` names no adapter.
        """
        parent = job.pop("parent", None)
        if parent is not None:
            adapter = find_adapter(self.registry, parent)
            job.setdefault("init_from", adapter.path)
            return adapter.id
        if job.get("init_from") is None:
            return None
        folder = Path(job["init_from"]).expanduser().resolve()
        for adapter in self.registry.list_adapters(include_deleted=True):
            if Path(adapter.path).expanduser().resolve() == folder:
                return adapter.id
        return None

    def _export_feedback(self, run_id: int, job: dict[str, Any]) -> tuple[str, tuple[int, ...]]:
        """Export the writers' feedback for a ``data: feedback`` job (with its replay data
        and negatives). Returns (the file, the revisions in it)."""
        from training.feedback import export_feedback, replay_examples, replay_rows

        replay = []
        if job.get("replay_data") is not None:
            seed = job.get("seed", SETTINGS["seed"].default)
            examples = replay_examples(job["replay_data"], job.get("replay_limit"), seed)
            replay = replay_rows(job["replay_data"], examples)
        path = self.runs_dir / f"run-{run_id}-feedback.jsonl"
        export = export_feedback(
            FeedbackStore(self.engine),
            path,
            negatives=bool(job.get("feedback_negatives")),
            replay=replay,
        )
        ids = export.revision_ids
        self.runs.append_log(
            run_id,
            f"exported {export.rows} lines: {export.accepted} accepted and "
            f"{export.rejected} rejected edits from {len(ids)} revisions, "
            f"{export.replayed} replayed from {job.get('replay_data') or 'no data set'}",
        )
        return str(export.path), ids

    def process_evaluation(self, evaluation: Evaluation) -> None:
        """Score one claimed evaluation; its report goes to the database (without the
        per-example rows) and whole to ``RUNS_DIR/eval-<id>.json``."""
        from training.evaluate import EvalConfig, evaluate, write_report

        log.info("evaluation %d started", evaluation.id)
        try:
            adapter = None
            if evaluation.adapter_id is not None:
                adapter = self.registry.get_adapter(evaluation.adapter_id).path
            settings = {k: v for k, v in evaluation.settings.items() if k in EVAL_KEYS}
            config = EvalConfig(
                adapter=adapter,
                baseline=evaluation.baseline,
                data=evaluation.data,
                split=evaluation.split,
                **settings,
            )
            report = evaluate(config, home=self.home)
            path = self.runs_dir / f"eval-{evaluation.id}.json"
            write_report(report, path)
            summary = {k: v for k, v in report.items() if k != "examples"}
            summary["report_path"] = str(path)
            self.evaluations.finish_evaluation(
                evaluation.id, RunStatus.SUCCEEDED, report=strict_json(summary)
            )
        except KeyboardInterrupt:
            self.evaluations.finish_evaluation(
                evaluation.id, RunStatus.FAILED, error="the worker was stopped"
            )
            raise
        except Exception as err:  # the worker's edge, as in process_run
            log.exception("evaluation %d failed", evaluation.id)
            self.evaluations.finish_evaluation(
                evaluation.id, RunStatus.FAILED, error=f"{type(err).__name__}: {err}"
            )
        finally:
            _release_memory()


# --- command line ---------------------------------------------------------------------------


def build_parser(prog: str = "python -m training.worker") -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=prog,
        description="Run the training runs and evaluations queued in the app's database.",
    )
    p.add_argument("--db", help="SQLAlchemy URL (default $ITUNE_DB_URL or the app's file)")
    p.add_argument("--runs-dir", type=Path, help="where run folders go (default ITUNE_HOME/runs)")
    p.add_argument("--home", type=Path, help="ITUNE_HOME (default $ITUNE_HOME or ~/.cache/itune)")
    p.add_argument("--once", action="store_true", help="run every queued job, then exit")
    p.add_argument("--poll", type=float, default=1.0, help="seconds between queue checks")
    p.add_argument(
        "--stale-after",
        type=float,
        default=300.0,
        help="seconds without a heartbeat after which a running job is marked failed",
    )
    p.add_argument(
        "--multi-host",
        action="store_true",
        help="workers run on several hosts: judge dead workers by heartbeat only, not pid",
    )
    p.add_argument(
        "--parent-pid",
        type=int,
        help="stop (failing the running job) when this process, the app, is gone",
    )
    p.add_argument("-v", "--verbose", action="count", default=0)
    return p


def watch_parent(parent_pid: int, every: float = 1.0) -> threading.Thread:
    """Stop this worker when the app that started it is gone, even killed with -9 (which
    gives the child no signal): SIGTERM to ourselves, so a running job is marked failed
    as on any stop, and no orphan keeps training for an app that no longer exists."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(every)
        log.warning("the app (pid %d) is gone; stopping", parent_pid)
        os.kill(os.getpid(), signal.SIGTERM)

    thread = threading.Thread(target=watch, name="parent-watch", daemon=True)
    thread.start()
    return thread


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None, prog: str = "python -m training.worker") -> int:
    args = build_parser(prog).parse_args(argv)
    level = logging.DEBUG if args.verbose > 1 else logging.INFO
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.poll <= 0 or args.stale_after <= 0:
        print("error: --poll and --stale-after must be positive", file=sys.stderr)
        return 2
    home = home_folder(args.home)
    url = database_url(args.db, home)
    runs_dir = (args.runs_dir or home / "runs").expanduser()
    previous = signal.signal(signal.SIGTERM, _interrupt)
    if args.parent_pid is not None:
        watch_parent(args.parent_pid)
    try:
        runs_dir.mkdir(parents=True, exist_ok=True)
        store = Store.open(url)
        worker = Worker(store.engine, runs_dir.resolve(), home)
        failed = worker.recover(timedelta(seconds=args.stale_after), not args.multi_host)
        if failed:
            log.warning("marked failed the abandoned runs %s", failed)
        log.info("worker %d on %s, runs in %s", worker.pid, store.engine.url, runs_dir)
        while True:
            ran = worker.run_next()
            if args.once and not ran:
                return 0
            if not ran:
                time.sleep(args.poll)
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except (ValueError, ItuneError, SQLAlchemyError, OSError) as err:
        log.debug("failed", exc_info=True)
        print(f"error: {err}", file=sys.stderr)
        return 1
    finally:
        signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())
