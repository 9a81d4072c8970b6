# microstore: `make run` to try it, `make test` to check it. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

# The Python that builds .venv: $(PYTHON) if given, else python3.12, python3.13, python3.
PYTHON ?= $(shell for p in python3.12 python3.13 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null \
	&& { echo $$p; break; }; done)

.PHONY: help install install-dev run serve test lint format migrations-check check-deploy worker superuser lock messages messages-check clean bench bench-catalog bench-trust bench-digest

help:
	@echo "make run        install, migrate, load demo data and serve on http://$(HOST):$(PORT)"
	@echo "make test       install dev dependencies and run the whole test suite"
	@echo "make lint       ruff check + ruff format --check + makemigrations --check"
	@echo "make worker     Celery worker and beat against REDIS_URL"
	@echo "make bench      images/second through the image pipeline (and a worker, with REDIS_URL)"
	@echo "make bench-catalog  search and listing p50/p95 over 1,000,000 goods (DATABASE_URL: Postgres)"
	@echo "make bench-trust    trust scores of 2,000 stalls with 200,000 orders (DATABASE_URL: Postgres)"
	@echo "make bench-digest   the weekly digests of 2,000 readers (DATABASE_URL: Postgres)"
	@echo "make superuser  create an admin account"
	@echo "make lock       re-pin requirements*.txt from pyproject.toml"
	@echo "make messages   update and compile translations (needs gettext)"
	@echo "make messages-check  fail if a string is untranslated or locale/ is stale (CI)"

define install_from
	@if [ -z "$(PYTHON)" ]; then \
		echo "microstore needs Python 3.12 or 3.13, and none was found on PATH."; \
		echo "Install it (Debian/Ubuntu: apt-get install python3.12 python3.12-venv;"; \
		echo "macOS: brew install python@3.12; or pyenv install 3.12) and run make again,"; \
		echo "or point make at one: make run PYTHON=/path/to/python3.12"; \
		exit 1; \
	fi
	@test -x $(PY) || { echo "Creating $(VENV) with $$($(PYTHON) --version)"; $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r $(1)
endef

# Stamps: a second `make run` skips the install unless a lock file changed.
$(VENV)/.installed: requirements.txt
	$(call install_from,requirements.txt)
	@touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt
	$(call install_from,requirements-dev.txt)
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: export DJANGO_DEBUG ?= 1
run: install
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo
	@echo "microstore is at http://$(HOST):$(PORT)/  (emails are printed below; Ctrl-C stops)"
	$(MANAGE) runserver $(HOST):$(PORT)

test: install-dev
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(MAKE) --no-print-directory migrations-check

migrations-check: install-dev
	$(MANAGE) makemigrations --check --dry-run

# Not a test: prints images/second for a 12 MP phone photo (tests/benchmarks/bench_images.py).
bench: install-dev
	$(PY) tests/benchmarks/bench_images.py $(BENCH_ARGS)

# Not a test: adds 1,000,000 made-up goods to DATABASE_URL (a scratch PostgreSQL database; a
# second run reuses them) and prints search and listing p50/p95 (tests/benchmarks/bench_catalog.py).
bench-catalog: install-dev
	$(PY) tests/benchmarks/bench_catalog.py $(BENCH_ARGS)

# Not a test: adds 2,000 made-up stalls with 200,000 orders to DATABASE_URL (a scratch PostgreSQL
# database; a second run reuses them) and times the nightly full trust recompute
# (tests/benchmarks/bench_trust.py).
bench-trust: install-dev
	$(PY) tests/benchmarks/bench_trust.py $(BENCH_ARGS)

bench-digest: install-dev
	$(PY) tests/benchmarks/bench_digest.py $(BENCH_ARGS)

check-deploy: install
	DJANGO_DEBUG=0 DJANGO_HTTPS=1 DJANGO_ALLOWED_HOSTS=shop.example.com EMAIL_URL=$${EMAIL_URL:-smtp://smtp.example.com} \
	DJANGO_SECRET_KEY=$${DJANGO_SECRET_KEY:-check-deploy-only-$$(printf 'x%.0s' {1..60})} \
	$(MANAGE) check --deploy --fail-level WARNING

format: install-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

worker: install
	@test -n "$$REDIS_URL" || { echo "Set REDIS_URL (e.g. redis://127.0.0.1:6379/0): without it tasks run in-process and no worker is needed."; exit 1; }
	$(VENV)/bin/celery -A microstore worker --beat --loglevel INFO

superuser: export DJANGO_DEBUG ?= 1
superuser: install
	$(MANAGE) createsuperuser

lock: install-dev
	$(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links -o requirements.txt pyproject.toml
	$(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links --extra dev -o requirements-dev.txt pyproject.toml

messages: install-dev
	DJANGO_DEBUG=1 $(MANAGE) makemessages --locale zh_Hans --no-obsolete --ignore '.venv/*' --ignore 'staticfiles/*' --ignore 'tests/*'
	DJANGO_DEBUG=1 $(MANAGE) compilemessages --ignore '.venv/*'

# Every string in the code is in locale/, translated, not fuzzy, and the .mo is compiled from it.
messages-check: messages
	@untranslated=$$(msgattrib --untranslated --no-obsolete locale/zh_Hans/LC_MESSAGES/django.po); \
	fuzzy=$$(msgattrib --only-fuzzy --no-obsolete locale/zh_Hans/LC_MESSAGES/django.po); \
	if [ -n "$$untranslated$$fuzzy" ]; then \
		echo "Untranslated or fuzzy strings in locale/zh_Hans:"; echo "$$untranslated$$fuzzy"; exit 1; fi
	@git diff --quiet -I '^"POT-Creation-Date' -- locale || { \
		echo "locale/ is out of date: run make messages and commit the result."; \
		git --no-pager diff --stat -- locale; exit 1; }

clean:
	rm -rf $(VENV) staticfiles test-results .pytest_cache .ruff_cache
