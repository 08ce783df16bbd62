"""Alembic's entry point: run the migrations on the connection `kb` hands over (never a URL from a file)."""

from alembic import context

from search.eventtables import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata)
with context.begin_transaction():
    context.run_migrations()
