"""The guide core: content model, YAML loading and evaluation (pure: no web, no database)."""
