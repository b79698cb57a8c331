"""Shared fixtures: a real Elasticsearch (started by `make test`, or ES_URL), and only `test-*` indexes.

Nothing here mocks Elasticsearch. Every index a test creates is named `test-…`, and
`delete_test_indexes` refuses to delete anything else.
"""
from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest
from elasticsearch import ConnectionError as ESConnectionError
from elasticsearch import Elasticsearch
from hypothesis import settings
from starlette.testclient import TestClient

from indexer.client import make_client
from indexer.config import ESSettings
from indexer.reindex import reindex
from search_app.app import create_app
from search_app.config import Settings

TEST_PREFIX = "test-"

# `ci` (set by .ci/run): the same generated examples on every run, so a red CI is this commit's doing;
# `default` (make test): new examples each run, to find what the fixed ones miss.
settings.register_profile("ci", derandomize=True, database=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def delete_test_indexes(es: Elasticsearch, pattern: str) -> None:
    """Delete indexes matching pattern; refuses any pattern outside `test-*`."""
    if not pattern.startswith(TEST_PREFIX) or len(pattern.rstrip("*")) <= len(TEST_PREFIX):
        raise ValueError(f"refusing to delete {pattern!r}: tests only touch {TEST_PREFIX}* indexes")
    names = es.indices.get(index=pattern, allow_no_indices=True, expand_wildcards="open,closed").body
    for name in names:  # Elasticsearch refuses wildcard deletes (action.destructive_requires_name)
        if not name.startswith(TEST_PREFIX):
            raise ValueError(f"refusing to delete {name!r}")
        es.indices.delete(index=name)


def run_async(coroutine_function):
    """asyncio.run in a thread of its own: Playwright's sync API may own this thread's event loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine_function()).result()


def unique_alias(label: str) -> str:
    return f"{TEST_PREFIX}{label}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


@pytest.fixture(scope="session")
def es_settings() -> ESSettings:
    return replace(ESSettings.from_env(), alias=unique_alias("services"))


@pytest.fixture(scope="session")
def es(es_settings: ESSettings) -> Iterator[Elasticsearch]:
    client = make_client(es_settings)
    try:
        client.options(request_timeout=5).cluster.health()
    except ESConnectionError as exc:
        pytest.exit(f"Elasticsearch is not reachable at {es_settings.url}: run `make test` "
                    f"(it starts one) or set ES_URL. ({exc})", returncode=3)
    yield client
    client.close()


@pytest.fixture(scope="session")
def indexed(es: Elasticsearch, es_settings: ESSettings) -> Iterator[ESSettings]:
    """The whole catalog loaded once into a test alias, deleted at the end."""
    result = reindex(es, es_settings.alias, es_settings.data_dir)
    assert result.report.rejected == 0, [str(r) for r in result.report.rejections]
    yield es_settings
    delete_test_indexes(es, f"{es_settings.alias}*")


@pytest.fixture(scope="session")
def app_settings(indexed: ESSettings) -> Settings:
    return Settings(es=indexed, query_log=False)


@pytest.fixture(scope="session")
def client(app_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(app_settings)) as test_client:
        yield test_client
