"""The writers' accepted edits as training data: an IteraTeR-format JSON Lines file.

Each accepted, labelled edit becomes one sentence-level line that ``training.data.load_jsonl``
reads: ``before_sent`` is the sentence(s) of the source around the edit, ``after_sent`` the
same text with only that edit applied, ``labels`` the edit's intention. Unlabelled edits
(and labels outside ``INTENTIONS``) are left out: a line needs a label to train on.

    from storage.feedback import FeedbackStore
    export = export_feedback(FeedbackStore(engine), Path("feedback.jsonl"))
    export.revision_ids   # which revisions fed it (recorded with the adapter trained on it)
"""

import hashlib
import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from itune_core.edits import Edit
from itune_core.intentions import INTENTIONS
from itune_core.segment import split_pieces
from storage.feedback import AcceptedEdit, FeedbackStore


@dataclass(frozen=True)
class FeedbackExport:
    """A written export: where, how many lines, from which revisions, and its hash."""

    path: Path
    rows: int
    revision_ids: tuple[int, ...]
    sha256: str


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


def feedback_rows(accepted: Sequence[AcceptedEdit]) -> list[dict[str, Any]]:
    """One IteraTeR sentence-style line per accepted, labelled edit (see the module doc)."""
    rows = []
    for item in accepted:
        if item.edit.intention not in INTENTIONS:
            continue
        before, after = edit_context(item.source, item.edit)
        if before == after:
            continue
        rows.append(
            {
                "doc_id": f"feedback-{item.revision_id}-{item.position}",
                "before_sent": before,
                "after_sent": after,
                "labels": item.edit.intention,
                "revision_id": item.revision_id,
                "edit_position": item.position,
                "adapter": item.adapter,
            }
        )
    return rows


def export_feedback(
    store: FeedbackStore, path: Path | str, intentions: Sequence[str] | None = None
) -> FeedbackExport:
    """Write the accepted edits as a JSON Lines file (whole: a temporary file renamed).

    Args:
        store: the decisions' database.
        path: the file to write.
        intentions: only edits of these intentions (None: all).

    Returns:
        What was written, with the ids of the revisions whose edits are in it.

    Raises:
        ValueError: no accepted, labelled edit to export.
        OSError: the file cannot be written.
    """
    rows = feedback_rows(store.accepted_edits(intentions))
    if not rows:
        raise ValueError("no accepted, labelled edits to export yet")
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
        revision_ids=tuple(sorted({row["revision_id"] for row in rows})),
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )
