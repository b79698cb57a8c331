"""The app's HTTP connections to Elasticsearch (indexer/httpnode.py), against the real node.

The answers are the client's own node's (aiohttp), byte for byte; connections are reused and bounded;
a dead node, a timeout, a cancelled search and a peer that breaks off mid-answer end as the
transport's errors and never leave a connection whose answer could reach the next search.
"""
from __future__ import annotations

import asyncio
import socket
from dataclasses import replace

import pytest
from elastic_transport import AiohttpHttpNode, ConnectionError, ConnectionTimeout, HttpHeaders
from elasticsearch import AsyncElasticsearch, NotFoundError

from indexer.client import make_async_client
from indexer.config import ESSettings
from indexer.httpnode import HEADS, HttptoolsNode
from tests.conftest import run_async

SEARCH = {"query": {"match": {"title": "گذرنامه"}}, "size": 3, "aggs": {"o": {"terms": {"field": "organization"}}}}


def client(settings: ESSettings, **options) -> AsyncElasticsearch:
    return make_async_client(replace(settings, **options))


def node_of(es: AsyncElasticsearch):
    return es.transport.node_pool.all()[0]


async def opened(es: AsyncElasticsearch) -> int:
    """HTTP connections the node has accepted since it started (all clients)."""
    stats = await es.nodes.stats(metric="http")
    return sum(n["http"]["total_opened"] for n in stats["nodes"].values())


def dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_app_uses_it_unless_told_otherwise(es_settings):
    assert ESSettings.from_env({"ES_HTTP_CLIENT": "aiohttp"}).http_client == "aiohttp"
    assert isinstance(node_of(make_async_client(es_settings)), HttptoolsNode)
    assert type(node_of(client(es_settings, http_client="aiohttp"))) is AiohttpHttpNode


def test_answers_are_the_client_nodes_answers(indexed):
    async def answers(http_client: str) -> list:
        es = client(indexed, http_client=http_client)
        try:
            out = [(await es.search(index=indexed.alias, **SEARCH)).body,
                   (await es.msearch(index=indexed.alias, searches=[{}, SEARCH, {}, {"size": 0}])).body,
                   (await es.indices.exists(index=indexed.alias)).meta.status,       # HEAD
                   (await es.indices.exists(index="test-no-such-index")).meta.status]
            with pytest.raises(NotFoundError) as missing:
                await es.get(index=indexed.alias, id="no-such-service")
            out.append(missing.value.body)
            return out
        finally:
            await es.close()

    ours, theirs = run_async(lambda: answers("httptools")), run_async(lambda: answers("aiohttp"))
    for mine, reference in zip(ours, theirs):
        if isinstance(mine, dict):
            for r in (mine, reference, *mine.get("responses", []), *reference.get("responses", [])):
                r.pop("took", None)
        assert mine == reference
    assert ours[0]["hits"]["hits"] and ours[2:4] == [200, 404]


def test_a_request_head_is_encoded_once_and_holds_its_own_headers(es_settings):
    node = node_of(make_async_client(es_settings))
    ndjson = {"content-type": "application/x-ndjson"}
    first, _ = node._head("POST", "/x/_msearch", HttpHeaders(ndjson), False)
    again, _ = node._head("POST", "/x/_msearch", HttpHeaders(ndjson), False)
    other, headers = node._head("POST", "/x/_msearch", HttpHeaders({"x-opaque-id": "7"}), True)
    assert again is first and first.startswith(b"POST /x/_msearch HTTP/1.1\r\nhost: 127.0.0.1:")
    assert b"content-type: application/x-ndjson\r\n" in first and b"x-opaque-id" not in first
    assert b"x-opaque-id: 7\r\n" in other and b"content-encoding: gzip\r\n" in other
    assert headers["x-opaque-id"] == "7" and headers.frozen
    for n in range(HEADS + 1):
        node._head("GET", f"/{n}", None, False)
    assert len(node._heads) <= HEADS


def test_compressed_requests_and_answers(indexed):
    async def go():
        es = AsyncElasticsearch(indexed.url, node_class=HttptoolsNode, http_compress=True)
        try:
            return (await es.search(index=indexed.alias, **SEARCH)).body
        finally:
            await es.close()

    assert run_async(go)["hits"]["hits"]


def test_one_connection_serves_searches_one_after_another(indexed):
    async def go():
        es = client(indexed)
        try:
            before = await opened(es)          # this request opens the client's one connection
            for _ in range(20):
                await es.search(index=indexed.alias, **SEARCH)
            return await opened(es) - before, len(node_of(es)._idle)
        finally:
            await es.close()

    new_connections, idle = run_async(go)
    assert new_connections == 0 and idle == 1


def test_searches_at_once_share_at_most_connections_per_node(indexed):
    async def go():
        es = client(indexed, connections=3)
        try:
            before = await opened(es)
            answers = await asyncio.gather(*(es.search(index=indexed.alias, **SEARCH) for _ in range(24)))
            return await opened(es) - before, answers
        finally:
            await es.close()

    new_connections, answers = run_async(go)
    assert new_connections <= 2      # the first request's connection, and at most two more
    assert all(a["hits"]["hits"] for a in answers)


def test_a_dead_node_is_a_connection_error_and_the_next_node_answers(indexed):
    dead = f"http://127.0.0.1:{dead_port()}"

    async def alone():
        es = client(indexed, url=dead, max_retries=0)
        try:
            await es.search(index=indexed.alias, **SEARCH)
        finally:
            await es.close()

    with pytest.raises(ConnectionError):
        run_async(alone)

    async def beside_a_live_one():
        es = AsyncElasticsearch([dead, indexed.url], node_class=HttptoolsNode, max_retries=2,
                                randomize_nodes_in_pool=False)
        try:
            return [(await es.search(index=indexed.alias, **SEARCH))["hits"]["total"]["value"] for _ in range(4)]
        finally:
            await es.close()

    assert all(total > 0 for total in run_async(beside_a_live_one))


def test_a_timeout_closes_its_connection_and_the_next_search_gets_its_own_answer(indexed):
    slow = {"query": {"match_all": {}}, "size": 0,
            "aggs": {"s": {"terms": {"field": "organization", "size": 50},
                           "aggs": {"t": {"terms": {"field": "topics", "size": 50}}}}}}

    async def go():
        es = client(indexed)
        try:
            with pytest.raises(ConnectionTimeout):
                await es.options(request_timeout=0.0001, max_retries=0).search(index=indexed.alias, **slow)
            assert not node_of(es)._idle        # the connection the late answer may come on is gone
            return (await es.search(index=indexed.alias, **SEARCH)).body
        finally:
            await es.close()

    body = run_async(go)
    assert body["hits"]["hits"] and "s" not in body.get("aggregations", {})


def test_a_cancelled_search_leaves_no_answer_for_the_next(indexed):
    async def go():
        es = client(indexed)
        try:
            await es.cluster.health()       # a connection open and idle: the search below is sent at once
            task = asyncio.create_task(es.search(index=indexed.alias, size=0, query={"match_all": {}},
                                                 aggs={"x": {"terms": {"field": "organization"}}}))
            await asyncio.sleep(0)          # sent, not answered
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert not node_of(es)._idle    # its connection is closed, not kept for the next search
            return (await es.search(index=indexed.alias, **SEARCH)).body
        finally:
            await es.close()

    body = run_async(go)
    assert body["hits"]["hits"] and "x" not in body.get("aggregations", {})


@pytest.mark.parametrize("answer", [
    b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{\"half\":",    # broken off mid-answer
    b"this is not HTTP\r\n\r\n",
    b"",                                                                # closed without a word
])
def test_a_peer_that_breaks_off_is_a_connection_error(es_settings, answer):
    async def go():
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await reader.read(65536)
            writer.write(answer)
            await writer.drain()
            writer.close()

        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        es = client(es_settings, url=f"http://127.0.0.1:{port}", max_retries=0)
        try:
            async with server:
                with pytest.raises(ConnectionError):
                    await es.info()
        finally:
            await es.close()

    run_async(go)
