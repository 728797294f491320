"""Server-rendered pages: the federation, councils, ballots, plans, the record, downloads.

Every form posts back here with the session's CSRF token; every change goes through the same
:class:`councilplan.api.service.FederationService` the JSON API uses. A refusal renders the
error page with the domain's message and a 4xx status.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from ..api.auth import SESSION_COOKIE, Caller, caller, check_csrf, client_address, service_of
from ..api.errors import status_of
from ..api.routes.accounts import set_session_cookie, start_session
from ..api.service import FederationService
from ..errors import CouncilplanError
from . import charts

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.filters["q"] = lambda s: quote(str(s), safe="")
templates.env.filters["num"] = lambda v: "—" if v is None else f"{float(v):,.4g}"
router = APIRouter(include_in_schema=False)


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    who = caller(request)
    return templates.TemplateResponse(request, name, {
        "me": who.member if who else None, "csrf": who.session.csrf_token if who else "",
        "my_councils": service_of(request).memberships(who.member) if who else [],
        **context}, status_code=status)


def refused(request: Request, status: int, message: str) -> HTMLResponse:
    return render(request, "error.html", status, status_code=status, message=message,
                  back=request.headers.get("referer", "/"))


async def act(request: Request, change: Callable[[FederationService, Caller, dict[str, Any]],
                                                 str]) -> Response:
    """Run a form's change for the signed-in member; redirect to the URL it returns."""
    form = dict(await request.form())
    who = caller(request)
    try:
        if who is None:
            raise HTTPException(401, "sign in first")
        check_csrf(who, str(form.get("csrf_token", "")))
        target = change(service_of(request), who, form)
    except CouncilplanError as exc:
        return refused(request, status_of(exc), str(exc))
    except HTTPException as exc:
        return refused(request, exc.status_code, str(exc.detail))
    except (KeyError, ValueError) as exc:
        return refused(request, 422, f"the form is incomplete or malformed: {exc}")
    return RedirectResponse(target, status_code=303)


# -- the federation and accounts -------------------------------------------------------------

@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    s = service_of(request)
    councils = s.councils()
    children: dict[str | None, list[dict[str, Any]]] = {}
    for c in councils:
        children.setdefault(c["parent"], []).append(c)
    return render(request, "index.html", children=children, ballots=s.open_ballots(),
                  plans=sorted(s.plans.values(), key=lambda p: -p.seq)[:5],
                  record_size=s.record_size())


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_page(request: Request) -> HTMLResponse:
    return render(request, "sign_in.html", next=request.query_params.get("next", "/"))


@router.post("/sign-in")
async def sign_in(request: Request) -> Response:
    form = await request.form()
    member, password = str(form.get("member", "")), str(form.get("password", ""))
    target = str(form.get("next", "/"))
    target = target if target.startswith("/") and not target.startswith("//") else "/"
    try:
        request.app.state.sign_in_limiter.check(client_address(request), member)
        token, _ = start_session(request, member, password)
    except HTTPException as exc:
        return render(request, "sign_in.html", exc.status_code, next=target,
                      error=str(exc.detail), member=member)
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(request, response, token)
    return response


@router.post("/sign-out")
async def sign_out(request: Request) -> Response:
    who = caller(request)
    if who is not None:
        service_of(request).accounts.end_session(who.token)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/join", response_class=HTMLResponse)
def join_page(request: Request) -> HTMLResponse:
    return render(request, "join.html")


@router.post("/join")
async def join(request: Request) -> Response:
    form = await request.form()
    member, password = str(form.get("member", "")), str(form.get("password", ""))
    try:
        service_of(request).open_account(member, password)
    except CouncilplanError as exc:
        return render(request, "join.html", status_of(exc), error=str(exc), member=member)
    return RedirectResponse("/sign-in", status_code=303)


# -- councils ---------------------------------------------------------------------------------

def council_url(council: str) -> str:
    return f"/councils/{quote(council, safe='')}"


def ballot_url(ballot: str) -> str:
    return f"/ballots/{quote(ballot, safe='')}"


@router.get("/councils/{council}", response_class=HTMLResponse)
def council_page(council: str, request: Request) -> HTMLResponse:
    s = service_of(request)
    try:
        view = s.council_view(council)
    except CouncilplanError as exc:
        return refused(request, status_of(exc), str(exc))
    return render(request, "council.html", c=view, plans=sorted(
        s.plans.values(), key=lambda p: -p.seq), kinds=("workplace", "consumer", "district",
                                                        "industry", "congress"))


@router.post("/councils")
async def found_council(request: Request) -> Response:
    def change(s: FederationService, who: Caller, f: dict[str, Any]) -> str:
        parent = str(f.get("parent") or "") or None
        s.found_council(who.member, str(f["council"]), str(f["kind"]), parent,
                        Fraction(str(f["skilled_pay"])))
        return council_url(str(f["council"]))
    return await act(request, change)


@router.post("/councils/{council}/admit")
async def admit(council: str, request: Request) -> Response:
    def change(s: FederationService, who: Caller, f: dict[str, Any]) -> str:
        s.admit(who.member, council, str(f["member"]).strip())
        return council_url(council)
    return await act(request, change)


@router.post("/councils/{council}/elections")
async def open_election(council: str, request: Request) -> Response:
    def change(s: FederationService, who: Caller, f: dict[str, Any]) -> str:
        candidates = [c.strip() for c in str(f["candidates"]).split(",") if c.strip()]
        mandate = str(f.get("mandate") or "").strip() or None
        ballot = s.act(lambda fed: fed.open_election(council, candidates, actor=who.member,
                                                     mandate=mandate))
        return ballot_url(ballot)
    return await act(request, change)


@router.post("/councils/{council}/priorities")
async def open_priority(council: str, request: Request) -> Response:
    def change(s: FederationService, who: Caller, f: dict[str, Any]) -> str:
        options = [o.strip() for o in str(f["options"]).split("\n") if o.strip()]
        ballot = s.act(lambda fed: fed.open_priority(council, options,
                                                     points=int(f["points"]),
                                                     actor=who.member))
        return ballot_url(ballot)
    return await act(request, change)


@router.post("/councils/{council}/recall")
async def sign_recall(council: str, request: Request) -> Response:
    def change(s: FederationService, who: Caller, f: dict[str, Any]) -> str:
        s.council_view(council)
        ballot = s.act(lambda fed: fed.sign_recall(council, who.member))
        return ballot_url(ballot) if ballot else council_url(council)
    return await act(request, change)


@router.post("/councils/{council}/adoptions")
async def open_adoption(council: str, request: Request) -> Response:
    def change(s: FederationService, who: Caller, f: dict[str, Any]) -> str:
        digest = s.plan(str(f["plan"])).digest
        ballot = s.act(lambda fed: fed.open_adoption(council, digest, actor=who.member))
        return ballot_url(ballot)
    return await act(request, change)


# -- ballots ----------------------------------------------------------------------------------

@router.get("/ballots/{ballot}", response_class=HTMLResponse)
def ballot_page(ballot: str, request: Request) -> HTMLResponse:
    s = service_of(request)
    try:
        view = s.ballot_view(ballot)
    except CouncilplanError as exc:
        return refused(request, status_of(exc), str(exc))
    receipt = request.query_params.get("receipt")
    checked: dict[str, Any] | None = None
    if receipt:
        try:
            checked = {"receipt": receipt, "choice": s.check_receipt(ballot, receipt)}
        except CouncilplanError as exc:
            checked = {"receipt": receipt, "error": str(exc)}
    who = caller(request)
    may_vote = bool(view["open"] and who and s.act(
        lambda f: who.member in f.state.ballots[ballot].ballot.electorate
        and who.member not in f.state.ballots[ballot].ballot.voted))
    return render(request, "ballot.html", b=view, checked=checked, may_vote=may_vote,
                  plan_url=f"/plans/{view['target']}" if view["purpose"] == "adoption" else None)


@router.post("/ballots/{ballot}/vote")
async def vote(ballot: str, request: Request) -> Response:
    form = await request.form()

    def change(s: FederationService, who: Caller, f: dict[str, Any]) -> str:
        view = s.ballot_view(ballot)
        if view["rule"] == "points":
            points = {o: int(str(form.get(f"points-{i}") or 0))
                      for i, o in enumerate(view["options"])}
            choice: Any = {o: p for o, p in points.items() if p}
        elif view["rule"] == "approval":
            choice = [str(v) for v in form.getlist("choice")]
        else:
            choice = str(f["choice"])
        return f"{ballot_url(ballot)}/receipt/{s.vote(ballot, who.member, choice)}"
    return await act(request, change)


@router.get("/ballots/{ballot}/receipt/{receipt}", response_class=HTMLResponse)
def receipt_page(ballot: str, receipt: str, request: Request) -> HTMLResponse:
    return render(request, "receipt.html", ballot=ballot, receipt=receipt,
                  check_url=f"{ballot_url(ballot)}?receipt={quote(receipt)}")


@router.post("/ballots/{ballot}/close")
async def close_ballot(ballot: str, request: Request) -> Response:
    def change(s: FederationService, who: Caller, f: dict[str, Any]) -> str:
        s.ballot_view(ballot)
        s.act(lambda fed: fed.close(ballot, actor=who.member))
        return ballot_url(ballot)
    return await act(request, change)


# -- plans ------------------------------------------------------------------------------------

@router.get("/plans", response_class=HTMLResponse)
def plans_page(request: Request) -> HTMLResponse:
    s = service_of(request)
    closed_priorities = s.act(lambda f: sorted(
        b for b in f.state.results if f.state.opened[b]["purpose"] == "priority"))
    return render(request, "plans.html", plans=sorted(s.plans.values(), key=lambda p: -p.seq),
                  adopted=s.act(lambda f: dict(f.state.adopted_plans)),
                  priorities=closed_priorities)


@router.post("/plans")
async def draft_plan(request: Request) -> Response:
    def change(s: FederationService, who: Caller, f: dict[str, Any]) -> str:
        plan = s.draft_plan(who.member, str(f.get("kind", "balanced")),
                            title=str(f.get("title", ""))[:200],
                            growth=float(str(f.get("growth") or 0)) / 100,
                            priority_ballot=str(f.get("priority_ballot") or "") or None)
        return f"/plans/{plan.digest}"
    return await act(request, change)


@router.get("/plans/{digest}", response_class=HTMLResponse)
def plan_page(digest: str, request: Request) -> HTMLResponse:
    s = service_of(request)
    try:
        plan = s.plan(digest)
        summary = s.plan_summary(digest)
        figures = plan_figures(s, plan.digest, plan.kind, summary)
    except CouncilplanError as exc:
        return refused(request, status_of(exc), str(exc))
    adopted_by = sorted(c for c, d in s.act(lambda f: dict(f.state.adopted_plans)).items()
                        if d == plan.digest)
    others = [p for p in sorted(s.plans.values(), key=lambda p: -p.seq) if p.digest != digest]
    replayed = s.replay_plan(plan.digest) if request.query_params.get("replay") else None
    return render(request, "plan.html", plan=plan, summary=summary, adopted_by=adopted_by,
                  replayed=replayed,
                  figures={k: json.dumps(v) for k, v in figures.items()},
                  files=sorted(f.name for f in plan.directory.iterdir()), others=others)


def plan_figures(s: FederationService, digest: str, kind: str, summary: dict[str, Any]
                 ) -> dict[str, dict[str, Any]]:
    """The dashboard's charts for each kind of plan."""
    if kind == "balanced":
        out = s.plan_table(digest, "gross_output")
        values = s.plan_table(digest, "labour_values")
        bal = s.plan_table(digest, "balance").to_pandas()
        final = bal[[c for c in bal.columns if c.startswith("final_")]].sum()
        return {
            "output": charts.top_bars("Gross output by sector (largest 15)",
                                      out["product"].to_pylist(), out["gross_output"]),
            "fulfilment": charts.top_bars("Final use by category",
                                          [c[6:] for c in final.index], final.to_numpy()),
            "bottlenecks": charts.required_vs_limit("Bottlenecks: required against limit",
                                                    summary["worst_bottlenecks"]),
            "prices": charts.top_bars("Labour values (labour per unit, largest 15)",
                                      values["product"].to_pylist(), values["labour_value"]),
        }
    if kind == "optimal":
        products = s.plan_table(digest, "products").to_pandas()
        targeted = products[products["target"] > 0]
        return {
            "output": charts.top_bars("Net output by sector (largest 15)",
                                      products["product"].tolist(), products["net_output"]),
            "fulfilment": _least_fulfilled(targeted),
            "bottlenecks": charts.required_vs_limit("Binding limits: used against limit",
                                                    summary["binding"]),
            "prices": charts.top_bars("Shadow prices of products (largest 15)",
                                      products["product"].tolist(), products["shadow_price"]),
        }
    years = summary["years"]
    capital = s.plan_table(digest, "capital").to_pandas()
    last = capital[capital["period"] == capital["period"].max()]
    return {
        "years": charts.year_lines("Output, consumption, investment and labour", years,
                                   ("gross_output", "consumption", "investment", "labour")),
        "stocks": charts.year_lines("Capital stocks", years, ("stocks",)),
        "prices": charts.top_bars("Shadow prices of capital in the last year",
                                  last["capital_good"].tolist(), last["shadow_price"]),
    }


def _least_fulfilled(targeted: Any) -> dict[str, Any]:
    worst = targeted.nsmallest(15, "fulfilment")
    return charts.top_bars("Fulfilment of requests (least fulfilled 15)",
                           worst["product"].tolist(), worst["fulfilment"],
                           axis="net output ÷ target")


@router.get("/plans/{digest}/compare", response_class=HTMLResponse)
def compare_page(digest: str, request: Request) -> HTMLResponse:
    s = service_of(request)
    other = request.query_params.get("other", "")
    try:
        result = s.compare_plans(digest, other)
    except CouncilplanError as exc:
        return refused(request, status_of(exc), str(exc))
    changes = result["largest_changes"]
    figure = charts.top_bars("Largest changes in gross output (second − first)",
                             [c["product"] for c in changes], [c["change"] for c in changes])
    return render(request, "compare.html", result=result, figure=json.dumps(figure))


# -- the record and downloads -----------------------------------------------------------------

@router.get("/record", response_class=HTMLResponse)
def record_page(request: Request) -> HTMLResponse:
    s = service_of(request)
    size = s.record_size()
    try:
        start = int(request.query_params.get("start") or max(1, size - 49))
    except ValueError:
        return refused(request, 422, "start must be a whole number")
    verification = s.verify() if request.query_params.get("verify") else None
    return render(request, "record.html", entries=s.record_page(max(1, start), 50), size=size,
                  start=max(1, start), verification=verification)


@router.get("/downloads", response_class=HTMLResponse)
def downloads_page(request: Request) -> HTMLResponse:
    s = service_of(request)
    economy_files = sorted(f.name for f in s.economy_dir.iterdir()) \
        if s.economy_dir.is_dir() else []
    return render(request, "downloads.html", economy_files=economy_files,
                  plans=sorted(s.plans.values(), key=lambda p: -p.seq))


@router.get("/docs", response_class=HTMLResponse)
def api_reference(request: Request) -> HTMLResponse:
    """The HTTP API's reference, read from its own OpenAPI schema (works offline)."""
    schema: dict[str, Any] = request.app.openapi()
    components: dict[str, Any] = schema.get("components", {}).get("schemas", {})
    groups: dict[str, list[dict[str, Any]]] = {}
    for path, methods in schema["paths"].items():
        for method, op in methods.items():
            content: dict[str, Any] = op.get("requestBody", {}).get("content", {})
            first: dict[str, Any] = next(iter(content.values()), {})
            body_ref: str = first.get("schema", {}).get("$ref", "")
            groups.setdefault((op.get("tags") or ["other"])[0], []).append({
                "method": method.upper(), "path": path, "summary": op.get("summary", ""),
                "description": op.get("description", ""),
                "body": body_ref.rsplit("/", 1)[-1],
                "fields": components.get(body_ref.rsplit("/", 1)[-1], {}).get("properties", {}),
                "responses": sorted(op.get("responses", {}))})
    return render(request, "api.html", groups=groups, version=schema["info"]["version"])


@router.get("/static/plotly.min.js")
def plotly_js() -> FileResponse:
    import plotly

    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    return FileResponse(path, media_type="text/javascript",
                        headers={"Cache-Control": "public, max-age=86400"})
