# Deltaregio — see README.md. Every target creates the virtual environment it needs.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
# The OECD Fields of Science table for the portfolio analytics, loaded by `make run` when it is there
FOS_CSV ?= ../shared/data/standards/oecd-fos-2007.csv

.PHONY: help run test lint schema messages clean serve-production bench

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit("Deltaregio needs Python 3.11 or newer, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-base: requirements/base.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/base.txt
	$(BIN)/pip install --quiet --no-deps -e .
	@touch $@

$(VENV)/.installed-dev: requirements/dev.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/dev.txt
	$(BIN)/pip install --quiet --no-deps -e .
	@touch $@ $(VENV)/.installed-base

run: $(VENV)/.installed-base  ## install, migrate the embedded database, load the reference data, serve on :8000
	@mkdir -p data
	$(BIN)/deltaregio migrate --noinput
	-$(BIN)/deltaregio load-seed
	-@if [ -f "$(FOS_CSV)" ]; then $(BIN)/deltaregio load-classification "$(FOS_CSV)"; fi
	$(BIN)/deltaregio create-demo-users
	$(BIN)/deltaregio runserver $(HOST):$(PORT)

test: $(VENV)/.installed-dev  ## install the development dependencies and run the whole test suite
	$(BIN)/pytest

serve-production: $(VENV)/.installed-base  ## production: migrate, collectstatic, gunicorn workers, Celery worker and beat (README)
	DELTAREGIO_PRODUCTION=true DELTAREGIO_DEBUG=false DELTAREGIO_FRAGMENT_CACHE_SECONDS=$${DELTAREGIO_FRAGMENT_CACHE_SECONDS:-300} \
	  DELTAREGIO_PAGE_CACHE_SECONDS=$${DELTAREGIO_PAGE_CACHE_SECONDS:-60} \
	  $(BIN)/deltaregio serve-production

bench: $(VENV)/.installed-dev  ## the benchmarks against PostgreSQL (bench/README.md); BENCH_PARTICIPATIONS=100000 for a quick run
	$(BIN)/python -m bench.run $(BENCH)

lint: $(VENV)/.installed-dev  ## ruff, mypy, migrations check
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy
	$(BIN)/deltaregio makemigrations --check --dry-run

schema: $(VENV)/.installed-dev  ## regenerate openapi.yaml from the code
	$(BIN)/deltaregio spectacular --file openapi.yaml --validate

messages: $(VENV)/.installed-dev  ## collect and compile the Dutch and English translations (needs GNU gettext)
	cd src/deltaregio && ../../$(BIN)/deltaregio makemessages -l nl -l en --ignore "migrations/*"
	msgattrib --clear-fuzzy --empty -o src/deltaregio/locale/en/LC_MESSAGES/django.po src/deltaregio/locale/en/LC_MESSAGES/django.po
	for lang in nl en; do msgfmt --check-format -o src/deltaregio/locale/$$lang/LC_MESSAGES/django.mo src/deltaregio/locale/$$lang/LC_MESSAGES/django.po; done

clean:  ## remove the virtual environment and the embedded database
	rm -rf $(VENV) data
