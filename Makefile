# Process-Based Parallelism in Java: the two commands are `make run` and `make test`.
# Each installs what it needs first (`make setup`, idempotent).
SHELL := /bin/bash
.DEFAULT_GOAL := help
PY := /usr/bin/python3
JAVA_HOME := $(shell .ci/find-jdk.sh)
export JAVA_HOME
export JBANG_NO_VERSION_CHECK := true
JBANG := $(shell command -v jbang 2>/dev/null || echo $(HOME)/.jbang/bin/jbang)
export JBANG
# JDK 24+ warns about Unsafe use by Maven's own Guava; keep the output readable
JDK_MAJOR := $(shell $(JAVA_HOME)/bin/java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
export MAVEN_OPTS := $(if $(shell [ "$(JDK_MAJOR)" -ge 23 ] 2>/dev/null && echo y),--sun-misc-unsafe-memory-access=allow)

.PHONY: help setup setup-jbang setup-toolkit run run-all test bench notebooks lab outdated clean
help:
	@echo "make run        the flagship: the Pool chapter (pool.java); its table and chart under build/pool"
	@echo "make run-all    every chapter script; tables (CSV) and charts (PNG) under build/<chapter>"
	@echo "make test       toolkit tests, every script, every notebook with the real kernel and in a browser, no leftovers"
	@echo "make bench      benchmarks -> build/bench/results.csv (metric,value,unit)"
	@echo "make notebooks  re-execute the notebooks in place (the outputs committed to the repo); NB=07 for one"
	@echo "make lab        open the notebooks in JupyterLab (or Jupyter Notebook) on 127.0.0.1"
	@echo "make setup      install JBang, the toolkit, Jupyter and the Java kernel (the others do what they need)"
	@echo "make outdated   newer versions of the toolkit's dependencies and plugins, JBang and IJava"
	@echo "make clean      remove build outputs (build/, toolkit/*/target); says what it leaves installed"

setup:
	@bash .ci/setup.sh all
setup-jbang:
	@bash .ci/setup.sh jbang
setup-toolkit:
	@bash .ci/setup.sh toolkit

CHAPTERS := naming spawning killing daemons nodaemons subclass startmethods pipe queue barrier sharedmem pool speedup cluster pitfalls sync sharing
# the main job: the flagship chapter, the Pool; needs only a JDK and JBang (the script compiles the toolkit from this clone)
run: setup-jbang
	@"$(JBANG)" jbang-scripts/pool.java --out build/pool
	@echo; echo "outputs:"; ls -1 build/pool/*

run-all: setup-jbang
	@set -e; for c in $(CHAPTERS); do \
	  echo; echo "=== $$c ==="; "$(JBANG)" jbang-scripts/$$c.java --out build/$$c; done
	@echo; echo "outputs (tables and charts):"; for c in $(CHAPTERS); do ls -1 build/$$c/*; done

test: setup
	@bash .ci/setup-browser.sh
	@$(PY) tests/harness.py

bench: setup-toolkit
	@bash .ci/setup-bench.sh
	@"$(JAVA_HOME)/bin/java" -cp 'toolkit/target/bench-lib/*' mproc.bench.Bench --out build/bench $(if $(ONLY),--only $(ONLY))

notebooks: setup
	@$(PY) tests/harness.py --execute-notebooks $(NB)

ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)
lab: setup
	@if command -v jupyter-lab >/dev/null 2>&1; then \
	  jupyter lab --ip=127.0.0.1 $(ROOT_FLAG) --notebook-dir=notebooks; \
	else \
	  echo "JupyterLab not found: starting Jupyter Notebook (conda env create -f environment.yml gives JupyterLab)"; \
	  jupyter notebook --ip=127.0.0.1 $(ROOT_FLAG) --notebook-dir=notebooks; \
	fi

outdated: setup-toolkit
	@bash .ci/outdated.sh

clean:
	rm -rf build toolkit/target toolkit/*/target
	@echo "left installed (remove by hand if you want): ~/.m2/repository/pbpj (the toolkit), ~/.jbang (JBang and its cache),"
	@echo "  the kernelspec mproc-java ($$(jupyter --data-dir 2>/dev/null || echo '~/.local/share/jupyter')/kernels/mproc-java), ~/.cache/mproc (class archives)"
