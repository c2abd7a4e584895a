"""The shape every revision metric takes: parallel sources, outputs and references.

A corpus is three sequences of equal length: ``sources[i]`` is the text before revision,
``outputs[i]`` the system's revision of it and ``references_list[i]`` the one or more
human revisions of it (a sequence of strings, never a bare string).
"""

from collections.abc import Sequence


def check_corpus(
    sources: Sequence[str],
    outputs: Sequence[str],
    references_list: Sequence[Sequence[str]],
) -> list[list[str]]:
    """Validate a corpus and return its references as lists.

    Args:
        sources: the texts before revision.
        outputs: the system revisions, one per source.
        references_list: for each source, one or more reference revisions.

    Returns:
        ``references_list`` as a list of lists of strings.

    Raises:
        ValueError: the lengths differ, the corpus is empty, an example has no reference,
            the references of an example are a bare string, or a text is not a string.
    """
    if not (len(sources) == len(outputs) == len(references_list)):
        raise ValueError(
            f"sources, outputs and references_list must have the same length, got "
            f"{len(sources)}, {len(outputs)} and {len(references_list)}"
        )
    if not sources:
        raise ValueError("the corpus is empty: give at least one example")
    references = []
    for i, (source, output, refs) in enumerate(zip(sources, outputs, references_list, strict=True)):
        if isinstance(refs, str):
            raise ValueError(
                f"references_list[{i}] is a string; give a list of references per example"
            )
        refs = list(refs)
        if not refs:
            raise ValueError(f"references_list[{i}] is empty; give at least one reference")
        for name, text in (("sources", source), ("outputs", output)):
            if not isinstance(text, str):
                raise ValueError(f"{name}[{i}] must be a string, got {type(text).__name__}")
        for j, ref in enumerate(refs):
            if not isinstance(ref, str):
                raise ValueError(
                    f"references_list[{i}][{j}] must be a string, got {type(ref).__name__}"
                )
        references.append(refs)
    return references
