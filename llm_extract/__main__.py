"""``python -m llm_extract`` runs the CLI."""

from llm_extract.cli import main

main()
