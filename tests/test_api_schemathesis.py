"""Schemathesis against the real app, as CI runs it on each engine: requests valid by the OpenAPI
document are accepted, requests invalid by it are refused, and no answer is a server error, a
status or a body the document does not list, or a 405 without Allow.

All of schemathesis' phases that need no links run (examples, coverage, fuzzing), positive and
negative, with a fixed seed, so a run is repeatable. Two things no JSON Schema can say are
settled before each call, only where the values are valid by the document (an invalid one is
left for the server to refuse): a link (``x-crmkit-link``, an id or a list of ids) must name a
record the caller may see, so a valid id is pointed at a record made for the run; an activity's
end is not before its start, so a valid end is set to its valid start. The run's records are
made first: one per entity, and the configuration deals need (a pipeline with its stages, a
loss reason, the organisation a competitor), which the document then lists as the choices.
A move a deal's workflow forbids from its current stage is left to the server, which refuses it.

It drives schemathesis' engine, as its command line does: the pytest integration for a schema
made in a fixture (``schemathesis.pytest.from_fixture``) fails on pytest 9.2 (``_nodeid``).
"""

import re
import time
from collections import Counter

import schemathesis
from schemathesis import GenerationMode
from schemathesis.engine import events, from_schema

from crmkit import db
from crmkit.core.api import values
from crmkit.core.api.tokens import create_token
from crmkit.core.auth.service import find_user
from crmkit.core.pipelines.setup import add_loss_reason, create_pipeline
from tests.conftest import ADMIN_EMAIL, add_user
from tests.plugins.projects import hooks as projects
from tests.reporting import show

SPEC = "/api/v1/openapi.json"
CHECKS = ["not_a_server_error", "status_code_conformance", "response_schema_conformance",
          "negative_data_rejection", "positive_data_acceptance", "unsupported_method", "allow_header_conformance"]
MAX_EXAMPLES = 15  # per operation and phase: finds each defect of issue 11 again
SEEDS = {"person": {"name": "Seed"}, "organization": {"name": "Seed", "is_competitor": True}, "activity": {"kind": "note"},
         "projects/project": {"name": "Seed"}, "lead": {"channel": "manual", "name": "Seed"}}


def describe(recorder, case_id, check) -> str:
    """One failure in one line: the check, the request, the answer."""
    case = recorder.cases[case_id].value
    interaction = recorder.interactions.get(case_id)
    response = interaction.response if interaction else None
    answer = f"{response.status_code} {response.content[:300]!r}" if response is not None else "no response"
    headers = {k: v for k, v in (case.headers or {}).items() if k not in ("Authorization", "User-Agent")}
    body = "" if type(case.body).__name__ == "NotSet" else repr(case.body)[:400]
    message = check.failure_info.failure.message.replace("\n", " | ")
    return f"{check.name}: {case.method} {case.formatted_path} {case.query or ''} {headers or ''} {body} -> {answer} :: {message}"


def link_fields(document) -> dict[str, dict[str, tuple[str, str]]]:
    """Per component, its link fields: name -> ("entity", key) or ("pair", the field naming the entity)."""
    found = {}
    for component, schema in document["components"]["schemas"].items():
        for name, prop in schema.get("properties", {}).items():
            if target := prop.get("x-crmkit-link"):
                found.setdefault(component, {})[name] = ("entity", target)
            elif entity_field := prop.get("x-crmkit-link-entity-field"):
                found.setdefault(component, {})[name] = ("pair", entity_field)
    return found


def real_links(case, links, records) -> None:
    """Point each link of the case's body whose value is a valid id (or a list of them) at a record that exists."""
    body = case.body
    if not isinstance(body, dict):
        return
    component = (case.operation.definition.raw.get("requestBody", {}).get("content", {})
                 .get("application/json", {}).get("schema", {}).get("$ref", "").rsplit("/", 1)[-1])
    for name, (kind, target) in links.get(component, {}).items():
        value = body.get(name)
        key = target if kind == "entity" else body.get(target)
        if not isinstance(key, str) or key not in records:
            continue
        if valid_id(value):
            body[name] = records[key]
        elif isinstance(value, list) and value and all(map(valid_id, value)):
            body[name] = [records[key]] * len(value)


def valid_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def real_record(case, records) -> None:
    """A valid record id in the path names the entity's record made for the run, so that a change
    reaches validation instead of a 404."""
    record_id = (case.path_parameters or {}).get("record_id")
    if isinstance(record_id, int) and not isinstance(record_id, bool) and record_id >= 1:
        key = case.operation.path.removeprefix("/api/v1/").split("/{")[0].replace("/", ".")
        case.path_parameters["record_id"] = records.get(key, record_id)


def end_not_before_start(case) -> None:
    body = case.body
    if case.operation.path.startswith("/api/v1/activity") and isinstance(body, dict):
        start, end = body.get("happened_at"), body.get("ends_at")
        if all(isinstance(v, str) and re.fullmatch(values.DATETIME, v) for v in (start, end)):
            body["ends_at"] = start


def new_lead_starts_new(case) -> None:
    """A lead is created in its workflow's first state, which the document's enum of all states can't say."""
    body = case.body
    if case.method == "POST" and case.operation.path == "/api/v1/lead" and isinstance(body, dict) and "status" in body:
        if body["status"] in ("new", "accepted", "assigned", "in_work", "reprocessing", "converted", "rejected"):
            body["status"] = "new"


def test_the_api_agrees_with_its_openapi_document(make_app, request):
    app = make_app(plugins=[projects], CRMKIT_LOCALE="en", DEFAULT_LOCALE="en")
    add_user(app, is_admin=True)
    with app.app_context():
        session = db.session()
        admin_id = find_user(session, ADMIN_EMAIL).id
        token = create_token(session, find_user(session, ADMIN_EMAIL), "schemathesis")[1]
        pipeline_id = create_pipeline(session, {"en": "Sales"}).id
        add_loss_reason(session, {"en": "Price"})
    headers = {"Authorization": f"Bearer {token}"}
    client = app.test_client()
    seeds = {**SEEDS, "deal": {"title": "Seed", "pipeline_id": pipeline_id}}
    records = {"user": admin_id}  # a user field (an activity's owner) names an active user
    for path, body in seeds.items():
        response = client.post(f"/api/v1/{path}", json=body, headers=headers)
        assert response.status_code == 201, response.get_json()
        records[path.replace("/", ".")] = response.get_json()["id"]
    links = link_fields(client.get(SPEC, headers=headers).get_json())

    schema = schemathesis.openapi.from_wsgi(SPEC, app, headers=headers)
    schema.config.update(headers=headers, continue_on_failure=True)
    schema.config.seed = 11
    schema.config.cache.enabled = False
    schema.config.generation.update(
        modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], max_examples=MAX_EXAMPLES, deterministic=True,
        database="none",
    )
    schema.config.phases.update(phases=["examples", "coverage", "fuzzing"])
    schema.config.checks.update(included_check_names=CHECKS)

    def before_call(context, case, kwargs):
        real_links(case, links, records)
        real_record(case, records)
        end_not_before_start(case)
        new_lead_starts_new(case)

    schemathesis.hook(before_call)
    started = time.monotonic()
    failures, cases, operations, answers = [], 0, set(), Counter()
    try:
        for event in from_schema(schema).execute():
            if isinstance(event, events.ScenarioFinished):
                operations.add(event.recorder.label)
                cases += len(event.recorder.cases)
                answers.update(i.response.status_code for i in event.recorder.interactions.values() if i.response)
                failures += [describe(event.recorder, case_id, check)
                             for case_id, checks in event.recorder.checks.items()
                             for check in checks if check.failure_info is not None]
            elif isinstance(event, (events.NonFatalError, events.FatalError)):
                failures.append(repr(event))
    finally:
        schemathesis.hooks.unregister(before_call)
    show(request, f"\nschemathesis: {len(operations)} operations, {cases} cases, {len(failures)} failures, "
                  f"{time.monotonic() - started:.0f} s; answers {dict(sorted(answers.items()))}")
    assert not failures, "\n".join(failures)
