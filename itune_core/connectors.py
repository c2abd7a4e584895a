"""The connector guard: a fluency revision keeps the words that link its ideas.

Asked for fluency, a small model sometimes "smooths" a sentence by deleting a connector:
"However, travel can also be expensive" came back as "However, travel can be expensive".
That fixes no error and weakens the argument, so when fluency is all the writer asked for,
an edit that drops a discourse connector (``however``, ``also``, ``therefore``, ``but``...)
without putting one in its place is held back, with its reason, like the fact guard's.

What is not held back:

- a doubled connector made single ("but but" -> "but"): that is a fluency fix;
- one of a linked pair that says the same thing twice, where the other stays: "Although it
  rained, but we went out" and "Because ..., so ..." are learners' errors, and dropping
  "but" (or "although", "though", "because") there keeps the link the sentence made;
- a connector moved ("It rains, however." -> "However, it rains."): it is still there;
- any connector change when the writer also asked for coherence, clarity, style or
  meaning-changed: linking ideas differently is then part of the request (ITERATER's human
  clarity and coherence revisions drop connectors often; fluency ones almost never).

Ambiguous words stay off the list: ``then`` (the fix "then" -> "than" is a fluency edit),
``so``, ``and``, ``or``, ``still``, ``first``. Held-back edits are undone (any subset of
edits applies cleanly, see ``itune_core.edits``).
"""

from collections import Counter
from collections.abc import Sequence

from itune_core.edits import Edit, HeldEdit, compute_edits, hold_back
from itune_core.intentions import fluency_alone
from itune_core.words import WORD

CONNECTORS = frozenset(
    [
        "however",
        "also",
        "therefore",
        "moreover",
        "furthermore",
        "thus",
        "hence",
        "consequently",
        "nevertheless",
        "nonetheless",
        "meanwhile",
        "additionally",
        "besides",
        "instead",
        "otherwise",
        "similarly",
        "likewise",
        "accordingly",
        "indeed",
        "but",
        "although",
        "though",
        "because",
        "whereas",
        "yet",
    ]
)


def _connectors(text: str) -> list[str]:
    return [w for w in (m.group().lower() for m in WORD.finditer(text)) if w in CONNECTORS]


def _neighbours(source: str, edit: Edit) -> set[str]:
    """The words right before and right after the edit's span in the source."""
    before = WORD.findall(source[: edit.start_char_pos])
    after = WORD.findall(source[edit.end_char_pos :])
    return {w.lower() for w in before[-1:] + after[:1]}


# Connectors that learners pair with one that says the same ("Although ..., but ...",
# "Because ..., so ..."): dropping either is a fix where the sentence holds both and the
# answer keeps the other.
_PAIRED = {
    "but": ("although", "though"),
    "although": ("but",),
    "though": ("but",),
    "because": ("so",),
}


def _said_twice(word: str, source: str, answer: str) -> bool:
    """Whether ``word`` is one of a pair of ``_PAIRED`` connectors in ``source`` whose
    other one ``answer`` keeps."""
    said, kept = ({m.group().lower() for m in WORD.finditer(text)} for text in (source, answer))
    return any(other in said and other in kept for other in _PAIRED.get(word, ()))


def _dropped(source: str, edit: Edit, lost: Counter, answer: str) -> str | None:
    """The connector this edit drops (not one moved elsewhere in the answer, not a doubled
    one made single, not one said twice with its pair kept in ``answer``), if any."""
    gone = Counter(_connectors(edit.before)) - Counter(_connectors(edit.after))
    for word in sorted(gone):
        dropped = lost[word] > 0 and word not in _neighbours(source, edit)
        if dropped and not _said_twice(word, source, answer):
            return word
    return None


def guard_connectors(
    source: str, revised: str, intentions: Sequence[str]
) -> tuple[str, tuple[HeldEdit, ...]]:
    """``revised`` with every connector-dropping edit undone, and the edits held back.

    Args:
        source: one piece (a sentence) as the writer wrote it.
        revised: the answer for it (after the fact guard).
        intentions: what the writer asked for; the guard applies only when that is
            fluency alone.

    Returns:
        The text to offer (``revised`` itself when nothing was held back) and the held
        edits with their reasons, in text order.
    """
    if not fluency_alone(intentions) or source == revised:
        return revised, ()
    edits = compute_edits(source, revised)
    held: dict[int, str] = {}
    offered = revised
    while True:
        # Undoing an edit can undo the connector another edit added in place of a lost
        # one, so look again at what is offered until nothing more is held.
        lost = Counter(_connectors(source)) - Counter(_connectors(offered))
        found = {
            i: f"drops the connector {word!r}: a fluency edit keeps how ideas link"
            for i, edit in enumerate(edits)
            if i not in held and (word := _dropped(source, edit, lost, offered)) is not None
        }
        if not found:
            return hold_back(source, edits, held)
        held |= found
        offered = hold_back(source, edits, held)[0]
