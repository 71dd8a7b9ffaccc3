# Bayesian CNN with variational inference, reproduced in Swift.
#   make chapter1 … chapter9   run one chapter (default profile), write figures/chapterN and its page
#   make figures               every chapter, default profile
#   make plots                 re-draw every figure from its saved data (no training)
#   make test                  the test suite (what CI runs)
#   make bench                 engine throughput; make bench-compare adds PyTorch CPU side by side

SHELL := /bin/bash
SWIFT ?= swift
PROFILE ?= default
# Real datasets: ../shared/data when it exists beside the checkout, unless BAYES_DATA says otherwise.
BAYES_DATA ?= $(if $(wildcard $(CURDIR)/../shared/data),$(abspath $(CURDIR)/../shared/data),$(CURDIR)/data)
export BAYES_DATA

APT_PACKAGES := libopenblas-dev libpng-dev libjpeg-dev libturbojpeg0-dev zlib1g-dev gnuplot-nox dataset-fashion-mnist
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

CHAPTER_TARGETS := $(addprefix chapter,1 2 3 4 5 6 7 8 9)
.PHONY: deps build test bench bench-compare figures plots data clean $(CHAPTER_TARGETS)

## Install the system libraries and tools the suite links against (apt-get, only what is missing).
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build -c release

## Tests run in release mode: they are numeric (gradient checks, small trainings).
test: deps
	$(SWIFT) build -c release --build-tests
	$(SWIFT) test -c release --skip-build

## OpenBLAS is run at full speed here only: the environment's OPENBLAS_CORETYPE=Haswell halves SGEMM.
bench: deps
	$(SWIFT) build -c release --product bench
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .build/release/bench

bench-compare: bench
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3 bench/pytorch_reference.py --compare bench.json

$(CHAPTER_TARGETS): chapter%: build
	.build/release/chapter$* --profile $(PROFILE)

figures: build
	@for n in $$(ls chapters | sed -n 's/^0*\([0-9]*\)-.*/\1/p'); do \
	  echo "== chapter $$n =="; .build/release/chapter$$n --profile $(PROFILE) || exit 1; done

## Check every dataset under $$BAYES_DATA (or ./data) and download what is missing.
data: deps
	$(SWIFT) build -c release --product fetch-data
	.build/release/fetch-data --data-dir "$(BAYES_DATA)"

plots:
	bash scripts/plots.sh figures

clean:
	rm -rf .build
