"""Converting a lead in one step: the person, the organisation and the deal made or found, the
lead converted with links to all three, in one transaction (all or nothing).

Before anything is made the people and organisations that share the lead's phone or email (the
contacts' own index) and the organisations of the same name are offered; making a new person or
organisation while such a match exists needs ``confirm_duplicates`` (the form's second press).
The deal is made in the pipeline the user picks (default: the first on the board), its title, the
lead's request as its description, the person as its contact, the lead's owner as its owner;
the lead's channel, source and UTM tags are kept on the deal (``lead_triage_deal_origin``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import url_for

from crmkit import db as database
from crmkit import search
from crmkit.core.contacts import phones
from crmkit.core.contacts.fields import normalize_email
from crmkit.core.contacts.models import Organization
from crmkit.core.duplicates.similar import normal_name
from crmkit.core.inventory import service as inventory
from crmkit.core.lead_triage import hints, moves
from crmkit.core.lead_triage.triage import convert_into
from crmkit.core.pipelines import names, parts
from crmkit.entities.errors import Conflict, Forbidden, Invalid
from crmkit.i18n import gettext as _

CONVERTIBLE = ("new", "accepted", "assigned", "in_work", "reprocessing")
NAMESAKES_LIMIT = 20


@dataclass
class Plan:
    """What the user chose: ``person`` and ``organization`` are "new", "none" or an id; ``deal`` is
    "new" or an existing deal's id."""

    person: str = "new"
    organization: str = "none"
    deal: str = "new"
    pipeline_id: int | None = None
    title: str = ""
    amount: str = ""
    confirm_duplicates: bool = False


def first_pipeline_id() -> int | None:
    """The first pipeline on the board that is not archived."""
    live = [p for p in names.pipelines().values() if p.archived_at is None]
    return min(live, key=lambda p: (p.position, p.id)).id if live else None


def default_title(lead: Any) -> str:
    who = lead.name or lead.organization_name or (phones.pretty(lead.phone_key) if lead.phone_key else None) or lead.email_key
    return (who or _("Lead #%(id)d", id=lead.id))[:200]


def typed_phones(lead: Any) -> list[str]:
    """The lead's phones as typed, those that are valid numbers, each once."""
    found, seen = [], set()
    for raw in phones.split(lead.phones):
        try:
            e164 = phones.normalize(raw)
        except ValueError:
            continue
        if e164 not in seen:
            seen.add(e164)
            found.append(raw)
    return found


def valid_emails(lead: Any) -> list[str]:
    found = []
    for raw in (lead.emails or "").replace(";", ",").split(","):
        try:
            address = normalize_email(raw.strip())
        except ValueError:
            continue
        if address and address.casefold() not in {a.casefold() for a in found}:
            found.append(address)
    return found


def person_values(lead: Any, organization_id: int | None) -> dict[str, Any]:
    numbers, emails = typed_phones(lead), valid_emails(lead)
    return {
        "name": default_title(lead),
        "phone": numbers[0] if numbers else None,
        "other_phones": "\n".join(numbers[1:]) or None,
        "email": emails[0] if emails else None,
        "other_emails": "\n".join(emails[1:]) or None,
        "organization_id": organization_id,
        "is_prospect": True,
    }


def organization_values(lead: Any) -> dict[str, Any]:
    return {"name": (lead.organization_name or default_title(lead))[:200], "is_prospect": True}


def namesakes(user: Any, lead: Any) -> list[hints.Hint]:
    """Organisations the user sees whose name folds to the lead's organisation name."""
    name = lead.organization_name
    if not name or not normal_name(name):
        return []
    organizations = moves.records("organization", user)
    if not organizations.can("view"):
        return []
    statement = (organizations.select()
                 .where(Organization.id.in_(search.matching_ids(organizations.entity, name, organizations.db)))
                 .with_only_columns(Organization.id, Organization.name).order_by(Organization.id).limit(NAMESAKES_LIMIT))
    return [hints.Hint("organization", org_id, other, url_for("records.organization_detail", record_id=org_id), _("same name"))
            for org_id, other in organizations.db.execute(statement) if normal_name(other) == normal_name(name)]


def candidates(user: Any, lead: Any) -> tuple[list[hints.Hint], list[hints.Hint], int]:
    """The people and the organisations the lead may be (visible ones), and how many matches the
    user can't open."""
    found = hints.for_leads(user, database.session(), [lead])[lead.id]
    people = found.of("person")
    organizations = found.of("organization")
    known = {hint.record_id for hint in organizations}
    organizations += [hint for hint in namesakes(user, lead) if hint.record_id not in known]
    return people, organizations, found.hidden


def default_plan(user: Any, lead: Any, people: list, organizations: list) -> Plan:
    """A match found by phone or email is offered first; else a new person (and a new
    organisation when the lead names one)."""
    return Plan(
        person=str(lead.person_id or (people[0].record_id if people else "new")),
        organization=str(lead.organization_id or (organizations[0].record_id if organizations else
                                                   ("new" if lead.organization_name else "none"))),
        deal="new", pipeline_id=first_pipeline_id(), title=default_title(lead),
    )


def chosen_id(raw: str, field: str) -> int | None:
    """An id the form sent for ``field``, or ``Invalid``."""
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise Invalid({field: [_("Choose from the list.")]}) from None
    if value <= 0 or value > database.MAX_ID:
        raise Invalid({field: [_("Choose from the list.")]})
    return value


def money(text: str) -> Decimal | None:
    text = (text or "").replace("\u00a0", "").replace(" ", "").replace(",", ".")
    if not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        raise Invalid({"amount": [_("Not a valid amount.")]}) from None


class Converter:
    """Conversions by one user; each writes through the records service and commits once."""

    def __init__(self, user: Any):
        self.user = user
        self.session = database.session()
        self.leads = moves.records(moves.LEAD, user, self.session)

    def lead(self, lead_id: int) -> Any:
        lead = self.leads.get(lead_id)
        if not self.leads.can("edit"):
            raise Forbidden("lead.edit")
        return lead

    def convert(self, lead: Any, plan: Plan, version: int | None) -> Any:
        """The deal the lead now points at; ``Invalid`` (nothing saved) when a choice is wrong."""
        try:
            deal = self._convert(lead, plan, version)
        except BaseException:
            self.session.rollback()
            raise
        self.session.commit()
        return deal

    def _convert(self, lead: Any, plan: Plan, version: int | None) -> Any:
        if lead.status not in CONVERTIBLE:
            raise Invalid({"status": [_("This lead can't be converted in its state.")]})
        if version is not None and version != lead.version:
            raise Conflict(lead, {"status": "converted"})
        if not plan.confirm_duplicates:
            self.check_duplicates(lead, plan)
        organization_id = self.organization(lead, plan.organization)
        person_id = self.person(lead, plan.person, organization_id)
        deal, created = self.deal(lead, plan, organization_id, person_id)
        convert_into(self.leads, lead, deal, person_id, organization_id, created=created,
                     owner_id=lead.owner_id or deal.owner_id)
        inventory.link_items("deal", deal.id, inventory.items_of("lead", lead.id))  # the deal is about what the lead was
        return deal

    def check_duplicates(self, lead: Any, plan: Plan) -> None:
        people, organizations, _hidden = candidates(self.user, lead)
        errors = {}
        if plan.person == "new" and people:
            errors["person"] = [_("People with the same phone or email exist: %(names)s. Choose one, or create a new person anyway.",
                                  names=", ".join(hint.title for hint in people))]
        if plan.organization == "new" and organizations:
            errors["organization"] = [_("Similar organisations exist: %(names)s. Choose one, or create a new one anyway.",
                                        names=", ".join(hint.title for hint in organizations))]
        if errors:
            raise Invalid(errors)

    def organization(self, lead: Any, choice: str) -> int | None:
        if choice == "none":
            return None
        organizations = moves.records("organization", self.user, self.session)
        if choice == "new":
            return organizations.create(organization_values(lead)).id
        wanted = chosen_id(choice, "organization")
        if wanted not in organizations.visible_ids({wanted}):
            raise Invalid({"organization": [_("No such record.")]})
        return wanted

    def person(self, lead: Any, choice: str, organization_id: int | None) -> int | None:
        if choice == "none":
            return None
        people = moves.records("person", self.user, self.session)
        if choice == "new":
            try:
                return people.create(person_values(lead, organization_id)).id
            except Invalid as error:  # the fields are the person's: name them so on the lead's page
                raise Invalid({"person": [f"{field}: {' '.join(map(str, messages))}"
                                          for field, messages in error.fields.items()]}) from None
        wanted = chosen_id(choice, "person")
        if wanted not in people.visible_ids({wanted}):
            raise Invalid({"person": [_("No such record.")]})
        return wanted

    def deal(self, lead: Any, plan: Plan, organization_id: int | None, person_id: int | None) -> tuple[Any, bool]:
        deals = moves.records("deal", self.user, self.session)
        if plan.deal != "new":
            wanted = chosen_id(plan.deal, "deal")
            if wanted not in deals.visible_ids({wanted}):
                raise Invalid({"deal": [_("No such deal.")]})
            return deals.get(wanted), False
        pipeline_id = plan.pipeline_id or first_pipeline_id()
        if pipeline_id is None:
            raise Invalid({"pipeline_id": [_("There is no pipeline to make the deal in; an admin sets one up first.")]})
        pipeline = names.pipelines().get(pipeline_id)
        values = {"title": (plan.title or default_title(lead)).strip()[:200], "pipeline_id": pipeline_id,
                  "organization_id": organization_id, "description": lead.request,
                  "currency": pipeline.currency if pipeline is not None else "KZT"}
        amount = money(plan.amount)
        if amount is not None:
            values["amount"] = str(amount)
        deal = deals.create(values)
        owner_id = lead.owner_id or self.user.id
        if owner_id != deal.owner_id:
            deals.assign_owner(deal, owner_id)
        if person_id is not None:
            parts.add_person(deals, deal, person_id, "contact", deal.version)
        return deal, True
