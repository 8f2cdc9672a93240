"""Typed, queryable fields on another plugin's entity: a score per project in a table of our own."""
from marshmallow import Schema, fields, validate
from sqlmodel import Field, SQLModel

from crmkit import EntityExtension, hookimpl
from tests.plugins.projects import hooks as projects

REQUIRES = (projects,)  # our table refers to theirs, so their migrations run first


class ProjectScore(SQLModel, table=True):
    __tablename__ = "scoring_project_score"

    id: int | None = Field(default=None, primary_key=True)
    record_id: int = Field(foreign_key="projects_project.id", unique=True)
    score: int | None = Field(default=None, index=True)
    tier: str | None = Field(default=None, max_length=10)


class ScoreFields(Schema):
    score = fields.Integer(allow_none=True, validate=validate.Range(min=0, max=100), metadata={"label": "Score"})
    tier = fields.String(allow_none=True, validate=validate.OneOf(("gold", "silver")), metadata={"label": "Tier"})


@hookimpl
def register_models():
    return [ProjectScore]


@hookimpl
def entity_extensions():
    return [EntityExtension("projects.project", ScoreFields, model=ProjectScore, label="Scoring")]
