"""What writers made of the suggested edits: acceptance counts per intention and per
adapter (``FeedbackStore.adapter_acceptance``: one adapter's, per intention), and the
accepted and rejected edits themselves (``training.feedback`` turns them into an
IteraTeR-format JSONL file to train on).

Only each edit's current decision counts (the latest; decisions are append-only), and
undecided edits count in neither accepted nor rejected.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from itune_core.edits import Edit
from storage.models import DecisionRow, EditRow, RevisionRow
from storage.store import _edit_record, _utc


@dataclass(frozen=True)
class Acceptance:
    """Current decisions on a group of edits (``key``: an intention or an adapter name;
    None: unlabelled edits, or the base model without an adapter)."""

    key: str | None
    accepted: int = 0
    rejected: int = 0

    @property
    def decided(self) -> int:
        return self.accepted + self.rejected

    @property
    def rate(self) -> float | None:
        """accepted / (accepted + rejected); None before any decision."""
        return self.accepted / self.decided if self.decided else None


@dataclass(frozen=True)
class FeedbackStats:
    """Counts for the Admin > Feedback view."""

    revisions: int
    edits: int
    overall: Acceptance
    by_intention: tuple[Acceptance, ...]
    by_adapter: tuple[Acceptance, ...]
    suggestions: int = 0  # of ``edits``, those held back and offered as suggestions
    # The writers' decisions on those: how often they take what the app held back, in all
    # and per what held it back (a guard's name, or ``margin``; None: not recorded).
    taken: Acceptance = Acceptance("suggestions")
    taken_by: tuple[Acceptance, ...] = ()


@dataclass(frozen=True)
class AcceptedEdit:
    """An edit whose current decision is accept, with the source text it applies to."""

    revision_id: int
    position: int
    source: str
    edit: Edit
    adapter: str | None
    decided_at: datetime


@dataclass(frozen=True)
class RejectedEdit:
    """An edit whose current decision is reject, with the writer's reason (None: none
    given) and the source text it applies to."""

    revision_id: int
    position: int
    source: str
    edit: Edit
    adapter: str | None
    reason: str | None
    decided_at: datetime


def _latest_decision_ids():
    # Ids only grow, so the largest decision id per edit is its current decision.
    return sa.select(sa.func.max(DecisionRow.id)).group_by(DecisionRow.edit_id)


def acceptance_by(session: Session, key, *conditions) -> dict[str | None, Acceptance]:
    """Current accept/reject counts grouped by ``key`` (a column of revisions or edits),
    inside the caller's transaction.

    Args:
        session: an open session.
        key: e.g. ``RevisionRow.adapter_name`` or ``EditRow.intention``.
        conditions: extra WHERE clauses.

    Returns:
        ``key`` value -> counts; groups without any decision are absent.
    """
    query = (
        sa.select(key, DecisionRow.decision, sa.func.count())
        .select_from(DecisionRow)
        .join(EditRow, DecisionRow.edit_id == EditRow.id)
        .join(RevisionRow, EditRow.revision_id == RevisionRow.id)
        .where(DecisionRow.id.in_(_latest_decision_ids()), *conditions)
        .group_by(key, DecisionRow.decision)
    )
    counts: dict[str | None, dict[str, int]] = {}
    for value, decision, count in session.execute(query):
        counts.setdefault(value, {})[decision] = count
    return {
        value: Acceptance(value, c.get("accept", 0), c.get("reject", 0))
        for value, c in counts.items()
    }


def _ordered(groups: dict[str | None, Acceptance]) -> tuple[Acceptance, ...]:
    return tuple(sorted(groups.values(), key=lambda a: (a.key is None, a.key or "")))


class FeedbackStore:
    """Read-only views of the writers' decisions on one database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def feedback_stats(self) -> FeedbackStats:
        """Counts and acceptance rate overall, per intention and per adapter."""
        with Session(self.engine) as session, session.begin():
            by_intention = acceptance_by(session, EditRow.intention)
            by_adapter = acceptance_by(session, RevisionRow.adapter_name)
            overall = Acceptance(
                None,
                sum(a.accepted for a in by_intention.values()),
                sum(a.rejected for a in by_intention.values()),
            )
            held = EditRow.held_reason.is_not(None)
            taken_by = acceptance_by(session, EditRow.held_by, held)
            taken = Acceptance(
                "suggestions",
                sum(a.accepted for a in taken_by.values()),
                sum(a.rejected for a in taken_by.values()),
            )
            count = sa.select(sa.func.count()).select_from(EditRow)
            return FeedbackStats(
                revisions=session.scalar(sa.select(sa.func.count()).select_from(RevisionRow)),
                edits=session.scalar(count),
                overall=overall,
                by_intention=_ordered(by_intention),
                by_adapter=_ordered(by_adapter),
                suggestions=session.scalar(count.where(held)),
                taken=taken,
                taken_by=_ordered(taken_by),
            )

    def _decided(
        self,
        decision: str,
        intentions: Sequence[str] | None,
        reasons: Sequence[str] | None = None,
    ) -> list[tuple]:
        """(revision id, position, source text, edit, adapter name, reason, decided at) of
        every edit whose current decision is ``decision``, oldest revision first, optionally
        filtered."""
        query = (
            sa.select(EditRow, RevisionRow.source_text, RevisionRow.adapter_name, DecisionRow)
            .join(DecisionRow, DecisionRow.edit_id == EditRow.id)
            .join(RevisionRow, EditRow.revision_id == RevisionRow.id)
            .where(DecisionRow.id.in_(_latest_decision_ids()), DecisionRow.decision == decision)
            .order_by(EditRow.revision_id, EditRow.position)
        )
        if intentions is not None:
            query = query.where(EditRow.intention.in_(list(intentions)))
        if reasons is not None:
            query = query.where(DecisionRow.reason.in_(list(reasons)))
        with Session(self.engine) as session, session.begin():
            return [
                (
                    edit.revision_id,
                    edit.position,
                    source,
                    _edit_record(edit),
                    adapter,
                    row.reason,
                    _utc(row.created_at),
                )
                for edit, source, adapter, row in session.execute(query)
            ]

    def accepted_edits(self, intentions: Sequence[str] | None = None) -> list[AcceptedEdit]:
        """Every edit currently accepted, oldest revision first.

        Args:
            intentions: only edits labelled with one of these (None: every edit, unlabelled
                ones included).
        """
        return [
            AcceptedEdit(revision, position, source, edit, adapter, decided_at)
            for revision, position, source, edit, adapter, _, decided_at in self._decided(
                "accept", intentions
            )
        ]

    def rejected_edits(
        self, intentions: Sequence[str] | None = None, reasons: Sequence[str] | None = None
    ) -> list[RejectedEdit]:
        """Every edit currently rejected, oldest revision first.

        Args:
            intentions: only edits labelled with one of these (None: every edit).
            reasons: only rejections for one of these reasons (None: any, or none given).
        """
        return [RejectedEdit(*found) for found in self._decided("reject", intentions, reasons)]

    def adapter_acceptance(
        self, adapter_name: str | None
    ) -> tuple[Acceptance, tuple[Acceptance, ...]]:
        """How writers received the edits of revisions made with one adapter (None: the
        base model alone): overall, and per intention.

        Returns:
            (overall, per intention ordered by name, unlabelled edits last); groups
            without any decision are absent, and ``overall.key`` is the adapter's name.
        """
        made_with = (
            RevisionRow.adapter_name.is_(None)
            if adapter_name is None
            else RevisionRow.adapter_name == adapter_name
        )
        with Session(self.engine) as session, session.begin():
            by_intention = acceptance_by(session, EditRow.intention, made_with)
        overall = Acceptance(
            adapter_name,
            sum(a.accepted for a in by_intention.values()),
            sum(a.rejected for a in by_intention.values()),
        )
        return overall, _ordered(by_intention)
