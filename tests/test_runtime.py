"""The garbage collector's tuning at start-up (app.runtime): done once per process, by the
app's lifespan, and not at all with ``TRIVSEL_GC_TUNING=false``."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from app import runtime
from app.main import create_app
from app.settings import Settings


@pytest.fixture
def untuned(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A process whose collector was not tuned yet; CPython's state restored after."""
    before = gc.get_threshold()
    monkeypatch.setattr(runtime, "_tuned", False)
    gc.set_threshold(700, 10, 10)
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


@pytest.mark.usefixtures("untuned")
class TestTuneGarbageCollector:
    def test_off_leaves_the_collector_alone(self) -> None:
        assert runtime.tune_garbage_collector(enabled=False) is False
        assert gc.get_threshold() == (700, 10, 10)
        assert gc.get_freeze_count() == 0

    def test_freezes_what_start_up_left_and_raises_the_thresholds(self) -> None:
        assert runtime.tune_garbage_collector() is True
        assert gc.get_threshold() == (50_000, 20, 10)
        assert gc.get_freeze_count() > 0

    def test_a_second_call_changes_nothing(self) -> None:
        runtime.tune_garbage_collector()
        gc.set_threshold(700, 10, 10)  # as if someone chose otherwise after start-up
        assert runtime.tune_garbage_collector() is False
        assert gc.get_threshold() == (700, 10, 10)


@pytest.mark.usefixtures("untuned")
class TestLifespan:
    def test_the_app_tunes_the_collector_when_it_starts(self, settings: Settings) -> None:
        app = create_app(settings.model_copy(update={"gc_tuning": True}))
        assert gc.get_threshold() == (700, 10, 10)  # not at import or create_app
        with TestClient(app, base_url="http://127.0.0.1") as client:
            assert client.get("/healthz").status_code == 200
            assert gc.get_threshold() == (50_000, 20, 10)
        app.state.engine.dispose()

    def test_the_setting_turns_it_off(self, settings: Settings) -> None:
        app = create_app(settings.model_copy(update={"gc_tuning": False}))
        with TestClient(app, base_url="http://127.0.0.1") as client:
            assert client.get("/healthz").status_code == 200
        app.state.engine.dispose()
        assert gc.get_threshold() == (700, 10, 10)
        assert gc.get_freeze_count() == 0

    def test_the_setting_is_read_from_the_environment(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("TRIVSEL_GC_TUNING", "false")
        assert Settings(_env_file=None).gc_tuning is False
        monkeypatch.delenv("TRIVSEL_GC_TUNING")
        assert Settings(_env_file=None).gc_tuning is True
