"""The scenario kinds, one folder each with the same files."""
