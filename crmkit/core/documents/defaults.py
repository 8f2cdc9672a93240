"""The templates crmkit ships: a commercial offer from a deal (HTML, made into a PDF) and a sales
contract (a Word template, crmkit.core.documents.contract) in Russian, Kazakh and English, added by ``crmkit documents defaults`` or the button on the templates page (never twice: a
template of the same name is left as the admin changed it)."""

from __future__ import annotations

from sqlalchemy import select

from crmkit.core.documents import contract
from crmkit.core.documents.models import DocumentTemplate

OFFER = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{{{{ document.number }}}}</title>
<style>
  @page {{ size: A4; margin: 18mm 15mm; }}
  body {{ font-family: "DejaVu Sans", sans-serif; font-size: 10pt; color: #111; }}
  h1 {{ font-size: 16pt; margin: 0 0 4mm; }}
  table {{ width: 100%; border-collapse: collapse; margin: 4mm 0; }}
  th, td {{ border: 1px solid #999; padding: 1.5mm 2mm; vertical-align: top; }}
  th {{ background: #eee; }}
  td.n {{ text-align: right; white-space: nowrap; }}
  .total td {{ font-weight: bold; }}
</style></head>
<body>
<h1>{title} № {{{{ document.number }}}}</h1>
<p>{date}: {{{{ document.date }}}}</p>
<p>{to}: {{{{ organization.name }}}}{{% if organization.name and person.name %}}, {{% endif %}}{{{{ person.name }}}}</p>
<p>{about}: {{{{ record.title }}}}</p>
<table>
  <thead><tr><th>№</th><th>{name}</th><th>{quantity}</th><th>{unit}</th><th>{price}</th><th>{discount}</th><th>{vat}</th><th>{total}</th></tr></thead>
  <tbody>
  {{% for item in items %}}
    <tr><td>{{{{ item.position }}}}</td><td>{{{{ item.name }}}}</td><td class="n">{{{{ item.quantity }}}}</td><td>{{{{ item.unit }}}}</td>
        <td class="n">{{{{ item.price }}}}</td><td class="n">{{{{ item.discount_percent }}}}</td><td class="n">{{{{ item.vat }}}}</td><td class="n">{{{{ item.total }}}}</td></tr>
  {{% endfor %}}
  </tbody>
  <tfoot>
    <tr><td colspan="7">{net}</td><td class="n">{{{{ totals.net }}}}</td></tr>
    <tr><td colspan="7">{vat}</td><td class="n">{{{{ totals.vat }}}}</td></tr>
    <tr class="total"><td colspan="7">{grand}</td><td class="n">{{{{ totals.total }}}}</td></tr>
  </tfoot>
</table>
<p>{in_words}: {{{{ totals.in_words }}}}</p>
<p>{valid}</p>
<p>{manager}: {{{{ record.owner_id }}}}</p>
</body></html>
"""

LABELS = {
    "ru": dict(title="Коммерческое предложение", date="Дата", to="Кому", about="Предмет", name="Наименование",
               quantity="Кол-во", unit="Ед.", price="Цена", discount="Скидка, %", vat="НДС", total="Сумма",
               net="Итого без НДС", grand="Всего к оплате", in_words="Сумма прописью",
               valid="Предложение действительно 30 календарных дней.", manager="Менеджер"),
    "kk": dict(title="Коммерциялық ұсыныс", date="Күні", to="Кімге", about="Тақырыбы", name="Атауы",
               quantity="Саны", unit="Өлш.", price="Бағасы", discount="Жеңілдік, %", vat="ҚҚС", total="Сомасы",
               net="ҚҚС-сыз жиыны", grand="Төлеуге барлығы", in_words="Сома жазбаша",
               valid="Ұсыныс 30 күнтізбелік күн жарамды.", manager="Менеджер"),
    "en": dict(title="Commercial offer", date="Date", to="To", about="Subject", name="Item",
               quantity="Qty", unit="Unit", price="Price", discount="Discount, %", vat="VAT", total="Amount",
               net="Net total", grand="Total due", in_words="Amount in words",
               valid="This offer is valid for 30 calendar days.", manager="Manager"),
}
NAMES = {"ru": "Коммерческое предложение (RU)", "kk": "Коммерциялық ұсыныс (KK)", "en": "Commercial offer (EN)"}


def offer_source(language: str) -> str:
    return OFFER.format(lang=language, **LABELS[language])


def install(session) -> list[DocumentTemplate]:
    """Add the shipped templates that are missing (by name); the caller commits."""
    names = [*NAMES.values(), *contract.NAMES.values()]
    existing = set(session.execute(select(DocumentTemplate.name).where(DocumentTemplate.name.in_(names))).scalars())
    added = [DocumentTemplate(name=name, entity="deal", doc_type="offer", language=language, source=offer_source(language))
             for language, name in NAMES.items() if name not in existing]
    added += [DocumentTemplate(name=name, entity="deal", doc_type="contract", language=language, engine="docx",
                               docx=contract.build(language), docx_name=contract.FILENAMES[language])
              for language, name in contract.NAMES.items() if name not in existing]
    session.add_all(added)
    return added
