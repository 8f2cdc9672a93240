"""Fixtures of the documents tests: an app with its admin, the shipped templates, and a deal
with line items made through the framework's records service and the pipelines' own line saving."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crmkit import db
from crmkit.core.auth.models import User
from crmkit.core.documents import defaults
from crmkit.core.documents.models import DocumentTemplate
from crmkit.core.pipelines import parts
from crmkit.entities.service import Records
from crmkit.testing.accounts import ADMIN_EMAIL, ADMIN_PASSWORD, add_user
from tests.browser.conftest import (  # noqa: F401 - the browser fixtures and hooks, for the browser test
    browser_locale,
    browser_page,
    chromium,
    live_server,
    new_page,
    pytest_runtest_makereport,
    pytest_runtest_setup,
)
from tests.pipelining import new_pipeline

LINES = [  # name, quantity, price, discount %, VAT %
    {"name": "Монтаж окон", "unit": "шт", "quantity": "3", "price": "150000", "discount_percent": "10", "vat_rate": "12"},
    {"name": "Доставка", "unit": "усл", "quantity": "1", "price": "25000.50", "discount_percent": "0", "vat_rate": "12"},
]
# 3 x 150000 less 10% = 405000.00 + 12% = 48600.00; 25000.50 + 3000.06; total 481600.56
TOTAL = "481600.56"


@pytest.fixture
def docs_app(make_app):
    app = make_app(DEFAULT_LOCALE="en")
    add_user(app, ADMIN_EMAIL, ADMIN_PASSWORD, is_admin=True, name="Admin")
    with app.app_context():
        defaults.install(db.session())
        db.session().commit()
    return app


def records(app, key: str, user_id: int = 1) -> Records:
    session = db.session()
    return Records(app.extensions["crmkit"].entities.get(key), session.get(User, user_id), session)


def new_deal_with_lines(app, title="Окна для ТОО «Ромашка»", lines=LINES, user_id=1) -> int:
    """A deal of an organisation, with a person as its payer and the given line items."""
    sales = new_pipeline(app)
    with app.test_request_context():
        organization = records(app, "organization", user_id).create({"name": "ТОО «Ромашка»"}).id
        deal = records(app, "deal", user_id).create({"title": title, "pipeline_id": sales["pipeline"],
                                                     "organization_id": organization, "currency": "KZT"})
        deal_records = records(app, "deal", user_id)
        for line in lines:
            deal = deal_records.get(deal.id)
            parts.save_line(deal_records, deal, line, deal.version)
        return deal.id


def template_id(app, language="ru") -> int:
    with app.app_context():
        return db.session().execute(select(DocumentTemplate.id).where(DocumentTemplate.name == defaults.NAMES[language])).scalar_one()
