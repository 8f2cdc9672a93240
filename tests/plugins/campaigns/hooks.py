"""Light fields on another plugin's entity: where a project came from, kept in its ``extra`` column."""
from marshmallow import Schema, fields, validate

from crmkit import EntityExtension, hookimpl

SOURCES = ("mail", "ads", "referral")


class CampaignFields(Schema):
    utm_source = fields.String(allow_none=True, validate=validate.OneOf(SOURCES), metadata={"label": "Source"})
    utm_campaign = fields.String(allow_none=True, validate=validate.Length(max=50), metadata={"label": "Campaign"})
    landing_visits = fields.Integer(allow_none=True, validate=validate.Range(min=0), metadata={"label": "Landing visits"})


@hookimpl
def entity_extensions():
    return [EntityExtension("projects.project", CampaignFields, label="Campaign")]
