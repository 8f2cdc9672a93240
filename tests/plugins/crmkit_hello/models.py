from sqlmodel import Field, SQLModel


class Greeting(SQLModel, table=True):
    __tablename__ = "hello_greeting"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
