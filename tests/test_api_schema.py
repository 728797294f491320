"""Property-based tests of the HTTP API against its own OpenAPI schema (schemathesis):
whatever a client sends, valid or not, the answer is never a server error."""

import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings

from councilplan.api import Settings
from councilplan.testing.web import PASSWORD, make_service
from councilplan.web import create_app

# schemathesis reads the schema when tests are collected, so the federation is made here.
FOLDER = Path(tempfile.mkdtemp(prefix="councilplan-schema-"))
SERVICE = make_service(str(FOLDER / "fed.db"), FOLDER)
for _member in ("ana", "ben"):
    SERVICE.open_account(_member, PASSWORD)
SERVICE.found_council("ana", "bakery", "workplace", None, 20)
SERVICE.admit("ana", "bakery", "ben")
_plan = SERVICE.draft_plan("ana", "balanced", title="base")
_ballot = SERVICE.act(lambda f: f.open_election("bakery", ["ana", "ben"], actor="ana"))
_receipt = SERVICE.vote(_ballot, "ben", "ana")
# Random ids rarely name anything, so each case is also sent with ids that exist, to take the
# generated bodies and queries past the look-ups into the code behind them.
KNOWN = {"ballot": _ballot, "council": "bakery", "digest": _plan.digest, "other": _plan.digest,
         "receipt": _receipt, "filename": "plan.json"}

schema = schemathesis.openapi.from_asgi(
    "/openapi.json", create_app(SERVICE, Settings(operators=frozenset({"ana"}))))
schema.config.generation.update(modes=list(schemathesis.GenerationMode))  # valid and invalid


@schema.parametrize()
@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_no_request_gets_a_server_error(case):
    token, _ = SERVICE.accounts.start_session("ana")
    responses = [case.call(headers={"Authorization": f"Bearer {token}"})]
    if case.path_parameters:
        case.path_parameters = {k: KNOWN.get(k, v) for k, v in case.path_parameters.items()}
        responses.append(case.call(headers={"Authorization": f"Bearer {token}"}))
    for response in responses:
        assert response.status_code < 500, (case.method, case.formatted_path, response.text)
        if response.status_code >= 400:
            body = response.json()
            assert set(body["error"]) >= {"status", "type", "message"}, body
