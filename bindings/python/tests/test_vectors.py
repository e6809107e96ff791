"""The conformance vectors (tests/vectors/*.json, or ``$TRACEPROP_VECTORS``)
through the public Python API; the schema is shared/conformance/SCHEMA.md.

A case this runner cannot run (unknown field, propagator or policy) fails.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

import traceprop

ROOT = Path(__file__).resolve().parents[3]
CASE_KEYS = {"name", "reason", "propagators", "policy", "extract", "inject", "inject_propagators", "expect"}
CONTEXT_KEYS = {"trace_id", "span_id", "sampled", "debug", "random", "sampling_priority", "origin"}
INJECT_KEYS = CONTEXT_KEYS | {"tracestate", "baggage", "dd_tags", "xray_extra"}


def vector_dir() -> Path:
    env = os.environ.get("TRACEPROP_VECTORS")
    return Path(env) if env else ROOT / "tests" / "vectors"


def load_cases() -> list[Any]:
    files = sorted(vector_dir().glob("*.json"))
    params: list[Any] = []
    for path in files:
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as e:
            params.append(pytest.param(path.name, None, f"invalid JSON: {e}", id=path.name, marks=pytest.mark.vector))
            continue
        if doc.get("schema") != "traceprop-vectors/1" or not isinstance(doc.get("cases"), list):
            params.append(pytest.param(path.name, None, "unknown schema or no cases", id=path.name, marks=pytest.mark.vector))
            continue
        for case in doc["cases"]:
            name = case.get("name", "<unnamed>") if isinstance(case, dict) else "<not an object>"
            params.append(pytest.param(path.name, case, None, id=f"{path.name}::{name}", marks=pytest.mark.vector))
    return params


CASES = load_cases()


def test_vector_files_exist() -> None:
    assert CASES, f"no vector cases in {vector_dir()}"


def config(case: dict[str, Any], key: str = "propagators") -> traceprop.Config:
    policy = case.get("policy", "last")
    if policy not in ("last", "first"):
        raise AssertionError(f"unknown policy {policy!r}")
    # strict: an unknown propagator name raises TracepropError
    return traceprop.Config(case[key], policy)


def header_pairs(value: Any) -> list[tuple[str, str]]:
    assert isinstance(value, list), "headers must be a list"
    pairs = []
    for pair in value:
        assert isinstance(pair, list) and len(pair) == 2 and all(isinstance(x, str) for x in pair), f"bad pair {pair!r}"
        pairs.append((pair[0], pair[1]))
    return pairs


def check_keys(obj: dict[str, Any], allowed: set[str], what: str) -> None:
    unknown = set(obj) - allowed
    assert not unknown, f"unknown {what} field(s) {sorted(unknown)}"


def baggage_json(members: tuple[traceprop.BaggageMember, ...]) -> list[list[str]]:
    out = []
    for m in members:
        item = [m.key, m.value]
        if m.properties_text:
            item.append(m.properties_text)
        out.append(item)
    return out


def check_context(got: traceprop.Context | None, want: Any) -> None:
    if want is None:
        assert got is None, f"context: got {got!r}, want null"
        return
    assert got is not None, f"context: got None, want {want}"
    check_keys(want, CONTEXT_KEYS, "context")
    for key, value in want.items():
        assert getattr(got, key) == value, f"context.{key}: got {getattr(got, key)!r}, want {value!r}"


def check_extract(case: dict[str, Any]) -> None:
    expect = case["expect"]
    check_keys(expect, {"context", "tracestate", "baggage", "source"}, "expect")
    found = traceprop.extract_all(header_pairs(case["extract"]), config(case))
    if "context" in expect:
        check_context(found.context, expect["context"])
    if "tracestate" in expect:
        got = found.context.tracestate if found.context is not None else None
        assert got == expect["tracestate"], f"tracestate: got {got!r}, want {expect['tracestate']!r}"
    if "baggage" in expect:
        got_bag = baggage_json(found.baggage)
        assert got_bag == expect["baggage"], f"baggage: got {got_bag}, want {expect['baggage']}"
    if "source" in expect:
        assert found.source == expect["source"], f"source: got {found.source!r}, want {expect['source']!r}"


def inject_context(spec: dict[str, Any]) -> traceprop.Context:
    check_keys(spec, INJECT_KEYS, "inject")
    bag = []
    for member in spec.get("baggage") or []:
        assert isinstance(member, list) and len(member) in (2, 3), f"bad baggage member {member!r}"
        bag.append(tuple(member))
    sampled = spec["sampled"]
    assert sampled in (True, False, None), f"bad sampled {sampled!r}"
    return traceprop.Context(
        spec["trace_id"],
        spec["span_id"],
        sampled,
        debug=spec.get("debug", False),
        random=spec.get("random", False),
        tracestate=spec.get("tracestate"),
        baggage=bag,
        sampling_priority=spec.get("sampling_priority"),
        origin=spec.get("origin"),
        dd_tags=spec.get("dd_tags"),
        xray_extra=spec.get("xray_extra"),
    )


def check_headers(got: dict[str, str], want: Any) -> None:
    upper = [k for k in got if k != k.lower()]
    assert not upper, f"injected header names not lowercase: {upper}"
    assert sorted(got.items()) == sorted(header_pairs(want)), f"headers: got {sorted(got.items())}, want {sorted(map(tuple, want))}"


@pytest.mark.parametrize(("file", "case", "problem"), CASES)
def test_vector(file: str, case: Any, problem: str | None) -> None:
    assert problem is None, f"{file}: {problem}"
    assert isinstance(case, dict), "case is not an object"
    check_keys(case, CASE_KEYS, "case")
    assert case.get("reason"), "missing reason"
    assert isinstance(case.get("expect"), dict), "missing expect"
    kinds = [k for k in ("extract", "inject") if k in case]
    assert len(kinds) == 1, "a case needs exactly one of extract, inject, translate"
    if "inject_propagators" in case:
        assert "extract" in case, "translate needs extract"
        check_keys(case["expect"], {"headers"}, "expect")
        out = traceprop.translate(
            header_pairs(case["extract"]), config(case), config(case, "inject_propagators")
        )
        check_headers(out, case["expect"]["headers"])
    elif "extract" in case:
        check_extract(case)
    else:
        check_keys(case["expect"], {"headers"}, "expect")
        assert isinstance(case["inject"], dict), "inject is not an object"
        check_headers(traceprop.inject(inject_context(case["inject"]), config(case)), case["expect"]["headers"])
