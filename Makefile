SHELL := bash

.PHONY: run test lint train eval-nlu containment

run:        ## set up and run the whole product (widget, console, API docs)
	scripts/run.sh

test:       ## set up and run the whole test suite
	scripts/test.sh

lint:
	. scripts/env.sh && "$$APP_VENV/bin/ruff" check . && "$$APP_VENV/bin/mypy" handoff api bot/client.py devstack && scripts/alembic-check.sh

train:
	scripts/train.sh

eval-nlu:   ## held-out NLU evaluation -> docs/nlu-report.md, docs/results/nlu.json
	scripts/evaluate-nlu.sh

containment: ## scripted conversations through the real stack -> docs/containment-report.md, docs/results/containment.json
	scripts/containment.sh

bench-latency: ## bot reply latency through the app vs straight to Rasa -> docs/benchmarks.md
	. scripts/env.sh && scripts/bootstrap.sh && "$$APP_VENV/bin/python" -m bench.latency.run --model "$$(scripts/train.sh | tail -n 1)"

bench-promotion: ## retraining time, and customer turns during a promotion and a rollback -> docs/benchmarks.md
	. scripts/env.sh && scripts/bootstrap.sh && "$$APP_VENV/bin/python" -m bench.promotion.run --model "$$(scripts/train.sh | tail -n 1)"

bench-reliability: ## fault scenarios (kill -9, Redis restart, PostgreSQL refusing) under relay traffic -> docs/reliability.md, docs/results/reliability.json
	. scripts/env.sh && scripts/bootstrap.sh && "$$APP_VENV/bin/python" -m bench.reliability.run --model "$$(scripts/train.sh | tail -n 1)"

bench-relay: ## customer <-> agent relay on one instance (SQLite, PostgreSQL) against a bare websocket relay -> docs/benchmarks.md, docs/results/relay.json
	. scripts/env.sh && scripts/bootstrap.sh && "$$APP_VENV/bin/python" -m bench.relay.run --postgres
