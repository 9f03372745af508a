# Xinren — the two commands a newcomer needs: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
DEV_ENV := DJANGO_DEBUG=1

.PHONY: install lock run serve demo test lint typecheck checks pytest bench screenshot messages clean

# Installs the pinned, hashed versions of requirements/dev.lock (what CI runs), then the project itself, then trains
# and caches the voice-of-the-user classifier (docs/voice-of-user.md; it would otherwise train on first use).
$(BIN)/.installed: pyproject.toml requirements/dev.lock
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --require-hashes -r requirements/dev.lock
	$(BIN)/pip install -q --no-deps --no-build-isolation -e .
	$(BIN)/xinren vou prepare
	touch $@

install: $(BIN)/.installed

## make lock: regenerate the lock files from pyproject (requirements/base.lock for deploys, dev.lock for make and CI;
## the dev pins are constrained to the base ones, so both install the same versions)
LOCK := $(BIN)/pip-compile -q --generate-hashes --allow-unsafe --strip-extras --no-header --no-emit-index-url \
	--no-emit-find-links
lock: install
	$(LOCK) --build-deps-for=wheel -o requirements/base.lock pyproject.toml
	$(LOCK) --build-deps-for=editable --extra dev -c requirements/base.lock -o requirements/dev.lock pyproject.toml

## make run: install, migrate SQLite, load the demo data and serve on 127.0.0.1:$(PORT), with the task worker
## (background tasks and the periodic schedule, docs/operations.md) and the regional alliance's witness (its own key
## and state in var/witness, docs/ledger.md) beside the server; stopping one stops them all
WITNESS := var/witness
run: DEV_ENV += XINREN_PUBLIC_ORIGIN=http://127.0.0.1:$(PORT)
run: install
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEV_ENV) $(BIN)/python manage.py demo_load
	$(DEV_ENV) $(BIN)/python manage.py demo_urls --port $(PORT)
	mkdir -p $(WITNESS) && $(BIN)/python -m xinren.witness keygen --if-missing --name witness.dianchalianmeng.example/yunnan \
		--key-file $(WITNESS)/witness.key > $(WITNESS)/witness.vkey
	$(DEV_ENV) XINREN_WITNESS_KEYS="$$(cat $(WITNESS)/witness.vkey) 滇茶联盟见证" bash -c \
		'$(BIN)/python manage.py tasks_worker --stop-with-parent & worker=$$!; \
		$(BIN)/python -m xinren.witness follow --stop-with-parent --interval 5 --key-file $(WITNESS)/witness.key \
			--state $(WITNESS)/state.json --log-url http://127.0.0.1:$(PORT)/log/ \
			--log-key "$$($(BIN)/python manage.py ledger_key)" & witness=$$!; \
		trap "kill -TERM $$worker $$witness 2>/dev/null; wait $$worker $$witness" EXIT; \
		$(BIN)/python manage.py runserver --noreload 127.0.0.1:$(PORT)'

## make test: lint, type-check, Django checks and the whole suite (DATABASE_URL picks the database)
test: install lint typecheck checks pytest

lint:
	$(BIN)/ruff check .
	$(BIN)/lint-imports

typecheck:
	$(BIN)/mypy src

checks:
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

pytest:
	$(BIN)/pytest -n 2 -p no:cacheprovider

## make bench: the scan-path benchmark (installs nginx and wrk from Debian if missing)
bench: install
	bash bench/scan_path.sh

## make screenshot: open the consumer pages in headless Chromium and save PNGs under var/screenshots
screenshot: install
	bash scripts/screenshot.sh

## make messages: refresh and compile the zh-hans/en translations
messages: install
	cd src/xinren && DJANGO_DEBUG=1 ../../$(BIN)/django-admin makemessages -l zh_Hans -l en --no-obsolete
	cd src/xinren && DJANGO_DEBUG=1 ../../$(BIN)/django-admin compilemessages

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
