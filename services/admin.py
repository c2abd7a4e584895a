"""What the researcher's actions do (the Admin tab and the admin HTTP API), apart from Gradio.

``Admin`` joins the storage stores (runs, registry, evaluations, feedback) with the
training functions ``app.py`` hands it (of ``training`` it imports only the job's schema,
``training.config.SETTINGS``, and its words, ``training.vocabulary``): it checks the
caller is an admin before anything else, validates input before anything is queued or
written, and returns plain JSON-ready dicts and lists (times as ISO strings), which the
HTTP API returns as they are and the tab renders. No returned dict has a ``path`` key:
``gradio_client`` takes any dict with a string ``path`` for a file and tries to download
it, so file locations are named ``data``, ``file``, ``folder`` or ``output_dir``.

    admin = Admin(access, runs, registry, evaluations, feedback, uploads, exports,
                  submit_run=..., export_feedback_to=..., check_upload=...)
    run = admin.start_training("ada", {**DEFAULT_JOB, "max_steps": 50})
    admin.run_detail("ada", run["id"])          # steps, log lines, G / S_gen once done
"""

import logging
import re
import secrets
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any

from itune_core.errors import ItuneError
from itune_core.jsonable import strict_json
from services.access import Access
from services.admin_records import (
    acceptance_view,
    activation_view,
    adapter_view,
    comparison_side,
    evaluation_view,
    read_selection,
)
from storage.evaluations import EvaluationStore
from storage.feedback import FeedbackStore
from storage.registry import Registry, scope_of
from storage.run_status import RunStatus
from storage.runs import RunStore, TrainingRun
from training.config import SETTINGS
from training.vocabulary import Baseline, DataSetName, Method, Split

logger = logging.getLogger(__name__)

DATA_SUFFIXES: tuple[str, ...] = (".jsonl", ".json")
DEFAULT_JOB: Mapping[str, Any] = MappingProxyType(
    {
        "method": Method.INTENTION_TUNING.value,
        "data": DataSetName.ITERATER_SENT.value,
        "model": "embedded",
        "max_steps": 30,
        "stage1_steps": 15,
        "batch_size": 8,
        "lr": 1e-3,
        "max_length": 256,
    }
)
# A job's number fields (TrainConfig's) with their kind: a form sends 30.0 or "30"; the
# config wants 30.
NUMBER_FIELDS: Mapping[str, type] = MappingProxyType(
    {name: s.number_kind for name, s in SETTINGS.items() if s.job and s.number_kind}
)


def _number(value: Any, kind: type) -> Any:
    """A form's number as ``kind`` when that is trivial; anything else unchanged (the
    job's check then names the field)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        for parse in (int, float):
            try:
                value = parse(text)
                break
            except ValueError:
                continue
        else:
            return value
    if kind is int and isinstance(value, float) and value.is_integer():
        return int(value)
    if kind is float and isinstance(value, int):
        return float(value)
    return value


def normalize_job(job: Mapping[str, Any]) -> dict[str, Any]:
    """A job from a form: numbers in their types, empty fields (None, "") left out so
    their defaults apply, and the name trimmed.

    Raises:
        ValueError: ``job`` is not a mapping.
    """
    if not isinstance(job, Mapping):
        raise ValueError(f"a training job must be a mapping, got {type(job).__name__}")
    out: dict[str, Any] = {}
    for key, value in job.items():
        if isinstance(value, str):
            value = value.strip()
        if key in NUMBER_FIELDS:
            value = _number(value, NUMBER_FIELDS[key])
        if value is None or value == "":
            continue
        out[str(key)] = value
    return out


def _check_data(data: Any) -> None:
    # TrainConfig checks the name is a string; whether a file exists is known only here,
    # and a run that fails in the worker for a typo wastes a queue slot.
    if not isinstance(data, str) or data in tuple(DataSetName):
        return
    path = Path(data)
    if path.suffix not in DATA_SUFFIXES:
        raise ValueError(
            f"data must be one of {', '.join(DataSetName)} or an uploaded .jsonl file, got {data!r}"
        )
    if not path.is_file():
        raise ValueError(f"data: no such file {data!r} (upload it first)")


def _positive_int(name: str, value: Any, *, allow_none: bool = False) -> int | None:
    if value is None or value == "":
        if allow_none:
            return None
        raise ValueError(f"{name} is missing")
    converted = _number(value, int)
    if isinstance(converted, bool) or not isinstance(converted, int) or converted < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return converted


def _safe_stem(filename: str) -> str:
    stem = Path(str(filename).replace("\\", "/")).stem
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._-")
    return stem[:60] or "upload"


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S")


@dataclass
class Admin:
    """The researcher's actions; every public method checks the caller is an admin first.

    Attributes:
        access: the access policy.
        runs, registry, evaluations, feedback: the stores.
        uploads_dir: where uploaded training files are kept.
        exports_dir: where feedback exports are written.
        submit_run: ``(job, created_by) -> run id``; validates the job (ValueError naming
            the field) and queues it (``training.worker.submit_run`` bound to the runs).
        export_feedback_to: ``(path) -> export`` with ``.path, .rows, .revision_ids``
            (``training.feedback.export_feedback`` bound to the feedback store).
        check_upload: ``(path) -> rows``; raises ValueError (or a domain error) naming
            the line and field of the first problem.
    """

    access: Access
    runs: RunStore
    registry: Registry
    evaluations: EvaluationStore
    feedback: FeedbackStore
    uploads_dir: Path
    exports_dir: Path
    submit_run: Callable[[Mapping[str, Any], str | None], int]
    export_feedback_to: Callable[[Path], Any]
    check_upload: Callable[[Path], int]

    # --- training runs ----------------------------------------------------------------------

    def _adapter_names_by_run(self) -> dict[int, str]:
        return {
            a.run_id: a.name
            for a in self.registry.list_adapters(include_deleted=True)
            if a.run_id is not None
        }

    def _run_view(self, run: TrainingRun, adapters: Mapping[int, str] | None = None) -> dict:
        if adapters is None:
            adapters = self._adapter_names_by_run() if run.status == RunStatus.SUCCEEDED else {}
        config = run.config
        return strict_json(
            {
                "id": run.id,
                "name": config.get("name") or f"{config.get('method', 'run')}-run{run.id}",
                "status": run.status,
                "method": config.get("method"),
                "data": config.get("data"),
                "model": config.get("model", "embedded"),
                "progress": run.progress,
                "step": run.step,
                "total_steps": run.total_steps,
                "created_at": run.created_at,
                "created_by": run.created_by,
                "started_at": run.started_at,
                "finished_at": run.finished_at,
                "error": run.error,
                "output_dir": run.output_dir,
                "cancel_requested": run.cancel_requested,
                "adapter": adapters.get(run.id) if run.status == RunStatus.SUCCEEDED else None,
                "config": config,
            }
        )

    def start_training(self, username: str | None, job: Mapping[str, Any]) -> dict:
        """Validate a training job and queue it for the worker.

        Returns:
            The queued run's view.

        Raises:
            PermissionDenied: not an admin.
            ValueError: a bad job (the message names the field); nothing is queued.
        """
        by = self.access.require_admin(username)
        normalized = normalize_job(job)
        _check_data(normalized.get("data"))
        self._resolve_parent(normalized)
        run_id = self.submit_run(normalized, by)
        logger.info("%s queued training run %d", by, run_id)
        return self._run_view(self.runs.get_run(run_id), {})

    def _find_adapter(self, field: str, ref: Any):
        """A live registered adapter by id or name. Raises: ValueError naming ``field``."""
        adapter = None if ref is None else self.registry.find_adapter(ref)
        if adapter is None:
            raise ValueError(f"{field}: no registered adapter with id or name {ref!r}")
        if adapter.deleted_at is not None:
            raise ValueError(f"{field}: adapter {adapter.name!r} was deleted")
        return adapter

    def _resolve_parent(self, job: dict[str, Any]) -> None:
        """A job's ``parent`` (a registered adapter's id or name) as the adapter's id, with
        its folder as ``init_from`` (unless the job gives one). Raises: ValueError: an
        unknown or deleted adapter; nothing is queued."""
        if "parent" in job:
            adapter = self._find_adapter("parent", job["parent"])
            job["parent"] = adapter.id
            job.setdefault("init_from", adapter.path)

    def feedback_job(self, username: str | None) -> dict:
        """The default job on the writers' feedback (pre-fills "train from feedback")."""
        self.access.require_admin(username)
        return {**DEFAULT_JOB, "data": DataSetName.FEEDBACK.value}

    def default_job(self, username: str | None) -> dict:
        """The default job (pre-fills the Train form)."""
        self.access.require_admin(username)
        return dict(DEFAULT_JOB)

    def upload_data(self, username: str | None, filename: str, source_path: str) -> dict:
        """Keep an uploaded IteraTeR JSONL file to train on, once it checks out.

        Args:
            username: the caller.
            filename: the name the file had on the uploader's computer.
            source_path: where the upload lies now (Gradio's temporary file).

        Returns:
            ``{"data": the kept file's path (a job's ``data``), "rows": lines, "name"}``.

        Raises:
            PermissionDenied: not an admin.
            ValueError: no such file, not .jsonl/.json, or not valid (the message names the
                line and field); nothing is kept.
        """
        self.access.require_admin(username)
        source = Path(source_path)
        shown = Path(str(filename or source.name).replace("\\", "/")).name or "upload"
        if not source.is_file():
            raise ValueError(f"the upload of {shown!r} is missing; upload it again")
        suffix = Path(shown).suffix.lower() or source.suffix.lower()
        if suffix not in DATA_SUFFIXES:
            raise ValueError(f"upload a .jsonl file in the IteraTeR format, got {shown!r}")
        self.uploads_dir.mkdir(parents=True, exist_ok=True)
        kept = self.uploads_dir / f"{_stamp()}-{secrets.token_hex(4)}-{_safe_stem(shown)}{suffix}"
        shutil.copyfile(source, kept)
        try:
            rows = self.check_upload(kept)
        except (ValueError, ItuneError) as err:
            kept.unlink(missing_ok=True)
            # The message names the kept copy's path; the uploader knows the file by name.
            raise ValueError(str(err).replace(str(kept), shown)) from None
        except BaseException:
            kept.unlink(missing_ok=True)
            raise
        if not rows:
            kept.unlink(missing_ok=True)
            raise ValueError(f"{shown} holds no revisions to train on")
        logger.info("kept upload %s as %s (%d rows)", shown, kept, rows)
        return {"data": str(kept.resolve()), "rows": int(rows), "name": shown}

    def cancel_run(self, username: str | None, run_id: int) -> dict:
        """Cancel a run (a queued one at once, a running one at its next step).

        Raises:
            PermissionDenied, RecordNotFound, InvalidState (it has already finished).
        """
        self.access.require_admin(username)
        run = self.runs.request_cancel(_positive_int("run_id", run_id))
        return self._run_view(run, {})

    def list_runs(self, username: str | None, limit: int = 50) -> list[dict]:
        """The latest runs, newest first."""
        self.access.require_admin(username)
        runs = self.runs.list_runs(limit=_positive_int("limit", limit))
        adapters = self._adapter_names_by_run()
        return [self._run_view(run, adapters) for run in runs]

    def run_detail(self, username: str | None, run_id: int, after_log_id: int = 0) -> dict:
        """A run with its steps (loss curve, norm heatmap), its log lines newer than
        ``after_log_id``, and its selection (G, S_gen, alignment ratio) once finished.

        Raises:
            PermissionDenied, RecordNotFound.
        """
        self.access.require_admin(username)
        run_id = _positive_int("run_id", run_id)
        after = _number(after_log_id, int) or 0
        if isinstance(after, bool) or not isinstance(after, int) or after < 0:
            raise ValueError(f"after_log_id must be an integer >= 0, got {after_log_id!r}")
        run = self.runs.get_run(run_id)
        steps = [
            {
                "stage": s.stage,
                "step": s.step,
                "loss": s.loss,
                "selected": s.selected,
                "norms": s.norms,
            }
            for s in self.runs.run_steps(run_id)
        ]
        logs = [
            {"id": line.id, "time": line.created_at, "line": line.line}
            for line in self.runs.run_logs(run_id, after_id=after)
        ]
        return {
            "run": self._run_view(run),
            "steps": strict_json(steps),
            "logs": strict_json(logs),
            "selection": read_selection(run.output_dir),
        }

    # --- evaluations ------------------------------------------------------------------------

    def evaluate(
        self,
        username: str | None,
        *,
        adapter_id: int | None = None,
        baseline: str | None = None,
        data: str = DataSetName.ITERATER_SENT,
        split: str = Split.TEST,
        limit: int | None = None,
    ) -> dict:
        """Queue an evaluation of an adapter or a baseline (``copy``, ``zero-shot``).

        Raises:
            PermissionDenied, RecordNotFound (no such adapter), InvalidState (deleted).
            ValueError: neither or both of adapter and baseline, an unknown baseline or
                split, a bad limit.
        """
        by = self.access.require_admin(username)
        adapter_id = _positive_int("adapter_id", adapter_id, allow_none=True)
        baseline = (baseline.strip() if isinstance(baseline, str) else baseline) or None
        if baseline is not None and baseline not in tuple(Baseline):
            raise ValueError(f"baseline must be one of {', '.join(Baseline)}, got {baseline!r}")
        if split not in tuple(Split):
            raise ValueError(f"split must be one of {', '.join(Split)}, got {split!r}")
        if not isinstance(data, str) or not data.strip():
            raise ValueError(f"data must be a data set name or a .jsonl path, got {data!r}")
        data = data.strip()
        if data == DataSetName.FEEDBACK:
            raise ValueError("data: evaluate on a data set's split, not on the feedback")
        _check_data(data)
        limit = _positive_int("limit", limit, allow_none=True)
        settings = {} if limit is None else {"limit": limit}
        evaluation_id = self.evaluations.enqueue_evaluation(
            data=data,
            split=split,
            adapter_id=adapter_id,
            baseline=baseline,
            settings=settings,
            created_by=by,
        )
        return evaluation_view(self.evaluations.get_evaluation(evaluation_id))

    def list_evaluations(self, username: str | None, limit: int = 50) -> list[dict]:
        """The latest evaluations, newest first, with their scores once done."""
        self.access.require_admin(username)
        found = self.evaluations.list_evaluations(limit=_positive_int("limit", limit))
        return [evaluation_view(e) for e in found]

    def cancel_evaluation(self, username: str | None, evaluation_id: int) -> dict:
        """Cancel a queued evaluation.

        Raises:
            PermissionDenied, RecordNotFound, InvalidState (no longer queued).
        """
        self.access.require_admin(username)
        evaluation_id = _positive_int("evaluation_id", evaluation_id)
        return evaluation_view(self.evaluations.cancel_evaluation(evaluation_id))

    # --- the registry -----------------------------------------------------------------------

    def list_adapters(self, username: str | None, include_deleted: bool = False) -> list[dict]:
        """Every adapter, newest first, with lineage, metrics and live acceptance."""
        self.access.require_admin(username)
        return [adapter_view(a) for a in self.registry.list_adapters(bool(include_deleted))]

    def activate(
        self,
        username: str | None,
        adapter_id: int | None,
        intentions: Sequence[str] | str | None = None,
    ) -> dict:
        """Make an adapter (None: the base model) the one new revisions for the intention
        set ``intentions`` use (None or empty: every set without its own adapter).

        Returns:
            ``{"active": its name or None, "adapter_id": its id or None, "intentions":
            the set, [] for every set}``.

        Raises:
            PermissionDenied, RecordNotFound, InvalidState (deleted), UnknownIntention.
        """
        by = self.access.require_admin(username)
        adapter_id = _positive_int("adapter_id", adapter_id, allow_none=True)
        scope = scope_of(intentions)
        active = self.registry.activate(adapter_id, by_user=by, intentions=scope)
        return {
            "active": active and active.name,
            "adapter_id": active and active.id,
            "intentions": list(scope),
        }

    def rollback(self, username: str | None, intentions: Sequence[str] | str | None = None) -> dict:
        """Go back, for the intention set ``intentions`` (None or empty: the default), to
        the adapter active there before the current one.

        Raises:
            PermissionDenied, InvalidState (nothing was activated there), UnknownIntention.
        """
        by = self.access.require_admin(username)
        scope = scope_of(intentions)
        active = self.registry.rollback(by_user=by, intentions=scope)
        return {
            "active": active and active.name,
            "adapter_id": active and active.id,
            "intentions": list(scope),
        }

    def serving(self, username: str | None) -> list[dict]:
        """Which adapter serves which intention set: the default (``intentions`` []) and
        every set with a choice of its own, each with ``adapter`` (None: the base model)
        and the adapter's view. Empty before any activation."""
        self.access.require_admin(username)
        return [
            {"intentions": list(scope), "adapter": adapter and adapter_view(adapter)}
            for scope, adapter in self.registry.active_by_scope().items()
        ]

    def delete_adapter(self, username: str | None, adapter_id: int) -> dict:
        """Delete an adapter from the registry (its files stay on disk).

        Raises:
            PermissionDenied, RecordNotFound, InvalidState (it is active).
        """
        self.access.require_admin(username)
        return adapter_view(self.registry.delete_adapter(_positive_int("adapter_id", adapter_id)))

    def activation_history(self, username: str | None, limit: int = 20) -> list[dict]:
        """The latest activations and rollbacks, newest first."""
        self.access.require_admin(username)
        events = self.registry.activation_history(limit=_positive_int("limit", limit))
        return [activation_view(e) for e in events]

    # --- feedback ---------------------------------------------------------------------------

    def feedback_stats(self, username: str | None) -> dict:
        """Revisions and edits so far, and acceptance overall, per intention, per adapter;
        and of the edits held back as suggestions, how many writers took."""
        self.access.require_admin(username)
        stats = self.feedback.feedback_stats()
        return {
            "revisions": stats.revisions,
            "edits": stats.edits,
            "overall": acceptance_view(stats.overall),
            "by_intention": [acceptance_view(a) for a in stats.by_intention],
            "by_adapter": [acceptance_view(a) for a in stats.by_adapter],
            "suggestions": stats.suggestions,
            "suggestions_taken": acceptance_view(stats.taken),
            "suggestions_taken_by": [acceptance_view(a) for a in stats.taken_by],
        }

    def compare_adapters(self, username: str | None, a: int | str, b: int | str) -> dict:
        """How writers received two adapters' edits, side by side: each one's acceptance
        overall and per intention (current decisions on edits of revisions made with it).

        Args:
            a, b: registered adapters, by id or name.

        Returns:
            ``{"a": side, "b": side}``, a side being ``{"adapter_id", "name", "overall",
            "by_intention"}`` (acceptance records: ``key``, ``accepted``, ``rejected``,
            ``rate``).

        Raises:
            PermissionDenied; ValueError: an unknown adapter (named ``a`` or ``b``).
        """
        self.access.require_admin(username)
        sides = {}
        for field, ref in (("a", a), ("b", b)):
            adapter = self.registry.find_adapter(ref) if ref not in (None, "") else None
            if adapter is None:
                raise ValueError(f"{field}: no registered adapter with id or name {ref!r}")
            overall, by_intention = self.feedback.adapter_acceptance(adapter.name)
            sides[field] = comparison_side(adapter, overall, by_intention)
        return sides

    def export_feedback(self, username: str | None) -> dict:
        """Write the accepted edits as IteraTeR JSONL to a new timestamped file.

        Returns:
            ``{"file", "rows", "revisions": how many revisions fed it, "revision_ids"}``.

        Raises:
            PermissionDenied; ValueError: nothing accepted to export yet.
        """
        self.access.require_admin(username)
        self.exports_dir.mkdir(parents=True, exist_ok=True)
        path = self.exports_dir / f"feedback-{_stamp()}-{secrets.token_hex(3)}.jsonl"
        export = self.export_feedback_to(path)
        ids = [int(i) for i in export.revision_ids]
        return {
            "file": str(Path(export.path).resolve()),
            "rows": int(export.rows),
            "revisions": len(ids),
            "revision_ids": ids,
        }
