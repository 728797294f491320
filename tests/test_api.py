"""The HTTP API end to end over a real store (SQLite and PostgreSQL): accounts and sessions,
councils, ballots with receipts, recalls, pay, plans, reports and the record."""

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from conftest import IO_TABLES, require
from councilplan.api import Settings
from councilplan.api.demo import demo_economy
from councilplan.testing.web import PASSWORD, make_service
from councilplan.web import create_app

MEMBERS = ["ana", "ben", "chloe", "dev", "emma"]


@pytest.fixture
def service(database, tmp_path):
    s = make_service(database, tmp_path)
    yield s
    s.engine.dispose()


@pytest.fixture
def app(service):
    return create_app(service, Settings(operators=frozenset({"ana"}), sign_ins_per_member=5))


class Member:
    """A client signed in as one member (its own cookies), sending the CSRF header."""

    def __init__(self, app, name):
        self.client = TestClient(app)
        r = self.client.post("/api/session", json={"member": name, "password": PASSWORD})
        assert r.status_code == 200, r.text
        self.client.headers["X-CSRF-Token"] = r.json()["csrf_token"]

    def __getattr__(self, verb):
        return getattr(self.client, verb)


@pytest.fixture
def members(app):
    anon = TestClient(app)
    for m in MEMBERS:
        assert anon.post("/api/accounts", json={"member": m, "password": PASSWORD}
                         ).status_code == 201
    people = {m: Member(app, m) for m in MEMBERS}
    r = people["ana"].post("/api/councils", json={"council": "bakery", "kind": "workplace",
                                                  "skilled_pay": 20})
    assert r.status_code == 201, r.text
    for m in MEMBERS[1:]:
        assert people["ana"].post("/api/councils/bakery/members", json={"member": m}
                                  ).status_code == 201
    return people


def elect(members, winner="ana"):
    ballot = members["ana"].post("/api/councils/bakery/elections",
                                 json={"candidates": ["ana", "ben"]}).json()["ballot"]
    for m in MEMBERS:
        assert members[m].post(f"/api/ballots/{ballot}/votes",
                               json={"choice": winner}).status_code == 201
    assert members["ana"].post(f"/api/ballots/{ballot}/close").status_code == 200
    return ballot


def test_sign_in_wrong_password_and_rate_limit(app, members):
    c = TestClient(app)
    for _ in range(4):
        r = c.post("/api/session", json={"member": "ben", "password": "wrong password"})
        assert r.status_code == 401
        assert r.json()["error"]["message"] == "wrong member name or password"
    r = c.post("/api/session", json={"member": "ben", "password": PASSWORD})
    assert r.status_code == 429 and r.headers["retry-after"] == "60"


def test_session_cookie_is_httponly_and_sign_out_ends_it(app, members):
    c = TestClient(app)
    r = c.post("/api/session", json={"member": "ben", "password": PASSWORD})
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert c.get("/api/me").json()["member"] == "ben"
    assert c.delete("/api/session").status_code == 204
    assert c.get("/api/me").status_code == 401


def test_changes_by_cookie_need_the_csrf_token_but_bearer_tokens_do_not(app, members):
    c = TestClient(app)
    token = c.post("/api/session", json={"member": "ben", "password": PASSWORD}).json()["token"]
    r = c.post("/api/councils/bakery/recall")
    assert r.status_code == 403 and "CSRF" in r.json()["error"]["message"]
    bearer = TestClient(app)
    r = bearer.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert r.json()["member"] == "ben"


def test_vote_with_receipt_then_check_it_and_the_delegate_is_seated(app, members):
    ballot = members["ana"].post("/api/councils/bakery/elections",
                                 json={"candidates": ["ana", "ben"]}).json()["ballot"]
    receipt = members["chloe"].post(f"/api/ballots/{ballot}/votes",
                                    json={"choice": "ben"}).json()["receipt"]
    assert members["dev"].get(f"/api/ballots/{ballot}/receipts/{receipt}").json()["choice"] \
        == "ben"
    again = members["chloe"].post(f"/api/ballots/{ballot}/votes", json={"choice": "ana"})
    assert again.status_code == 403 and "already voted" in again.json()["error"]["message"]
    for m in ("ana", "ben", "dev"):
        members[m].post(f"/api/ballots/{ballot}/votes", json={"choice": "ben"})
    closed = members["ana"].post(f"/api/ballots/{ballot}/close").json()
    assert closed["result"] == {"ben": 4}
    assert members["ana"].get("/api/councils/bakery").json()["delegate"] == "ben"
    published = members["ana"].get(f"/api/ballots/{ballot}/receipts/{receipt}").json()
    assert published["choice"] == "ben"


def test_a_ballot_refuses_outsiders_wrong_shapes_and_unknown_options(app, members):
    anon = TestClient(app)
    anon.post("/api/accounts", json={"member": "zoe", "password": PASSWORD})
    zoe = Member(app, "zoe")
    ballot = members["ana"].post("/api/councils/bakery/elections",
                                 json={"candidates": ["ana", "ben"]}).json()["ballot"]
    r = zoe.post(f"/api/ballots/{ballot}/votes", json={"choice": "ana"})
    assert r.status_code == 403 and "zoe" in r.json()["error"]["message"]
    r = members["ben"].post(f"/api/ballots/{ballot}/votes", json={"choice": ["ana"]})
    assert r.status_code == 422 and "one option" in r.json()["error"]["message"]
    r = members["ben"].post(f"/api/ballots/{ballot}/votes", json={"choice": "carol"})
    assert r.status_code == 422 and "carol" in r.json()["error"]["message"]
    assert members["ben"].get("/api/ballots/ballot:nowhere:1").status_code == 404


def test_recall_petition_reaches_threshold_and_the_vote_removes_the_delegate(app, members):
    elect(members, "ana")
    r = members["ben"].post("/api/councils/bakery/recall")  # 1 of 5 = the default share 1/5
    ballot = r.json()["recall_ballot"]
    assert ballot is not None
    for m in ("ben", "chloe", "dev"):
        members[m].post(f"/api/ballots/{ballot}/votes", json={"choice": "remove"})
    members["ana"].post(f"/api/ballots/{ballot}/votes", json={"choice": "keep"})
    members["ben"].post(f"/api/ballots/{ballot}/close")
    council = members["ben"].get("/api/councils/bakery").json()
    assert council["delegate"] is None
    assert any(b["purpose"] == "election" for b in council["open_ballots"])


def test_pay_is_capped_and_needs_a_closed_ballot(app, members):
    ballot = elect(members)
    r = members["ana"].post("/api/councils/bakery/pay", json={"pay": 25, "authority": ballot})
    assert r.status_code == 403 and "above the cap" in r.json()["error"]["message"]
    r = members["ana"].post("/api/councils/bakery/pay", json={"pay": 20, "authority": "me"})
    assert r.status_code == 403
    r = members["ana"].post("/api/councils/bakery/pay", json={"pay": 20, "authority": ballot})
    assert r.json()["delegate_pay"] == "20"


def test_bad_requests_get_one_error_shape(app, members):
    c = members["ana"]
    r = c.post("/api/councils", content=b"{not json", headers={"content-type":
                                                                "application/json"})
    assert r.status_code == 422 and r.json()["error"]["type"] == "InvalidRequest"
    r = c.post("/api/councils", json={"council": "x", "kind": "palace", "skilled_pay": 1})
    assert r.status_code == 422 and r.json()["error"]["where"][0]["field"] == "body.kind"
    r = c.post("/api/councils", json={"council": "x", "kind": "workplace", "skilled_pay": 1,
                                      "extra": 1})
    assert r.status_code == 422 and "extra" in r.json()["error"]["where"][0]["field"]
    r = c.post("/api/councils", json={"council": "y", "kind": "workplace", "skilled_pay": 1,
                                      "parent": "nowhere"})
    assert r.status_code == 404 and "nowhere" in r.json()["error"]["message"]
    r = c.post("/api/councils/bakery/members", json={"member": "ghost"})
    assert r.status_code == 404 and "ghost" in r.json()["error"]["message"]
    assert c.get("/api/councils/nowhere").status_code == 404
    r = c.post("/api/accounts", json={"member": "new", "password": "short"})
    assert r.status_code == 422 and r.json()["error"]["where"][0]["field"] == "body.password"


def test_draft_compare_adopt_and_download_a_plan(app, members, service):
    r = members["ben"].post("/api/plans", json={"kind": "balanced", "title": "base"})
    assert r.status_code == 201, r.text
    base = r.json()["digest"]
    grown = members["ben"].post("/api/plans", json={"growth": 0.1}).json()["digest"]
    listed = members["ben"].get("/api/plans", params={"limit": 1}).json()
    assert [p["digest"] for p in listed] == [grown]  # newest first, one a page
    assert members["ben"].get("/api/plans", params={"limit": 0}).status_code == 422
    cmp = members["ben"].get(f"/api/plans/{base}/compare/{grown}").json()
    assert cmp["total_b"] == pytest.approx(cmp["total_a"] * 1.1)
    csv = members["ben"].get(f"/api/plans/{base}/files/gross_output.csv")
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[0] == '"product","gross_output"'
    assert members["ben"].get(f"/api/plans/{base}/files/..%2Fplan.json").status_code == 404
    ballot = members["ana"].post("/api/councils/bakery/adoptions",
                                 json={"plan_digest": base}).json()["ballot"]
    for m in MEMBERS[:3]:
        members[m].post(f"/api/ballots/{ballot}/votes", json={"choice": "adopt"})
    members["ana"].post(f"/api/ballots/{ballot}/close")
    assert members["ana"].get(f"/api/plans/{base}").json()["adopted_by"] == ["bakery"]


def test_every_kind_of_drafted_plan_replays_bit_for_bit(database, tmp_path):
    from conftest import IO_TABLES, require
    from councilplan.api.demo import demo_economy

    require(IO_TABLES / "uk-ons-2015")
    service = make_service(database, tmp_path, demo_economy()[0])  # real table, with limits
    service.open_account("ana", PASSWORD)
    service.found_council("ana", "bakery", "workplace", None, 20)
    client = TestClient(create_app(service))
    for kind in ("balanced", "optimal", "fiveyear"):
        digest = service.draft_plan("ana", kind, growth=0.02).digest
        replay = client.get(f"/api/plans/{digest}/replay").json()
        assert replay["matches"], (kind, replay)
        assert replay["input_hash"] == replay["recorded_input_hash"]
    assert "Replayed" in client.get(f"/plans/{digest}?replay=1").text
    service.engine.dispose()


def test_optimal_plan_without_limits_is_refused_with_the_direction(app, members):
    r = members["ben"].post("/api/plans", json={"kind": "optimal"})
    assert r.status_code == 409
    assert r.json()["error"]["type"] == "Unbounded"
    assert "direction" in r.json()["error"]["message"]


def test_someone_in_no_council_cannot_draft(app, members):
    TestClient(app).post("/api/accounts", json={"member": "zoe", "password": PASSWORD})
    r = Member(app, "zoe").post("/api/plans", json={"kind": "balanced"})
    assert r.status_code == 403 and "belongs to no council" in r.json()["error"]["message"]


def test_record_pages_verify_and_a_tampered_row_is_named(app, members, service):
    c = TestClient(app)
    page = c.get("/api/record", params={"start": 1, "limit": 3}).json()
    assert [e["seq"] for e in page["entries"]] == [1, 2, 3]
    assert page["entries"][1]["prev_hash"] == page["entries"][0]["hash"]
    v = c.get("/api/record/verify").json()
    assert v["ok"] and v["checked"] == page["size"]
    lines = c.get("/api/record/download").text.splitlines()
    assert len(lines) == page["size"] and json.loads(lines[-1])["seq"] == page["size"]
    with service.engine.begin() as conn:
        conn.execute(text("UPDATE record_entries SET actor = 'mallory' WHERE seq = 4"))
    v = c.get("/api/record/verify").json()
    assert not v["ok"] and v["first_bad"] == 4


def test_operator_reset_is_recorded_and_only_operators_may(app, members):
    body = {"member": "ben", "password": "a new password", "reason": "forgot it"}
    assert members["ben"].post("/api/operator/password-reset", json=body).status_code == 403
    assert members["ana"].post("/api/operator/password-reset", json=body).status_code == 204
    last = TestClient(app).get("/api/record", params={"start": 1, "limit": 1000}).json()
    entry = last["entries"][-1]
    assert entry["kind"] == "operator.acted" and entry["actor"] == "ana"
    assert entry["payload"] == {"action": "password reset", "subject": "ben",
                                "reason": "forgot it"}
    r = TestClient(app).post("/api/session", json={"member": "ben", "password": PASSWORD})
    assert r.status_code == 401


def test_fulfilment_reports_are_checked_and_bad_files_named(app, members):
    files = {
        "reports": ("r.csv", b"plant,technique,output,product,used\n"),
        "deliveries": ("d.csv", b"supplier,receiver,product,quantity,entered_by\n"
                                b"bakery,mill,grain,5,supplier\n"),
        "requests": ("q.csv", b"council,product,quantity\nbakery,grain,10\n"),
    }
    r = members["ana"].post("/api/reports/check", files=files)
    assert r.status_code == 200, r.text
    body = r.json()
    assert {(f["kind"], f["subject"]) for f in body["flags"]} == {
        ("unknown party", "mill"), ("mismatch", "bakery -> mill")}
    assert body["fulfilment"] == [{"council": "bakery", "product": "grain", "fulfilment": 0.0}]
    files["requests"] = ("q.csv", b"council,product,quantity\nbakery,grain,lots\n")
    r = members["ana"].post("/api/reports/check", files=files)
    assert r.status_code == 422
    assert "requests.csv:2" in r.json()["error"]["message"]


def test_security_headers_and_pages_render(app, members):
    c = TestClient(app)
    r = c.get("/")
    assert r.status_code == 200 and "bakery" in r.text
    assert r.headers["x-frame-options"] == "DENY"
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert c.get("/councils/nowhere").status_code == 404
    assert c.get("/plans/ffff0000").status_code == 404
    assert "POST /api/ballots/{ballot}/votes" in c.get("/docs").text
    assert c.get("/record?start=abc").status_code == 422


def test_forms_need_the_csrf_field(app, members):
    c = TestClient(app)
    c.post("/sign-in", data={"member": "ben", "password": PASSWORD})
    r = c.post("/councils/bakery/recall", data={"csrf_token": "wrong"})
    assert r.status_code == 403 and "CSRF" in r.text
    assert members["ana"].get("/api/councils/bakery").json()["petition"] == []


def test_through_the_forms_a_priority_ballot_steers_an_optimal_plan(database, tmp_path):
    require(IO_TABLES / "uk-ons-2015")
    economy = demo_economy()[0]
    service = make_service(database, tmp_path, economy)
    app = create_app(service)
    people = {}
    for name in ("ana", "ben"):
        service.open_account(name, PASSWORD)
        people[name] = c = TestClient(app)
        c.post("/sign-in", data={"member": name, "password": PASSWORD})
    csrf = {n: service.accounts.cached_session(c.cookies["councilplan_session"]).csrf_token
            for n, c in people.items()}
    r = people["ana"].post("/councils", data={"csrf_token": csrf["ana"], "council": "homes",
                                              "kind": "consumer", "skilled_pay": "20"})
    assert r.status_code == 200 and r.url.path == "/councils/homes"
    people["ana"].post("/councils/homes/admit", data={"csrf_token": csrf["ana"],
                                                      "member": "ben"})
    products = economy.products.ids.to_pylist()
    r = people["ana"].post("/councils/homes/priorities", data={
        "csrf_token": csrf["ana"], "options": f"{products[0]}\n{products[1]}", "points": "10"})
    ballot_path = r.url.path
    for name in ("ana", "ben"):
        r = people[name].post(f"{ballot_path}/vote", data={
            "csrf_token": csrf[name], "points-0": "10", "points-1": "0"})
        assert "/receipt/" in r.url.path, r.text
    r = people["ana"].post(f"{ballot_path}/close", data={"csrf_token": csrf["ana"]})
    assert "<td class=\"num\">20</td>" in r.text
    ballot = ballot_path.rsplit("/", 1)[-1].replace("%3A", ":")
    r = people["ben"].post("/plans", data={"csrf_token": csrf["ben"], "kind": "optimal",
                                           "growth": "1", "priority_ballot": ballot})
    assert r.status_code == 200 and "Shadow prices of products" in r.text, r.text[:500]
    digest = r.url.path.rsplit("/", 1)[-1]
    weights = service.plan_table(digest, "products").to_pandas().set_index("product")["weight"]
    assert weights[products[0]] > 1 and weights[products[1]] == 1
    service.engine.dispose()
