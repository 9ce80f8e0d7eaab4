"""The `gridmuster` command, one module per command group."""
