"""``crmkit pipelines rebuild-totals``: make the kept rows the board, the funnel and plan and fact
read (``pipelines_deal_total``, ``pipelines_funnel_stay``) again from the deals and their stage
history. The database's triggers keep them in every write's transaction; this is for a restore
of some tables alone, or to check them."""

from __future__ import annotations

import click
from sqlalchemy import func, select

from crmkit import db as database
from crmkit.core.pipelines import totals
from crmkit.core.pipelines.reports import stays
from crmkit.i18n import gettext as _
from crmkit.i18n import lazy_gettext as _l


@click.group("pipelines", help=_l("Pipelines: the kept totals the board and the reports read."))
def command() -> None:
    pass


@command.command("rebuild-totals", help=_l("Make the board's totals and the funnel's stage history again from the deals."))
def rebuild_totals() -> None:
    session = database.session()
    totals.rebuild(session)
    stays.rebuild(session)
    session.commit()
    buckets = session.execute(select(func.count()).select_from(totals.DealTotal)).scalar_one()
    moves = session.execute(select(func.count()).select_from(stays.FunnelStay)).scalar_one()
    click.echo(_("Totals rebuilt: %(buckets)d buckets of deals, %(moves)d moves of the funnel.", buckets=buckets, moves=moves))
