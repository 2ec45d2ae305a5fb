"""The segment agent: which moments become clips, cut on sentence boundaries."""
