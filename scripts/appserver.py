"""Run the search app under uvicorn in its own process on a free loopback port, for bench, chaos and tests."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import httpx

ROOT = Path(__file__).resolve().parent.parent


APP = "search_app.app:create_app"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve_app(env: Mapping[str, str], *, workers: int = 1, stderr: IO | int | None = None,
              startup_seconds: float = 60, factory: str = APP) -> Iterator[tuple[str, int]]:
    """Yield (base URL, pid) once /healthz answers 200; the process group is stopped on exit.

    `env` is added to this process's environment (ES_URL, PANJEREH_INDEX, ...); DEBUG is removed.
    `factory`: the app's, or another with a /healthz (scripts/forwarder.py).
    """
    port = free_port()
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    full_env.pop("DEBUG", None)
    cmd = [sys.executable, "-m", "uvicorn", factory, "--factory",
           "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
           "--no-access-log", "--log-level", "warning"]
    proc = subprocess.Popen(cmd, env=full_env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=stderr,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup_seconds
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the app did not start on {url}")
            time.sleep(0.2)
        yield url, proc.pid
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
