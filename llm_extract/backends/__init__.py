"""Backends: the offline rules, and the LLM call layer with its prompts, record models and stream assembly."""
