"""The web layer: routing, dependencies, templating, HTMX and middleware."""
