"""Shared test utilities (importable as `support.*`: pytest puts tests/ on sys.path)."""
