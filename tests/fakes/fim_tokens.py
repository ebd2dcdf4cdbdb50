"""FIM prompts of code model families, as their model cards and papers write them, taken
apart again: a fake completions server (vLLM, TGI) gets the raw prompt and needs the prefix
and suffix back for the oracle. Written from the sources, never from the project's ``bot``.

- StarCoder (bigcode model card): ``<fim_prefix>PRE<fim_suffix>SUF<fim_middle>``, ends with
  ``<|endoftext|>``.
- Qwen2.5-Coder (technical report): ``<|fim_prefix|>PRE<|fim_suffix|>SUF<|fim_middle|>``,
  ends with ``<|endoftext|>``.
- Code Llama (paper, "infilling"): ``<PRE> PRE <SUF>SUF <MID>``, ends with ``<EOT>``.
- DeepSeek-Coder (model card): ``<|fim_begin|>PRE<|fim_hole|>SUF<|fim_end|>`` written with
  full-width bars (U+FF5C) and U+2581 for the underscores; ends with ``<|end_of_sentence|>``
  spelt the same way.
- Codestral (mistral-common's FIM encoding, suffix first): ``[SUFFIX]SUF[PREFIX]PRE``, ends
  with ``</s>``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FAMILIES", "Family", "split"]


@dataclass(frozen=True)
class Family:
    start: str  # the prompt opens with it
    between: str  # it sits between the first part and the second
    end: str  # the prompt ends with it
    suffix_first: bool  # SPM order: the suffix is the first part
    eos: str  # the token the family ends a fill with


FAMILIES = {
    "starcoder": Family("<fim_prefix>", "<fim_suffix>", "<fim_middle>", False, "<|endoftext|>"),
    "qwen": Family("<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>", False, "<|endoftext|>"),
    "codellama": Family("<PRE> ", " <SUF>", " <MID>", False, "<EOT>"),
    "deepseek": Family(
        "<\uff5cfim\u2581begin\uff5c>",
        "<\uff5cfim\u2581hole\uff5c>",
        "<\uff5cfim\u2581end\uff5c>",
        False,
        "<\uff5cend\u2581of\u2581sentence\uff5c>",
    ),
    "codestral": Family("[SUFFIX]", "[PREFIX]", "", True, "</s>"),
}


def split(family: str, prompt: str) -> tuple[str, str] | None:
    """(prefix, suffix) of a raw FIM prompt in `family`'s layout, or None if it is not one."""
    f = FAMILIES[family]
    if not prompt.startswith(f.start) or not prompt.endswith(f.end):
        return None
    inner = prompt[len(f.start) : len(prompt) - len(f.end)]
    first, found, second = inner.partition(f.between)
    if not found:
        return None
    return (second, first) if f.suffix_first else (first, second)
