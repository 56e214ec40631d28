"""The notification document as PDF/A-3b: ``templates/concerns/document.html`` rendered by
WeasyPrint (HTML and CSS to PDF, with Pango for text layout and the fonts found through
fontconfig, embedded as subsets).

WeasyPrint needs its system libraries (Pango, PangoFT2, HarfBuzz's subsetter, fontconfig) and
a font: DejaVu Sans from Debian's ``fonts-dejavu-core`` (docs/operations.md). It is imported
when the first document is made, so that the app and the command line start without paying
for it. Rendering takes some tens of milliseconds (docs/performance.md): the route is a plain
``def``, run in the threadpool, never on the event loop.

The document fetches nothing: every URL in it is refused (no network, no file), so no text a
user typed can make the renderer read anything."""

from __future__ import annotations

import jinja2

from app.concerns.document import NotificationDocument

TEMPLATE = "concerns/document.html"
PDF_VARIANT = "pdf/a-3b"
"""PDF/A-3, level B (the visual appearance is preserved): what archives accept."""


def render_html(env: jinja2.Environment, document: NotificationDocument) -> str:
    """The document as HTML for print (A4), the input of :func:`render_pdf`."""
    return env.get_template(TEMPLATE).render(doc=document)


def render_pdf(env: jinja2.Environment, document: NotificationDocument) -> bytes:
    """The document as a PDF/A-3b file with embedded fonts."""
    import weasyprint  # heavy (Pango through cffi): loaded on first use

    # No protocol is allowed: every URL (http, file, data) is refused and nothing is loaded.
    nothing = weasyprint.URLFetcher(allowed_protocols=(), fail_on_errors=True)
    html = weasyprint.HTML(string=render_html(env, document), url_fetcher=nothing)
    pdf: bytes = html.write_pdf(
        pdf_variant=PDF_VARIANT, pdf_identifier=document.filename_stem.encode()
    )
    return pdf
