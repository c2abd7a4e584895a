"""The revision intentions of IteraTeR and their validation."""

from collections.abc import Iterable, Sequence

from itune_core.errors import UnknownIntention

INTENTIONS: tuple[str, ...] = ("clarity", "fluency", "coherence", "style", "meaning-changed")

# What each intention asks of the model, used in prompts and shown to writers.
DESCRIPTIONS: dict[str, str] = {
    "clarity": "make the text clearer and more concise",
    "fluency": "fix grammar, spelling and punctuation",
    "coherence": "make the text more logically connected and consistent",
    "style": "improve word choice and tone",
    "meaning-changed": "update or correct the information",
}


def parse_intentions(values: Iterable[str] | str) -> tuple[str, ...]:
    """Validate and normalise the intentions a writer asked for.

    Args:
        values: intention names (case and surrounding spaces ignored); a single string may
            hold several names separated by commas.

    Returns:
        The distinct intentions in canonical order (the order of ``INTENTIONS``).

    Raises:
        UnknownIntention: a name is not one of ``INTENTIONS``, or none was given.
    """
    if isinstance(values, str):
        values = values.split(",")
    wanted = set()
    for raw in values:
        if not isinstance(raw, str):
            raise UnknownIntention(f"intention must be a string, got {raw!r}")
        name = raw.strip().lower()
        if not name:
            continue
        if name not in INTENTIONS:
            raise UnknownIntention(
                f"unknown intention {raw!r}; choose from: {', '.join(INTENTIONS)}"
            )
        wanted.add(name)
    if not wanted:
        raise UnknownIntention(f"choose at least one intention from: {', '.join(INTENTIONS)}")
    return tuple(name for name in INTENTIONS if name in wanted)


def fluency_alone(intentions: Sequence[str]) -> bool:
    """Whether fluency is all the writer asked for: the only request under which the
    connector and deletion guards hold edits back (any other intention makes linking
    ideas differently or cutting words part of the request)."""
    return bool(intentions) and set(intentions) == {"fluency"}
