"""Text: loading inputs, cleaning them, finding the article body, chunking, and what an article is about."""
