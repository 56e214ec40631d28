# The daily checks, one command each (CI runs the same tools: .ci/run).
#   make check    lint, types, import contracts, templates, content: seconds, no tests
#   make fast     check + the tests that need no browser, on SQLite
#   make test     the whole suite, as the README gives it (set TEST_DATABASE_URL for PostgreSQL too)
#   make all      check + test
.PHONY: check lint types contracts templates content fast test all css

PY_SOURCES := app tests migrations bench

check: lint types contracts templates content

lint:
	ruff check $(PY_SOURCES)
	ruff format --check app tests migrations
	npx --prefix tests/browser eslint static

types:
	mypy

contracts:
	lint-imports

templates:
	djlint templates --lint

content:
	trivsel catalog validate guide_content

fast: check
	pytest -m "not browser" --no-cov -q

test:
	pytest

all: check test

css:
	python -m tools.purge_css
