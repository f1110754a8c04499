"""Extension objects, created once here and bound to the app in create_app()."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

import core.models  # noqa: F401  (registers every table on Base.metadata)
from core.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)
csrf = CSRFProtect()
login_manager = LoginManager()
# Limits are declared on the routes that need them (promo codes, logins); the storage is
# RATELIMIT_STORAGE_URI (Redis with several workers), memory by default.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
