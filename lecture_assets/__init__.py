"""lecture_assets package."""
