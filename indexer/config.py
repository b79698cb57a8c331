"""Settings from the environment, cast and validated once at start (in the manner of starlette.config).

Every variable read here is listed in the README's configuration table.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

T = TypeVar("T")
HTTP_CLIENTS = ("httptools", "aiohttp")   # ES_HTTP_CLIENT: the app's connections to Elasticsearch
ROOT = Path(__file__).resolve().parent.parent


class ConfigError(ValueError):
    """A setting is present but not valid; the message names the variable."""


def _bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError("expected true/false")


def read(environ: Mapping[str, str], name: str, cast: Callable[[str], T], default: T,
         check: Callable[[T], bool] | None = None, why: str = "") -> T:
    """One variable: cast it, check it, or raise ConfigError naming it."""
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = _bool(raw) if cast is bool else cast(raw)  # type: ignore[arg-type,assignment]
    except ValueError as exc:
        raise ConfigError(f"{name}={raw!r}: {exc}") from None
    if check is not None and not check(value):
        raise ConfigError(f"{name}={raw!r}: {why}")
    return value


def _url(value: str) -> str:
    """One URL, or several separated by commas (the nodes of a cluster)."""
    urls = [u.strip().rstrip("/") for u in value.split(",") if u.strip()]
    if not urls or not all(u.startswith(("http://", "https://")) for u in urls):
        raise ValueError("each URL must start with http:// or https://")
    for url in urls:
        parts = urlsplit(url)
        if not parts.hostname:
            raise ValueError(f"{url}: no host")
        try:
            parts.port  # noqa: B018 (reading it checks it: a number in 0-65535)
        except ValueError:
            raise ValueError(f"{url}: the port must be a number from 0 to 65535") from None
    return ",".join(urls)


@dataclass(frozen=True)
class ESSettings:
    """How to reach Elasticsearch and which index alias to serve."""

    url: str = "http://127.0.0.1:9200"
    username: str | None = None
    password: str | None = None
    api_key: str | None = None
    ca_certs: str | None = None
    request_timeout: float = 5.0
    max_retries: int = 2
    connections: int = 32
    http_client: str = "httptools"   # the async client's node class (indexer/httpnode.py), or "aiohttp"
    alias: str = "panjereh-services"
    shards: int = 1
    replicas: int = 0
    data_dir: Path = field(default_factory=lambda: ROOT / "data")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "ESSettings":
        env = os.environ if environ is None else environ
        return cls(**es_kwargs(env))


def es_kwargs(env: Mapping[str, str]) -> dict[str, Any]:
    """The ES part of the settings, shared by the indexer's and the app's settings classes."""
    local_port = read(env, "ES_PORT", int, 9200, lambda p: 0 < p < 65536, "not a TCP port")
    username = read(env, "ES_USERNAME", str, None)  # type: ignore[arg-type]
    password = read(env, "ES_PASSWORD", str, None)  # type: ignore[arg-type]
    if (username is None) != (password is None):
        raise ConfigError("ES_USERNAME and ES_PASSWORD go together: set both or neither")
    ca_certs = read(env, "ES_CA_CERTS", str, None, lambda p: Path(p).is_file(), "no such file")  # type: ignore[arg-type]
    return {
        "url": read(env, "ES_URL", _url, f"http://127.0.0.1:{local_port}"),
        "username": username,
        "password": password,
        "api_key": read(env, "ES_API_KEY", str, None),  # type: ignore[arg-type]
        "ca_certs": ca_certs,
        "request_timeout": read(env, "ES_TIMEOUT", float, 5.0, lambda t: 0 < t <= 300, "seconds in (0, 300]"),
        "max_retries": read(env, "ES_MAX_RETRIES", int, 2, lambda n: 0 <= n <= 10, "between 0 and 10"),
        "connections": read(env, "ES_CONNECTIONS", int, 32, lambda n: 1 <= n <= 1024, "between 1 and 1024"),
        "http_client": read(env, "ES_HTTP_CLIENT", str, "httptools", lambda c: c in HTTP_CLIENTS,
                            f"one of {', '.join(HTTP_CLIENTS)}"),
        "alias": read(env, "PANJEREH_INDEX", str, "panjereh-services",
                      lambda a: a == a.lower() and " " not in a and not a.startswith(("_", "-")),
                      "an Elasticsearch index name: lowercase, no spaces"),
        "shards": read(env, "ES_SHARDS", int, 1, lambda n: 1 <= n <= 64, "between 1 and 64"),
        "replicas": read(env, "ES_REPLICAS", int, 0, lambda n: 0 <= n <= 8, "between 0 and 8"),
        "data_dir": read(env, "PANJEREH_DATA", Path, ROOT / "data", lambda p: p.is_dir(), "no such directory"),
    }
