"""The one Alembic environment every lineage runs in; crmkit.migrate hands it the lineage."""

from alembic import context

config = context.config
lineage = config.attributes["lineage"]
connection = config.attributes["connection"]

context.configure(
    connection=connection,
    target_metadata=lineage.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    **lineage.context_options(),
)

with context.begin_transaction():
    context.run_migrations()
