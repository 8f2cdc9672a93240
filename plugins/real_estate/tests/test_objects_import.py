"""`crmkit real-estate import FILE`: objects from CSV or XLSX with photos by path or address, all or
nothing, every problem named by row and field, a non-zero exit when any."""

import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PIL import Image
from sqlalchemy import func, select

from crmkit import api, db
from crmkit_real_estate.models import Property

HEADER = "kind,deal_type,city,district,street,building,area,rooms,floor,floors,land_area,price,currency,photos,agent\n"


def png(color=(200, 40, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def importer(app, make_user):
    admin = make_user("admin", email="boss@example.com")
    agent = make_user("agent", email="dana@example.com")
    return admin, agent


def run(app, path, email="boss@example.com"):
    return app.test_cli_runner().invoke(args=["real-estate", "import", str(path), "--as", email])


def count(app, model=Property):
    with app.app_context():
        return db.session().execute(select(func.count()).select_from(model)).scalar()


def photos_of(app, number):
    with app.test_request_context():
        record = db.session().execute(select(Property).where(Property.number == number)).scalar_one()
        return [a.original_name for a in api.attachments_of("real_estate.property", record, kind="photo")], record


def test_a_csv_makes_its_objects_with_their_photos_and_agent(app, importer, tmp_path):
    (tmp_path / "front.png").write_bytes(png())
    (tmp_path / "kitchen.png").write_bytes(png((0, 90, 0)))
    (tmp_path / "objects.csv").write_text(
        HEADER + "apartment,sale,Almaty,Bostandyk,Abay,10,54.5,2,5,9,,42000000,KZT,front.png;kitchen.png,dana@example.com\n"
        "land,sale,Almaty,Medeu,,,1000,,,,10,15000000,KZT,,\n", encoding="utf-8")
    result = run(app, tmp_path / "objects.csv")
    assert result.exit_code == 0, result.output
    names, flat = photos_of(app, "RE-000001")
    assert names == ["front.png", "kitchen.png"] and count(app) == 2
    assert "Imported 2 objects. 2 photos attached." in result.output
    _admin, agent = importer
    assert flat.owner_id == agent.id


def test_one_bad_row_saves_nothing_and_names_each_problem_by_row_and_field(app, importer, tmp_path):
    (tmp_path / "objects.csv").write_text(
        HEADER + "apartment,sale,Almaty,Bostandyk,Abay,10,54.5,2,5,9,,42000000,KZT,,\n"
        "castle,sale,Almaty,,,,100,,,,,1,KZT,,\n"
        "apartment,sale,Almaty,,,,50,2,12,9,,1,KZT,missing.png,nobody@example.com\n", encoding="utf-8")
    result = run(app, tmp_path / "objects.csv")
    assert result.exit_code == 1
    assert "row 3, kind" in result.output and "row 4, agent" in result.output
    assert "Nothing imported: 2 problems." in result.output
    assert count(app) == 0


def test_a_missing_photo_is_a_problem_of_its_row(app, importer, tmp_path):
    (tmp_path / "objects.csv").write_text(
        HEADER + "apartment,sale,Almaty,Bostandyk,Abay,10,54.5,2,5,9,,42000000,KZT,missing.png,\n", encoding="utf-8")
    result = run(app, tmp_path / "objects.csv")
    assert result.exit_code == 1 and "row 2, photos: missing.png" in result.output and count(app) == 0


def test_photos_by_address_are_downloaded(app, importer, tmp_path):
    image = png()

    class Serve(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            self.wfile.write(image)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Serve)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/photos/view.png"
        (tmp_path / "objects.csv").write_text(
            HEADER + f"apartment,rent,Astana,Esil,Kabanbay,5,40,1,3,12,,250000,KZT,{url},\n", encoding="utf-8")
        result = run(app, tmp_path / "objects.csv")
    finally:
        server.shutdown()
    assert result.exit_code == 0, result.output
    assert photos_of(app, "RE-000001")[0] == ["view.png"]


def test_an_xlsx_workbook_is_read_like_a_csv(app, importer, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.strip().split(","))
    sheet.append(["house", "sale", "Almaty", "Medeu", "Dostyk", "3", 180, 5, None, 2, 8, 95000000, "KZT", None, None])
    book.save(tmp_path / "objects.xlsx")
    result = run(app, tmp_path / "objects.xlsx")
    assert result.exit_code == 0, result.output
    assert count(app) == 1


def test_importing_as_an_unknown_user_is_refused(app, make_user, tmp_path):
    make_user("admin", email="boss@example.com")
    (tmp_path / "objects.csv").write_text(HEADER, encoding="utf-8")
    assert run(app, tmp_path / "objects.csv", email="nobody@example.com").exit_code != 0


def test_the_generic_import_gives_objects_without_a_number_the_next_ones(app, importer, tmp_path):
    (tmp_path / "objects.csv").write_text("kind,deal_type,city,area,price\napartment,sale,Almaty,50,1000000\n"
                                          "land,sale,Almaty,600,2000000\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["import", "real_estate.property", str(tmp_path / "objects.csv"),
                                                "--as", "boss@example.com"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        numbers = db.session().execute(select(Property.number, Property.published_at).order_by(Property.id)).all()
    assert [n for n, _at in numbers] == ["RE-000001", "RE-000002"] and all(at for _n, at in numbers)
