"""The REST API: ``create_app(engine)`` builds the Starlette application (docs/api.md)."""

from hulian.runtime.api.app import API_PREFIX, create_app

__all__ = ["API_PREFIX", "create_app"]
