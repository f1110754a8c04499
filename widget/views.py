from widget import bp  # placeholder
