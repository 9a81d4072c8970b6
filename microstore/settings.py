"""microstore settings: one module, driven by environment variables (see README).

Only this module reads the environment, through the helpers in ``microstore.env``.
"""

import sys
from pathlib import Path

from celery.schedules import crontab
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from microstore import env

BASE_DIR = Path(__file__).resolve().parent.parent

# --- Core -------------------------------------------------------------------------------------

DEBUG = env.get_bool("DJANGO_DEBUG", default=False)
# Commands that only read the code sign nothing, so they run without a secret key (a build step,
# `manage.py makemigrations --check`); anything that does need it fails when it reads it.
CODE_ONLY_COMMANDS = {"makemigrations", "makemessages", "compilemessages", "collectstatic"}
SECRET_KEY = env.get_secret_key(
    "DJANGO_SECRET_KEY",
    debug=DEBUG,
    required=not (
        Path(sys.argv[0]).name == "manage.py"
        and sys.argv[1:2]
        and sys.argv[1] in CODE_ONLY_COMMANDS
    ),
)
ALLOWED_HOSTS = env.get_list(
    "DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.get_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "microstore.accounts",
    "microstore.notifications",
    "microstore",
    "microstore.images",
    "shops",
    "catalog",
    "orders",
    "reviews",
    "microstore.sharing",
    "allauth",
    "allauth.account",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "microstore.urls"
WSGI_APPLICATION = "microstore.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        # APP_DIRS without explicit loaders: Django wraps them in the cached loader,
        # which also reloads changed templates when DEBUG is on.
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "microstore.notifications.context_processors.notifications",
                "orders.context_processors.cart",
            ],
        },
    },
]

# --- Database and cache -----------------------------------------------------------------------

DATABASES = {
    "default": env.get_database(
        "DATABASE_URL",
        default_url=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env.get_int("DJANGO_CONN_MAX_AGE", 60),
    )
}

REDIS_URL = env.get_str("REDIS_URL")
if REDIS_URL:
    # The broker uses REDIS_URL's database; the cache the next one, so that clearing the
    # cache can never drop queued tasks.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env.redis_url_with_db(REDIS_URL, 1),
            "KEY_PREFIX": "microstore",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery (microstore/celery.py) ------------------------------------------------------------

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL  # no Redis: tasks run in-process, right away
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 60 * 60, "socket_connect_timeout": 2}
# A request that enqueues while the broker is down must not hang: give up on publishing
# quickly. Nothing is lost, because what matters is an outbox row swept by beat.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_BEAT_SCHEDULE = {
    "clear-expired-sessions": {
        "task": "microstore.tasks.clear_expired_sessions",
        "schedule": crontab(hour=4, minute=17),
    },
    # The outbox: mail whose task was lost (broker down, worker died) is sent from here.
    "sweep-outgoing-email": {
        "task": "microstore.notifications.tasks.sweep_outgoing_email",
        "schedule": 60.0,
    },
    # "Did you mean …?": the vocabulary of published titles.
    "refresh-search-words": {
        "task": "catalog.tasks.refresh_search_words",
        "schedule": crontab(minute=23),
    },
    # Orders' timers (orders/services/timers.py): each run is idempotent and safe in parallel.
    "orders-cancel-unpaid": {"task": "orders.tasks.cancel_unpaid_orders", "schedule": 60.0},
    "orders-reconcile-payments": {"task": "orders.tasks.reconcile_payments", "schedule": 120.0},
    "orders-confirm-receipt": {"task": "orders.tasks.confirm_receipt_due", "schedule": 300.0},
    "orders-complete": {"task": "orders.tasks.complete_orders_due", "schedule": 300.0},
    # Files no row names (microstore/storage_sweep.py): originals of uploads rolled back,
    # posters of deleted share links.
    "images-sweep-orphan-originals": {
        "task": "microstore.images.tasks.sweep_orphan_originals",
        "schedule": crontab(hour=4, minute=47),
    },
    "sharing-sweep-orphan-posters": {
        "task": "microstore.sharing.tasks.sweep_orphan_posters",
        "schedule": crontab(hour=4, minute=53),
    },
    # Every stall's trust score in full (badges expire, 90-day windows slide): reviews/trust.py.
    "reviews-trust-recompute-all": {
        "task": "reviews.tasks.trust_recompute_all",
        "schedule": crontab(hour=3, minute=41),
    },
    # The weekly digest of followed stalls (shops/digest.py), Monday morning in TIME_ZONE.
    "shops-weekly-digest": {
        "task": "shops.tasks.send_weekly_digests",
        "schedule": crontab(day_of_week=1, hour=8, minute=7),
    },
}

# --- Accounts (django-allauth) ----------------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

ACCOUNT_ADAPTER = "microstore.accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"signup": "microstore.accounts.forms.SignupForm"}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 3
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[microstore] "
# allauth's rate limits are on by default; they need the real cache configured above.
ALLAUTH_TRUSTED_PROXY_COUNT = env.get_int("DJANGO_TRUSTED_PROXY_COUNT", 0)

# --- Internationalisation ---------------------------------------------------------------------

LANGUAGE_CODE = env.get_str("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.get_str("TIME_ZONE", "Asia/Shanghai")
# Beat reads its crontabs in the site's time zone ("Monday 08:07" is Monday morning here).
CELERY_TIMEZONE = TIME_ZONE
USE_I18N = True
USE_TZ = True

# --- Static and media files -------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = Path(env.get_str("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.get_str("MEDIA_ROOT") or BASE_DIR / "media")
PRIVATE_MEDIA_ROOT = Path(env.get_str("PRIVATE_MEDIA_ROOT") or BASE_DIR / "private-media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
    # Uploaded originals (with their EXIF, GPS included): never served by any URL.
    "private": {
        "BACKEND": "microstore.images.storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT},
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- Images (microstore/images) ---------------------------------------------------------------

# Uploads are checked in the request (microstore/images/validation.py); renditions are made by
# a Celery task. After changing the rendition widths run `manage.py rerender_images`.
IMAGE_MAX_UPLOAD_BYTES = env.get_int("IMAGE_MAX_UPLOAD_BYTES", 10 * 1024 * 1024, minimum=1)
IMAGE_MAX_PIXELS = env.get_int("IMAGE_MAX_PIXELS", 40_000_000, minimum=1)
IMAGE_MAX_ASPECT = 5  # long side / short side: refuses strips such as 20000 by 1
IMAGE_MIN_SHORT_SIDE = {  # pixels on the short side, per purpose (microstore.images Purpose)
    "avatar": 128,
    "shop_logo": 256,
    "shop_banner": 480,
    "product": 600,
    "review": 400,
    "return": 400,
    "update": 400,
    "document": 600,  # verification documents: a licence must stay legible
}
IMAGE_RENDITION_WIDTHS = (320, 800, 1600)

# --- Stalls (shops) ---------------------------------------------------------------------------

# An approved identity or business verification shows its badge for this long; the seller may
# ask again in the last SHOP_VERIFICATION_RENEW_DAYS.
SHOP_VERIFICATION_VALID_DAYS = 365
SHOP_VERIFICATION_RENEW_DAYS = 30
# Anti-spam: a stall may post at most this many updates in any rolling 24 hours.
SHOP_UPDATES_PER_DAY = env.get_int("SHOP_UPDATES_PER_DAY", 3, minimum=1)

# --- Orders -----------------------------------------------------------------------------------

# An order not paid within this many minutes is cancelled by beat and its stock returns.
ORDERS_PAYMENT_MINUTES = env.get_int("ORDERS_PAYMENT_MINUTES", 30, minimum=1)
# …or, paying the seller directly (a bank transfer takes time), within this many hours.
ORDERS_DIRECT_PAYMENT_HOURS = env.get_int("ORDERS_DIRECT_PAYMENT_HOURS", 72, minimum=1)
# Receipt is confirmed for the buyer this many days after shipping if they did not.
ORDERS_AUTO_RECEIVE_DAYS = env.get_int("ORDERS_AUTO_RECEIVE_DAYS", 10, minimum=1)
# 7-day no-reason returns, counted from receipt; the order completes when the window closes.
ORDERS_RETURN_DAYS = 7
# A seller answers a complaint within this many days, or the buyer may escalate at once.
ORDERS_DISPUTE_ANSWER_DAYS = env.get_int("ORDERS_DISPUTE_ANSWER_DAYS", 3, minimum=1)
# The sandbox gateway signs its callbacks with this secret (a real gateway has its own).
ORDERS_SANDBOX_SECRET = env.get_str("ORDERS_SANDBOX_SECRET") or f"sandbox:{SECRET_KEY}"

# --- Sharing ----------------------------------------------------------------------------------

# A visit through a share link credits the sharer with the visitor's orders for this many days.
SHARE_ATTRIBUTION_DAYS = env.get_int("SHARE_ATTRIBUTION_DAYS", 7, minimum=1)
# Share posters (PNG, made by a task): the fonts tried in order, per character. The bundled
# subset (GB2312 and Latin-1) comes first; system fonts fill in rarer characters. With none of
# them present posters fail with a message and `manage.py check` warns.
SHARE_POSTER_FONTS = env.get_list(
    "SHARE_POSTER_FONTS",
    [
        str(BASE_DIR / "microstore/sharing/fonts/WenQuanYiMicroHei-subset.ttf"),
        "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    ],
)
# Width and height in pixels: a phone-shaped image for chat apps.
SHARE_POSTER_SIZE = (
    env.get_int("SHARE_POSTER_WIDTH", 750, minimum=300),
    env.get_int("SHARE_POSTER_HEIGHT", 1200, minimum=500),
)

# --- Email ------------------------------------------------------------------------------------

MAILERS = env.get_mailers("EMAIL_URL")
DEFAULT_FROM_EMAIL = env.get_str("DJANGO_DEFAULT_FROM_EMAIL", "microstore <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ADMINS = [("Admins", address) for address in env.get_list("DJANGO_ADMINS", [])]

# --- Security ---------------------------------------------------------------------------------

# HTTPS is on whenever debug is off; DJANGO_HTTPS=0 only for plain-HTTP test servers.
HTTPS = env.get_bool("DJANGO_HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env.get_int("DJANGO_HSTS_SECONDS", 60 * 60 * 24 * 365) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if HTTPS else "http"
# Where the site is reachable from outside: links in mail (notifications, unsubscribe) use it.
# Unset without debug: https:// (or http:// without DJANGO_HTTPS) and the first allowed host.
SITE_URL = env.get_site_url("DJANGO_SITE_URL", debug=DEBUG, https=HTTPS, hosts=ALLOWED_HOSTS)
if ALLAUTH_TRUSTED_PROXY_COUNT:
    # Behind a reverse proxy that terminates TLS and sets these headers itself.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# Every asset is served by the app itself: no inline scripts or styles, no third parties.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
}

# --- Logging ----------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.get_str("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
