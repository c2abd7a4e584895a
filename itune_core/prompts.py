"""The prompts of the method: revision generation (Stage II and the app), as text and as
the token ids every decoder feeds the model.

An adapter is trained with one prompt format and must be served with it: the format is a
training setting (``TrainConfig.prompt_format``), recorded in the adapter's lineage
(``AdapterBundle.prompt_format``) and handed to the decoder with the adapter
(``Decoder.use_prompt_format``).
"""

from collections.abc import Sequence
from enum import StrEnum


class PromptFormat(StrEnum):
    """How the generation prompt is written.

    ``chat``: the method's instruction, ``Revise the text for: <intentions>.`` and the text,
    as the user's turn of the model's chat template (its system prompt included), the
    answer as the assistant's turn; the default, and the format of the untrained model.
    ``tagged``: the intentions as tags before the text, ``<fluency> <text>``, the way
    ITERATER's published models take their input, with no chat template and no
    instruction; the answer follows a blank line and ends with the end-of-sequence token.
    """

    CHAT = "chat"
    TAGGED = "tagged"


DEFAULT_PROMPT_FORMAT = PromptFormat.CHAT
PLAIN_SEPARATOR = "\n\n"  # between a prompt without chat template and its answer


def check_prompt_format(value: object) -> PromptFormat:
    """``value`` as a ``PromptFormat``; ValueError naming the formats when it is none."""
    if value not in tuple(PromptFormat):
        names = ", ".join(PromptFormat)
        raise ValueError(f"prompt_format must be one of {names}, got {value!r}")
    return PromptFormat(value)


def generation_prompt(
    before: str, intentions: Sequence[str], prompt_format: str = DEFAULT_PROMPT_FORMAT
) -> str:
    """The generation prompt (docs/method.md, Stage II) in ``prompt_format``:
    ``Revise the text for: <intentions>.\\n\\n<before>`` (chat) or
    ``<intention> ... <before>`` (tagged).

    Training and the app use the same words, so an adapter sees at run time what it saw in
    training. A chat prompt is wrapped in the model's chat template by the caller where it
    has one (``uses_chat_template``).
    """
    if check_prompt_format(prompt_format) is PromptFormat.TAGGED:
        return "".join(f"<{intention}> " for intention in intentions) + before
    return f"Revise the text for: {', '.join(intentions)}.\n\n{before}"


def uses_chat_template(tokenizer, prompt_format: str = DEFAULT_PROMPT_FORMAT) -> bool:
    """Whether a prompt in ``prompt_format`` goes through ``tokenizer``'s chat template
    (a chat prompt, where the tokenizer has one), or is plain text and ``PLAIN_SEPARATOR``."""
    chat = check_prompt_format(prompt_format) is PromptFormat.CHAT
    return chat and bool(getattr(tokenizer, "chat_template", None))


def chat_messages(prompt: str, target: str | None = None) -> list[dict[str, str]]:
    """A one-turn chat (user prompt, optional assistant answer) for ``apply_chat_template``."""
    messages = [{"role": "user", "content": prompt}]
    if target is not None:
        messages.append({"role": "assistant", "content": target})
    return messages


def prompt_token_ids(
    tokenizer,
    before: str,
    intentions: Sequence[str],
    prompt_format: str = DEFAULT_PROMPT_FORMAT,
) -> list[int]:
    """The token ids of the generation prompt for ``before`` in ``prompt_format``: in the
    tokenizer's chat template with the assistant turn opened, or the plain prompt and a
    blank line."""
    prompt = generation_prompt(before, intentions, prompt_format)
    if uses_chat_template(tokenizer, prompt_format):
        encoded = tokenizer.apply_chat_template(
            chat_messages(prompt), add_generation_prompt=True, return_dict=True
        )
        return list(encoded["input_ids"])
    return plain_prompt_token_ids(tokenizer, prompt)


def plain_prompt_token_ids(tokenizer, prompt: str) -> list[int]:
    """The token ids of a prompt built without the chat template: its text and the blank
    line after which the answer starts. Training and serving both encode it here."""
    return list(tokenizer(prompt + PLAIN_SEPARATOR)["input_ids"])


def answer_token_ids(tokenizer, answer: str) -> list[int]:
    """The token ids of ``answer`` as the model would generate it after the prompt: its
    tokens and the end-of-turn token."""
    return [*tokenizer(answer, add_special_tokens=False)["input_ids"], tokenizer.eos_token_id]
