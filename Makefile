# make run: install, migrate, load demo data on an empty database, serve on http://127.0.0.1:5000
# make test: install, then the whole test suite (SQLite; PostgreSQL too when TEST_DATABASE_URL is set)
# make deploy-test: only tests/deploy (deploy/'s nginx site, gunicorn config and units, run as shipped)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
PORT ?= 5000
# make test runs the test files in this many processes (pytest-xdist; 0 for one process). On
# PostgreSQL one: the purge test reads raw pages after VACUUM FULL, and with a second process busy
# on the same server it once found a dead row VACUUM could not yet remove.
TEST_WORKERS ?= $(if $(TEST_DATABASE_URL),0,2)

.PHONY: install run test deploy-test lint bench clean translations

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

install: $(VENV)/.installed

# make run works with no configuration: a random SECRET_KEY is kept in instance/secret_key,
# links in mails and feeds point at the port that is served, mail is printed to the terminal.
run: export DEVELOPMENT = 1
run: export SITE_URL ?= http://127.0.0.1:$(PORT)
run: install
	$(FLASK) db upgrade
	$(FLASK) meetings demo --if-empty
	$(FLASK) run --host 127.0.0.1 --port $(PORT) --no-debugger --no-reload

test: install
	$(BIN)/pytest -q --numprocesses $(TEST_WORKERS) --dist loadfile

# Needs nginx and Chromium; with TEST_DATABASE_URL (PostgreSQL) and root, also two app hosts in
# network namespaces (ip, socat).
deploy-test: install
	$(BIN)/pytest -q tests/deploy

lint: install
	$(BIN)/ruff check meetings tests bench app.py

bench: install
	$(BIN)/python bench/agenda.py

clean:
	rm -rf $(VENV) .pytest_cache

# Extract every translatable string into the catalogue template (French, Spanish, Arabic,
# Chinese and Russian catalogues start from it: pybabel init -i ... -d meetings/translations -l fr).
translations: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o meetings/translations/messages.pot .
