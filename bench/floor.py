"""The floor and the project's cheapest route, side by side in one run.

    python -m bench.floor [--seconds 10] [--connections 20] [--database-url URL] [--tree PATH]
                          [--workers K]

Starts the bare FastAPI app with one sync route (``bench/serve.py floor``) beside
Trivselsguiden as ``trivsel serve`` runs it, and loads the floor's route and the project's
``GET /healthz`` in the same run (wrk, or the Python generator without it), so the ratio
travels between machines. ``python -m bench.load`` does the same for every measured request.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bench import load


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default="")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--tree", type=Path)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers (PostgreSQL)")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    args.one_draft = True  # healthz only: no drafts to prepare
    args.profile = None
    args.only = ["healthz"]
    print(load.report(load.run(args), markdown=args.markdown))


if __name__ == "__main__":
    main()
