"""Alembic revisions for hulian's own system tables (see hulian.engine.system.migrate)."""
