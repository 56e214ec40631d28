"""ASGI entry point for process managers: ``uvicorn app.asgi:app`` (settings from the env)."""

from app.main import create_app

app = create_app()
