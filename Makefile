# EIP Hub — two commands on a fresh machine: `make demo` and `make test`.
PY ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: demo serve worker test test-sqlite test-postgres test-redis lint format install bench messages clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/eiphub demo --port $(PORT)

# Production-style serving (gunicorn + WhiteNoise) and a job worker: docs/deployment.md.
serve: install
	$(BIN)/eiphub serve --port $(PORT)

worker: install
	$(BIN)/eiphub worker

# The whole suite on SQLite, then on PostgreSQL when EIPHUB_TEST_POSTGRES
# (or DATABASE_URL) names a server.  EIPHUB_REQUIRE_POSTGRES=1 makes a
# missing PostgreSQL run an error (CI sets it).  test-redis runs real Celery workers
# against Redis (EIPHUB_TEST_REDIS, default redis://127.0.0.1:6379/1); without Redis
# those tests skip, unless EIPHUB_REQUIRE_REDIS=1 (CI sets it).
test: install lint test-sqlite test-postgres test-redis

lint: install
	$(BIN)/ruff check eiphub tests
	$(BIN)/ruff format --check eiphub tests

test-sqlite: install
	env -u DATABASE_URL $(BIN)/pytest --durations=15 -n 2 --dist loadfile -q -m "not redis"

test-postgres: install
	@url="$${EIPHUB_TEST_POSTGRES:-$$DATABASE_URL}"; \
	if [ -z "$$url" ]; then \
	  if [ "$$EIPHUB_REQUIRE_POSTGRES" = "1" ]; then echo "PostgreSQL run required but no EIPHUB_TEST_POSTGRES/DATABASE_URL set" >&2; exit 1; fi; \
	  echo "PostgreSQL run skipped (set EIPHUB_TEST_POSTGRES=postgres://user@host:5432/db)"; exit 0; \
	fi; \
	DATABASE_URL="$$url" EIPHUB_EXPECT_VENDOR=postgresql $(BIN)/pytest --durations=15 -n 2 --dist loadfile -q -m "not browser and not redis"

# The worker subprocesses open the test database: a file one on SQLite.
test-redis: install
	rm -f var/test-redis.sqlite3
	env -u DATABASE_URL EIPHUB_SQLITE_TEST_DB=$(CURDIR)/var/test-redis.sqlite3 $(BIN)/pytest --durations=15 -q -m redis
	@url="$${EIPHUB_TEST_POSTGRES:-$$DATABASE_URL}"; \
	if [ -n "$$url" ]; then \
	  DATABASE_URL="$$url" EIPHUB_EXPECT_VENDOR=postgresql $(BIN)/pytest --durations=15 -q -m redis; \
	else echo "Redis tests on PostgreSQL skipped (no EIPHUB_TEST_POSTGRES)"; fi

bench: install
	$(BIN)/eiphub bench

format: install
	$(BIN)/ruff format eiphub tests
	$(BIN)/ruff check --fix eiphub tests

# One project catalogue (eiphub/locale) for every app; --keyword=_l also extracts the gettext_lazy alias.
messages: install
	cd eiphub && ../$(BIN)/django-admin makemessages -l vi --keyword=_l --settings=eiphub.settings --pythonpath=.. -i "static/*" -i "*/tests/*" -i "testing/*"
	cd eiphub && ../$(BIN)/django-admin compilemessages --settings=eiphub.settings --pythonpath=..

clean:
	rm -rf $(VENV) var
