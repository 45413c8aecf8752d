"""The documentation site: its Python examples run, and its generated sections cover the code.

Every ```python block of ``docs/`` and of ``README.md`` runs against a fresh sandbox, with
the environment a reader would have (``HUBSPOT_ACCESS_TOKEN`` and ``HUBSPOT_BASE_URL`` set).
The blocks of one page run in order in one namespace, so a later block may use what an
earlier one defined. A block preceded by the line ``<!-- fragment -->`` is not run (a
signature list, or code that needs a real portal); the page must then say so in prose.
"""

from __future__ import annotations

import contextlib
import importlib.util
import inspect
import io
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from hubspot_assoc.sandbox import Sandbox

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```\s*$", re.MULTILINE | re.DOTALL)
FRAGMENT = "<!-- fragment -->"
PYTEST = "<!-- pytest -->"


def _blocks(page: Path, kind: str = "run") -> list[tuple[int, str]]:
    """The Python blocks of a page with their line numbers: ``run`` blocks are executed,
    ``pytest`` blocks (preceded by ``<!-- pytest -->``) are test files run by pytest."""
    text = page.read_text(encoding="utf-8")
    blocks = []
    for match in FENCE.finditer(text):
        if match.group(1) != "python":
            continue
        before = text[: match.start()].rstrip().rsplit("\n", 1)[-1].strip()
        found = {FRAGMENT: "fragment", PYTEST: "pytest"}.get(before, "run")
        if found == kind:
            line = text.count("\n", 0, match.start()) + 1
            blocks.append((line, match.group(2)))
    return blocks


README = ROOT / "README.md"
# The README is the site's front door on GitHub and PyPI: its examples run like the pages'.
ALL_PAGES = [README, *sorted(DOCS.rglob("*.md"))]
PAGES = [p for p in ALL_PAGES if _blocks(p)]


def _page_id(page: Path) -> str:
    return str(page.relative_to(ROOT))


def _hooks() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docs_hooks", ROOT / "scripts/docs_hooks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _docs_portal(sandbox: Sandbox) -> None:
    """The portal the examples assume: the seeded one plus two labels between contacts and
    companies, "Decision maker" (USER_DEFINED 1000 from contacts, 1001 back) and "Billing
    contact" (1002 and 1003), made through the public API as a reader would."""
    from hubspot_assoc import Client

    with Client(sandbox.token, base_url=sandbox.url) as client:
        made = [
            label.type_id
            for name, text in (("decision_maker", "Decision maker"), ("billing", "Billing contact"))
            for label in client.labels.create("contacts", "companies", label=text, name=name)
        ]
    assert made == [1000, 1001, 1002, 1003]


def test_the_docs_have_runnable_examples() -> None:
    # Guards the collection itself: a broken pattern would make every page "pass" vacuously.
    assert len(PAGES) >= 8
    assert sum(len(_blocks(page)) for page in PAGES) >= 12
    assert README in PAGES and len(_blocks(README)) >= 8
    assert _blocks(README, "pytest")


@pytest.mark.parametrize("page", PAGES, ids=_page_id)
def test_page_examples_run_against_the_sandbox(
    page: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with Sandbox() as sandbox:
        monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", sandbox.token)
        monkeypatch.setenv("HUBSPOT_BASE_URL", sandbox.url)
        monkeypatch.delenv("HUBSPOT_LOG", raising=False)
        monkeypatch.chdir(tmp_path)
        _docs_portal(sandbox)
        namespace: dict[str, object] = {"__name__": "__docs__", "sandbox": sandbox}
        for line, code in _blocks(page):
            out = io.StringIO()
            try:
                with contextlib.redirect_stdout(out):
                    exec(compile(code, f"{page.name}:{line}", "exec"), namespace)
            except BaseException as exc:
                pytest.fail(f"{page.name}, block at line {line}: {type(exc).__name__}: {exc}")


TEST_FILES = [(page, line, code) for page in ALL_PAGES for line, code in _blocks(page, "pytest")]


@pytest.mark.parametrize(
    ("page", "line", "code"), TEST_FILES, ids=[f"{p.name}:{n}" for p, n, _ in TEST_FILES]
)
def test_page_test_files_pass_under_pytest(
    page: Path, line: int, code: str, tmp_path: Path
) -> None:
    # Run as a user would: a test file of theirs, the installed plugin, no conftest.
    (tmp_path / "test_example.py").write_text(code, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_example.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, f"{page.name}:{line}\n{done.stdout}\n{done.stderr}"
    tests = code.count("\ndef test_") + code.startswith("def test_")
    assert f"{tests} passed" in done.stdout


def test_cli_reference_has_every_command() -> None:
    from hubspot_assoc.cli import build_parser

    text = _hooks().cli_reference()
    parser = build_parser()
    hooks = _hooks()
    for words, sub in hooks._walk(parser, ["hubspot-assoc"]):
        assert f"`{' '.join(words)}`" in text
        for action in sub._actions:
            for flag in action.option_strings:
                assert flag in text, f"{' '.join(words)} {flag} missing from the CLI reference"


def test_error_catalogue_shows_every_error_class_with_a_real_message() -> None:
    import hubspot_assoc.errors as errors

    text = _hooks().error_catalogue()
    public = [
        value
        for name in errors.__all__
        if inspect.isclass(value := getattr(errors, name))
        and issubclass(value, errors.HubSpotError)
    ]
    assert len(public) >= 15
    for cls in public:
        assert f"### `{cls.__name__}`" in text
    # Messages, not placeholders: what the client says for a 403 MISSING_SCOPES answer.
    assert "Missing scopes: crm.objects.contacts.write" in text
    # The partial batch comes from a real 207 of the sandbox.
    assert re.search(r"1 of 2 inputs failed", text)


def test_generated_markers_in_pages_are_all_known() -> None:
    hooks = _hooks()
    for page in DOCS.rglob("*.md"):
        for name in hooks.MARKER.findall(page.read_text(encoding="utf-8")):
            assert name in hooks.GENERATORS, f"{page.name}: unknown marker {name}"


def test_docs_do_not_leave_the_sandbox_token_in_output() -> None:
    # The hooks run the library; nothing they write may carry a credential.
    text = _hooks().error_catalogue()
    assert "pat-na1-example" not in text
    assert "Bearer" not in text


# A figure with its unit, as the benchmarks page writes them: 129 ms, 397 us, 28.6 MiB,
# 1.03x, 0.0%. The README may quote the page; it may not say anything the page does not.
FIGURE = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?: (?:ms|us|µs|MiB)\b|x\b|%)")


def _prose(text: str) -> str:
    return FENCE.sub("", text)


def test_the_figures_the_readme_quotes_are_on_the_benchmarks_page() -> None:
    benchmarks = (DOCS / "benchmarks.md").read_text(encoding="utf-8")
    quoted = FIGURE.findall(_prose(README.read_text(encoding="utf-8")))
    assert len(quoted) >= 8, quoted  # the README does quote the headline figures
    measured = set(FIGURE.findall(benchmarks))
    assert not [figure for figure in quoted if figure not in measured]


def test_the_figure_check_catches_a_figure_the_page_does_not_have() -> None:
    # Guards the pattern: the comparison table once quoted 182 ms the page never measured.
    measured = set(FIGURE.findall((DOCS / "benchmarks.md").read_text(encoding="utf-8")))
    assert "182 ms" not in measured
    assert FIGURE.findall("import takes 182 ms, 1.5x httpx, 12% of it") == [
        "182 ms",
        "1.5x",
        "12%",
    ]


def test_the_readme_links_into_the_site() -> None:
    text = README.read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)#\s]+)[^)]*\)", text)
    local = [target for target in targets if "://" not in target]
    assert {"docs/index.md", "docs/errors.md", "docs/benchmarks.png"} <= set(local)
    for target in local:
        assert (ROOT / target).is_file(), f"README links to a missing file: {target}"


def test_the_cli_page_leaves_usage_and_options_to_the_generated_reference() -> None:
    # Hand-copied help drifts: the page's prose may explain, never restate, `--help`.
    from hubspot_assoc.cli import build_parser

    hooks = _hooks()
    page = (DOCS / "cli.md").read_text(encoding="utf-8")
    prose = re.sub(r"\s+", " ", page.split("<!-- generated: cli-reference -->", 1)[0])
    assert "usage:" not in prose
    restated = []
    for words, sub in hooks._walk(build_parser(), ["hubspot-assoc"]):
        # A synopsis such as "hubspot-assoc limits get FROM TO" is the usage line again.
        metavars = [a.metavar for a in sub._actions if not a.option_strings and a.metavar]
        if metavars and isinstance(metavars[0], str):
            synopsis = " ".join([*words, metavars[0]])
            if synopsis in prose:
                restated.append(synopsis)
        for action in sub._actions:
            if action.help and len(action.help) >= 20 and action.help in prose:
                restated.append(action.help)
        for line in sub.format_help().splitlines():
            words = " ".join(line.split())
            if len(words) >= 40 and words in prose:
                restated.append(words)
    assert not restated
