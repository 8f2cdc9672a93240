"""The inventory tests run the core with a test plugin whose cars are inventory (garage)."""

from decimal import Decimal

import pytest

from crmkit import api, db
from crmkit.core.auth.models import User
from tests.inventory.garage import hooks as garage


@pytest.fixture
def crmkit_plugins():
    return [garage]


@pytest.fixture
def app(make_app):
    return make_app(CRMKIT_LOCALE="en", DEFAULT_LOCALE="en")


def add_car(app, owner, plate="777 ABC 02", model="Camry", price="12000000"):
    with app.test_request_context():
        user = db.session().get(User, owner.id)
        return api.Records("garage.car", user).create({"plate": plate, "model": model, "price": Decimal(price)}).id


def add_activity(app, owner, subject="Call about a car", kind="call"):
    with app.test_request_context():
        user = db.session().get(User, owner.id)
        return api.Records("activity", user).create({"kind": kind, "subject": subject}).id
