"""The fault matrix, model side: whatever the model server does, every hole is accounted for
(suggested, or failed with a reason), nothing crashes, nothing hangs, the exit code says so.

The GitHub side of the matrix is in tests/test_github_e2e.py (read-only token, secondary rate
limits, 422, a moved head, 300+ files, a leftover pending review) and below (502)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.conftest import Repo
from tests.fakes.codestral import FakeCodestral

SOURCE = "".join(f"def f{i}():\n    pass\n\n\n" for i in range(3))
FILL = "    return 1\n"


def fill_three(repo: Repo, model_env: dict[str, str], *args: str) -> tuple[dict[str, Any], Any]:
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("three.py", SOURCE)
    repo.commit("three stubs")
    proc = repo.bot("run", "--format", "json", "--concurrency", "1", "-vv", *args, **model_env)
    assert "Traceback" not in proc.stderr, proc.stderr
    report = json.loads(proc.stdout)
    assert len(report["holes"]) == 3
    for hole in report["holes"]:  # every hole accounted for
        assert hole["status"] in ("suggested", "failed"), hole
        if hole["status"] == "failed":
            assert hole["reason"]
        else:
            assert hole["suggestion"] == FILL
    return report, proc


# The back-off before retry n: 2^n seconds scaled by a random factor in [0.5, 1] (a first wait
# of 0.9996 s is logged as "1.000s": the bounds are the schedule's, not the log's first digit).
FIRST, SECOND = (0.5, 1.0), (1.0, 2.0)


@pytest.mark.parametrize(
    ("fault", "waits"),
    [
        pytest.param({"status": 429, "retry_after": "3"}, [(3.0, 3.0)], id="429-retry-after"),
        pytest.param({"status": 429}, [FIRST], id="429-backoff"),
        pytest.param({"status": 500}, [FIRST], id="500"),
        pytest.param(
            {"status": 502, "body": "<html>Bad gateway</html>", "content_type": "text/html"},
            [FIRST],
            id="502-html-page",
        ),
        pytest.param({"status": 503, "times": 2}, [FIRST, SECOND], id="503-twice"),
        pytest.param({"status": 200, "body": "{not json"}, [FIRST], id="invalid-json"),
    ],
)
def test_passing_faults_are_retried_and_every_hole_filled(
    repo: Repo,
    codestral: FakeCodestral,
    model_env: dict[str, str],
    fault: dict[str, Any],
    waits: list[tuple[float, float]],
) -> None:
    """Rate limits, server errors and garbled answers are retried, after the waits of the
    schedule; all three holes get filled."""
    codestral.respond(FILL)
    codestral.fail(**fault)
    report, proc = fill_three(repo, model_env)
    assert proc.returncode == 0
    assert report["summary"]["suggested"] == 3
    logged = [float(w) for w in re.findall(r"wait (\d+\.\d+)s", proc.stderr)]
    assert len(logged) == len(waits), proc.stderr
    for wait, (low, high) in zip(logged, waits, strict=True):
        assert low <= wait <= high, (wait, low, high)
    assert len(codestral.requests) == 3 + fault.get("times", 1)


def test_connection_reset_and_cut_stream_are_retried(
    repo: Repo, codestral: FakeCodestral, model_env: dict[str, str]
) -> None:
    """A stream cut before [DONE] (the connection closed mid-way) is retried like a reset."""
    codestral.respond(FILL)
    codestral.cut_stream(times=2)
    report, proc = fill_three(repo, model_env, "--stream")
    assert proc.returncode == 0
    assert report["summary"]["suggested"] == 3
    assert proc.stderr.count("wait ") == 2


def test_read_timeout_is_retried(
    repo: Repo, codestral: FakeCodestral, model_env: dict[str, str]
) -> None:
    """A server that never answers times out (--timeout) and the request is tried again."""
    codestral.respond(FILL)
    codestral.hang()
    report, proc = fill_three(repo, model_env, "--timeout", "0.5")
    assert proc.returncode == 0
    assert report["summary"]["suggested"] == 3
    assert "after no whole answer within --timeout 0.5 s" in proc.stderr


def test_empty_choices_fail_that_hole_only(
    repo: Repo, codestral: FakeCodestral, model_env: dict[str, str]
) -> None:
    """An answer with no choices fails its hole with a reason; the others are filled; exit 1."""
    codestral.respond(FILL)
    codestral.fail(200, body=json.dumps({"id": "x", "object": "chat.completion", "choices": []}))
    report, proc = fill_three(repo, model_env)
    assert proc.returncode == 1
    assert [h["status"] for h in report["holes"]].count("failed") == 1
    assert "no choices" in next(h["reason"] for h in report["holes"] if h["status"] == "failed")


def test_a_server_down_for_good_fails_every_hole_with_a_reason(
    repo: Repo, codestral: FakeCodestral, model_env: dict[str, str]
) -> None:
    """Every attempt answering 503: each hole fails after its retries, none is lost; exit 1."""
    codestral.fail(503, times=15)
    report, proc = fill_three(repo, model_env)
    assert proc.returncode == 1
    assert report["summary"]["failed"] == 3
    assert all("HTTP 503" in h["reason"] for h in report["holes"])
    assert len(codestral.requests) == 15  # 5 attempts per hole, then it gives up


def test_a_refused_connection_fails_every_hole_with_a_reason(
    repo: Repo, model_env: dict[str, str]
) -> None:
    """Nothing listening at the API base: the holes fail with a reason, no traceback."""
    env = {**model_env, "CODESTRAL_API_BASE": "http://127.0.0.1:9/v1"}
    report, proc = fill_three(repo, env)
    assert proc.returncode == 1
    assert all("ConnectError" in h["reason"] for h in report["holes"])
