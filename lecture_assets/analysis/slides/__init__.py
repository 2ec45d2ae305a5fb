"""The slides agent: text read from the screen at each slide change."""
