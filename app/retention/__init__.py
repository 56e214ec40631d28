"""Retention: what is deleted when it has served its purpose (docs/operations.md, "Retention")."""
