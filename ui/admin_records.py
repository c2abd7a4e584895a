"""The admin's records as JSON-ready dicts (times as ISO strings, no NaN): adapters with
their lineage and acceptance, evaluations with their headline scores, activation events,
and what a finished run's ``selection.json`` says about its blocks. ``ui.admin.Admin``
returns these; the HTTP API sends them as they are and the tab renders them.
"""

import json
import logging
from pathlib import Path
from typing import Any

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
        }
    )


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
    """What a finished run's ``selection.json`` says about its blocks: ``G`` (Stage I's
    importance counts, else Stage II's), ``s_gen``, ``alignment_ratio`` and the rest
    without the per-step history (the steps come from the database). None when the run
    has no such file (still running, failed, or an unreadable file)."""
    if not output_dir:
        return None
    path = Path(output_dir) / "selection.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as err:
        logger.warning("cannot read %s: %s", path, err)
        return None
    if not isinstance(data, dict):
        return None
    stage1 = data.get("stage1") or {}
    stage2 = data.get("stage2") or {}
    g1, g2 = stage1.get("G"), stage2.get("G")
    return strict_json(
        {
            "method": data.get("method"),
            "num_blocks": data.get("num_blocks"),
            "G": g1 if g1 is not None else g2,
            "G_stage1": g1,
            "G_stage2": g2,
            "s_gen": data.get("s_gen"),
            "s_pre": stage1.get("s_pre"),
            "adapter_blocks": data.get("adapter_blocks"),
            "alignment_ratio": data.get("alignment_ratio"),
            "sgen_rule": data.get("sgen_rule"),
            "mean_selected": stage1.get("mean_selected"),
            "dynamic_stage2": stage2.get("dynamic"),
            "s_gen_from_G": stage2.get("s_gen_from_G"),
        }
    )
