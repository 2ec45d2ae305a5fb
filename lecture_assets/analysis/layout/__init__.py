"""The layout agent: where the screen and the camera are, period by period."""
