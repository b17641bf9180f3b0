# Two entry points a new user needs: `make demo` and `make test`. Both set up first.
.PHONY: setup demo test bench

setup: .venv/.setup-done

.venv/.setup-done: pyproject.toml package.json package-lock.json scripts/setup.sh
	bash scripts/setup.sh
	touch $@

demo: setup
	.venv/bin/cookiescan demo --out reports/

# The suite, then the installed tool: wheel built, installed in a fresh virtualenv outside the repo, smoke-run.
test: setup
	.venv/bin/python -m pytest -n 2
	bash scripts/wheel_smoke.sh

bench: setup
	for b in benchmarks/*.py; do .venv/bin/python $$b; done
