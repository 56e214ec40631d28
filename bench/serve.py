"""The servers the load benchmark measures, one process each (started by bench/load.py).

    python -m bench.serve floor   --port N [--workers K]
    python -m bench.serve project --port N --database-url URL --data-dir DIR [--tree PATH]
                                  [--workers K]
    python -m bench.serve setup   --database-url URL --data-dir DIR [--tree PATH]
    python -m bench.serve rung    --step N --data-dir DIR --port N

``floor`` is a bare FastAPI app with one sync route (``GET /healthz``), under the same uvicorn
with its cheapest options (no access log): the ceiling any FastAPI app reaches on the machine.
``project`` is Trivselsguiden as ``trivsel serve`` starts it (the same uvicorn options, the
access log included), with the demo organisation. ``--tree`` puts another source tree's
``app`` first on the path (e.g. an export of ``main``, for a before/after comparison).
``setup`` migrates and seeds the database with that tree's own code. ``rung`` is rung N of
``bench.ladder`` (its SQLite file ``DIR/ladder.db``, made by the rung) under the floor's
uvicorn options, one worker. Binds 127.0.0.1 only.

``--workers K`` (default 1) runs K uvicorn worker processes under a master, for the floor
and for the project alike. The project's then start as ``trivsel serve --workers K`` starts
them (``app.asgi:app``, its settings from ``TRIVSEL_*`` variables, which this sets from the
same values as the one-process settings; the metrics directory prepared as serve does);
like serve, it refuses K > 1 on SQLite.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

PASSWORD = "benchmark-password-2026"  # noqa: S105 - a throwaway benchmark database
SECRET = "benchmark-secret-key-that-is-long-enough-0123456789"  # noqa: S105 - likewise


def floor_app() -> Any:
    """The bare FastAPI app: one sync route and nothing else."""
    from fastapi import FastAPI

    app = FastAPI()

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


#: the floor's uvicorn options (and a ladder rung's): the cheapest, no access log
FLOOR_OPTIONS: dict[str, Any] = {
    "host": "127.0.0.1",
    "log_level": "warning",
    "access_log": False,
    "server_header": False,
}


def rung(step: int, data_dir: Path, port: int) -> None:
    """``bench.ladder``'s rung ``step`` with the floor's options, its database in ``data_dir``."""
    import uvicorn

    from bench.ladder import rung as ladder_rung

    app, _ = ladder_rung(step, data_dir / "ladder.db", served=True)
    uvicorn.run(app, port=port, **FLOOR_OPTIONS)


def _settings(url: str, data_dir: Path) -> Any:
    from app.settings import Settings

    return Settings(
        _env_file=None,
        database_url=url,
        data_dir=data_dir,
        secret_key=SECRET,
        demo=True,
        login_max_failures_per_user=1000,
        login_max_failures_per_client=1000,
    )


def setup(url: str) -> None:
    """Migrate ``url`` and seed the demo organisation (users with :data:`PASSWORD`)."""
    from app import db
    from app.demo import seed

    db.upgrade(url)
    engine = db.make_engine(url)
    with db.session_scope(engine) as session:
        seed(session, password=PASSWORD)
    engine.dispose()


def _environment(url: str, data_dir: Path) -> dict[str, str]:
    """:func:`_settings` as the ``TRIVSEL_*`` variables ``app.asgi`` reads them from."""
    return {
        "TRIVSEL_DATABASE_URL": url,
        "TRIVSEL_DATA_DIR": str(data_dir),
        "TRIVSEL_SECRET_KEY": SECRET,
        "TRIVSEL_DEMO": "true",
        "TRIVSEL_LOGIN_MAX_FAILURES_PER_USER": "1000",
        "TRIVSEL_LOGIN_MAX_FAILURES_PER_CLIENT": "1000",
    }


def project(url: str, data_dir: Path, port: int, workers: int = 1) -> None:
    """Trivselsguiden with ``trivsel serve``'s uvicorn options (``workers``: as
    ``trivsel serve --workers`` runs them)."""
    import uvicorn

    from app import cli
    from app.main import create_app

    settings = _settings(url, data_dir)
    options = getattr(cli, "uvicorn_options", None)
    if options is not None:
        kwargs = options(settings)
    else:  # an older tree: the options its serve command used
        kwargs = {"proxy_headers": False, "log_level": settings.log_level, "server_header": False}
    if workers > 1:
        if settings.is_sqlite:
            raise SystemExit("--workers > 1 needs PostgreSQL, as trivsel serve does")
        os.environ.update(_environment(url, data_dir))
        prepare = getattr(cli, "_prepare_multiprocess_metrics", None)
        if prepare is not None:
            prepare(settings)
        uvicorn.run("app.asgi:app", host="127.0.0.1", port=port, workers=workers, **kwargs)
        return
    uvicorn.run(create_app(settings), host="127.0.0.1", port=port, **kwargs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=["floor", "project", "setup", "rung"])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--data-dir", type=Path, default=Path("."))
    parser.add_argument("--tree", type=Path)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--step", type=int, default=0, help="rung: bench.ladder's rung")
    args = parser.parse_args()
    if args.tree is not None:
        tree = str(args.tree.resolve())
        sys.path.insert(0, tree)
        # the workers are spawned: they find the tree's app the same way
        os.environ["PYTHONPATH"] = os.pathsep.join(
            p for p in (tree, os.environ.get("PYTHONPATH", "")) if p
        )
    if args.kind == "floor":
        import uvicorn

        options = {**FLOOR_OPTIONS, "port": args.port}
        if args.workers > 1:
            uvicorn.run("bench.serve:floor_app", factory=True, workers=args.workers, **options)
        else:
            uvicorn.run(floor_app(), **options)
    elif args.kind == "rung":
        rung(args.step, args.data_dir, args.port)
    elif args.kind == "setup":
        setup(args.database_url)
    else:
        project(args.database_url, args.data_dir, args.port, args.workers)


if __name__ == "__main__":
    main()
