"""Flask plumbing both blueprints share: extensions, sessions, auth, headers, errors, htmx."""
