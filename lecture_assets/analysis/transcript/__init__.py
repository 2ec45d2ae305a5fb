"""The transcript agent: words with times, offline (faster-whisper) or the OpenAI API."""
