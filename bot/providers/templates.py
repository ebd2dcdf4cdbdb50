"""Raw fill-in-the-middle prompts, one family of code models a row: its special tokens, the
order they go in, and the tokens it ends a fill with. For servers whose completions take no
suffix (the `template` provider); model cards and tokenizer files are the sources.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class FimTemplate:
    name: str
    layout: str  # "{prefix}" and "{suffix}" stand for the texts; the rest is sent as it is
    stop: tuple[str, ...]  # where the family's fills end (besides the server's own EOS)
    names: tuple[str, ...]  # words of a model's name that tell the family

    def render(self, prefix: str, suffix: str) -> str:
        # Split at the placeholders, not str.format: the texts are code, full of braces.
        before, _, after = self.layout.partition("{prefix}")
        if "{suffix}" in before:  # suffix first (SPM order)
            head, _, middle = before.partition("{suffix}")
            return f"{head}{suffix}{middle}{prefix}{after}"
        middle, _, tail = after.partition("{suffix}")
        return f"{before}{prefix}{middle}{suffix}{tail}"


TEMPLATES: dict[str, FimTemplate] = {
    t.name: t
    for t in (
        # bigcode/starcoder, starcoder2: <fim_prefix>, <fim_suffix>, <fim_middle> (model card)
        FimTemplate(
            name="starcoder",
            layout="<fim_prefix>{prefix}<fim_suffix>{suffix}<fim_middle>",
            stop=("<|endoftext|>", "<file_sep>", "<fim_prefix>", "<fim_suffix>", "<fim_middle>"),
            names=("starcoder", "santacoder"),
        ),
        # Qwen2.5-Coder technical report, section "fill-in-the-middle"
        FimTemplate(
            name="qwen",
            layout="<|fim_prefix|>{prefix}<|fim_suffix|>{suffix}<|fim_middle|>",
            stop=("<|endoftext|>", "<|fim_pad|>", "<|file_sep|>", "<|repo_name|>", "<|im_end|>"),
            names=("qwen",),
        ),
        # Code Llama paper, infilling: "<PRE> {pre} <SUF>{suf} <MID>"
        FimTemplate(
            name="codellama",
            layout="<PRE> {prefix} <SUF>{suffix} <MID>",
            stop=("<EOT>", "</s>"),
            names=("codellama", "code-llama", "code_llama"),
        ),
        # deepseek-ai/deepseek-coder model card (full-width bars, U+2581 in the names)
        FimTemplate(
            name="deepseek",
            layout="<\uff5cfim\u2581begin\uff5c>{prefix}<\uff5cfim\u2581hole\uff5c>{suffix}"
            "<\uff5cfim\u2581end\uff5c>",
            stop=("<\uff5cend\u2581of\u2581sentence\uff5c>", "<|EOT|>"),
            names=("deepseek",),
        ),
        # mistral-common's FIM encoding: [SUFFIX] suffix [PREFIX] prefix
        FimTemplate(
            name="codestral",
            layout="[SUFFIX]{suffix}[PREFIX]{prefix}",
            stop=("</s>", "[PREFIX]", "[SUFFIX]", "[MIDDLE]"),
            names=("codestral",),
        ),
    )
}


def for_model(model: str) -> FimTemplate | None:
    """The family a model's name tells (`Qwen/Qwen2.5-Coder-7B` -> qwen), or None when it
    tells none, or more than one."""
    name = model.lower()
    found = [t for t in TEMPLATES.values() if any(word in name for word in t.names)]
    return found[0] if len(found) == 1 else None
