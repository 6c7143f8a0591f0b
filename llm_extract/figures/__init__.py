"""Figures: the number grammar, the verifier that proves figures against the text, and table rows."""
