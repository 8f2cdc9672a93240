from datetime import datetime

from sqlmodel import Field, SQLModel

from crmkit.db import utcnow


class Note(SQLModel, table=True):
    __tablename__ = "notebook_note"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200, index=True)
    created_at: datetime = Field(default_factory=utcnow)
