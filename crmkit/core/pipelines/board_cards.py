"""A board's cards as HTML, written in Python: a board draws up to 250 of them, and a Jinja macro
per card was most of the page's time. Every value goes through ``escape``; what every card
repeats (the words, addresses, ``hidden`` and ``options``) is escaped once per page.

A card shows the deal's title (a link to its page), organisation, amount, next activity and
whether it is rotting; for someone who may move it, it is draggable and focusable (board.js) and
holds the no-JavaScript move form: the stage select and a button, with the version it was drawn
with and the board's filters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

MOVABLE = ' draggable="true" tabindex="0" aria-describedby="board-hint" aria-haspopup="menu"'


@dataclass
class Cards:
    """What the cards of one page share, made once (see board.card_context)."""

    organisations: dict[int, str]
    next: dict[int, Any]  # deal id -> its next open task or meeting
    rotting: set[int]
    rot_text: dict[int, str]  # stage id -> "rotting: more than N days"
    money: Any  # (amount, currency) -> text
    when: Any  # a moment -> its date and time, short, in the user's zone and language
    detail: str  # the deal page's address, "{}" where the id goes
    move: str  # the move form's address, likewise
    hidden: Markup  # the move form's CSRF token and the board's filters
    options: dict[int, Markup]  # stage id -> the other stages as <option>s
    all_options: Markup
    words: dict[str, str]
    can_move: bool

    def __post_init__(self) -> None:
        self.rot_text = {stage: str(escape(text)) for stage, text in self.rot_text.items()}
        self.words = {name: str(escape(text)) for name, text in self.words.items()}
        self.detail, self.move = str(escape(self.detail)), str(escape(self.move))

    def render(self, deal: Any) -> Markup:
        words = self.words
        organisation = self.organisations.get(deal.organization_id) if deal.organization_id else None
        if deal.amount is not None:
            amount = escape(self.money(deal.amount, deal.currency))
        else:
            amount = f'<span class="muted">{words["no_amount"]}</span>'
        rotting = deal.id in self.rotting
        return Markup(
            f'<li class="board-card{" rotting" if rotting else ""}" id="deal-{deal.id:d}" data-deal="{deal.id:d}" '
            f'data-version="{deal.version:d}" data-stage="{deal.stage_id:d}"{MOVABLE if self.can_move else ""}>\n'
            f'  <a class="board-card-title" href="{self.detail.format(deal.id)}">{escape(deal.title)}</a>\n'
            + (f'  <p class="board-card-org">{escape(organisation)}</p>\n' if organisation else "")
            + f'  <p class="board-card-amount">{amount}</p>\n  <p class="board-card-next">{self.next_of(deal.id)}</p>\n'
            + (f'  <p class="board-card-rot">{self.rot_text[deal.stage_id]}</p>\n' if rotting else "")
            + (self.form(deal) if self.can_move else "")
            + "</li>\n"
        )

    def next_of(self, deal_id: int) -> str:
        activity = self.next.get(deal_id)
        if activity is None:
            return f'<span class="muted">{self.words["no_next"]}</span>'
        subject = escape(activity.subject) if activity.subject else self.words["no_subject"]
        when = self.when(activity.happened_at)
        return (f'<span class="muted">{self.words["next"]}</span> {subject} · '
                f'<time datetime="{activity.happened_at.isoformat()}">{escape(when)}</time>')

    def form(self, deal: Any) -> str:
        return (f'  <form method="post" action="{self.move.format(deal.id)}" class="card-move">\n'
                f'    <input type="hidden" name="version" value="{deal.version:d}">{self.hidden}\n'
                f'    <label for="move-{deal.id:d}">{self.words["move_to"]}</label>\n'
                f'    <select id="move-{deal.id:d}" name="stage_id">{self.options.get(deal.stage_id, self.all_options)}</select>\n'
                f'    <button type="submit">{self.words["move"]}</button>\n  </form>\n')
