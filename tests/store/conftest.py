"""The store suite runs against every backend (the ``store`` fixture of tests/conftest.py):
SQLite always, PostgreSQL when reachable (skipped with the reason otherwise; a failure when
CI or NOTIFIER_REQUIRE_POSTGRES is set)."""
