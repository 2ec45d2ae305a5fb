"""The silence agent: speech and silence regions from the audio."""
