"""The shipped sales contract, a Word template in Russian, Kazakh and English, built here with
python-docx rather than kept as binary files: its text is readable in review and the same
code makes the file the tests upload.

``python -m crmkit.core.documents.contract FOLDER`` writes the three .docx files, for an admin
who wants to change one in Word and upload it again.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from docx import Document as WordDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

TEXT = {
    "ru": {
        "title": "Договор купли-продажи № {{ document.number }}",
        "place": "г. Алматы", "date": "{{ document.date }}",
        "parties": "{{ organization.name }}, именуемое в дальнейшем «Покупатель», в лице {{ person.name }}, "
                   "с одной стороны, и Продавец в лице {{ user.name }}, с другой стороны, заключили настоящий "
                   "договор о нижеследующем.",
        "sections": [
            ("1. Предмет договора", "Продавец передаёт в собственность Покупателя товары (работы, услуги) по сделке "
                                    "«{{ record.title }}», а Покупатель принимает и оплачивает их:"),
        ],
        "columns": ("№", "Наименование", "Кол-во", "Ед.", "Цена", "Сумма"),
        "total": "Общая сумма договора: {{ totals.total }} ({{ totals.in_words }}), в том числе НДС {{ totals.vat }}.",
        "terms": [
            ("2. Порядок оплаты", "Покупатель перечисляет сумму договора на счёт Продавца в течение 10 банковских "
                                  "дней с даты подписания настоящего договора."),
            ("3. Срок передачи", "Продавец передаёт товары в течение 15 рабочих дней с даты поступления оплаты."),
            ("4. Ответственность сторон", "За неисполнение или ненадлежащее исполнение обязательств стороны несут "
                                          "ответственность в соответствии с законодательством Республики Казахстан."),
            ("5. Заключительные положения", "Договор вступает в силу с даты подписания сторонами и действует до полного "
                                            "исполнения обязательств. Договор составлен в двух экземплярах, имеющих "
                                            "равную юридическую силу."),
        ],
        "seller": "Продавец", "buyer": "Покупатель", "signature": "Подпись",
        "footer": "Договор № {{ document.number }} от {{ document.date }}",
    },
    "kk": {
        "title": "Сатып алу-сату шарты № {{ document.number }}",
        "place": "Алматы қ.", "date": "{{ document.date }}",
        "parties": "Бұдан әрі «Сатып алушы» деп аталатын {{ organization.name }}, {{ person.name }} атынан, бір "
                   "тараптан, және Сатушы {{ user.name }} атынан, екінші тараптан, төмендегілер туралы осы шартты жасасты.",
        "sections": [
            ("1. Шарттың мәні", "Сатушы «{{ record.title }}» мәмілесі бойынша тауарларды (жұмыстарды, қызметтерді) "
                                "Сатып алушының меншігіне береді, ал Сатып алушы оларды қабылдап, ақысын төлейді:"),
        ],
        "columns": ("№", "Атауы", "Саны", "Өлш.", "Бағасы", "Сомасы"),
        "total": "Шарттың жалпы сомасы: {{ totals.total }} ({{ totals.in_words }}), оның ішінде ҚҚС {{ totals.vat }}.",
        "terms": [
            ("2. Төлем тәртібі", "Сатып алушы шарт сомасын осы шартқа қол қойылған күннен бастап 10 банктік күн "
                                 "ішінде Сатушының шотына аударады."),
            ("3. Беру мерзімі", "Сатушы тауарларды төлем түскен күннен бастап 15 жұмыс күні ішінде береді."),
            ("4. Тараптардың жауапкершілігі", "Міндеттемелерді орындамағаны немесе тиісінше орындамағаны үшін тараптар "
                                              "Қазақстан Республикасының заңнамасына сәйкес жауап береді."),
            ("5. Қорытынды ережелер", "Шарт тараптар қол қойған күннен бастап күшіне енеді және міндеттемелер толық "
                                      "орындалғанға дейін әрекет етеді. Шарт бірдей заңды күші бар екі данада жасалды."),
        ],
        "seller": "Сатушы", "buyer": "Сатып алушы", "signature": "Қолы",
        "footer": "{{ document.date }} № {{ document.number }} шарт",
    },
    "en": {
        "title": "Sales contract No. {{ document.number }}",
        "place": "Almaty", "date": "{{ document.date }}",
        "parties": "{{ organization.name }} (the Buyer), represented by {{ person.name }}, and the Seller, represented "
                   "by {{ user.name }}, have agreed as follows.",
        "sections": [
            ("1. Subject", "The Seller transfers to the Buyer the goods (work, services) of the deal «{{ record.title }}», "
                           "and the Buyer accepts and pays for them:"),
        ],
        "columns": ("No.", "Item", "Qty", "Unit", "Price", "Amount"),
        "total": "Contract total: {{ totals.total }} ({{ totals.in_words }}), VAT included {{ totals.vat }}.",
        "terms": [
            ("2. Payment", "The Buyer pays the contract total to the Seller's account within 10 banking days of "
                           "signing this contract."),
            ("3. Delivery", "The Seller delivers the goods within 15 working days of receiving the payment."),
            ("4. Liability", "Each party is liable for failing to perform its obligations under the law of the "
                             "Republic of Kazakhstan."),
            ("5. Final provisions", "The contract takes effect when both parties sign it and lasts until the obligations "
                                    "are fulfilled. It is made in two copies of equal legal force."),
        ],
        "seller": "Seller", "buyer": "Buyer", "signature": "Signature",
        "footer": "Contract No. {{ document.number }} of {{ document.date }}",
    },
}
ITEM_CELLS = ("{{ item.position }}", "{{ item.name }}", "{{ item.quantity }}", "{{ item.unit }}", "{{ item.price }}",
              "{{ item.total }}")
NAMES = {"ru": "Договор купли-продажи (RU, Word)", "kk": "Сатып алу-сату шарты (KK, Word)", "en": "Sales contract (EN, Word)"}
FILENAMES = {language: f"sales-contract-{language}.docx" for language in TEXT}


def heading(document, text: str) -> None:
    paragraph = document.add_paragraph()
    paragraph.add_run(text).bold = True


def build(language: str) -> bytes:
    """The contract's .docx in ``language`` (ru, kk, en), placeholders and all."""
    text = TEXT[language]
    document = WordDocument()
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = "Times New Roman", Pt(11)
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(text["title"])
    run.bold, run.font.size = True, Pt(14)
    where = document.add_table(rows=1, cols=2)
    where.rows[0].cells[0].text = text["place"]
    where.rows[0].cells[1].text = text["date"]
    where.rows[0].cells[1].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    document.add_paragraph(text["parties"])
    for name, body in text["sections"]:
        heading(document, name)
        document.add_paragraph(body)
    items = document.add_table(rows=4, cols=len(text["columns"]))
    items.style = "Table Grid"
    for cell, label in zip(items.rows[0].cells, text["columns"]):
        cell.text = ""
        cell.paragraphs[0].add_run(label).bold = True
    items.rows[1].cells[0].text = "{%tr for item in items %}"
    for cell, value in zip(items.rows[2].cells, ITEM_CELLS):
        cell.text = value
    items.rows[3].cells[0].text = "{%tr endfor %}"
    document.add_paragraph(text["total"])
    for name, body in text["terms"]:
        heading(document, name)
        document.add_paragraph(body)
    signatures = document.add_table(rows=3, cols=2)
    for column, (party, who) in enumerate(((text["seller"], "{{ user.name }}"), (text["buyer"], "{{ organization.name }}"))):
        signatures.rows[0].cells[column].paragraphs[0].add_run(party).bold = True
        signatures.rows[1].cells[column].text = who
        signatures.rows[2].cells[column].text = f"{text['signature']}: ____________"
    document.sections[0].footer.paragraphs[0].text = text["footer"]
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def main(folder: str) -> None:
    Path(folder).mkdir(parents=True, exist_ok=True)
    for language, filename in FILENAMES.items():
        (Path(folder) / filename).write_bytes(build(language))
        print(Path(folder) / filename)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
