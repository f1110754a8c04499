from admin import bp  # placeholder
