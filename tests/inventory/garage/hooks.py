"""A test plugin with an inventory entity: cars on a dealer's lot, found by plate or price."""
from decimal import Decimal

from marshmallow import Schema, fields, validate
from sqlmodel import Field

from crmkit import api


class Car(api.Record, table=True):
    __tablename__ = "garage_car"

    plate: str = Field(max_length=20, unique=True)
    model: str = Field(max_length=100)
    price: Decimal = Field(max_digits=15, decimal_places=2, index=True)


class CarSchema(Schema):
    plate = fields.String(required=True, validate=validate.Length(min=1, max=20), metadata={"label": "Plate"})
    model = fields.String(required=True, validate=validate.Length(min=1, max=100), metadata={"label": "Model"})
    price = api.Money(required=True, metadata={"label": "Price"})


@api.hookimpl
def register_models():
    return [Car]


@api.hookimpl
def register_entities():
    return [api.EntityType("car", Car, CarSchema, "Car", "Cars", list_columns=("plate", "model", "price"),
                           search_fields=("plate", "model"), title_field="plate")]


@api.hookimpl
def inventory_entities():
    return [api.Inventory("garage.car", number_fields=("price",), describe=lambda car: f"{car.model}, {car.price}")]
