"""The pytest fixtures, exercised in a separate pytest run as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

USER_TESTS = """
import httpx
import pytest

def test_fresh_sandbox(hubspot_sandbox):
    r = httpx.get(hubspot_sandbox.url + "/crm/associations/v4/contacts/companies/labels",
                  headers={"Authorization": f"Bearer {hubspot_sandbox.token}"})
    assert r.status_code == 200
    r = httpx.post(hubspot_sandbox.url + "/crm/associations/v4/contacts/companies/labels",
                   json={"name": "x", "label": "X"},
                   headers={"Authorization": f"Bearer {hubspot_sandbox.token}"})
    assert r.status_code == 200

def test_each_test_gets_a_new_portal(hubspot_sandbox):
    assert {t["typeId"] for t in hubspot_sandbox.state.labels("contacts", "companies")} == {279, 1}

@pytest.mark.hubspot_sandbox(purge_response="body")
def test_marker_options(hubspot_sandbox):
    path = "/crm/associations/v4/definitions/configurations/0-1/0-2/batch/purge"
    r = httpx.post(hubspot_sandbox.url + path,
                   json={"inputs": [{"category": "HUBSPOT_DEFINED", "typeId": 1}]},
                   headers={"Authorization": f"Bearer {hubspot_sandbox.token}"})
    assert r.status_code == 200

def test_session_one(hubspot_sandbox_session):
    hubspot_sandbox_session.state.set_limit("contacts", "companies", "HUBSPOT_DEFINED", 1, 1)

def test_session_two_is_reset(hubspot_sandbox_session):
    assert hubspot_sandbox_session.state.limits("contacts", "companies") == {}
"""


def test_fixtures_in_a_user_test_run(tmp_path: Path) -> None:
    (tmp_path / "test_user.py").write_text(textwrap.dedent(USER_TESTS))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    # Block the entry point (if the package is installed) and load the plugin by module name,
    # so this works installed or not.
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:hubspot_sandbox",
            "-p",
            "hubspot_assoc.sandbox.pytest_plugin",
            "--strict-markers",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "5 passed" in out.stdout
