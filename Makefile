.PHONY: run test lint train validate

run:        ## set up and run the whole product (widget, console, API docs)
	scripts/run.sh

test:       ## set up and run the whole test suite
	scripts/test.sh

lint:
	. scripts/env.sh && "$$APP_VENV/bin/ruff" check . && "$$APP_VENV/bin/mypy" handoff api bot/client.py devstack

train:
	scripts/train.sh
