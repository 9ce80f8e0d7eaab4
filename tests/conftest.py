import pytest


@pytest.fixture(autouse=True)
def _private_run_store(tmp_path, monkeypatch):
    # Every test (and every CLI subprocess it starts) writes to its own run store.
    monkeypatch.setenv("GRIDMUSTER_STORE", str(tmp_path / "runs.db"))
