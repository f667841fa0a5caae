"""What tests share: tool discovery (the pinned npm tools, anvil) and the repository's paths.

Fixtures stay in tests/conftest.py (pytest finds them there) and are built from these helpers."""
