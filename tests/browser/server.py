"""Serve the app for the browser tests and the front-end benchmark.

``python -m tests.browser.server DATA_DIR [--port N]``: migrates a fresh SQLite database in
DATA_DIR, seeds the demo organisation with ``TRIVSEL_DEMO_PASSWORD`` (the app's own seed
function), binds 127.0.0.1 on a free port (or N), prints ``PORT <n>`` and serves until it is
terminated. When DATA_DIR/asset-version exists, its content replaces the release version the
service worker is served with, so that a test can publish "a new release" without a restart.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import threading
import time
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from app import db
from app.demo import seed
from app.main import create_app
from app.settings import Settings

SECRET = "browser-test-secret-key-that-is-long-enough-0123456789"  # a throwaway test database


def _watch_version(app: FastAPI, path: Path) -> None:
    state = app.state
    original = state.asset_version
    while True:
        override = path.read_text(encoding="utf-8").strip() if path.exists() else ""
        state.asset_version = override or original
        time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    data_dir: Path = args.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    password = os.environ["TRIVSEL_DEMO_PASSWORD"]
    url = f"sqlite:///{data_dir / 'trivsel.db'}"
    db.upgrade(url)
    engine = db.make_engine(url)
    with db.session_scope(engine) as session:
        seed(session, password=password)
    engine.dispose()
    settings = Settings(
        _env_file=None,
        database_url=url,
        data_dir=data_dir,
        secret_key=SECRET,
        demo=True,
        login_max_failures_per_user=1000,
        login_max_failures_per_client=1000,
        session_idle_minutes=240,
    )
    app = create_app(settings)
    threading.Thread(
        target=_watch_version, args=(app, data_dir / "asset-version"), daemon=True
    ).start()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    print(f"PORT {sock.getsockname()[1]}", flush=True)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    server.run(sockets=[sock])
    sys.exit(0)


if __name__ == "__main__":
    main()
