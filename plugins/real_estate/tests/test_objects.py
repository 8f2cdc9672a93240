"""Property objects through the REST API: a listing number, the workflow, the price's history."""

URL = "/api/v1/real_estate/property"
FLAT = {"kind": "apartment", "deal_type": "sale", "city": "Almaty", "district": "Bostandyk",
        "street": "Abay avenue", "building": "10", "area": "54.50", "rooms": 2, "price": "42000000"}


def create(client, **fields):
    response = client.post(URL, json={**FLAT, **fields})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_an_object_without_a_number_gets_the_next_listing_number(api_client):
    agent = api_client("agent")
    first, second = create(agent), create(agent)
    assert first["number"].startswith("RE-") and first["number"] != second["number"]
