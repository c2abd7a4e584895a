"""The prompts of the method: revision generation (Stage II and the app), as text and as
the token ids every decoder feeds the model."""

from collections.abc import Sequence


def generation_prompt(before: str, intentions: Sequence[str]) -> str:
    """The generation prompt (docs/method.md, Stage II):
    ``Revise the text for: <intentions>.\\n\\n<before>``.

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


def prompt_token_ids(tokenizer, before: str, intentions: Sequence[str]) -> list[int]:
    """The token ids of the generation prompt for ``before``: in the tokenizer's chat
    template with the assistant turn opened, or the bare prompt and a blank line."""
    messages = chat_messages(generation_prompt(before, intentions))
    if getattr(tokenizer, "chat_template", None):
        encoded = tokenizer.apply_chat_template(
            messages, add_generation_prompt=True, return_dict=True
        )
        return list(encoded["input_ids"])
    return list(tokenizer(messages[0]["content"] + "\n\n")["input_ids"])


def answer_token_ids(tokenizer, answer: str) -> list[int]:
    """The token ids of ``answer`` as the model would generate it after the prompt: its
    tokens and the end-of-turn token."""
    return [*tokenizer(answer, add_special_tokens=False)["input_ids"], tokenizer.eos_token_id]
