"""Sources: found from a lead's hints, UTM first, and shown by name."""

from __future__ import annotations

from crmkit import db
from crmkit.core.leads.intake import Incoming, receive
from crmkit.core.leads.sources import detect, source_name


def test_detect_prefers_the_utm_tag_over_the_form(app, make_source):
    krisha = make_source("krisha", utm_source="krisha")
    site = make_source("site", form="tok123")
    with app.app_context():
        assert detect({"utm_source": "Krisha", "form": "tok123"}) == krisha
        assert detect({"form": "tok123"}) == site
        assert detect({"utm_source": "unknown"}) is None


def test_detect_reads_mailboxes_numbers_and_referring_hosts(app, make_source):
    mail = make_source("mail", mailbox="sales@agency.kz")
    calls = make_source("calls", number="+77270000000")
    olx = make_source("olx", referrer_host="olx.kz")
    with app.app_context():
        assert detect({"mailbox": "Sales@Agency.kz"}) == mail
        assert detect({"number": "+7 727 000 00 00"}) == calls
        assert detect({"referrer_host": "https://www.olx.kz/d/obyavlenie/123"}) == olx


def test_a_received_lead_gets_its_source_and_shows_it_by_name(app, make_source):
    krisha = make_source("krisha", {"ru": "Крыша", "en": "Krisha.kz"}, utm_source="krisha")
    with app.app_context():
        lead, _ = receive(Incoming(channel="form", utm={"utm_source": "krisha"}))
        db.session().commit()
        assert lead.source_id == krisha
        assert source_name(krisha) == "Krisha.kz"
