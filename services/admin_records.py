"""The admin's records as JSON-ready dicts (times as ISO strings, no NaN): adapters with
their lineage and acceptance, evaluations with their headline scores, activation events,
and what a finished run's selection record says about its blocks. ``services.admin.Admin``
returns these; the HTTP API sends them as they are and the tab renders them.
"""

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from itune_core.bundle import AdapterBundle
from itune_core.jsonable import strict_json
from storage.evaluations import Evaluation
from storage.feedback import Acceptance
from storage.registry import ActivationEvent, Adapter

logger = logging.getLogger(__name__)


def acceptance_view(acceptance: Acceptance) -> dict[str, Any]:
    """Accept/reject counts of one group as JSON."""
    return {
        "key": acceptance.key,
        "accepted": acceptance.accepted,
        "rejected": acceptance.rejected,
        "rate": acceptance.rate,
    }


def adapter_view(adapter: Adapter) -> dict[str, Any]:
    """A registered adapter as JSON (lineage, metrics, live acceptance)."""
    return strict_json(
        {
            "id": adapter.id,
            "name": adapter.name,
            "active": adapter.active,
            "active_for": [list(scope) for scope in adapter.active_for],
            "method": adapter.method,
            "base_model": adapter.base_model,
            "folder": adapter.path,
            "s_gen": adapter.s_gen,
            "data_hash": adapter.data_hash,
            "feedback_revision_ids": adapter.feedback_revision_ids,
            "hyperparameters": adapter.hyperparameters,
            "metrics": adapter.metrics,
            "lineage": adapter.lineage,
            "accepted": adapter.acceptance.accepted,
            "rejected": adapter.acceptance.rejected,
            "acceptance_rate": adapter.acceptance.rate,
            "run_id": adapter.run_id,
            "created_at": adapter.created_at,
            "deleted": adapter.deleted_at is not None,
            **parent_fields(adapter),
        }
    )


def parent_fields(adapter: Adapter) -> dict[str, Any]:
    """What an adapter's view says of where it came from: its parent (the registered
    adapter it was trained from; None: from scratch) and how many revisions' feedback
    it was trained on."""
    return {
        "parent_id": adapter.parent_id,
        "parent": adapter.parent_name,
        "feedback_revisions": len(adapter.feedback_revision_ids),
    }


def comparison_side(
    adapter: Adapter, overall: Acceptance, by_intention: Sequence[Acceptance]
) -> dict[str, Any]:
    """One adapter's side of ``Admin.compare_adapters``: its acceptance overall and per
    intention."""
    return {
        "adapter_id": adapter.id,
        "name": adapter.name,
        "overall": acceptance_view(overall),
        "by_intention": [acceptance_view(a) for a in by_intention],
    }


def evaluation_view(evaluation: Evaluation) -> dict[str, Any]:
    """An evaluation as JSON, its report's headline numbers lifted out (None until done)."""
    report = evaluation.report or {}
    metrics = report.get("metrics") or {}
    prediction = report.get("prediction") or {}
    subject = (
        evaluation.adapter_name
        if evaluation.adapter_id is not None
        else f"baseline: {evaluation.baseline}"
    )
    return strict_json(
        {
            "id": evaluation.id,
            "status": evaluation.status,
            "subject": subject or f"adapter {evaluation.adapter_id}",
            "adapter_id": evaluation.adapter_id,
            "baseline": evaluation.baseline,
            "data": evaluation.data,
            "split": evaluation.split,
            "limit": evaluation.settings.get("limit"),
            "examples": metrics.get("n"),
            "sari": metrics.get("sari"),
            "sari_iterater": metrics.get("sari_iterater"),
            "sari_t2t": metrics.get("sari_t2t"),
            "gleu": metrics.get("gleu"),
            "update_r": metrics.get("update_r"),
            "f1": prediction.get("macro_f1"),
            "error": evaluation.error,
            "created_at": evaluation.created_at,
            "created_by": evaluation.created_by,
            "finished_at": evaluation.finished_at,
        }
    )


def activation_view(event: ActivationEvent) -> dict[str, Any]:
    """One line of the activation history as JSON (``adapter`` None: the base model)."""
    return strict_json(
        {
            "id": event.id,
            "action": event.action,
            "adapter_id": event.adapter_id,
            "adapter": event.adapter_name,
            "intentions": list(event.intentions),
            "by_user": event.by_user,
            "created_at": event.created_at,
        }
    )


def read_selection(output_dir: str | None) -> dict[str, Any] | None:
    """What a finished run's adapter bundle says about its blocks
    (``AdapterBundle.selection_summary``; the steps come from the database). None when the
    run has no selection record (still running, failed, or an unreadable record)."""
    if not output_dir:
        return None
    try:
        summary = AdapterBundle.read(Path(output_dir)).selection_summary()
    except (OSError, ValueError) as err:
        logger.warning("cannot read the selection record in %s: %s", output_dir, err)
        return None
    return None if summary is None else strict_json(summary)
