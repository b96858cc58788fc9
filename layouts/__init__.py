"""hulian.layouts: layouts, business types, scenes and home views -> view models."""
