#!/usr/bin/env bash
# `make messages`: refresh the Vietnamese catalogue, locale/vi/LC_MESSAGES/django.po, from the
# strings marked in the code and templates. New strings arrive untranslated; strings no longer
# in the code are dropped. Then translate the new ones (docs/glossary.md) and run `make test`.
# With a directory argument it refreshes that copy of the project instead (tests/test_translations.py).
set -euo pipefail
ROOT=$(cd "${1:-$(dirname "$0")/..}" && pwd)
PYTHON=${PYTHON:-$(cd "$(dirname "$0")/.." && pwd)/.venv/bin/python}
cd "$ROOT"
# File names only, no line numbers: a moved string does not change the catalogue.
DJANGO_DEBUG=true "$PYTHON" manage.py makemessages --locale vi --no-obsolete --add-location file \
  --ignore '.venv' --ignore 'var' --ignore 'tests' --ignore 'benchmarks' --ignore 'scripts' \
  --ignore 'static' --ignore 'locale' --ignore '*/migrations/*'
