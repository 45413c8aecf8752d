"""Command line for the sandbox (``hubspot-assoc sandbox``, ``python -m hubspot_assoc.sandbox``).

The project's main CLI delegates here through :func:`add_arguments` and :func:`run`.
"""

from __future__ import annotations

import argparse
import re
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType
from typing import TYPE_CHECKING, Any

from hubspot_assoc.sandbox.faults import Fault, parse_fault
from hubspot_assoc.sandbox.versions import AUTO, EMULATIONS, PURGE_RESPONSE_ALIASES

if TYPE_CHECKING:
    from hubspot_assoc.sandbox.core import Sandbox

_RATE_RE = re.compile(r"^\s*(\d+)\s*/\s*(\d+(?:\.\d+)?)\s*(ms|s)?\s*$")


def parse_rate_limit(text: str) -> tuple[int, float] | None:
    """Parse ``100/10s`` (or ``100/10``, ``10/500ms``) into ``(100, 10.0)``; ``off`` is None."""
    if text.strip().lower() in ("off", "none", "0"):
        return None
    found = _RATE_RE.match(text)
    if found is None or int(found.group(1)) < 1 or float(found.group(2)) <= 0:
        raise argparse.ArgumentTypeError(
            f"invalid rate limit {text!r}: use MAX/INTERVAL such as 100/10s or 10/500ms, or off"
        )
    seconds = float(found.group(2)) / (1000.0 if found.group(3) == "ms" else 1.0)
    return int(found.group(1)), seconds


def _fault(text: str) -> Fault:
    try:
        return parse_fault(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _daily(text: str) -> int | None:
    if text.strip().lower() in ("off", "none", "0"):
        return None
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(
            f"invalid daily limit {text!r}: use a positive integer or off"
        )
    return value


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value < 86_400:
        raise argparse.ArgumentTypeError(
            f"expected a number of seconds between 0 and 86400, got {text!r}"
        )
    return value


def _bytes(text: str) -> int:
    if not text.isascii() or not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive number of bytes, got {text!r}")
    return int(text)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the sandbox options to ``parser``."""
    parser.add_argument("--port", type=int, default=8080, help="port on 127.0.0.1 (0: any free)")
    parser.add_argument(
        "--rate-limit",
        type=parse_rate_limit,
        default=(100, 10.0),
        metavar="MAX/INTERVAL",
        help="rolling window per token, e.g. 100/10s (default), 190/10s, or off",
    )
    parser.add_argument(
        "--daily-limit",
        type=_daily,
        default=250_000,
        metavar="N",
        help="requests per UTC day for private app tokens (default 250000), or off",
    )
    parser.add_argument(
        "--emulate",
        choices=(AUTO, *EMULATIONS),
        default=None,
        help=(
            "answer with the statuses and shapes of one published API version on every path; "
            "auto (default) answers each path as its own version (/crm/associations/v4/, "
            "/crm/associations/2026-03/, ...). v4-legacy: purge, create and update answer 200"
        ),
    )
    parser.add_argument(
        "--purge-response",
        choices=tuple(PURGE_RESPONSE_ALIASES),
        default=None,
        help="older name of --emulate: 204 is --emulate v4, body is --emulate v4-legacy",
    )
    parser.add_argument(
        "--token-lifetime",
        type=_positive,
        default=1800,
        metavar="SECONDS",
        help="OAuth access token lifetime, expires_in (default 1800)",
    )
    parser.add_argument(
        "--no-rotate-refresh-tokens",
        dest="rotate_refresh_tokens",
        action="store_false",
        help="keep refresh tokens valid across refreshes (default: rotate)",
    )
    parser.add_argument(
        "--fault",
        type=_fault,
        action="append",
        default=[],
        metavar="SPEC",
        help=(
            "inject a fault, repeatable: KIND[:count=N][:fraction=F][:seed=S][:route=R]"
            "[:retry_after=S][:policy=ten_secondly|daily][:seconds=S]; KIND is 429, 500, 502, "
            "503, 504, 521, 523, 524, drop, drop_after, delay, truncate, nonjson or enum "
            "(e.g. 503:count=2:route=purge, drop:fraction=0.1:seed=7)"
        ),
    )
    parser.add_argument("--seed", type=int, default=None, help="default seed for fraction faults")
    parser.add_argument(
        "--read-timeout",
        type=_seconds,
        default=10.0,
        metavar="SECONDS",
        help="give up on a request that stops arriving midway, with 408 (default 10)",
    )
    parser.add_argument(
        "--max-request-bytes",
        type=_bytes,
        default=1_048_576,
        metavar="N",
        help="largest request body accepted; larger ones get 413 (default 1048576)",
    )
    parser.add_argument(
        "--oauth-app",
        action="store_true",
        help="also create an OAuth app and print its client id, secret and refresh token",
    )


def emulate_option(args: argparse.Namespace) -> str:
    """The ``emulate`` value of parsed options (``--purge-response`` being its older name)."""
    emulate: str | None = args.emulate
    if args.purge_response is not None:
        alias = PURGE_RESPONSE_ALIASES[args.purge_response]
        if emulate not in (None, alias):
            raise ValueError(
                f"--purge-response {args.purge_response} means --emulate {alias}, "
                f"not --emulate {emulate}; pass only --emulate"
            )
        emulate = alias
    return emulate or AUTO


def start(args: argparse.Namespace) -> Sandbox:
    """A sandbox configured by ``args``, started; ``ValueError``/``OSError`` when it cannot
    start (e.g. the port is taken)."""
    from hubspot_assoc.sandbox.core import Sandbox

    sandbox = Sandbox(
        port=args.port,
        rate_limit=args.rate_limit,
        daily_limit=args.daily_limit,
        emulate=emulate_option(args),
        token_lifetime=args.token_lifetime,
        rotate_refresh_tokens=args.rotate_refresh_tokens,
        seed=args.seed,
        faults=args.fault,
        read_timeout=args.read_timeout,
        max_request_bytes=args.max_request_bytes,
    )
    return sandbox.start()


def describe(sandbox: Sandbox, *, oauth_app: bool = False) -> dict[str, Any]:
    """What a user needs to talk to a running sandbox: its URL, a token, the faults, the
    environment to export and, with *oauth_app*, a new OAuth app's credentials."""
    facts: dict[str, Any] = {
        "url": sandbox.url,
        "token": sandbox.token,
        "oauth": None,
        "emulate": sandbox.emulate,
        "faults": [repr(fault) for fault in sandbox.faults],
        "env": {"HUBSPOT_BASE_URL": sandbox.url, "HUBSPOT_ACCESS_TOKEN": sandbox.token},
    }
    if oauth_app:
        app = sandbox.create_oauth_app()
        facts["oauth"] = {
            "token_url": f"{sandbox.url}/oauth/v1/token",
            "client_id": app.client_id,
            "client_secret": app.client_secret,
            "refresh_token": app.refresh_token,
        }
    return facts


def serve(sandbox: Sandbox, announce: Callable[[Sandbox], None]) -> None:
    """Call ``announce`` once the sandbox is up, then serve until Ctrl-C or SIGTERM, and
    stop it."""
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, on_signal)
    try:
        announce(sandbox)
        while not stop.wait(0.2):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        sandbox.stop()


def run(args: argparse.Namespace) -> int:
    """Start the sandbox with ``args``, print how to use it, serve until Ctrl-C / SIGTERM."""
    try:
        sandbox = start(args)
    except (ValueError, OSError) as exc:
        print(f"hubspot-assoc sandbox: error: {exc}", file=sys.stderr)
        return 2

    def announce(sandbox: Sandbox) -> None:
        facts = describe(sandbox, oauth_app=args.oauth_app)
        print(f"HubSpot associations sandbox listening on {facts['url']}", flush=True)
        print(f"token: {facts['token']}", flush=True)
        if facts["emulate"] != AUTO:
            emulating = f"{facts['emulate']} (statuses and shapes on every path)"
            print(f"emulating: {emulating}", flush=True)
        if facts["oauth"] is not None:
            for label, key in (
                ("token url", "token_url"),
                ("client_id", "client_id"),
                ("client_secret", "client_secret"),
                ("refresh_token", "refresh_token"),
            ):
                print(f"oauth {label}: {facts['oauth'][key]}", flush=True)
        for fault in facts["faults"]:
            print(f"fault: {fault}", flush=True)
        env = " ".join(f"{k}={v}" for k, v in facts["env"].items())
        print(f"export {env}", flush=True)
        print("Press Ctrl-C to stop.", flush=True)

    serve(sandbox, announce)
    print("sandbox stopped", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m hubspot_assoc.sandbox``."""
    parser = argparse.ArgumentParser(
        prog="python -m hubspot_assoc.sandbox",
        description="A local HubSpot CRM Associations v4 server (limits and labels).",
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))
