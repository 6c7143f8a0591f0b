"""JSON Schemas of the built-in record models, shipped as llm_extract.schemas."""
