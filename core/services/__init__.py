"""Use cases: each takes plain values and a Session, runs one transaction and returns a result."""
