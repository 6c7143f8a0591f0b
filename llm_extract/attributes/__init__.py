"""Attributes of a figure: its place, its period and the canonical name of its indicator."""
