"""The content agent: chapters, their titles and the score of every moment."""
