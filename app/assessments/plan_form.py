"""The finish step's plan as a page's form posts it: the focus-point rows (``fp_text``,
``fp_who``, ``fp_responsible``, ``fp_due_on``, column by column) and the parents' note
(``parents_involvement``, ``parents_on``, ``parents_how``). One reading for every finish
page that asks them (an assessment's, a joint assessment's), so that the same fields mean
the same and are refused with the same Danish messages; the rules themselves are the
service's (``service._check_plan``)."""

from __future__ import annotations

from app import messages
from app.accounts.models import User
from app.assessments import service
from app.assessments.schemas import MAX_FOCUS_POINTS
from app.errors import Invalid
from app.web.forms import form_date

FOCUS_ROWS = 3
"""Focus-point rows the finish form offers (empty ones are ignored; the API takes up to 10)."""


def focus_rows(rows: list[dict[str, str]] | None, user: User) -> list[dict[str, str]]:
    """The focus-point rows as typed, padded with empty ones (the user follows up)."""
    empty = {"text": "", "who": "", "responsible": str(user.id), "due_on": ""}
    typed = list(rows or [])
    return typed + [dict(empty) for _ in range(max(FOCUS_ROWS - len(typed), 0))]


def focus_form(
    texts: list[str] | None,
    whos: list[str] | None,
    responsibles: list[str] | None,
    dues: list[str] | None,
) -> list[dict[str, str]]:
    """The focus-point rows a form posted, column by column (at most the API's limit)."""
    columns = [list(c or []) for c in (texts, whos, responsibles, dues)]
    count = min(max((len(c) for c in columns), default=0), MAX_FOCUS_POINTS + 1)

    def cell(column: list[str], n: int) -> str:
        return column[n] if n < len(column) else ""

    return [
        {
            "text": cell(columns[0], n),
            "who": cell(columns[1], n),
            "responsible": cell(columns[2], n),
            "due_on": cell(columns[3], n),
        }
        for n in range(count)
    ]


def focus_inputs(rows: list[dict[str, str]]) -> list[service.FocusPointInput]:
    """The rows for the service; a row that is not filled in is left out there."""
    points = []
    for n, row in enumerate(rows):
        responsible = row["responsible"].strip()
        if responsible and not (responsible.isascii() and responsible.isdigit()):
            raise Invalid.field(
                f"focus_points[{n}].responsible_id",
                messages.FOCUS_POINT_RESPONSIBLE.format(n=n + 1),
            )
        due = form_date(
            row["due_on"],
            f"focus_points[{n}].due_on",
            message=f"Fokuspunkt {n + 1}: skriv datoen som en dato, fx 01.09.2025.",
        )
        points.append(
            service.FocusPointInput(
                text=row["text"],
                who=row["who"],
                responsible_id=int(responsible) if responsible else None,
                due_on=due,
            )
        )
    return points


def parents_input(form: dict[str, str]) -> service.ParentsInput | None:
    """The parents' note a form posted; none chosen: nothing noted."""
    involvement = form.get("involvement", "").strip()
    if not involvement:
        return None
    on = form_date(form.get("on", ""), "parents.on", message=messages.PARENTS_DATE)
    return service.ParentsInput(involvement=involvement, on=on, how=form.get("how", ""))
