"""Helpers of the mail template tests: a deal with links, money and a date, and stored templates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from crmkit import db
from crmkit.core.mail_templates.models import MailTemplate
from tests.merging import create
from tests.pipelining import new_pipeline

BODY = """<p>{{ recipient.name }}, the deal «{{ record.title }}»</p>
<ul>
  <li>{{ record.organization_id }}</li>
  <li>{{ record.amount }} {{ record.currency }}</li>
  <li>{{ record.expected_close_on }}</li>
  <li>{{ record.stage_id }}</li>
</ul>
<p><a href="{{ link }}">Open</a> · {{ sender.name }}</p>
"""


def a_deal(app, admin_email, title="Abay 12") -> int:
    ids = new_pipeline(app, en="Sales", ru="Продажи", kk="Сату")
    organization = create(app, "organization", as_user=admin_email, name="Altyn Kilt LLP")
    return create(app, "deal", as_user=admin_email, title=title, pipeline_id=ids["pipeline"],
                  organization_id=organization, amount=Decimal("1500000.50"), currency="KZT",
                  expected_close_on=date(2026, 3, 20))


def a_template(app, key="deal_won", entity="deal", texts=None) -> int:
    texts = texts or {
        "en": {"subject": "Deal {{ record.title }} for {{ recipient.name }}", "body": BODY},
        "ru": {"subject": "Сделка {{ record.title }}", "body": BODY},
        "kk": {"subject": "Мәміле {{ record.title }}", "body": BODY},
    }
    with app.app_context():
        session = db.session()
        template = MailTemplate(key=key, entity=entity, name=key.replace("_", " ").title(), texts=texts)
        session.add(template)
        session.commit()
        return template.id
