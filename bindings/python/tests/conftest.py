"""Shared pytest set-up: the conformance-vector closing line.

Every test marked ``vector`` (one per case of every vector file) is counted;
at the end pytest prints ``python: N passed, M failed`` alone on a line, the
line ``make vectors`` reads.
"""

from __future__ import annotations

from typing import Any

import pytest

_counts = {"passed": 0, "failed": 0}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if "vector" not in report.keywords:
        return
    if report.when == "call":
        _counts["passed" if report.passed else "failed"] += 1
    elif report.failed or report.skipped:
        # A case that errored in set-up or was skipped did not pass.
        _counts["failed"] += 1


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _counts["passed"] or _counts["failed"]:
        terminalreporter.write_line(f"python: {_counts['passed']} passed, {_counts['failed']} failed")
