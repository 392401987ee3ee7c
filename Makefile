# The README's two commands: `make run` and `make test`. Both set up everything they need.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# Development defaults for the two commands; production leaves debug off.
export DJANGO_DEBUG ?= true

.PHONY: install run test lint typecheck security pytest messages translations clean

$(BIN)/.installed: requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(BIN)/.installed

# The catalogues compiled for Django (gettext's msgfmt): built here, never committed.
MO_FILES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))

locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po $(BIN)/.installed
	DJANGO_DEBUG=true $(BIN)/python manage.py compilemessages --locale $* --ignore .venv --ignore var

translations: $(MO_FILES)

# After changing a marked string: refresh the catalogue, then translate what it lists as new.
messages: install
	scripts/messages.sh

run: install translations
	scripts/run.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy .

security: install
	$(BIN)/bandit --quiet --configfile pyproject.toml --recursive asm_portal claims policies shop_api

pytest: install translations
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test: lint typecheck security pytest

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache .hypothesis
