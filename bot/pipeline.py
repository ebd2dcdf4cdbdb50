"""source -> scan -> prompt -> model -> clean -> report, in that order."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from bot import clean, context, prompt, scan
from bot.clock import seconds
from bot.data import Changes, Completion, Hole, Prompt, Report, Result, SkippedFile
from bot.errors import BotError
from bot.globs import EXCLUDED, FileFilter
from bot.providers import ModelError, Provider
from bot.repo import RepoView

log = logging.getLogger("bot.pipeline")


@dataclass(frozen=True, slots=True, kw_only=True)
class Options:
    tags: tuple[str, ...] = scan.DEFAULT_TAGS
    stub_kinds: tuple[str, ...] = scan.STUB_KINDS
    files: FileFilter = field(default_factory=FileFilter)  # what the run may scan and read
    max_holes: int = 50  # 0: no cap
    dry_run: bool = False
    budget_tokens: int = prompt.DEFAULT_BUDGET_TOKENS
    context_budget_tokens: int = context.DEFAULT_BUDGET_TOKENS
    concurrency: int = 8
    # An answer is cut at this many characters (0: never), as if the server had stopped at
    # max_tokens: one that ignores max_tokens could send megabytes for the clean-up to chew.
    answer_limit: int = 0
    # Seconds for the run, from the scan to the last answer cleaned and checked, retries and
    # their waits included; the holes unfinished by then fail. None: no deadline.
    deadline: float | None = None


def run(
    changes: Changes,
    *,
    options: Options,
    provider: Callable[[], Provider],
    repo: RepoView | None = None,
    skip: Callable[[list[Hole], dict[str, str]], dict[Hole, str]] | None = None,
    cached: Callable[[list[Hole], dict[str, str]], dict[Hole, str]] | None = None,
) -> Report:
    """Find the holes of `changes`, ask the model for each, and clean what it answers.

    `provider` is called only when there is something to send. `skip` names holes not to send,
    with the reason (a pull request that already holds their suggestion). `cached` gives fills
    made before for some holes (the hooks' local cache): they are `suggested` again, with no
    usage, checked like new fills, and never sent.
    """
    started = time.monotonic()  # what `options.deadline` counts from
    changes = _filter(changes, options.files)
    if repo is not None:
        repo = repo.hiding(options.files.hidden)
    texts = {f.path: f.text for f in changes.files}
    scanner = scan.Scanner(tags=options.tags, stub_kinds=options.stub_kinds, repo=repo)
    known: dict[Hole, str] = {}
    wanted: list[Hole] = []
    prompts: list[Prompt] = []
    over: list[Hole] = []
    reused: dict[Hole, str] = {}
    found_holes = scanner.holes_by_file(changes.files)
    for file in sorted(changes.files, key=lambda f: f.path):
        holes = found_holes[file.path]
        found = skip(holes, texts) if skip else {}
        known.update(found)
        hits = cached([h for h in holes if h not in found], texts) if cached else {}
        reused.update(hits)
        for hole in holes:
            if hole in found or hole in hits:
                continue
            if options.max_holes and len(wanted) >= options.max_holes:
                over.append(hole)
            else:
                wanted.append(hole)
                prompts.append(_prompt(hole, file.text, repo, options))
    if options.dry_run or not wanted:
        results = [
            Result(hole=h, status="planned", prompt=p) for h, p in zip(wanted, prompts, strict=True)
        ]
    else:
        deadline = options.deadline
        left = None if deadline is None else max(0.0, deadline - (time.monotonic() - started))
        if deadline is not None:
            log.info("holes unfinished %s s into the run fail (--deadline)", seconds(deadline))
        results = asyncio.run(_fill_all(wanted, prompts, texts, provider(), options, left))

    # Holes that are not sent get no prompt: one over the cap costs a line of the report,
    # however many there are.
    results += [
        Result(hole=h, status="suggested", prompt=None, suggestion=s) for h, s in reused.items()
    ]
    results = _check_files(results, texts)
    cap = f"over the per-run cap (--max-holes {options.max_holes})"
    results += [Result(hole=h, status="skipped", prompt=None, reason=cap) for h in over]
    results += [
        Result(hole=h, status="skipped", prompt=None, reason=reason) for h, reason in known.items()
    ]
    return Report(
        results=tuple(sorted(results, key=lambda r: (r.hole.path, r.hole.start_line))),
        skipped_files=changes.skipped,
        texts=texts,
    )


def _filter(changes: Changes, files: FileFilter) -> Changes:
    """Files the configuration leaves out are skipped with that reason, whatever else is true
    of them; this is the one place that guards every mode (local and pull request)."""
    skipped = [
        s if files.scanned(s.path) else SkippedFile(path=s.path, reason=EXCLUDED)
        for s in changes.skipped
    ]
    skipped += [
        SkippedFile(path=f.path, reason=EXCLUDED)
        for f in changes.files
        if not files.scanned(f.path)
    ]
    kept = tuple(f for f in changes.files if files.scanned(f.path))
    return Changes(files=kept, skipped=tuple(skipped))


def _prompt(hole: Hole, text: str, repo: RepoView | None, options: Options) -> Prompt:
    snippets = context.snippets(hole, text, repo, budget_tokens=options.context_budget_tokens)
    return prompt.build(hole, text, budget_tokens=options.budget_tokens, context=snippets)


async def _fill_all(
    holes: list[Hole],
    prompts: list[Prompt],
    texts: dict[str, str],
    provider: Provider,
    options: Options,
    left: float | None,
) -> list[Result]:
    """Each hole's result; the holes not settled within `left` seconds (None: no limit) fail
    with the deadline as their reason, their requests and waits cancelled."""
    gate = asyncio.Semaphore(options.concurrency)

    async def fill(hole: Hole, hole_prompt: Prompt) -> Result:
        try:
            async with gate:
                answer = await _ask(provider, hole_prompt)
            # Let the next request go out before this answer is cleaned: cleaning is CPU work,
            # and the next request's wait for the model is what the run's time is made of.
            await asyncio.sleep(0)
            answer = _capped(answer, options.answer_limit)
            return _settle(hole, hole_prompt, texts[hole.path], answer)
        except BotError:  # a rejected key or an unusable model: the run stops
            raise
        except Exception as error:  # the last guard (`_unexpected`)
            return _unexpected(hole, hole_prompt, error)

    try:
        tasks = [asyncio.ensure_future(fill(h, p)) for h, p in zip(holes, prompts, strict=True)]
        try:
            # Until every hole is settled, the deadline passes, or a task raises: only a
            # BotError (a rejected key) gets through `fill`, and it ends the run.
            done, _ = await asyncio.wait(tasks, timeout=left, return_when=asyncio.FIRST_EXCEPTION)
        finally:  # whatever is left, requests and waits, stops here
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        for task in tasks:
            error = task.exception() if task in done else None
            if error is not None:
                raise error
        return [
            task.result() if task in done else _late(h, p, options.deadline)
            for task, h, p in zip(tasks, holes, prompts, strict=True)
        ]
    finally:
        await provider.aclose()


async def _ask(provider: Provider, hole_prompt: Prompt) -> Completion | ModelError:
    try:
        return await provider.complete(hole_prompt)
    except ModelError as error:
        return error


def _capped(answer: Completion | ModelError, limit: int) -> Completion | ModelError:
    """The answer cut at `limit` characters, and then taken as cut short at max_tokens."""
    if isinstance(answer, ModelError) or not limit or len(answer.text) <= limit:
        return answer
    return replace(answer, text=answer.text[:limit], finish_reason="length")


def _late(hole: Hole, hole_prompt: Prompt, deadline: float | None) -> Result:
    """A hole still unfinished at the deadline (as the user gave it: 10, 1.5)."""
    why = f"deadline (--deadline {seconds(deadline or 0.0)} s)"
    return Result(hole=hole, status="failed", prompt=hole_prompt, reason=why)


def _unexpected(hole: Hole, hole_prompt: Prompt, error: Exception) -> Result:
    """The last guard: an exception no stage foresaw fails its own hole, with one line, and
    not the run with every other hole (and the report) in it. Its traceback is for -vv."""
    log.debug("%s:%d: unexpected error", hole.path, hole.start_line, exc_info=error)
    detail = str(error).encode("utf-8", "backslashreplace").decode("utf-8")  # writable
    reason = f"unexpected error: {type(error).__name__}" + (f": {detail}" if detail else "")
    return Result(hole=hole, status="failed", prompt=hole_prompt, reason=reason)


def _settle(hole: Hole, hole_prompt: Prompt, text: str, answer: Completion | ModelError) -> Result:
    """The hole's result from the model's answer: cleaned and checked, or failed with why."""
    if isinstance(answer, ModelError):
        return Result(hole=hole, status="failed", prompt=hole_prompt, reason=str(answer))
    completion = answer
    usage = completion.usage
    try:
        suggestion = clean.clean(
            hole,
            completion.text,
            prompt=hole_prompt,
            text=text,
            finish_reason=completion.finish_reason,
        )
    except clean.Rejected as error:
        return Result(
            hole=hole, status="failed", prompt=hole_prompt, reason=str(error), usage=usage
        )
    reason = clean.check_syntax(text, [(hole, suggestion)])
    if reason:
        return Result(hole=hole, status="failed", prompt=hole_prompt, reason=reason, usage=usage)
    return Result(
        hole=hole, status="suggested", prompt=hole_prompt, suggestion=suggestion, usage=usage
    )


def _check_files(results: list[Result], texts: dict[str, str]) -> list[Result]:
    """All the fills of a file together must keep it parsing. When they do not, they are added
    one by one, in line order, and any that breaks what the others already hold fails."""
    checked: list[Result] = []
    offered: dict[str, list[Result]] = {}
    for result in sorted(results, key=lambda r: (r.hole.path, r.hole.start_line)):
        if result.status == "suggested" and result.suggestion is not None:
            offered.setdefault(result.hole.path, []).append(result)
        else:
            checked.append(result)
    for path, file_results in offered.items():
        fills = [(r.hole, r.suggestion or "") for r in file_results]
        if clean.check_syntax(texts[path], fills) is None:  # one parse: the usual case
            checked += file_results
            continue
        accepted: list[tuple[Hole, str]] = []
        for result, fill in zip(file_results, fills, strict=True):
            reason = clean.check_syntax(texts[path], [*accepted, fill])
            if reason:
                reason = f"{reason} with the other fills"
                result = replace(result, status="failed", suggestion=None, reason=reason)
            else:
                accepted.append(fill)
            checked.append(result)
    return checked
