"""Formulas in the engine: scopes over metadata, compiled per deploy, SQL on read."""
