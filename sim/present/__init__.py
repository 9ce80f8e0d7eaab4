"""Turning results into what people read: one formatter, tables, figures, maps, reports and output files."""
