"""Plans: draft, list, show, compare, download; fulfilment reports against the economy."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi.responses import FileResponse

from ..auth import Caller, require_caller, service_of
from ..schemas import ErrorOut, PlanIn

router = APIRouter(prefix="/api", tags=["plans"], responses={
    401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 404: {"model": ErrorOut},
    409: {"model": ErrorOut}, 422: {"model": ErrorOut}})
Member = Annotated[Caller, Depends(require_caller)]


def _plan_row(service: Any, digest: str) -> dict[str, Any]:
    p = service.plan(digest)
    adopted = service.act(lambda f: dict(f.state.adopted_plans))
    adopted_by = sorted(c for c, d in adopted.items() if d == p.digest)
    return {"digest": p.digest, "kind": p.kind, "title": p.title, "drafted_by": p.drafted_by,
            "record_entry": p.seq, "adopted_by": adopted_by,
            "files": sorted(f.name for f in p.directory.iterdir()) if p.directory.is_dir()
            else []}


Offset = Annotated[int, Query(ge=0, le=2**31)]
Limit = Annotated[int, Query(ge=1, le=1000)]


@router.get("/plans")
def list_plans(request: Request, offset: Offset = 0, limit: Limit = 100
               ) -> list[dict[str, Any]]:
    """Drafted plans, newest first, with the councils that adopted them (a page of them)."""
    service = service_of(request)
    newest = sorted(service.plans, key=lambda d: -service.plans[d].seq)
    return [_plan_row(service, d) for d in newest[offset: offset + limit]]


@router.post("/plans", status_code=201)
def draft_plan(body: PlanIn, who: Member, request: Request) -> dict[str, Any]:
    """Draft a plan on the federation's economy (balanced, optimal by priorities, or five
    years); it is recorded as drafted and binds no one until a council adopts it."""
    service = service_of(request)
    plan = service.draft_plan(who.member, body.kind, title=body.title, growth=body.growth,
                              priority_ballot=body.priority_ballot)
    return _plan_row(service, plan.digest)


@router.get("/plans/{digest}")
def show_plan(digest: str, request: Request) -> dict[str, Any]:
    """A plan's summary: totals, solver report, bottlenecks or binding limits, provenance."""
    service = service_of(request)
    return _plan_row(service, digest) | {"summary": service.plan_summary(digest)}


@router.get("/plans/{digest}/replay")
def replay_plan(digest: str, request: Request) -> dict[str, Any]:
    """Recompute the plan from the economy and its recorded parameters; ``matches`` says
    whether the output is the same, bit for bit."""
    return service_of(request).replay_plan(digest)


@router.get("/plans/{digest}/compare/{other}")
def compare_plans(digest: str, other: str, request: Request) -> dict[str, Any]:
    """Gross output of two plans side by side, largest changes first."""
    return service_of(request).compare_plans(digest, other)


@router.get("/plans/{digest}/files/{filename}", response_class=FileResponse,
            responses={200: {"content": {"text/csv": {}, "application/octet-stream": {}}}})
def download_plan_file(digest: str, filename: str, request: Request) -> FileResponse:
    """A plan's tables as CSV or Parquet, and plan.json."""
    path = service_of(request).plan_file(digest, filename)
    return FileResponse(path, filename=path.name, media_type=_media_type(path))


@router.get("/economy")
def economy_summary(request: Request) -> dict[str, Any]:
    """The federation's economy: sizes, resources, final-demand categories, files."""
    service = service_of(request)
    e = service.economy
    return {"products": e.n_products, "techniques": e.n_techniques, "plants": e.n_plants,
            "resources": e.resources.ids.to_pylist(),
            "categories": e.categories.ids.to_pylist(),
            "files": sorted(f.name for f in service.economy_dir.iterdir())}


@router.get("/economy/files/{filename}", response_class=FileResponse,
            responses={200: {"content": {"application/octet-stream": {}}}})
def download_economy_file(filename: str, request: Request) -> FileResponse:
    """The economy in the open Parquet format, with its manifest of SHA-256 hashes."""
    path = service_of(request).economy_file(filename)
    return FileResponse(path, filename=path.name, media_type=_media_type(path))


def _media_type(path: Path) -> str:
    return {".csv": "text/csv", ".json": "application/json"}.get(path.suffix,
                                                                 "application/octet-stream")


@router.post("/reports/check")
def check_fulfilment(request: Request,
                     reports: Annotated[UploadFile, File(description=(
                         "plant,technique,output,product,used"))],
                     deliveries: Annotated[UploadFile, File(description=(
                         "supplier,receiver,product,quantity,entered_by"))],
                     requests: Annotated[UploadFile, File(description=(
                         "council,product,quantity"))]) -> dict[str, Any]:
    """Check fulfilment reports: mismatched deliveries, output beyond reported inputs,
    unknown parties, and fulfilment of the consumer councils' requests."""
    from ...councils.reports import check_reports, read_report_files

    service = service_of(request)
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for name, upload in (("reports.csv", reports), ("deliveries.csv", deliveries),
                             ("requests.csv", requests)):
            path = Path(tmp) / name
            path.write_bytes(upload.file.read())
            paths.append(path)
        plant_reports, entries, wanted = read_report_files(*paths)
    councils = sorted({c for c, _ in wanted} | {c["council"] for c in service.councils()})
    result = check_reports(service.economy, plant_reports, entries, councils, wanted)
    return {"flags": [{"kind": f.kind, "subject": f.subject, "detail": f.detail}
                      for f in result.flags],
            "fulfilment": [{"council": c, "product": p, "fulfilment": v}
                           for (c, p), v in sorted(result.fulfilment.items())]}
