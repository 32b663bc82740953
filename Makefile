SHELL := bash
# Extra arguments for a target's program, e.g. `make bench-relay ARGS="--conversations 1000 --no-write"`.
ARGS ?=

.PHONY: run test lint train eval-nlu containment bench-latency bench-promotion bench-reliability bench-relay \
        bench-relay-shapes bench-handoff bench-idle bench-growth bench-nlu

run:        ## set up and run the whole product (widget, console, API docs)
	scripts/run.sh $(ARGS)

test:       ## set up and run the whole test suite
	scripts/test.sh

lint:       ## ruff, mypy and alembic check (make test runs it before pytest)
	. scripts/env.sh && "$$APP_VENV/bin/ruff" check . && "$$APP_VENV/bin/mypy" handoff api bot/client.py devstack && scripts/alembic-check.sh

train:      ## the model of bot/, from the cache when its data and config are unchanged
	scripts/train.sh

eval-nlu:   ## held-out NLU evaluation -> docs/nlu-report.md, docs/results/nlu.json
	scripts/evaluate-nlu.sh $(ARGS)

containment: ## scripted conversations through the real stack -> docs/containment-report.md, docs/results/containment.json
	scripts/containment.sh $(ARGS)

bench-latency: ## bot turn latency through the app vs straight to Rasa, 1/10/50 at once -> docs/benchmarks.md, docs/results/latency.json
	. scripts/env.sh && scripts/bootstrap.sh && "$$APP_VENV/bin/python" -m bench.latency.run --model "$$(scripts/train.sh | tail -n 1)" $(ARGS)

bench-promotion: ## retraining time, and customer turns during a promotion and a rollback -> docs/benchmarks.md
	. scripts/env.sh && scripts/bootstrap.sh && "$$APP_VENV/bin/python" -m bench.promotion.run --model "$$(scripts/train.sh | tail -n 1)" $(ARGS)

bench-reliability: ## fault scenarios (kill -9, Redis restart, PostgreSQL refusing) under relay traffic -> docs/reliability.md, docs/results/reliability.json
	. scripts/env.sh && scripts/bootstrap.sh && "$$APP_VENV/bin/python" -m bench.reliability.run --model "$$(scripts/train.sh | tail -n 1)" $(ARGS)

bench-relay: ## customer <-> agent relay on one instance (SQLite, PostgreSQL) and two on Redis, against a bare websocket relay -> docs/benchmarks.md, docs/results/relay.json
	. scripts/env.sh && scripts/bootstrap.sh && "$$APP_VENV/bin/python" -m bench.relay.run --postgres --redis $(ARGS)

bench-relay-shapes: ## the relay's floor against the same floor with the app's tasks (pumps, batch task, futures), no database -> docs/benchmarks.md, docs/results/relay-shapes.json
	. scripts/env.sh && scripts/bootstrap.sh && "$$APP_VENV/bin/python" -m bench.relay.shapes $(ARGS)

bench-handoff: ## customer's request for a person -> agent's console with the context, vs Rasa's own time -> docs/benchmarks.md, docs/results/handoff.json
	. scripts/env.sh && scripts/bootstrap.sh && "$$APP_VENV/bin/python" -m bench.handoff.run --model "$$(scripts/train.sh | tail -n 1)" $(ARGS)

bench-idle: ## 10,000 idle customer sockets on one app instance: RSS vs a bare websocket server, bot turns with them open -> docs/benchmarks.md, docs/results/idle.json
	. scripts/env.sh && scripts/bootstrap.sh && "$$APP_VENV/bin/python" -m bench.idle.run --model "$$(scripts/train.sh | tail -n 1)" $(ARGS)

bench-growth: ## RSS and database size after 100,000 relayed messages, catch-up of a 10,000-message conversation -> docs/benchmarks.md, docs/results/growth.json
	. scripts/env.sh && scripts/bootstrap.sh && "$$APP_VENV/bin/python" -m bench.growth.run $(ARGS)

bench-nlu: ## eval-nlu's accuracy and macro F1 per set and language in the benchmarks' format, and one timed training -> docs/benchmarks.md, docs/results/nlu-bench.json
	. scripts/env.sh && scripts/bootstrap.sh && "$$APP_VENV/bin/python" -m bench.nlu.run $(ARGS)
