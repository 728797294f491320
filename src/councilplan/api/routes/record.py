"""The public record: browse, verify, prove inclusion, download."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from ...record.chain import Entry
from ..auth import service_of
from ..schemas import ErrorOut

router = APIRouter(prefix="/api", tags=["record"], responses={422: {"model": ErrorOut}})


def entry_json(e: Entry) -> dict[str, Any]:
    return {"seq": e.seq, "kind": e.kind, "actor": e.actor, "authority": e.authority,
            "payload": dict(e.payload), "recorded_at": e.recorded_at,
            "prev_hash": e.prev_hash, "hash": e.hash}


@router.get("/record")
def record_page(request: Request, start: Annotated[int, Query(ge=1, le=2**53)] = 1,
                limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> dict[str, Any]:
    """Entries from ``start`` on, each with the hash of the one before it."""
    service = service_of(request)
    return {"size": service.record_size(),
            "entries": [entry_json(e) for e in service.record_page(start, limit)]}


@router.get("/record/verify")
def verify_record(request: Request) -> dict[str, Any]:
    """Recompute every hash and replay the rules; name the first entry that does not fit."""
    return service_of(request).verify()


@router.get("/record/download", response_class=StreamingResponse,
            responses={200: {"content": {"application/x-ndjson": {}}}})
def download_record(request: Request) -> StreamingResponse:
    """The whole record as JSON lines, one entry a line, for anyone to verify offline."""
    entries = service_of(request).entries()

    def lines() -> Iterator[bytes]:
        for e in entries:
            yield (json.dumps(entry_json(e), sort_keys=True) + "\n").encode()

    return StreamingResponse(lines(), media_type="application/x-ndjson", headers={
        "Content-Disposition": 'attachment; filename="record.jsonl"'})
