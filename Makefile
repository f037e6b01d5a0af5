# Two commands do everything: `make run` and `make test` (`make quick` is the test run without browser and server tests).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
SANDBOX_PORT ?= 8765

.PHONY: run test quick setup lint format bench eval loadtest serve front screenshots clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

setup: $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_kb

# The address `make run` serves: links printed by the CLI (explain, replay) follow it, unless SITE_ROOT is set.
# It is written to .site-root, which config/settings.py reads, so a CLI started from another shell agrees.
RUN_SITE_ROOT = $(or $(SITE_ROOT),http://$(if $(filter 0.0.0.0 ::,$(HOST)),127.0.0.1,$(HOST)):$(PORT))

# The app and the WebEx sandbox (http://127.0.0.1:$(SANDBOX_PORT)/) together; Ctrl-C stops both.
run: setup
	$(PY) manage.py ensure_sandbox_site --port $(SANDBOX_PORT)
	echo '$(RUN_SITE_ROOT)' > .site-root
	@$(PY) manage.py webex_sandbox --port $(SANDBOX_PORT) & sandbox=$$!; \
	  trap 'kill $$sandbox 2>/dev/null; wait $$sandbox 2>/dev/null' EXIT INT TERM; \
	  $(PY) manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.installed
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(PY) -m pytest

# A few minutes instead of the full run: lint, and every test except those that drive Chromium (browser) or start a
# server process (server; see conftest.py). `make test` still runs everything.
quick: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest -m "not browser and not server"

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Production server: DEBUG off, gunicorn, whitenoise serving compressed hashed static files.
serve: $(VENV)/.installed
	@test -n "$$SECRET_KEY" || { echo "make serve needs SECRET_KEY (a long random string) in the environment." >&2; exit 2; }
	@test -n "$$ALLOWED_HOSTS" || { echo "make serve needs ALLOWED_HOSTS (comma-separated host names) in the environment." >&2; exit 2; }
	DEBUG=0 $(PY) manage.py check --deploy
	DEBUG=0 $(PY) manage.py migrate --noinput
	DEBUG=0 $(PY) manage.py load_kb
	DEBUG=0 $(PY) manage.py collectstatic --noinput --verbosity 0
	DEBUG=0 $(VENV)/bin/gunicorn config.wsgi -c gunicorn.conf.py

# The production front: Debian's nginx (deploy/nginx.conf) in front of `make serve`, so that slow clients never reach
# a worker (docs/deploy.md). FRONT_LISTEN (127.0.0.1:8080), FRONT_UPSTREAMS (BIND, or 127.0.0.1:8000).
front: $(VENV)/.installed
	@command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || { echo "make front needs nginx: apt-get install -y nginx-light" >&2; exit 2; }
	$(PY) bench/front.py

# Search benchmark: SQLite always, PostgreSQL too when DATABASE_URL points at one (a scratch database is
# created and dropped); prints p50/p95/p99 and writes bench/results/search.json.
bench: $(VENV)/.installed
	$(PY) bench/search.py

# Search quality on real WebEx texts (kb/tests/data/eval_corpus.json): top-1/top-3 and the misses, on SQLite and,
# when DATABASE_URL points at PostgreSQL, there too (scratch databases); writes bench/results/eval.json.
eval: $(VENV)/.installed
	$(PY) bench/eval.py

# Load test of the production server on 127.0.0.1 (about 2 minutes); see bench/loadtest.py.
loadtest: $(VENV)/.installed
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; } || { echo "loadtest needs wrk: apt-get install wrk" >&2; exit 2; }
	$(PY) bench/loadtest.py

# PNGs of the main pages at 1280x800 and 390x844, light and dark, in docs/screenshots/ (bench/screenshots.py: a
# scratch database, gunicorn and the sandbox on free loopback ports, Debian's Chromium through Playwright).
screenshots: $(VENV)/.installed
	@test -x /usr/bin/chromium || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq chromium >/dev/null; } || { echo "screenshots needs Debian's chromium: apt-get install chromium" >&2; exit 2; }
	$(PY) bench/screenshots.py

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 .site-root
