# Two commands on a fresh machine: `make demo` (run the app) and `make test` (pass the tests).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: install demo test check bench bench-pages bench-engine bench-uploads bench-import messages clean

$(PY):
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the dependency list changed.
$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) .env

# Development settings, so that `.venv/bin/python manage.py ...` works with nothing exported:
# DEBUG=true and a freshly generated SECRET_KEY. Written only when there is no .env (delete it to
# get a new one): make never overwrites it. Git-ignored; the real environment wins over it
# (config/settings.py), and production has none.
.env:
	@$(PYTHON) -c 'import os, secrets; \
	fd = os.open(".env", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600); \
	os.write(fd, ("# Development only: written by make install, never deployed.\n" \
	"DEBUG=true\nSECRET_KEY=" + secrets.token_urlsafe(50) + "\n").encode())'
	@echo "Wrote .env for development (DEBUG=true, a generated SECRET_KEY)."

# DEMO=true (config/settings.py): DEBUG off, so a wrong address shows the app's own 404 page and
# an error its 500 page, never Django's technical pages; plain HTTP, static files without
# collectstatic. The .env's SECRET_KEY is used. The worker of the background downloads
# (db_worker, decision 0015) runs beside the server and stops with it.
demo: install
	DEMO=true $(PY) manage.py migrate --noinput
	DEMO=true $(PY) manage.py seed_demo
	@echo "Mở http://127.0.0.1:$(PORT)/ — đăng nhập bằng một tài khoản ở trên."
	@DEMO=true $(PY) manage.py db_worker --no-reload --verbosity 0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DEMO=true $(PY) manage.py runserver 127.0.0.1:$(PORT)

# Tests run with DEBUG off, as in production, but over plain HTTP and without collectstatic.
TEST_ENV := DEBUG=false SECURE_SSL=false SECRET_KEY=test-only-not-a-secret \
	STATICFILES_BACKEND=django.contrib.staticfiles.storage.StaticFilesStorage

test: install
	@$(PY) -c "import os; u=os.environ.get('DATABASE_URL') or 'sqlite (default)'; print('Tests on', u.split('@')[-1])"
	$(TEST_ENV) $(PY) -m pytest

check: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=true $(VENV)/bin/mypy .
	DEBUG=true $(VENV)/bin/mypy --strict survey/engine
	DEBUG=true $(PY) manage.py makemigrations --check --dry-run

# Province-scale report benchmark on the PostgreSQL database named by DATABASE_URL.
bench: install
	DEBUG=true $(PY) -m tools.bench_reports

# The officer's pages on the bench province that `make bench` left in DATABASE_URL (gunicorn).
bench-pages: install
	DEBUG=true $(PY) -m tools.bench_pages

bench-engine: install
	$(PY) -m survey.engine.bench

# Imports a generated list of 5,000 households (~18,000 rows) into the PostgreSQL of DATABASE_URL.
bench-import: install
	DEBUG=true $(PY) -m tools.bench_import

# Hostile workbooks and an 18,000-row household list through the upload reader, one child each.
bench-uploads: install
	DEBUG=true $(PY) -m tools.bench_uploads

# locale/en: extracted from the code (its Vietnamese source strings), msgstr in English.
# locale/vi: hand-kept Vietnamese overrides of Django's own messages, compiled, never extracted.
messages: install
	DEBUG=true $(PY) manage.py makemessages -l en --ignore=.venv
	DEBUG=true $(PY) manage.py compilemessages -l en -l vi --ignore=.venv

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .mypy_cache .ruff_cache
