"""Prompt templates (Jinja), shipped inside the wheel as llm_extract.prompts."""
