"""The writers' decisions as training data: an IteraTeR-format JSON Lines file.

Each accepted, labelled edit becomes one sentence-level line that ``training.data.load_jsonl``
reads: ``before_sent`` is the sentence(s) of the source around the edit, ``after_sent`` the
same text with only that edit applied, ``labels`` the edit's intention. Unlabelled edits
(and labels outside ``INTENTIONS``) are left out: a line needs a label to train on.

Rejected edits as negatives (``negatives=True``; a job's ``feedback_negatives``). Each
edit rejected for a reason that says the edit itself was wrong (``NEGATIVE_REASONS``:
unnecessary, ungrammatical, meaning-changed, wrong-intention; not ``other``, which says
nothing about the edit, nor a rejection without a reason) becomes a line whose target
keeps the original words: ``before_sent`` and ``after_sent`` are both the sentence(s)
around the edit, unchanged, and ``labels`` is the edit's intention. It teaches the model,
asked for that intention on that text, not to make that edit (to copy the span instead).
This is plain supervised fine-tuning on a "keep" target, deliberately not an unlikelihood
loss on the rejected tokens: it needs no change to the loss, the batching or the recipe
(the line is an ordinary example, so every method and ``edit_weight`` treat it alike),
and it names what to do rather than only what not to do, so it cannot push probability
onto arbitrary other edits; copying is also the safe default a writer can always accept.
(For Intention-Tuning's Stage I such a line is an example of its intention with no
change; a run started from a parent, ``init_from``, skips Stage I and keeps the parent's
predictor.)

Replay (``replay``): lines of a built-in data set's train split (``replay_examples``:
all, or a sample drawn with the run's seed) are added after the feedback, so a run on
the feedback keeps seeing the data its parent learnt from.

    from storage.feedback import FeedbackStore
    export = export_feedback(FeedbackStore(engine), Path("feedback.jsonl"), negatives=True)
    export.revision_ids   # which revisions fed it (recorded with the adapter trained on it)
    export.accepted, export.rejected, export.replayed   # lines of each kind
"""

import hashlib
import json
import os
import random
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from itune_core.edits import Edit
from itune_core.intentions import INTENTIONS
from itune_core.segment import split_pieces
from storage.feedback import AcceptedEdit, FeedbackStore, RejectedEdit
from training.data import RevisionExample, load_dataset

# The reasons for a rejection that say the edit itself was wrong (see the module doc).
NEGATIVE_REASONS: tuple[str, ...] = (
    "unnecessary",
    "ungrammatical",
    "meaning-changed",
    "wrong-intention",
)
# The built-in data sets a feedback run may replay: labelled with the app's intentions.
REPLAY_DATA: tuple[str, ...] = ("iterater-sent", "iterater-doc")


@dataclass(frozen=True)
class FeedbackExport:
    """A written export: where, how many lines (of each kind: accepted edits, rejected
    edits kept as negatives, replayed data set lines), from which revisions, its hash."""

    path: Path
    rows: int
    revision_ids: tuple[int, ...]
    sha256: str
    accepted: int = 0
    rejected: int = 0
    replayed: int = 0


def edit_context(source: str, edit: Edit) -> tuple[str, str]:
    """The sentence(s) of ``source`` around ``edit``, before and after applying only it.

    Raises:
        ValueError: the edit does not match the source.
    """
    start, end = edit.start_char_pos, edit.end_char_pos
    if source[start:end] != edit.before:
        raise ValueError(f"edit at {start}-{end} does not match its source text")
    pieces = split_pieces(source)
    around = [(a, b) for a, b in pieces if a <= end and start <= b]
    if not around:
        # An edit in the whitespace between sentences: the sentence before it (or the text).
        before_it = [(a, b) for a, b in pieces if b <= start]
        around = before_it[-1:] or [(0, len(source))]
    s = min(min(a for a, _ in around), start)
    e = max(max(b for _, b in around), end)
    before = source[s:e]
    after = before[: start - s] + edit.after + before[end - s :]
    return before, after


def _edit_line(item: AcceptedEdit | RejectedEdit, doc_id: str) -> dict[str, Any] | None:
    """The line of one labelled edit, its target the edit applied; None for an edit without
    a known intention or one that changes nothing in its sentence(s)."""
    if item.edit.intention not in INTENTIONS:
        return None
    before, after = edit_context(item.source, item.edit)
    if before == after:
        return None
    return {
        "doc_id": f"{doc_id}-{item.revision_id}-{item.position}",
        "before_sent": before,
        "after_sent": after,
        "labels": item.edit.intention,
        "revision_id": item.revision_id,
        "edit_position": item.position,
        "adapter": item.adapter,
    }


def feedback_rows(accepted: Sequence[AcceptedEdit]) -> list[dict[str, Any]]:
    """One IteraTeR sentence-style line per accepted, labelled edit (see the module doc)."""
    lines = (_edit_line(item, "feedback") for item in accepted)
    return [line for line in lines if line is not None]


def negative_rows(rejected: Sequence[RejectedEdit]) -> list[dict[str, Any]]:
    """One "keep" line per rejected, labelled edit with a ``NEGATIVE_REASONS`` reason: the
    sentence(s) around the edit as both source and target (see the module doc)."""
    rows = []
    for item in rejected:
        line = _edit_line(item, "feedback-rejected")
        if line is None or item.reason not in NEGATIVE_REASONS:
            continue
        rejected_after = line["after_sent"]
        line["after_sent"] = line["before_sent"]
        rows.append(line | {"rejected": {"after": rejected_after, "reason": item.reason}})
    return rows


def replay_examples(name: str, limit: int | None = None, seed: int = 0) -> list[RevisionExample]:
    """The train split of a built-in data set (``REPLAY_DATA``): every example, or
    ``limit`` of them drawn with ``seed`` (kept in the data set's order).

    Raises:
        ValueError: not one of ``REPLAY_DATA``.
        DataError: the corpus file is missing or broken.
    """
    if name not in REPLAY_DATA:
        raise ValueError(f"replay_data must be one of {', '.join(REPLAY_DATA)}, got {name!r}")
    examples = list(load_dataset(name, "train").examples)
    if limit is not None and limit < len(examples):
        chosen = sorted(random.Random(seed).sample(range(len(examples)), limit))
        examples = [examples[i] for i in chosen]
    return examples


def replay_rows(name: str, examples: Sequence[RevisionExample]) -> list[dict[str, Any]]:
    """Replayed examples as IteraTeR sentence lines (``labels`` a list where several)."""
    return [
        {
            "doc_id": f"replay-{name}-{e.source_id}",
            "before_sent": e.before,
            "after_sent": e.after,
            "labels": e.labels[0] if len(e.labels) == 1 else list(e.labels),
        }
        for e in examples
    ]


def export_feedback(
    store: FeedbackStore,
    path: Path | str,
    intentions: Sequence[str] | None = None,
    *,
    negatives: bool = False,
    replay: Sequence[dict[str, Any]] = (),
) -> FeedbackExport:
    """Write the accepted edits (and, with ``negatives``, the rejected ones as "keep"
    lines; then the ``replay`` lines) as a JSON Lines file (whole: a temporary file
    renamed).

    Args:
        store: the decisions' database.
        path: the file to write.
        intentions: only edits of these intentions (None: all).
        negatives: add the rejected edits as negatives (see the module doc).
        replay: lines to add after the feedback (``replay_rows``).

    Returns:
        What was written, with the ids of the revisions whose edits are in it.

    Raises:
        ValueError: no accepted (or, with ``negatives``, rejected), labelled edit to export.
        OSError: the file cannot be written.
    """
    accepted = feedback_rows(store.accepted_edits(intentions))
    rejected = negative_rows(store.rejected_edits(intentions)) if negatives else []
    if not accepted and not rejected:
        what = "accepted or rejected" if negatives else "accepted"
        raise ValueError(f"no {what}, labelled edits to export yet")
    rows = [*accepted, *rejected, *replay]
    text = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return FeedbackExport(
        path=path,
        rows=len(rows),
        revision_ids=tuple(sorted({row["revision_id"] for row in [*accepted, *rejected]})),
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        accepted=len(accepted),
        rejected=len(rejected),
        replayed=len(replay),
    )
