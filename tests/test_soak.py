"""The soak (scripts/soak) in small: 300 operations through every fault kind, and proof that its
checks catch an SDK that misreports."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import logging
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from hubspot_assoc import models, operations
from hubspot_assoc.resources import Limits

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "soak"


def _load_soak() -> ModuleType:
    loader = importlib.machinery.SourceFileLoader("hubspot_soak_script", str(SCRIPT))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[loader.name] = module  # dataclasses look their module up while being built
    loader.exec_module(module)
    return module


soak = _load_soak()


def test_soak_300_operations_agree_with_the_sandbox() -> None:
    report = soak.run_soak(ops=300, seed=20261129, workers=2)

    assert report.discrepancies == []
    done = {kind: sum(c.values()) for kind, c in report.outcomes.items()}
    assert sum(done.values()) == 300
    # Every kind of write ran, so every check had something to check.
    for kind in ("limits.create", "limits.update", "limits.purge", "labels.create"):
        assert done.get(kind, 0) > 0, kind
    # Faults really reached the client: a good share of the requests, of many kinds.
    fired = sum(report.faults.values())
    assert fired >= 0.04 * report.requests
    assert sum(1 for n in report.faults.values() if n) >= 8
    # Inputs HubSpot refuses (the bogus type id) produced partial results or errors.
    assert sum(c["partial"] + c["error"] for c in report.outcomes.values()) > 0
    assert report.log_lines >= report.requests


def test_soak_catches_a_client_that_reports_refused_inputs_as_applied(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def everything_succeeded(inputs: Any, results: Any, errors: Any) -> tuple[list[Any], list[Any]]:
        return list(inputs), []

    # Wherever the SDK looks the rule up (it is imported by name into operations).
    monkeypatch.setattr(models, "split_outcomes", everything_succeeded)
    monkeypatch.setattr(operations, "split_outcomes", everything_succeeded, raising=False)
    report = soak.run_soak(ops=150, seed=3, workers=1)

    assert any("the bogus input was reported applied" in d for d in report.discrepancies)


def test_soak_catches_a_purge_that_claims_success_without_sending(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def fake_purge(self: Limits, from_type: str, to_type: str, items: Any, **_: Any) -> Any:
        specs = [models.AssociationSpec(c, t) for c, t in items]
        return models.BatchResult(status="COMPLETE", succeeded=specs)

    monkeypatch.setattr(Limits, "purge", fake_purge)
    report = soak.run_soak(ops=150, seed=5, workers=1)

    assert any("limits.purge" in d and "reported succeeded" in d for d in report.discrepancies)


def test_log_capture_flags_a_secret_in_any_hubspot_assoc_logger() -> None:
    with soak.capture_logs(["s3cret-token-value"]) as logs:
        logging.getLogger("hubspot_assoc.anything").debug("sent with s3cret-token-value")
        logging.getLogger("hubspot_assoc").debug("clean line")

    assert logs.lines == 2
    assert len(logs.leaks) == 1
