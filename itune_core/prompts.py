"""The prompts of the method: revision generation (Stage II and the app)."""

from collections.abc import Sequence


def generation_prompt(before: str, intentions: Sequence[str]) -> str:
    """The generation prompt of method.md: ``Revise the text for: <intentions>.\\n\\n<before>``.

    Training and the app use the same words, so an adapter sees at run time what it saw in
    training. Wrapped in the model's chat template by the caller where it has one.
    """
    return f"Revise the text for: {', '.join(intentions)}.\n\n{before}"


def chat_messages(prompt: str, target: str | None = None) -> list[dict[str, str]]:
    """A one-turn chat (user prompt, optional assistant answer) for ``apply_chat_template``."""
    messages = [{"role": "user", "content": prompt}]
    if target is not None:
        messages.append({"role": "assistant", "content": target})
    return messages
