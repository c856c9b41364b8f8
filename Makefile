# Shortcuts; the scripts in bin/ and .ci/ are the source of truth.
.PHONY: serve test lint format ci bench

serve:
	bin/serve

test:
	bin/test

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check .

format:
	.venv/bin/ruff format . && .venv/bin/ruff check --fix .

ci:
	bash .ci/run

bench:
	DEVELOPMENT=true .venv/bin/python manage.py benchmark
