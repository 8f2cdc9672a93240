"""The bad-input corpus (tests/bad_input.py) sent to every entity the app knows, plugins' ones and
the fields plugins and admins add included: never a server error; refused input is a 4xx in the
one error format, naming the field, parameter or header at fault, with nothing stored."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pytest
from marshmallow import fields as mf
from marshmallow import validate
from sqlalchemy import Boolean, Date, DateTime, Integer, Numeric, func, select

from crmkit import db
from crmkit.app import create_app
from crmkit.core.api.tokens import create_token
from crmkit.core.auth.service import find_user
from crmkit.core.pipelines.setup import add_loss_reason, create_pipeline
from crmkit.core.records.models import CustomField
from crmkit.entities import extensions
from crmkit.entities.history import Change
from tests import bad_input as corpus
from tests.conftest import TEST_SECRET, add_user, own_database
from tests.plugins.campaigns import hooks as campaigns
from tests.plugins.phonebook import hooks as phonebook
from tests.plugins.projects import hooks as projects
from tests.plugins.scoring import hooks as scoring
from tests.reporting import show

PLUGINS = [projects, scoring, campaigns, phonebook]
API = "/api/v1"
TRIED: dict[str, int] = {}


@pytest.fixture(scope="module")
def app(tmp_path_factory, migrated_databases):
    """One app for the whole corpus: every input leaves the database as it found it."""
    folder = tmp_path_factory.mktemp("bad_input")
    with pytest.MonkeyPatch.context() as patch, own_database(folder) as url:
        patch.setenv("CRMKIT_INSTANCE_PATH", str(folder / "instance"))
        config = {"TESTING": True, "SECRET_KEY": TEST_SECRET, "DATABASE_URL": url, "LOAD_ENTRY_POINTS": False,
                  "CRMKIT_LOCALE": "en", "DEFAULT_LOCALE": "en"}
        app = create_app(config, plugins=PLUGINS)
        migrated_databases.upgrade(db.engine_of(app), app.extensions["crmkit"].lineages)
        with app.app_context():
            session = db.session()
            for name, kind, link in [("ref", "link", "person"), ("signed", "date", None), ("rooms", "number", None),
                                     ("price", "money", None), ("vip", "boolean", None), ("note", "text", None)]:
                for entity in ("projects.project", "person"):
                    session.add(CustomField(entity=entity, name=name, label=name.title(), type=kind, link=link))
            session.commit()
            create_pipeline(session, {"en": "Corpus"})  # the configuration a deal needs, by the admins' service
            add_loss_reason(session, {"en": "Price"})
        yield app
        db.engine_of(app).dispose()


@pytest.fixture(scope="module")
def probe(app, request):
    add_user(app, is_admin=True, name="Admin")
    with app.app_context():
        token = create_token(db.session(), find_user(db.session(), "admin@example.com"), "corpus")[1]
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    found = Probe(app, client)
    found.seed()
    yield found
    summary = ", ".join(f"{name} {count}" for name, count in TRIED.items())
    show(request, f"\nbad-input corpus: {sum(TRIED.values())} inputs over {len(found.entities)} entities ({summary})")


@dataclass
class Field:
    """A field of an entity's effective schema: ``group`` is the extension's name, or None."""

    name: str
    schema_field: mf.Field
    group: str | None = None

    @property
    def fault(self) -> str:
        return self.group or self.name

    @property
    def kind(self) -> str:
        f = self.schema_field
        for cls, kind in [(mf.Boolean, "boolean"), (mf.Integer, "integer"), (mf.Number, "number"),
                          (mf.DateTime, "datetime"), (mf.Date, "date"), (mf.String, "text")]:
            if isinstance(f, cls):
                return kind
        return "other"

    def body(self, base: dict[str, Any], value: Any) -> dict[str, Any]:
        if self.group:
            return {**base, self.group: {self.name: value}}
        return {**base, self.name: value}


@dataclass
class Probe:
    app: Any
    client: Any
    failures: list[str] = field(default_factory=list)
    tried: int = 0
    entities: list = field(default_factory=list)
    records: dict[str, int] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)

    def seed(self) -> None:
        self.entities = list(self.app.extensions["crmkit"].entities)
        for entity in self.entities:
            response = self.client.post(f"{API}/{entity.path}", json=self.base(entity))
            if response.status_code == 201:
                self.records[entity.key] = response.get_json()["id"]
                self.versions[entity.key] = 1

    def fields(self, entity) -> list[Field]:
        with self.app.test_request_context():
            found = [Field(n, f) for n, f in entity.schema._declared_fields.items() if not f.dump_only]
            for part in extensions.groups(entity):
                found += [Field(n, f, part.namespace) for n, f in part.schema._declared_fields.items() if not f.dump_only]
        return found

    def base(self, entity) -> dict[str, Any]:
        """Values for the required fields: a new record of the entity, where nothing else is needed."""
        values = {}
        for name, schema_field in entity.schema._declared_fields.items():
            if not schema_field.required:
                continue
            with self.app.test_request_context():  # some choices are read from the database
                choices = next((list(v.choices) for v in schema_field.validators if isinstance(v, validate.OneOf)), None)
            if choices:
                values[name] = choices[0]
            elif isinstance(schema_field, mf.Integer):
                values[name] = 1
            else:
                values[name] = "Corpus sample"
        return values

    def rows(self, entity) -> tuple[int, int]:
        """The entity's rows and the history's: an insert or an update adds to one of them."""
        own = select(func.count()).select_from(entity.model.__table__).scalar_subquery()
        changes = select(func.count()).select_from(Change.__table__).scalar_subquery()
        with db.engine_of(self.app).connect() as conn:
            return tuple(conn.execute(select(own, changes)).one())

    def send(self, label: str, method: str, url: str, entity=None, *, refused: bool = True, fault: str | None = None,
             body: Any = None, raw: bytes | str | None = None, content_type: str = "application/json",
             headers: dict | None = None):
        """Send one input; record a failure when the answer breaks the rules. ``refused``: a 4xx is
        required (else any answer short of a 5xx will do); ``fault``: what the error must name."""
        self.tried += 1
        before = self.rows(entity) if entity is not None else None
        data = raw if raw is not None else (None if body is None else json.dumps(body))
        where = f"{label}: {method} {url[:80]} {str(data)[:80]!r}"
        try:  # TESTING propagates a view's exception: the 500 a client would get
            response = self.client.open(url, method=method, data=data, content_type=content_type, headers=headers or {})
        except Exception as error:  # noqa: BLE001 - every failure is reported, the corpus goes on
            self.failures.append(f"{where} -> 500 ({type(error).__name__}: {str(error).splitlines()[0][:120]})")
            return None
        status = response.status_code
        if status >= 500:
            self.failures.append(f"{where} -> {status}")
            return response
        if method == "PATCH" and status == 200:
            self.versions[entity.key] = response.get_json()["version"]
        if refused and not 400 <= status < 500:
            self.failures.append(f"{where} -> {status}, not refused")
        if status >= 400:
            error = (response.get_json(silent=True) or {}).get("error")
            if not isinstance(error, dict) or error.get("code") != status or not isinstance(error.get("fields"), dict):
                self.failures.append(f"{where} -> {status} without the error format")
            elif refused and fault is not None and status in (400, 422) and not names(error["fields"], fault):
                self.failures.append(f"{where} -> {status} naming {sorted(error['fields'])}, not {fault}")
            if before is not None and self.rows(entity) != before:
                self.failures.append(f"{where} -> {status} yet something was stored")
        return response

    def mutate(self, label: str, entity, target: Field, value: Any = None, raw: str | None = None, refused: bool = True):
        """POST a new record, and PATCH the seeded one, with ``target`` set to ``value`` (or raw JSON text)."""
        base = self.base(entity)
        body = target.body(base, value)
        text = None
        if raw is not None:
            text = json.dumps(target.body(base, "__RAW__")).replace('"__RAW__"', raw)
        self.send(label, "POST", f"{API}/{entity.path}", entity, refused=refused, fault=target.fault,
                  body=body, raw=text)
        if entity.key in self.records:
            patch = target.body({}, value) if raw is None else None
            text = json.dumps(target.body({}, "__RAW__")).replace('"__RAW__"', raw) if raw is not None else None
            self.send(label, "PATCH", f"{API}/{entity.path}/{self.records[entity.key]}", entity,
                      refused=refused, fault=target.fault, body=patch, raw=text, headers=self.if_match(entity))

    def if_match(self, entity) -> dict[str, str]:
        return {"If-Match": f'"{self.versions[entity.key]}"'}

    def done(self, category: str) -> None:
        TRIED[category] = TRIED.get(category, 0) + self.tried
        failures, self.failures, self.tried = self.failures, [], 0
        assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures[:40])


def test_every_entity_has_a_record_the_corpus_changes(probe):
    assert sorted(probe.records) == sorted(entity.key for entity in probe.entities)


def names(fields: dict, fault: str) -> bool:
    """Whether an error's fields name ``fault``: a field, or a group as a whole or by a dotted key."""
    return any(key == fault or key.startswith(f"{fault}.") for key in fields)


def max_length(target: Field) -> int | None:
    lengths = [v.max for v in target.schema_field.validators if isinstance(v, validate.Length) and v.max]
    return min(lengths) if lengths else None


@pytest.mark.parametrize("category", ["types", "dates"])
def test_wrong_types_and_dates_outside_iso_8601_or_1900_to_2200_are_refused_naming_the_field(probe, category):
    for entity in probe.entities:
        for target in probe.fields(entity):
            for value in corpus.REFUSED[category].get(target.kind, []):
                probe.mutate(category, entity, target, value)
    probe.done(category)


def test_nulls_and_missing_required_fields_are_refused_naming_the_field(probe):
    for entity in probe.entities:
        for target in probe.fields(entity):
            if not target.schema_field.allow_none:
                probe.mutate("nulls", entity, target, None)
            if target.schema_field.required:
                body = {k: v for k, v in probe.base(entity).items() if k != target.name}
                probe.send("missing", "POST", f"{API}/{entity.path}", entity, fault=target.fault, body=body)
        probe.send("missing", "POST", f"{API}/{entity.path}", entity, refused=bool(probe.base(entity)), body={})
    probe.done("nulls and missing")


def test_values_longer_than_their_field_are_refused_and_huge_ones_never_fail(probe):
    for entity in probe.entities:
        for target in probe.fields(entity):
            if target.kind != "text":
                continue
            if (longest := max_length(target)) is not None:
                probe.mutate("oversize", entity, target, "x" * (longest + 1))
            probe.mutate("oversize", entity, target, "y" * 100_000, refused=False)
    probe.done("oversize")


def test_json_nested_too_deeply_is_refused_naming_the_body(probe):
    for entity in probe.entities:
        url = f"{API}/{entity.path}"
        for depth in corpus.DEPTHS:
            probe.send("deep nesting", "POST", url, entity, fault="_body", raw=corpus.nested(depth))
            text = json.dumps(probe.base(entity))[:-1] + (", " if probe.base(entity) else "") + f'"x": {corpus.nested(depth)}}}'
            probe.send("deep nesting", "POST", url, entity, fault="_body", raw=text)
            if entity.key in probe.records:
                item = f"{url}/{probe.records[entity.key]}"
                probe.send("deep nesting", "PATCH", item, entity, fault="_body", raw=text, headers=probe.if_match(entity))
        for target in probe.fields(entity):  # within the limit, the field is named
            probe.mutate("deep nesting", entity, target, json.loads(corpus.nested(20)), refused=target.kind != "other")
    probe.done("deep nesting")


def test_bodies_that_are_not_a_json_object_in_utf8_are_refused(probe):
    for entity in probe.entities:
        for content_type, raw in corpus.BODIES:
            probe.send("invalid JSON and encodings", "POST", f"{API}/{entity.path}", entity, raw=raw, content_type=content_type)
            if entity.key in probe.records:
                item = f"{API}/{entity.path}/{probe.records[entity.key]}"
                probe.send("invalid JSON and encodings", "PATCH", item, entity, raw=raw, content_type=content_type,
                           headers=probe.if_match(entity))
    probe.done("invalid JSON and encodings")


def test_text_databases_refuse_is_refused_and_odd_text_is_stored_exactly(probe):
    for entity in probe.entities:
        for target in probe.fields(entity):
            if target.kind != "text":
                continue
            for value in corpus.REFUSED["unicode"]["text"]:
                probe.mutate("unicode", entity, target, value)
            for raw in corpus.RAW_REFUSED["text"]:
                probe.mutate("unicode", entity, target, raw=raw)
        round_trip(probe, entity, corpus.ODD_TEXT, "unicode")
    probe.done("unicode")


def round_trip(probe, entity, values, label) -> None:
    """Odd but valid text in the title: stored, and read back exactly as sent."""
    title = entity.schema._declared_fields.get(entity.title_field)
    if entity.key not in probe.records:  # no valid record to vary
        return
    if type(title) is not mf.String or any(isinstance(v, validate.OneOf) for v in title.validators):
        return
    for value in values:
        response = probe.send(label, "POST", f"{API}/{entity.path}", entity, refused=False,
                              fault=entity.title_field, body={**probe.base(entity), entity.title_field: value})
        if response is not None and response.status_code == 201:
            saved = probe.client.get(response.headers["Location"]).get_json()
            if saved[entity.title_field] != value:
                probe.failures.append(f"{label}: {entity.key} stored {saved[entity.title_field]!r} for {value!r}")


def test_numeric_extremes_are_refused_or_stored_without_a_server_error(probe):
    for entity in probe.entities:
        for target in probe.fields(entity):
            for value in corpus.REFUSED["numeric extremes"].get(target.kind, []):
                probe.mutate("numeric extremes", entity, target, value)
            for raw in corpus.RAW_REFUSED.get(target.kind, []) if target.kind != "text" else []:
                probe.mutate("numeric extremes", entity, target, raw=raw)
            for value in corpus.ODD_NUMBERS.get(target.kind, []):
                probe.mutate("numeric extremes", entity, target, value, refused=False)
    probe.done("numeric extremes")


def test_injections_are_plain_text_or_refused(probe):
    for entity in probe.entities:
        for target in probe.fields(entity):
            if target.kind == "text":
                for value in corpus.INJECTIONS[:3]:
                    probe.mutate("injections", entity, target, value, refused=False)
            elif target.kind in ("integer", "number", "date", "datetime"):
                probe.mutate("injections", entity, target, corpus.INJECTIONS[0])
        round_trip(probe, entity, corpus.INJECTIONS, "injections")
        for name in entity.filters:
            for value in corpus.INJECTIONS:
                probe.send("injections", "GET", f"{API}/{entity.path}?{name}={quote(value)}", refused=False, fault=name)
    probe.done("injections")


def test_hostile_query_parameters_are_refused_naming_the_parameter(probe):
    for entity in probe.entities:
        url = f"{API}/{entity.path}"
        for query, fault in corpus.QUERIES + typed_filters(entity):
            probe.send("query parameters", "GET", f"{url}?{query}", fault=fault)
        for query in corpus.ODD_QUERIES:
            probe.send("query parameters", "GET", f"{url}?{query}", refused=False)
    probe.done("query parameters")


def typed_filters(entity) -> list[tuple[str, str]]:
    """A value of the wrong type for each of the entity's filters on a number or date column."""
    found = []
    for name in entity.filters:
        kind = entity.model.__table__.c[name].type
        kind = getattr(kind, "impl", kind)
        if isinstance(kind, (Integer, Numeric, Date, DateTime)) and not isinstance(kind, Boolean):
            found += [(f"{name}=not-a-value", name), (f"{name}__gte=1e999x", f"{name}__gte")]
    return found


def test_hostile_headers_are_refused_or_ignored(probe):
    for entity in probe.entities:
        url = f"{API}/{entity.path}"
        if entity.key in probe.records:
            item = f"{url}/{probe.records[entity.key]}"
            for value in corpus.IF_MATCH:
                probe.send("headers", "DELETE", item, entity, headers={"If-Match": value})
                probe.send("headers", "PATCH", item, entity, fault="If-Match", body={}, headers={"If-Match": value})
        for value in corpus.ACCEPT_LANGUAGE:
            probe.send("headers", "GET", url, refused=False, headers={"Accept-Language": value})
            probe.send("headers", "POST", url, entity, body={"no_such_field": 1}, headers={"Accept-Language": value})
        probe.send("headers", "GET", url, refused=False, headers={"X-Padding": "x" * 100_000})
        probe.send("headers", "GET", url, headers={"Authorization": "Bearer " + "x" * 10_000})
        probe.send("headers", "GET", url, headers={"Authorization": "Basic YWRtaW46YWRtaW4="})
    probe.done("headers")
