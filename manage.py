#!/usr/bin/env python
"""Django's command-line utility, with plain-language errors for a broken set-up."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "microstore.settings")
    if sys.version_info < (3, 12):  # noqa: UP036 -- said plainly, before Django fails to import
        sys.exit(
            f"microstore needs Python 3.12 or newer; this is {sys.version.split()[0]}. "
            "Run it through `make run`, which creates .venv with the right Python."
        )
    try:
        from django.core.exceptions import ImproperlyConfigured
        from django.core.management import execute_from_command_line
        from django.db.utils import OperationalError
    except ImportError as exc:
        raise ImportError(
            "Couldn't import Django. Run `make run` (or activate .venv) first."
        ) from exc
    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as exc:
        sys.exit(f"Configuration error: {exc}")
    except OperationalError as exc:
        sys.exit(
            f"Cannot reach the database ({exc}".strip() + "). "
            "Check DATABASE_URL and that the database server is running."
        )


if __name__ == "__main__":
    main()
