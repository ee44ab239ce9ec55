# Credit-risk scoring service. `make test` is the command CI and new users run.
SWIFT      ?= swift
DATA       ?= ../shared/data/pakdd2010
CREDIT     := .build/release/credit
# Release builds: numeric code is many times faster, and the real-data tests train models.
RELEASE    := -c release -Xswiftc -enable-testing

.PHONY: all build test model report bench-model clean help

all: build

help:
	@echo "make build        release build of every executable"
	@echo "make test         unit tests + tests on ../shared data (skipped when absent)"
	@echo "make model        retrain models/gbdt.json and models/logistic.json, ship the better as models/default.json"
	@echo "make report       rewrite the model card models/default.md and its plots"
	@echo "make bench-model  our engine against LightGBM and scikit-learn (bench/model.sh)"

build:
	$(SWIFT) build $(RELEASE)

test:
	$(SWIFT) test $(RELEASE)

# Train both families on train.tsv, tune and calibrate on valid.tsv, ship the one with the better validation AUC.
model: build
	@test -d $(DATA) || { echo "no data at $(DATA); set DATA=path/to/pakdd2010"; exit 1; }
	$(CREDIT) train --train $(DATA)/train.tsv --valid $(DATA)/valid.tsv --kind gbdt --out models/gbdt.json --json > .build/gbdt.summary
	$(CREDIT) train --train $(DATA)/train.tsv --valid $(DATA)/valid.tsv --kind logistic --out models/logistic.json --json > .build/logistic.summary
	@best=$$(python3 -c 'import json; g=json.load(open(".build/gbdt.summary")); l=json.load(open(".build/logistic.summary")); print("gbdt" if g["auc_valid"] >= l["auc_valid"] else "logistic")'); \
	  echo "shipping $$best as models/default.json"; cp models/$$best.json models/default.json
	$(MAKE) report

report: build
	$(CREDIT) report --model models/default.json --data $(DATA)/valid.tsv --out models --name default
	$(CREDIT) report --model models/logistic.json --data $(DATA)/valid.tsv --out models --name logistic

bench-model:
	bash bench/model.sh

clean:
	rm -rf .build
