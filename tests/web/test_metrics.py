"""``GET /metrics`` (api.md): Prometheus text only with the bearer token; otherwise 404."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from sqlalchemy.pool import NullPool

from app.cli import _prepare_multiprocess_metrics
from app.main import create_app
from app.web.metrics import PoolCollector, token_matches

TOKEN = "metrics-token-0123456789abcdef"


@pytest.fixture
def metered(settings):
    """The app with a metrics token, and an anonymous client of it."""
    application = create_app(settings.model_copy(update={"metrics_token": SecretStr(TOKEN)}))
    with TestClient(application, base_url="http://127.0.0.1") as test_client:
        yield test_client
    application.state.engine.dispose()


def _scrape(client: TestClient) -> dict[str, dict[tuple[tuple[str, str], ...], float]]:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples: dict[str, dict[tuple[tuple[str, str], ...], float]] = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
    return samples


def test_without_the_setting_metrics_are_404_and_nothing_is_counted(client, app):
    assert app.state.metrics is None
    response = client.get("/metrics", headers={"Authorization": "Bearer anything"})
    assert (response.status_code, response.text) == (404, client.get("/no-such-page").text)


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer wrong", f"Basic {TOKEN}", f"Bearer {TOKEN}x", TOKEN],
)
def test_a_missing_or_wrong_token_is_the_404_of_an_unknown_path(metered, authorization):
    headers = {} if authorization is None else {"Authorization": authorization}
    response = metered.get("/metrics", headers=headers)
    unknown = metered.get("/no-such-page")
    assert (response.status_code, response.text) == (404, unknown.text)
    assert "trivsel_http_requests_total" not in response.text


def test_requests_are_counted_by_route_template_and_status_class(metered, org):
    for child_id in (1, 2, 3):
        assert metered.get(f"/api/v1/children/{child_id}?q=Alma").status_code == 401
    assert metered.get("/healthz").status_code == 200
    assert metered.get("/static/does-not-exist.css").status_code == 404
    assert metered.get("/Alma-Jensen").status_code == 404
    samples = _scrape(metered)
    requests = samples["trivsel_http_requests_total"]
    key = (("method", "GET"), ("route", "/api/v1/children/{child_id}"), ("status", "4xx"))
    assert requests[key] == 3
    assert requests[(("method", "GET"), ("route", "/healthz"), ("status", "2xx"))] == 1
    assert requests[(("method", "GET"), ("route", "/static"), ("status", "4xx"))] == 1
    assert requests[(("method", "GET"), ("route", "unmatched"), ("status", "4xx"))] == 1
    assert not any("Alma" in str(labels) for labels in requests)
    histogram = samples["trivsel_http_request_duration_seconds_count"]
    assert histogram[(("method", "GET"), ("route", "/api/v1/children/{child_id}"))] == 3
    buckets = samples["trivsel_http_request_duration_seconds_bucket"]
    inf = (("le", "+Inf"), ("method", "GET"), ("route", "/healthz"))
    assert buckets[inf] == 1


def test_an_unknown_method_is_counted_as_other(metered):
    metered.request("PROPFIND", "/healthz")
    requests = _scrape(metered)["trivsel_http_requests_total"]
    assert any(("method", "OTHER") in labels for labels in requests)


def test_the_database_pool_is_read_at_each_scrape(metered):
    engine = metered.app.state.engine
    with engine.connect():
        samples = _scrape(metered)
        assert samples["trivsel_db_pool_checked_out"][()] >= 1
    size = samples["trivsel_db_pool_size"][()]
    assert size == engine.pool.size()
    assert samples["trivsel_db_pool_connections"][()] >= 1
    assert samples["trivsel_db_pool_overflow"][()] == 0
    assert _scrape(metered)["trivsel_db_pool_checked_out"][()] == 0


def test_metrics_are_not_in_the_openapi_document(metered):
    assert "/metrics" not in metered.get("/openapi.json").json()["paths"]


def test_workers_share_their_counts_in_multiprocess_mode(settings, tmp_path, monkeypatch):
    shared = tmp_path / "metrics"
    shared.mkdir()
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(shared))
    from prometheus_client import values

    monkeypatch.setattr(values, "ValueClass", values.MultiProcessValue())
    application = create_app(settings.model_copy(update={"metrics_token": SecretStr(TOKEN)}))
    with TestClient(application, base_url="http://127.0.0.1") as test_client:
        assert test_client.get("/healthz").status_code == 200
        samples = _scrape(test_client)
    application.state.engine.dispose()
    assert list(shared.glob("*.db"))  # the counts are in the shared files
    requests = samples["trivsel_http_requests_total"]
    assert requests[(("method", "GET"), ("route", "/healthz"), ("status", "2xx"))] == 1
    (pool_labels,) = samples["trivsel_db_pool_size"]
    assert pool_labels[0][0] == "pid"


def test_the_token_is_compared_whole():
    assert token_matches(f"Bearer {TOKEN}", TOKEN)
    assert token_matches(f"bearer  {TOKEN} ", TOKEN)
    assert not token_matches(f"Bearer {TOKEN[:-1]}", TOKEN)
    assert not token_matches("Bearer ", "")


class TestServeWithWorkers:
    def test_without_a_token_no_shared_directory_is_made(self, settings, monkeypatch):
        monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
        _prepare_multiprocess_metrics(settings)
        assert "PROMETHEUS_MULTIPROC_DIR" not in os.environ

    def test_a_shared_directory_is_made_when_none_is_set(self, settings, monkeypatch):
        monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
        _prepare_multiprocess_metrics(
            settings.model_copy(update={"metrics_token": SecretStr(TOKEN)})
        )
        made = Path(os.environ.pop("PROMETHEUS_MULTIPROC_DIR"))
        assert made.is_dir()
        made.rmdir()

    def test_the_last_runs_counts_are_removed_and_nothing_else(
        self, settings, tmp_path, monkeypatch
    ):
        shared = tmp_path / "metrics"
        shared.mkdir()
        monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(shared))
        for name in ("counter_12.db", "histogram_12.db", "gauge_livesum_12.db", "keep.db"):
            (shared / name).write_bytes(b"")
        _prepare_multiprocess_metrics(
            settings.model_copy(update={"metrics_token": SecretStr(TOKEN)})
        )
        assert [p.name for p in shared.iterdir()] == ["keep.db"]


def test_a_pool_without_a_size_tells_nothing():
    engine = sa.create_engine("sqlite://", poolclass=NullPool)
    assert list(PoolCollector(engine).collect()) == []
    engine.dispose()
