"""Shared media helpers: ffmpeg/ffprobe calls, audio decoding, frame sampling, CPU budget."""
