"""studiobook's rules and use cases. Imports no Flask: runs with a plain SQLAlchemy Session."""
