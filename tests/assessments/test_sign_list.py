"""The questionnaire's signs, made once per catalog version (app/assessments/sign_list.py):
the same HTML the template's own loop made, the draft's ticks joined in per page, and a cache
that holds catalog content only, never a child's name, a draft or its ticks."""

from __future__ import annotations

import gc

import pytest
from bs4 import BeautifulSoup

from app import db
from app.assessments import sign_list
from app.catalogs import service as catalogs
from app.guide.loader import dump_catalog, parse_catalog
from app.web.templating import make_templates
from tests.factories import id_of, make_child, publish_with_text_changed

#: What templates/assessments/questionnaire.html rendered for an area's signs before the
#: items were made once per catalog (the loop exactly as it stood, with its whitespace).
THE_LOOP = """{% import "_macros/levels.html" as lv %}
<ul>
        {% for indicator in area.indicators %}
<li><label><input type="checkbox" name="observed" value="{{ indicator.id }}"{% if indicator.id in observed %} checked{% endif %}>
<span><span>{{ indicator.text }}</span> <span>{{ lv.marker(indicator.level, indicator.critical, indicator.acute) }}</span></span></label></li>
        {% endfor %}
      </ul>"""  # noqa: E501
THE_ITEMS = """<ul>
{{ items }}      </ul>"""


def _env():
    return make_templates().env


def _every_kind_ticked(catalog) -> set[str]:
    """Some of every level, the critical and the acute signs, and every third one."""
    chosen = {i.id for n, i in enumerate(catalog.indicators()) if n % 3 == 0}
    chosen |= {i.id for i in catalog.indicators() if i.critical or i.acute}
    return chosen


@pytest.mark.parametrize("catalog_id", [c.id for c in catalogs.shipped_guide().catalogs])
@pytest.mark.parametrize("ticks", ["none", "some", "all"])
def test_the_items_are_what_the_templates_loop_rendered(catalog_id, ticks):
    env = _env()
    catalog = catalogs.shipped_guide().catalog(catalog_id)
    observed = {
        "none": set(),
        "some": _every_kind_ticked(catalog),
        "all": {i.id for i in catalog.indicators()},
    }[ticks]
    lists = sign_list.area_lists(catalog, env, observed)
    assert list(lists) == [area.id for area in catalog.areas]
    for area in catalog.areas:
        before = env.from_string(THE_LOOP).render(area=area, observed=observed)
        after = env.from_string(THE_ITEMS).render(items=lists[area.id])
        assert after == before.removeprefix("\n")


def test_a_text_that_needs_escaping_is_escaped_as_the_template_did():
    env = _env()
    catalog = catalogs.shipped_guide().catalog("3-5")
    area = catalog.areas[0]
    sign = area.indicators[0]
    text = 'Barnet siger "nej" & <løber> væk, når det bliver hentet.'
    odd = sign.model_copy(update={"text": text, "id": sign.id + "'x"})
    area = area.model_copy(update={"indicators": [odd, *area.indicators[1:]]})
    changed = catalog.model_copy(update={"areas": [area, *catalog.areas[1:]]})
    before = env.from_string(THE_LOOP).render(area=area, observed={odd.id})
    items = sign_list.area_lists(changed, env, {odd.id})[area.id]
    after = env.from_string(THE_ITEMS).render(items=items)
    assert after == before.removeprefix("\n")
    for escaped in ("&lt;løber&gt;", "&#34;nej&#34;", "&#39;x"):
        assert escaped in after


def test_the_cache_holds_catalog_content_only(app, org, as_user):
    """Two children's drafts with different ticks and notes: every page shows its own draft,
    and what the cache holds has no child's name, no note and no tick in it."""
    staff = as_user("staff")
    catalog = catalogs.shipped_guide().catalog("3-5")
    first, second = (i.id for i in list(catalog.indicators())[:2])
    drafts = {}
    with db.session_scope(app.state.engine) as s:
        for name in ("Ingeborg", "Valdemar"):
            child = make_child(s, org.daycare_id, org.users["staff"], first_name=name, age_years=4)
            drafts[name] = id_of(child)
    pages = {}
    for name, ticked in (("Ingeborg", first), ("Valdemar", second)):
        response = staff.client.post(
            f"/children/{drafts[name]}/assessments",
            data={"csrf_token": staff.csrf_token},
            follow_redirects=False,
        )
        draft = response.headers["location"]
        staff.client.post(
            f"{draft}/observations",
            data={"indicator_id": ticked, "observed": "1"},
            headers=staff.headers,
        )
        staff.client.post(
            f"{draft}/notes",
            data={"notes": f"Note om {name}"},
            headers=staff.headers,
        )
        pages[name] = BeautifulSoup(staff.client.get(draft).text, "html.parser")

    def ticked_on(page):
        return {box["value"] for box in page.select("input[name=observed][checked]")}

    assert ticked_on(pages["Ingeborg"]) == {first}
    assert ticked_on(pages["Valdemar"]) == {second}
    assert "Valdemar" not in pages["Ingeborg"].get_text()
    cached = sign_list.catalog_items(catalog, app.state.templates.env)
    held = " ".join(
        item.indicator_id + item.head + item.tail for items in cached.values() for item in items
    )
    assert "checked" not in held
    for name in drafts:
        assert name not in held
        assert f"Note om {name}" not in held
    # The catalog's own texts are all there is: every item is one of its signs.
    assert {item.indicator_id for items in cached.values() for item in items} == {
        i.id for i in catalog.indicators()
    }


def test_a_newly_published_version_has_items_of_its_own(app, org, as_user):
    staff = as_user("staff")
    with db.session_scope(app.state.engine) as s:
        child_id = id_of(make_child(s, org.daycare_id, org.users["staff"], age_years=4))
    start = {"csrf_token": staff.csrf_token}
    catalog = catalogs.shipped_guide().catalog("3-5")
    sign = catalog.areas[0].indicators[0]
    with db.session_scope(app.state.engine) as s:
        publish_with_text_changed(s, catalog, sign.text, "Ny formulering af det første tegn.")
    draft = staff.client.post(f"/children/{child_id}/assessments", data=start).url.path
    page = BeautifulSoup(staff.client.get(draft).text, "html.parser")
    box = page.select_one(f"input[name=observed][value='{sign.id}']")
    assert box is not None
    item = box.find_parent("li")
    assert item is not None
    assert "Ny formulering af det første tegn." in item.get_text()
    assert sign.text not in page.get_text()
    assert f"version {catalog.version + 1}." in one_text(page, "#catalog-info")


def one_text(page, selector: str) -> str:
    found = page.select(selector)
    assert len(found) == 1, selector
    return str(found[0].get_text())


def test_an_entry_goes_with_its_catalog():
    env = _env()
    catalog = catalogs.shipped_guide().catalog("3-5")
    copy = parse_catalog(dump_catalog(catalog), filename="3-5.yaml", stored=True)
    before = sign_list.cached_catalogs()
    sign_list.area_lists(copy, env, set())
    assert sign_list.cached_catalogs() == before + 1
    del copy
    gc.collect()
    assert sign_list.cached_catalogs() == before
