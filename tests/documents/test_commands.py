"""``crmkit documents defaults`` adds the shipped templates (an offer and a Word contract, in three
languages) once, leaving an admin's changes alone."""

from __future__ import annotations

from sqlalchemy import select

from crmkit import db
from crmkit.core.documents import defaults
from crmkit.core.documents.models import DocumentTemplate


def test_the_shipped_templates_are_added_once_and_changes_are_kept(make_app):
    app = make_app(DEFAULT_LOCALE="en")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["documents", "defaults"]).output.strip() == "Templates added: 6."
    with app.app_context():
        russian = db.session().execute(select(DocumentTemplate).where(DocumentTemplate.name == defaults.NAMES["ru"])).scalar_one()
        russian.source = "<p>{{ document.number }}</p>"
        db.session().commit()
    assert runner.invoke(args=["documents", "defaults"]).output.strip() == "Templates added: 0."
    with app.app_context():
        names = db.session().execute(select(DocumentTemplate.name, DocumentTemplate.language, DocumentTemplate.source)).all()
        assert sorted(language for _, language, _ in names) == ["en", "en", "kk", "kk", "ru", "ru"]
        assert ("Коммерческое предложение (RU)", "ru", "<p>{{ document.number }}</p>") in names
