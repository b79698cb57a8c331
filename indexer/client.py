"""Build Elasticsearch clients from settings: auth, CA, timeouts and retries set, never left at defaults."""
from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from elastic_transport import AiohttpHttpNode
from elasticsearch import ApiError, AsyncElasticsearch, Elasticsearch, TransportError
from elasticsearch.serializer import OrjsonSerializer

from indexer.config import ESSettings
from indexer.httpnode import HttptoolsNode


def client_kwargs(settings: ESSettings) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "hosts": [u.strip() for u in settings.url.split(",")],
        "request_timeout": settings.request_timeout,
        "max_retries": settings.max_retries,
        "retry_on_timeout": True,
        # open connections kept to each node: requests beyond it wait in the client for one to free up
        "connections_per_node": settings.connections,
        # orjson parses the search responses (aggregations, highlights) several times faster
        "serializer": OrjsonSerializer(),
    }
    if settings.username is not None:
        kwargs["basic_auth"] = (settings.username, settings.password)
    if settings.api_key:
        kwargs["api_key"] = settings.api_key
    if settings.ca_certs:
        kwargs["ca_certs"] = settings.ca_certs
    return kwargs


def make_client(settings: ESSettings) -> Elasticsearch:
    return Elasticsearch(**client_kwargs(settings))


def make_async_client(settings: ESSettings) -> AsyncElasticsearch:
    node_class = HttptoolsNode if settings.http_client == "httptools" else AiohttpHttpNode
    return AsyncElasticsearch(**client_kwargs(settings), node_class=node_class)


def run_with_client(settings: ESSettings, work: Callable[[Elasticsearch], str]) -> int:
    """The end of a command-line tool: open a client, print what `work` returns (0), or say that
    Elasticsearch did not answer (1); the client is closed either way."""
    es = make_client(settings)
    try:
        text = work(es)
    except (ApiError, TransportError) as exc:
        print(f"Elasticsearch at {settings.url} did not answer: {exc}", file=sys.stderr)
        return 1
    finally:
        es.close()
    print(text)
    return 0
