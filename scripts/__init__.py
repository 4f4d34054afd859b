"""The project's own tools behind `make screenshots`, `make samples`, `make bench` and the
accessibility tests' axe-core: run from the repository's root as `python -m scripts.<name>`,
they import the dashboard package and each other as packages (no sys.path edits)."""
