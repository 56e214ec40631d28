"""Log lines without personal data: JSON for a log collector, plain text for a terminal.

Every line carries the request id (the one in the ``X-Request-ID`` answer and in the audit
log), so an access line, an error and the audit rows of one request can be put together.
What a line never holds: a request's body or query string, a name, a CPR number. The code
logs route templates and ids, never values; and an exception is logged as its type and its
stack (file, line, function), **without its message**, because a message may quote data (a
database error quotes the row's values). Locals are never logged.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
import traceback
from typing import Any, Literal

from app.audit.context import current_request

LogFormat = Literal["json", "plain", "auto"]

#: Fields of a record (``extra=``) that a line may carry besides the message. Anything else
#: passed as ``extra`` is left out: a field is added here on purpose, after asking whether it
#: can hold personal data.
FIELDS = ("request_id", "method", "route", "status", "duration_ms")


def _exception_text(exc_info: Any) -> str:
    """The exception chain as types and stack frames, without messages or locals."""
    value = exc_info[1]
    if value is None:
        return ""
    lines: list[str] = []
    seen: set[int] = set()
    chain: list[BaseException] = []
    current: BaseException | None = value
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append(current)
        current = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__
        )
    for index, exc in enumerate(reversed(chain)):
        if index:
            lines.append("The above exception led to:")
        frames = traceback.extract_tb(exc.__traceback__)
        lines.extend(
            f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}' for frame in frames
        )
        lines.append(f"{type(exc).__module__}.{type(exc).__qualname__}")
    return "\n".join(lines)


def _request_id(record: logging.LogRecord) -> str:
    explicit = getattr(record, "request_id", None)
    if explicit:
        return str(explicit)
    context = current_request.get()
    return context.request_id if context is not None else ""


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ``time`` (UTC, ISO 8601), ``level``, ``logger``, ``message``,
    ``request_id`` (empty outside a request), the whitelisted :data:`FIELDS` a record has, and
    ``exception`` (types and frames only) when one is logged."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": _request_id(record),
        }
        for field in FIELDS[1:]:
            value = getattr(record, field, None)
            if value is not None:
                line[field] = value
        if record.exc_info:
            line["exception"] = _exception_text(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


class PlainFormatter(logging.Formatter):
    """``time level logger message request_id=…`` for a developer's terminal; exceptions as
    in :class:`JsonFormatter` (types and frames only)."""

    def format(self, record: logging.LogRecord) -> str:
        time = dt.datetime.fromtimestamp(record.created, dt.UTC).strftime("%H:%M:%S")
        text = f"{time} {record.levelname:<7} {record.name}: {record.getMessage()}"
        request_id = _request_id(record)
        if request_id and "request_id=" not in text:
            text += f" request_id={request_id}"
        if record.exc_info:
            text += "\n" + _exception_text(record.exc_info)
        return text


def resolve_format(log_format: LogFormat, stream: Any = None) -> Literal["json", "plain"]:
    """``auto``: plain text when stderr is a terminal (a developer), JSON otherwise (a
    container, a service manager, a file)."""
    if log_format != "auto":
        return log_format
    stream = sys.stderr if stream is None else stream
    isatty = getattr(stream, "isatty", None)
    return "plain" if isatty is not None and isatty() else "json"


def logging_config(level: str, log_format: LogFormat) -> dict[str, Any]:
    """The ``logging.config.dictConfig`` of ``trivsel serve`` (given to uvicorn): every logger
    (the app's, uvicorn's, the root) through one formatter; the access lines (``trivsel.access``)
    on stdout, everything else on stderr. uvicorn's own access log is off (``serve`` passes
    ``access_log=False``): it prints the query string."""
    chosen = resolve_format(log_format)
    formatter = {"()": f"app.logs.{'JsonFormatter' if chosen == 'json' else 'PlainFormatter'}"}
    level = level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"trivsel": formatter},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "trivsel",
                "stream": "ext://sys.stderr",
            },
            "stdout": {
                "class": "logging.StreamHandler",
                "formatter": "trivsel",
                "stream": "ext://sys.stdout",
            },
        },
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "level": level, "propagate": False},
            "uvicorn.error": {"level": level},
            # Never enabled (serve turns uvicorn's access log off); kept quiet if it were.
            "uvicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
            "trivsel": {"handlers": ["stderr"], "level": level, "propagate": False},
            "trivsel.access": {"handlers": ["stdout"], "level": level, "propagate": False},
        },
        "root": {"handlers": ["stderr"], "level": "WARNING"},
    }
