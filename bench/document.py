"""What one notification document costs to render: ``GET /api/v1/concerns/{id}/document.pdf``
without the database (its part is the same as ``document.json``'s).

    python -m bench.document [--runs 20]

Renders a notification of typical size (a long message, eight signs of concern, three
strengths, every detail filled in) with the app's template environment and WeasyPrint, as the
route does: the first render (WeasyPrint's import, fontconfig, the font's first load) and then
``--runs`` more, wall time and the process's CPU time (steadier on a shared machine). A
benchmark, not a test: it prints the figures for docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time

from app.concerns.document import (
    DocumentCatalog,
    DocumentChild,
    DocumentDeadline,
    DocumentHandling,
    DocumentInstitution,
    DocumentLevel,
    DocumentNotifier,
    DocumentParents,
    DocumentRecipient,
    DocumentSign,
    DocumentStrength,
    NotificationDocument,
)
from app.concerns.pdf import render_pdf
from app.concerns.schemas import Urgency
from app.concerns.workflow import ConcernStatus
from app.web.templating import make_templates

RECEIVED = dt.datetime(2026, 12, 3, 9, 15, tzinfo=dt.UTC)


def sample() -> NotificationDocument:
    """A notification of typical size, with invented data."""
    sign = "Barnet trækker sig fra legen og søger ikke de voksne, når det er ked af det."
    return NotificationDocument(
        id=1234,
        generated_at=RECEIVED + dt.timedelta(hours=2),
        received_at=RECEIVED,
        recipient=DocumentRecipient(
            municipality="Kommunen",
            unit="Børne- og familieafdelingen",
            district_id=1,
            district="Nord",
        ),
        urgency=Urgency.URGENT,
        critical=False,
        acute=False,
        level=DocumentLevel(level=3, name="Mistrivsel"),
        child=DocumentChild(
            name="Alma Jensen",
            birth_date=dt.date(2021, 6, 7),
            cpr_masked="070621-XXXX",
            age_years=5,
            parents="Mor: Hanne Jensen, 20 30 40 50. Far: Peter Jensen, 60 70 80 90.",
            interpreter_language="",
        ),
        notifier=DocumentNotifier(
            name="Sofie Pædagog",
            role="Pædagog, barnets primærperson",
            contact="Børnehuset Solsikken, Solsikkevej 1, 9000 Nordby",
            institution=DocumentInstitution(
                id=1, name="Børnehuset Solsikken", address="Solsikkevej 1, 9000 Nordby"
            ),
        ),
        catalog=DocumentCatalog(id="3-5", version=3, title="Børn 3–5 år (børnehave)"),
        observed_indicators=[
            DocumentSign(id=f"s{i}", text=sign, level=3, critical=False, acute=False)
            for i in range(8)
        ],
        strengths=[
            DocumentStrength(id=f"r{i}", text="Barnet er glad for at tegne.") for i in range(3)
        ],
        message=("Vi har set, at Alma gennem de sidste seks uger er blevet mere stille. " * 20),
        done_so_far="Talt med forældrene to gange og med lederen. Mere voksenkontakt om morgenen.",
        parents=DocumentParents(
            informed=True, note="Mor var enig og vil gerne have hjælp.", abuse_rule=False
        ),
        deadlines={
            "assess_by": DocumentDeadline(
                label="Vurderes senest",
                due=RECEIVED + dt.timedelta(hours=24),
                met=None,
                state="open",
            ),
            "acknowledge_by": DocumentDeadline(
                label="Kvittering senest",
                due=RECEIVED + dt.timedelta(days=8),
                met=None,
                state="open",
            ),
        },
        handling=DocumentHandling(
            status=ConcernStatus.RECEIVED,
            acknowledged_at=None,
            assessed_at=None,
            outcome=None,
            closed_at=None,
        ),
    )


def main() -> None:
    """Print the first and the following render times."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    env = make_templates().env
    document = sample()
    start = time.perf_counter()
    size = len(render_pdf(env, document))
    first = time.perf_counter() - start
    times = []
    cpu = []
    for _ in range(args.runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        render_pdf(env, document)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    times.sort()
    p95 = times[max(0, round(0.95 * len(times)) - 1)]
    print(f"PDF of {size:,} bytes; first render {first * 1000:.0f} ms (import, fonts)")
    print(
        f"then {args.runs} renders: median {statistics.median(times) * 1000:.0f} ms, "
        f"p95 {p95 * 1000:.0f} ms, min {times[0] * 1000:.0f} ms; "
        f"CPU median {statistics.median(cpu) * 1000:.0f} ms a render"
    )


if __name__ == "__main__":
    main()
