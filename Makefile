# Two commands on a fresh machine:  make run  |  make test
PYTHON ?= python3
# make run PORT=8080 serves elsewhere than 8000
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test setup lint check messages lock serve demo clean e2e

$(STAMP): requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	touch $(STAMP)

setup: $(STAMP)

# DEBUG defaults to off (a server started without it is a production server); the laptop
# targets turn it on. Production sets DEBUG=false, SECRET_KEY and the rest (README).
run lint messages: export DEBUG ?= true

## make run — set up, migrate, load the demo (idempotent), run today's must-visit sweep
## and digest (no Redis needed), serve on http://127.0.0.1:$(PORT) (8000 unless PORT=…)
run: setup
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo --url http://127.0.0.1:$(PORT)
	@# The demo's digests are not sent anywhere: 120 e-mails would bury the logins above.
	EMAIL_URL=dummymail:// $(BIN)/python manage.py remind
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

## make test — set up, lint, and run the whole suite on SQLite with eager tasks (no services)
# --dist worksteal: a worker left idle takes tests queued for the other, so the suite's one
# long test (the accessibility crawl, ~2 min) no longer ends it alone (8:41 → 7:37 here).
test: setup lint
	$(BIN)/pytest -n 2 --dist worksteal -m "not postgres and not worker and not production and not replica"

lint: setup
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/djlint templates --lint
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py check

## Update the zh_Hans catalogue after adding strings, then translate and: make messages
messages: setup
	$(BIN)/python manage.py makemessages -l zh_Hans --no-obsolete --no-wrap --add-location file
	$(BIN)/python manage.py compilemessages -l zh_Hans --ignore=.venv

lock:
	{ sed -n '1,2p' requirements.lock; $(BIN)/pip freeze --exclude-editable; } > requirements.lock.new && mv requirements.lock.new requirements.lock

clean:
	rm -rf $(VENV) var/*.sqlite3 var/media var/static var/e2e var/production var/backups
