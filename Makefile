# Persona Toolkit — the two commands a newcomer needs are `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat setup.cfg pyproject.toml | cksum | cut -d' ' -f1)
DEMO_INSTANCE := $(CURDIR)/instance/demo
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: install system-deps translations i18n-update demo demo-data test test-fast lint bench stress clean

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP) translations

# Debian packages the tests drive for real: Chromium (browser tests), LibreOffice (briefs to
# PDF) and poppler (PDF pages to PNG). Installed only when missing; never a downloaded browser.
system-deps:
	@if ! command -v chromium >/dev/null || ! command -v soffice >/dev/null || ! command -v pdftoppm >/dev/null; then \
	  echo "Installing Debian packages: chromium libreoffice-writer-nogui poppler-utils"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium libreoffice-writer-nogui poppler-utils fonts-dejavu-core >/dev/null; \
	fi
	@test -f tests/node_modules/axe-core/axe.min.js || npm install --prefix tests --no-save --no-package-lock --no-audit --no-fund axe-core@4

translations: $(STAMP)
	@if [ -d toolkit/translations ]; then $(BIN)/pybabel -q compile -d toolkit/translations; fi

# Re-extract the strings and merge them into the nl/en catalogues (then translate the new ones).
i18n-update: $(STAMP)
	$(BIN)/pybabel -q extract -F pyproject.toml -k _l -k N_ -o toolkit/translations/messages.pot --no-location --omit-header .
	$(BIN)/pybabel -q update -i toolkit/translations/messages.pot -d toolkit/translations --no-fuzzy-matching

demo-data: install
	rm -rf $(DEMO_INSTANCE)
	PERSONA_TOOLKIT_INSTANCE=$(DEMO_INSTANCE) $(BIN)/persona-toolkit demo

# The web app and, beside it, the scheduler process that runs timed work and the background jobs
# (deriving personas, zips of briefs); Ctrl+C stops both.
demo: demo-data
	PERSONA_TOOLKIT_INSTANCE=$(DEMO_INSTANCE) PERSONA_TOOLKIT_PUBLIC_BASE_URL=http://$(HOST):$(PORT) \
	  sh -c '$(BIN)/persona-toolkit scheduler & \
	  trap "kill $$! 2>/dev/null" EXIT; \
	  $(BIN)/persona-toolkit serve --host $(HOST) --port $(PORT)'

lint: install
	$(BIN)/ruff check toolkit tests
	$(BIN)/lint-imports --no-cache

test: install system-deps lint
	$(BIN)/python -m pytest -q -p no:cacheprovider

test-fast: install
	$(BIN)/python -m pytest -q -x -m "not browser and not slow"

bench: install
	@for f in tests/benchmarks/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

stress: install
	STRESS=1 $(BIN)/python -m pytest -q tests/reliability

clean:
	rm -rf $(VENV) build dist *.egg-info tests/output
