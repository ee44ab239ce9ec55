# Credit-risk scoring service. `make test` is the command CI and new users run.
SWIFT      ?= swift
DATA       ?= ../shared/data/pakdd2010
CREDIT     := .build/release/credit
# Release builds: numeric code is many times faster, and the real-data tests train models.
RELEASE    := -c release -Xswiftc -enable-testing

VENV       := .build/venv
PORT       ?= 8080

.PHONY: all deps test-deps build dist test unit unit-test integration-test screenshots format run model report bench-model bench-service bench-search bench-recourse clean help

all: build

help:
	@echo "make build        release build of every executable"
	@echo "make run          nginx + responder + worker on 127.0.0.1:$(PORT) with a demo account (Ctrl-C stops)"
	@echo "make test         unit tests, real-data tests (skipped without ../shared), integration tests through nginx and Apache"
	@echo "make unit         the Swift tests alone (no installs, no dist, no browser): PostgreSQL too when it is installed"
	@echo "make screenshots  the Portuguese pages in Chromium, rewriting docs/screenshots/ (make test writes them to .build/screenshots/)"
	@echo "make format       format Sources, Tests and Package.swift with swift format (.swift-format)"
	@echo "make dist         dist/credit-scoring-linux-x86_64.tar.gz: static executables, site, models, docs"
	@echo "make model        retrain models/gbdt.json and models/logistic.json, ship the trees as models/default.json"
	@echo "make report       rewrite the model card models/default.md and its plots"
	@echo "make bench-model  our engine against LightGBM and scikit-learn (bench/model.sh)"
	@echo "make bench-search the history search on 1,000,000 applications, and what it costs a submission (bench/search.sh)"
	@echo "make bench-recourse recourse for 200 not-approved applicants: ours against DiCE (bench/recourse.sh)"

deps:
	@scripts/install-deps.sh

# The browser tests need Chromium and its driver, the deployment tests Apache with mod_fcgid.
test-deps:
	@WITH_BROWSER=1 WITH_APACHE=1 WITH_POSTGRES=1 WITH_METRICS=1 scripts/install-deps.sh

build: deps
	$(SWIFT) build $(RELEASE)

# Static executables (Swift runtime, Foundation, libfcgi, SQLite, libcrypto) with the site and models.
dist: deps
	scripts/dist.sh

test: unit-test integration-test

# The store contract runs on SQLite and on a throwaway PostgreSQL cluster (scripts/postgres.sh);
# CREDIT_REQUIRE_POSTGRES=1 makes a run without the server fail rather than quietly test SQLite alone.
unit-test: test-deps
	CREDIT_REQUIRE_POSTGRES=1 scripts/postgres.sh run $(SWIFT) test $(RELEASE)

# The Swift tests alone for a quick check: nothing installed, no dist, no Apache or Chromium. The
# store contract covers PostgreSQL through CREDIT_TEST_DATABASE_URL when it is set, else through a
# throwaway cluster when PostgreSQL is installed (the directories scripts/postgres.sh looks in).
POSTGRES_BIN := $(wildcard /usr/lib/postgresql/*/bin)
COMMA := ,
unit:
ifneq ($(CREDIT_TEST_DATABASE_URL),)
	$(SWIFT) test $(RELEASE)
else ifneq ($(POSTGRES_BIN),)
	scripts/postgres.sh run $(SWIFT) test $(RELEASE)
else
	@echo "make unit: $(if $(filter 1,$(CREDIT_REQUIRE_POSTGRES)),PostgreSQL REQUIRED (CREDIT_REQUIRE_POSTGRES=1) but unavailable$(COMMA) so the store contract will fail,PostgreSQL half of the store contract SKIPPED$(COMMA) SQLite only): PostgreSQL is not installed (no /usr/lib/postgresql/*/bin: make test-deps or apt-get install postgresql) and CREDIT_TEST_DATABASE_URL is not set"
	$(SWIFT) test $(RELEASE)
endif

$(VENV)/bin/pytest: Tests/integration/requirements.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q -r Tests/integration/requirements.txt
	touch $@

integration-test: test-deps build dist $(VENV)/bin/pytest
	$(VENV)/bin/pytest -q -p no:cacheprovider Tests/integration

# The Portuguese pages' screenshots (test_language.py, on SQLite) written to docs/screenshots/ on
# purpose (in `make test` they go to .build/screenshots/, so a test run leaves the work tree as it was).
screenshots: build $(VENV)/bin/pytest
	@WITH_BROWSER=1 scripts/install-deps.sh
	CREDIT_SCREENSHOTS_DIR=docs/screenshots $(VENV)/bin/pytest -q -p no:cacheprovider Tests/integration/test_language.py -k "sqlite and every and pt-BR"

# The toolchain's formatter, with the project's settings in .swift-format.
format:
	$(SWIFT) format format --in-place --parallel --recursive Sources Tests Package.swift

run: build
	PORT=$(PORT) scripts/run.sh

# Train both families on train.tsv, tune and calibrate on valid.tsv; the trees ship as models/default.json.
model: build
	@test -d $(DATA) || { echo "no data at $(DATA); set DATA=path/to/pakdd2010"; exit 1; }
	$(CREDIT) train --train $(DATA)/train.tsv --valid $(DATA)/valid.tsv --kind gbdt --policy-costs --out models/gbdt.json --json > .build/gbdt.summary
	$(CREDIT) train --train $(DATA)/train.tsv --valid $(DATA)/valid.tsv --kind logistic --policy-costs --out models/logistic.json --json > .build/logistic.summary
	@# Both hold the policy's directions; the trees ship as the default, the scorecard beside them (a challenger to try).
	@python3 -c 'import json; g, l = (json.load(open(".build/" + n + ".summary"))["auc_valid"] for n in ("gbdt", "logistic")); print("valid AUC: gbdt %.4f, logistic %.4f; shipping gbdt as models/default.json" % (g, l))'
	cp models/gbdt.json models/default.json
	$(MAKE) report

report: build
	$(CREDIT) report --model models/default.json --data $(DATA)/valid.tsv --out models --name default
	$(CREDIT) report --model models/logistic.json --data $(DATA)/valid.tsv --out models --name logistic

bench-model:
	bash bench/model.sh

bench-service: build
	bash bench/service.sh

bench-search:
	bash bench/search.sh

bench-recourse:
	bash bench/recourse.sh

clean:
	rm -rf .build .build-dist dist
