"""What the store hands back: frozen records of revisions, decisions and summaries, and the
allowed values of decisions, reasons and ratings (checked before anything is written).

Records are plain dataclasses built from database rows inside a transaction, so callers
never hold ORM rows or sessions.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from itune_core.edits import Edit
from itune_core.errors import InvalidDecision

DECISIONS: tuple[str, ...] = ("accept", "reject")
# Why a writer rejected an edit; offered in the UI and counted in quality reports.
REASONS: tuple[str, ...] = (
    "meaning-changed",
    "wrong-intention",
    "ungrammatical",
    "unnecessary",
    "other",
)
MAX_NOTE_CHARS = 2000
RATINGS: tuple[int, ...] = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class Decision:
    """The writer's decision on one edit of a revision.

    ``position`` is the edit's 0-based index within its revision; ``reason`` is set only on
    rejections; ``created_at`` is timezone-aware UTC.
    """

    position: int
    decision: str
    reason: str | None
    note: str | None
    created_at: datetime


@dataclass(frozen=True)
class StoredRevision:
    """One revision request as stored: the texts, how it was produced, its edits and the
    current (latest) decision on each edit, keyed by edit position.

    ``held`` names the edits that are suggestions (position -> why the edit was held
    back): applied only once accepted, where every other edit is applied unless rejected.
    """

    id: int
    created_at: datetime
    source: str
    revised: str
    intentions: tuple[str, ...]
    model: str
    adapter: str | None
    latency_ms: float
    generated_tokens: int | None
    session_id: str | None
    user: str | None
    edits: tuple[Edit, ...]
    decisions: dict[int, Decision]
    final_text: str
    rating: int | None
    parent_id: int | None
    held: dict[int, str] = field(default_factory=dict)

    def applied(self, decisions: Mapping[int, str] | None = None) -> list[Edit]:
        """The edits the final text holds: each offered edit not rejected and each
        suggestion accepted, under the current decisions or ``decisions`` (position ->
        ``accept`` / ``reject``)."""
        if decisions is None:
            decisions = {k: d.decision for k, d in self.decisions.items()}
        return [
            edit
            for k, edit in enumerate(self.edits)
            if decisions.get(k) == "accept" or (k not in self.held and decisions.get(k) != "reject")
        ]


@dataclass(frozen=True)
class RevisionSummary:
    """One line of a revision history: enough to list and pick a revision."""

    id: int
    created_at: datetime
    source_preview: str
    intentions: tuple[str, ...]
    edit_count: int
    accepted_count: int
    rejected_count: int
    rating: int | None


def check_decision(decision: str, reason: str | None = None, note: str | None = None) -> None:
    """Check a decision, its reason and its note against the allowed values.

    Args:
        decision: ``accept`` or ``reject``.
        reason: why an edit was rejected, one of ``REASONS``; only allowed with ``reject``.
        note: free text up to ``MAX_NOTE_CHARS`` characters.

    Raises:
        InvalidDecision: any value outside the allowed ones.
    """
    if decision not in DECISIONS:
        raise InvalidDecision(f"decision must be one of {', '.join(DECISIONS)}, got {decision!r}")
    if reason is not None:
        if decision != "reject":
            raise InvalidDecision(f"a reason is only allowed when rejecting, got {reason!r}")
        if reason not in REASONS:
            raise InvalidDecision(f"reason must be one of {', '.join(REASONS)}, got {reason!r}")
    if note is not None:
        if not isinstance(note, str):
            raise InvalidDecision(f"note must be text, got {type(note).__name__}")
        if len(note) > MAX_NOTE_CHARS:
            raise InvalidDecision(
                f"note must be at most {MAX_NOTE_CHARS} characters, got {len(note)}"
            )


def check_rating(rating: int) -> None:
    """Check a rating is a whole number from 1 to 5.

    Raises:
        InvalidDecision: the rating is not an int (bools included) or is out of range.
    """
    # bool is a subclass of int, and True would otherwise pass as a rating of 1.
    if isinstance(rating, bool) or not isinstance(rating, int) or rating not in RATINGS:
        raise InvalidDecision(f"rating must be a whole number from 1 to 5, got {rating!r}")
