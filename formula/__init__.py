"""hulian.formula: the typed formula language (grammar, checker, Python and SQL back-ends)."""
