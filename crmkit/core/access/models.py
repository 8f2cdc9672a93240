"""Roles, offices and departments: who may do what, and whose records they see."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Integer
from sqlmodel import Field, SQLModel

# How far a role sees records of an entity, from narrowest to widest.
VISIBILITY_LEVELS = ("own", "subordinates", "department", "all")


class Role(SQLModel, table=True):
    """A named set of permission patterns (fnmatch: ``contact.*``, ``*.view``) and visibility levels.

    ``visibility`` maps entity-key patterns to a level; the most specific pattern wins.
    """

    __tablename__ = "core_role"

    name: str = Field(primary_key=True, max_length=50)
    label: str = Field(default="", max_length=100)
    permissions: list[str] = Field(default_factory=list, sa_type=JSON)
    visibility: dict[str, Any] = Field(default_factory=lambda: {"*": "own"}, sa_type=JSON)


class Office(SQLModel, table=True):
    __tablename__ = "core_office"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    address: str = Field(default="", max_length=500)
    timezone: str | None = Field(default=None, max_length=64)


class Department(SQLModel, table=True):
    """A unit of an office; departments nest, and the head sees the whole subtree."""

    __tablename__ = "core_department"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    office_id: int | None = Field(default=None, foreign_key="core_office.id", index=True)
    parent_id: int | None = Field(default=None, foreign_key="core_department.id", index=True)
    # use_alter: users and departments point at each other, so this key is added after both exist.
    head_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("core_user.id", use_alter=True, name="fk_core_department_head_id_core_user")),
    )
