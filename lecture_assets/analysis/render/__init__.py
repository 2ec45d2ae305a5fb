"""The compiler agent: vertical clips with burned-in captions, caption files, EDL."""
