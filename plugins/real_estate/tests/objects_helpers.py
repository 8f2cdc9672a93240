"""Objects made through the REST API as an agent would, for the objects tests."""

URL = "/api/v1/real_estate/property"
FLAT = {"kind": "apartment", "deal_type": "sale", "city": "Almaty", "district": "Bostandyk",
        "street": "Abay avenue", "building": "10", "area": "54.50", "rooms": 2, "floor": 5, "floors": 9,
        "price": "42000000"}


def create(client, **fields):
    response = client.post(URL, json={**FLAT, **fields})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def change(client, record, **fields):
    return client.patch(f"{URL}/{record['id']}", json={"version": record["version"], **fields})


def refused_fields(response) -> list[str]:
    assert response.status_code == 422, response.get_json()
    return sorted(response.get_json()["error"]["fields"])
