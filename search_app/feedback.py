"""'Was this page useful?': validate a form post, store it in <alias>-feedback, read scores back.

A feedback document holds the service, its organization, yes/no, an optional comment and the time:
never the client's address (the rate limiter keeps that in memory only).
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import parse_qsl

from elasticsearch import AsyncElasticsearch
from starlette.requests import Request

from search_app.params import clean_text
from search_app.sideindex import ensure_index, side_index_name

MAX_COMMENT = 500            # characters
MAX_BODY = 8 * 1024          # bytes of form body read at most
FORM_TYPE = "application/x-www-form-urlencoded"
ANSWERS = {"yes": True, "no": False}


class FeedbackError(ValueError):
    """The form is not acceptable; `errors` maps each field to what is wrong (shown to the user)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Feedback:
    service_id: str
    useful: bool
    comment: str


async def read_body(request: Request, limit: int = MAX_BODY) -> bytes | None:
    """The request body, or None as soon as it is known to exceed `limit` bytes (never read whole)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def parse_form(body: bytes) -> dict[str, str]:
    """A urlencoded body -> one value per field; repeated or undecodable fields are errors."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise FeedbackError({"form": "the form is not UTF-8 text"}) from None
    pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=10)
    form: dict[str, str] = {}
    for key, value in pairs:
        if key in form:
            raise FeedbackError({key[:40]: "given more than once"})
        form[key] = value
    return form


def validate(service_id: str, form: dict[str, str]) -> Feedback:
    errors: dict[str, str] = {}
    unknown = sorted(set(form) - {"useful", "comment"})
    if unknown:
        errors[unknown[0][:40]] = "unknown field (allowed: useful, comment)"
    useful = form.get("useful", "")
    if useful not in ANSWERS:
        errors["useful"] = "choose yes or no" if not useful else f"{useful[:20]!r} is not yes or no"
    comment = clean_text(form.get("comment", ""))
    if len(comment) > MAX_COMMENT:
        errors["comment"] = f"{len(comment)} characters, at most {MAX_COMMENT}"
    if errors:
        raise FeedbackError(errors)
    return Feedback(service_id=service_id, useful=ANSWERS[useful], comment=comment)


class FeedbackStore:
    """Writes and reads <alias>-feedback; creates it (once per process) on first write."""

    def __init__(self, es: AsyncElasticsearch, alias: str) -> None:
        self.es = es
        self.index = side_index_name(alias, "feedback")
        self._ready = False
        self._lock = asyncio.Lock()

    async def _ensure(self) -> None:
        if self._ready:
            return
        async with self._lock:
            if not self._ready:
                await ensure_index(self.es, self.index, "feedback")
                self._ready = True

    async def add(self, feedback: Feedback, organization: str, now: datetime | None = None) -> None:
        await self._ensure()
        await self.es.index(index=self.index, document={
            "service_id": feedback.service_id,
            "organization": organization,
            "useful": feedback.useful,
            "comment": feedback.comment or None,
            "timestamp": (now or datetime.now(timezone.utc)).isoformat(),
        })

    async def scores(self, field: str, size: int = 100) -> dict[str, tuple[int, int]]:
        """{value of `field`: (yes, total)} over all feedback, `size` values at most."""
        response = await self.es.search(
            index=self.index, size=0, ignore_unavailable=True,
            aggs={"by": {"terms": {"field": field, "size": size},
                         "aggs": {"yes": {"filter": {"term": {"useful": True}}}}}})
        buckets = response.body.get("aggregations", {}).get("by", {}).get("buckets", [])
        return {b["key"]: (b["yes"]["doc_count"], b["doc_count"]) for b in buckets}

