"""The async client's HTTP connections to a node: HTTP/1.1 keep-alive on asyncio, parsed by httptools.

The official client's retries, node pool, failover and sniffing live in its transport, above the
node class; the node only sends one request on one connection and reads the answer. Its default
node, aiohttp's client session, costs ~1 ms of Python a search on this machine: ~0.4 ms more than
this one (the README's "The app's own connections to Elasticsearch"). Under load on
two cores shared with Elasticsearch, every such millisecond is taken from the node and grows the p99.

`HttptoolsNode` is a subclass of the client's `AiohttpHttpNode`: it keeps that class's TLS set-up
(CA, client certificates, verification) and hands it the cases it does not cover itself, HEAD
requests and certificate fingerprints. `ES_HTTP_CLIENT=aiohttp` chooses the client's own node.
Errors are the transport's: ConnectionError (refused, reset, a bad answer) and ConnectionTimeout,
so a failing node is retried elsewhere and marked dead as before.
"""
from __future__ import annotations

import asyncio
import gzip
import ssl
from collections import deque
from functools import cached_property
from typing import NamedTuple

import httptools
from elastic_transport import AiohttpHttpNode, ApiResponseMeta, ConnectionTimeout, HttpHeaders, NodeConfig, TlsError
from elastic_transport import ConnectionError as NodeConnectionError
from elastic_transport._node._base import NodeApiResponse
from elastic_transport.client_utils import DEFAULT, DefaultType


HEADS = 64   # request heads remembered by a node (search, msearch, bulk, health...: a handful in use)


class Answer(NamedTuple):
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    keep_alive: bool


class _Connection(asyncio.Protocol):
    """One keep-alive connection: one request at a time, its answer parsed as it arrives."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.answer: asyncio.Future[Answer] | None = None
        self._headers: list[tuple[str, str]] = []
        self._body: list[bytes] = []

    @property
    def open(self) -> bool:
        return self.transport is not None and not self.transport.is_closing()

    # asyncio
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def connection_lost(self, exc: Exception | None) -> None:
        self._fail(exc or OSError("Elasticsearch closed the connection before it answered"))

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(OSError(f"Elasticsearch's answer is not HTTP: {exc}"))
            self.close()

    # httptools
    def on_message_begin(self) -> None:
        self._headers, self._body = [], []

    def on_header(self, name: bytes, value: bytes) -> None:
        self._headers.append((name.decode("latin-1"), value.decode("latin-1")))

    def on_body(self, body: bytes) -> None:
        self._body.append(body)

    def on_message_complete(self) -> None:
        if self.answer is not None and not self.answer.done():
            self.answer.set_result(Answer(self.parser.get_status_code(), self._headers, b"".join(self._body),
                                          self.parser.should_keep_alive()))

    # the node
    def send(self, request: bytes) -> asyncio.Future[Answer]:
        if not self.open:
            raise OSError("the connection to Elasticsearch is closed")
        self.answer = asyncio.get_running_loop().create_future()
        self.transport.write(request)
        return self.answer

    def _fail(self, exc: BaseException) -> None:
        if self.answer is not None and not self.answer.done():
            self.answer.set_exception(exc)

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


class HttptoolsNode(AiohttpHttpNode):
    """An async node of the official client: at most `connections_per_node` connections, reused."""

    _CLIENT_META_HTTP_CLIENT = ("ht", httptools.__version__)

    def __init__(self, config: NodeConfig) -> None:
        super().__init__(config)
        self._idle: deque[_Connection] = deque()
        self._slots = asyncio.Semaphore(self._connections_per_node)
        host = f"[{self.host}]" if ":" in self.host else self.host
        self._host_line = f"host: {host}:{self.port}\r\n"
        self._heads: dict[tuple, tuple[bytes, HttpHeaders]] = {}

    @cached_property
    def base_url(self) -> str:  # type: ignore[override]
        """The parent's, joined once: the transport logs it with every request (its arguments are built
        whether or not a handler listens)."""
        return AiohttpHttpNode.base_url.fget(self)  # type: ignore[attr-defined]

    async def perform_request(  # type: ignore[override]
        self, method: str, target: str, body: bytes | None = None, headers: HttpHeaders | None = None,
        request_timeout: DefaultType | float | None = DEFAULT,
    ) -> NodeApiResponse:
        if method == "HEAD" or self._ssl_assert_fingerprint:
            return await super().perform_request(method, target, body, headers, request_timeout)
        timeout = self.config.request_timeout if request_timeout is DEFAULT else request_timeout
        compress = bool(body) and self._http_compress
        if compress:
            body = gzip.compress(body)  # type: ignore[arg-type]
        head, request_headers = self._head(method, target, headers, compress)
        request = b"%scontent-length: %d\r\n\r\n%s" % (head, len(body or b""), body or b"")
        loop = asyncio.get_running_loop()
        start = loop.time()
        try:
            async with self._slots, asyncio.timeout(timeout):
                answer = await self._exchange(request)
        except TimeoutError as exc:
            err: Exception = ConnectionTimeout("Connection timed out during request", errors=(exc,))
        except ssl.SSLError as exc:
            err = TlsError(str(exc), errors=(exc,))
        except OSError as exc:   # refused, reset, closed before answering, unreachable, not HTTP
            err = NodeConnectionError(str(exc), errors=(exc,))
        else:
            response_headers, data = HttpHeaders(answer.headers), answer.body
            if response_headers.get("content-encoding") == "gzip":
                data = gzip.decompress(data)
            meta = ApiResponseMeta(node=self.config, duration=loop.time() - start, http_version="1.1",
                                   status=answer.status, headers=response_headers)
            self._log_request(method=method, target=target, headers=request_headers, body=body, meta=meta,
                              response=data)
            return NodeApiResponse(meta, data)
        self._log_request(method=method, target=target, headers=request_headers, body=body, exception=err)
        raise err from None

    def _head(self, method: str, target: str, headers: HttpHeaders | None,
              compress: bool) -> tuple[bytes, HttpHeaders]:
        """The request line and headers, encoded, and the headers they hold: the node's (auth, user
        agent), then the request's. Built once for each distinct request head and remembered (at most
        HEADS): the transport sends the same ones for every search, and merging and encoding them was
        ~1/3 of this node's work a request."""
        key = (method, target, compress, tuple(headers.items()) if headers else ())
        known = self._heads.get(key)
        if known is None:
            merged = self.headers.copy()
            if headers:
                merged.update(headers)
            if compress:
                merged["content-encoding"] = "gzip"
            lines = [f"{method} {self.path_prefix}{target} HTTP/1.1\r\n", self._host_line,
                     *(f"{k}: {v}\r\n" for k, v in merged.items())]
            known = ("".join(lines).encode("latin-1"), merged.freeze())
            if len(self._heads) >= HEADS:
                self._heads.clear()
            self._heads[key] = known
        return known

    async def _exchange(self, request: bytes) -> Answer:
        """Send on an idle connection (or a new one) and wait for the answer. A connection goes back to
        the idle ones only after a whole answer that keeps it alive: on an error, a timeout or a
        cancellation it is closed, as an answer may still be on its way."""
        connection = self._take()
        if connection is None:
            connection = await self._connect()
        try:
            answer = await connection.send(request)
        except BaseException:
            connection.close()
            raise
        if answer.keep_alive and connection.open:
            self._idle.append(connection)
        else:
            connection.close()
        return answer

    def _take(self) -> _Connection | None:
        while self._idle:
            connection = self._idle.pop()
            if connection.open:
                return connection
        return None

    async def _connect(self) -> _Connection:
        loop = asyncio.get_running_loop()   # TLS as the parent node set it up (None for http://)
        _, connection = await loop.create_connection(_Connection, self.host, self.port, ssl=self._ssl_context)
        return connection

    async def close(self) -> None:  # type: ignore[override]
        while self._idle:
            self._idle.pop().close()
        await super().close()
