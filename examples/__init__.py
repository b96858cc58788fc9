"""hulian package."""
