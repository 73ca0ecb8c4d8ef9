.PHONY: setup demo test

setup:
	scripts/bootstrap.sh

demo: setup
	uv run --frozen alignwatch demo

test:
	scripts/test.sh
