"""One stateless worker for ``tests/web/test_two_workers.py``.

``python -m tests.web.worker_process`` builds the app exactly as ``app.asgi`` does (every
setting from ``TRIVSEL_*`` in the environment), listens on 127.0.0.1 on a free port, prints
``PORT <n>`` and serves until it is terminated. Nothing is kept in the process that another
worker on the same database would need: that is what the test proves."""

from __future__ import annotations

import socket
import sys

import uvicorn

from app.main import create_app


def main() -> None:
    app = create_app()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)  # a request sent now waits in the backlog until uvicorn has started
    print(f"PORT {sock.getsockname()[1]}", flush=True)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    server.run(sockets=[sock])
    sys.exit(0)


if __name__ == "__main__":
    main()
