"""The literal guard: a revision never rewrites what must stay exactly as written.

A small model fixes what looks misspelled wherever it is: "before you calls save_reslts()"
came back as "before you call save_results()", "Run `pip instal requests`" as "`pip
install requests`", "the config option max_lenght" as "max_length". A writer who accepts
such an edit names a function, a command or a setting that does not exist, and a web
address, an e-mail address or a file name changed the same way leads nowhere. So the
literals of the writer's text are found (``literal_spans``) and an edit that changes any
of their characters is held back with its reason, like the fact guard's, under every
intention: no intention asks for another address or another name of a function.

What counts as a literal:

- web addresses (``https://...``, ``www....``) and domain names (``cheap-flights.net``);
- e-mail addresses, @handles and #hashtags;
- file paths (``~/`` or ``./`` first, or two slashes or more, not a date such as
  ``12/05/2024``) and file names with a common extension (``report.pdf``, ``confg.yaml``);
- inline code between backticks;
- identifiers: a word with an underscore (``max_lenght``), and a call with nothing between
  its brackets (``get_usr_data()``) or of a dotted or underscored name (``np.mean(x)``);
  not a plural such as ``student(s)``, a journal's ``73(4)`` or a "model(BERT)" whose
  space was left out.

A capitalised word such as ``BioBERT`` or ``McGrath`` is a name: the fact guard
holds back what changes it, unless meaning-changed was asked for (ITERATER's editors
rewrite the phrases around such names often).

What is not held back: an edit that only touches a literal's edge (a word added before a
web address, a full stop after it), a literal deleted whole (no wrong one is offered), and
the rest of the answer. "and/or", "he/she" and
"km/h" are no paths: a slash alone makes none.
"""

import difflib
import re
from collections.abc import Sequence

from itune_core.edits import HeldEdit

_EXTENSIONS = (
    "txt|csv|tsv|json|jsonl|xml|yaml|yml|toml|ini|cfg|conf|log|md|rst|tex|bib|pdf|docx?|"
    "xlsx?|pptx?|odt|html?|css|js|ts|py|ipynb|java|cpp|rs|rb|php|sh|sql|db|"
    "png|jpe?g|gif|svg|mp3|mp4|wav|zip|tar|gz|exe|dll|apk"
)
# Top-level domains that are no everyday word ("it", "in", "co" are left out: "home.it was
# late" is a learner's missing space, not an address).
_TOP_DOMAINS = "com|org|net|edu|gov|io|info|biz|uk|de|fr|nl|eu|ca|au|jp"
_TRAILING = ".,;:!?)]}'\"”’"  # punctuation that ends a sentence, not an address
# Every part of a pattern is bounded (a name part at most 64 characters, a path at most 16
# parts...), so that no text, however long or odd, makes the search slow: each position
# of the text is tried against a bounded stretch of it.
_PART = r"[\w.-]{1,64}"
_LITERALS = re.compile(
    "|".join(
        (
            r"`[^`'\n]{1,80}`",
            r"\b(?:https?://|ftp://|www\.)[^\s]{1,400}",
            r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}",
            r"(?<![\w@])@\w{1,64}",
            r"(?<![\w#&])#(?=\w{0,63}[A-Za-z_])\w{1,64}",
            rf"(?:~|\.{{1,2}})/{_PART}(?:/{_PART}){{0,16}}/?",
            rf"(?<![\w/])(?:/{_PART}){{2,16}}/?",
            rf"(?<![\w.-])(?=[\w.-]{{0,63}}[A-Za-z]){_PART}(?:/{_PART}){{2,16}}",
            rf"(?<![\w-])[\w-]{{1,64}}(?:/{_PART}){{0,16}}\.(?:{_EXTENSIONS})\b",
            rf"(?<![\w.-])[\w-]{{1,63}}(?:\.[\w-]{{1,63}}){{0,8}}\.(?:{_TOP_DOMAINS})\b"
            r"(?:/[^\s]{0,400})?",
            r"\b[A-Za-z_]\w{0,63}\(\)",
            r"\b[A-Za-z_][A-Za-z0-9]{0,63}(?:[_.][A-Za-z0-9]{1,64}){1,8}\([^()\n]{0,80}\)",
            r"\b[A-Za-z][A-Za-z0-9]{0,63}_\w{0,64}",
        )
    )
)
_TOKENS = re.compile(r"\w+|[^\w\s]|\s+")
REASON = "changes a literal (an address, a file name or code): it must stay as written"


def literal_spans(text: str) -> list[tuple[int, int]]:
    """The character spans of ``text``'s literals, in text order, without the
    punctuation that ends a sentence after an address."""
    spans = []
    for m in _LITERALS.finditer(text):
        start, end = m.span()
        if not m.group().startswith("`"):
            while end > start and text[end - 1] in _TRAILING and not _closes_call(text, start, end):
                end -= 1
        if end > start:
            spans.append((start, end))
    return spans


def _closes_call(text: str, start: int, end: int) -> bool:
    """Whether the span's last character is the ")" of a call inside it."""
    return text[end - 1] == ")" and text.count("(", start, end) >= text.count(")", start, end)


def _tokens(text: str) -> list[tuple[int, int]]:
    """``text`` cut into words, punctuation and whitespace, each literal one token whole
    (so that the diff aligns literals with literals)."""
    spans, at = [], 0
    for a, b in [*literal_spans(text), (len(text), len(text))]:
        spans += [(at + m.start(), at + m.end()) for m in _TOKENS.finditer(text[at:a])]
        if b > a:
            spans.append((a, b))
        at = b
    return spans


def _touches(start: int, end: int, spans: Sequence[tuple[int, int]]) -> bool:
    """Whether replacing ``[start, end)`` changes a character of a literal: the range
    overlaps one, or (empty) inserts strictly inside one."""
    if start == end:
        return any(a < start < b for a, b in spans)
    return any(start < b and a < end for a, b in spans)


def _brings(text: str, new: set[str]) -> bool:
    """Whether ``text`` holds one of the ``new`` literals (those the source lacks)."""
    return any(literal in text for literal in new)


def guard_literals(
    source: str, revised: str, intentions: Sequence[str]
) -> tuple[str, tuple[HeldEdit, ...]]:
    """``revised`` with every change to a literal of ``source`` undone, and the changes
    held back.

    The two texts are compared token by token (words, punctuation and whitespace, each
    literal one token), so a fix next to a literal stays when the literal is restored
    ("calls save_reslts()" -> "call save_results()" is offered as "call save_reslts()");
    where the answer replaces a run of tokens by a run of another length, the whole run
    is restored if it holds a literal. A literal deleted whole is no wrong literal
    offered, and passes, unless the answer brings in a literal the source does not have
    (the diff may align a literal moved and changed with nothing): then both are undone.

    Args:
        source: one piece (a sentence) as the writer wrote it.
        revised: the answer for it.
        intentions: what the writer asked for; the guard holds under every intention.

    Returns:
        The text to offer (``revised`` itself when nothing was held back) and the held
        changes with their reason, in text order.
    """
    del intentions  # no intention asks for another address or name
    if source == revised:
        return revised, ()
    spans = literal_spans(source)
    if not spans:
        return revised, ()
    a, b = _tokens(source), _tokens(revised)
    matcher = difflib.SequenceMatcher(
        a=[source[x:y] for x, y in a], b=[revised[x:y] for x, y in b], autojunk=False
    )
    # Literals the source does not have: where the answer has one, a literal "deleted" may
    # be one moved and changed (the diff aligned it with nothing), so neither passes.
    new = {revised[x:y] for x, y in literal_spans(revised)} - {source[x:y] for x, y in spans}
    offered: list[str] = []
    held: list[HeldEdit] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        theirs = revised[b[j1][0] : b[j2 - 1][1]] if j2 > j1 else ""
        start = a[i1][0] if i1 < len(a) else len(source)
        end = a[i2 - 1][1] if i2 > i1 else start
        if op == "equal" or (
            not _brings(theirs, new)
            and ((op == "delete" and not new) or not _touches(start, end, spans))
        ):
            offered.append(theirs)  # a literal deleted is one token deleted whole
        elif i2 - i1 == j2 - j1:  # token for token: restore the literals' tokens only
            for (x, y), (u, v) in zip(a[i1:i2], b[j1:j2], strict=True):
                mine, other = source[x:y], revised[u:v]
                literal = _touches(x, y, spans) or _brings(other, new)
                offered.append(mine if literal else other)
                if mine != other and literal:
                    held.append(HeldEdit(mine, other, REASON))
        else:
            offered.append(source[start:end])
            held.append(HeldEdit(source[start:end], theirs, REASON))
    if not held:
        return revised, ()
    return "".join(offered), tuple(held)
