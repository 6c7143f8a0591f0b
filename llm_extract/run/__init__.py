"""Running many articles: batches, cache, pacing, output files, reports, tidy tables and the engines."""
