"""The Vietnamese catalogue is complete: every user-facing string is marked, extracted and translated.

``make messages`` (scripts/messages.sh) refreshes ``locale/vi/LC_MESSAGES/django.po``;
these tests fail until it has been run after a string changed, and until every
new entry is translated. The compiled ``.mo`` is built by ``make test`` / ``make run``.
"""

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "locale" / "vi" / "LC_MESSAGES" / "django.po"
SOURCE_PACKAGES = ("asm_portal", "claims", "policies", "shop_api")
TEMPLATE_FOLDERS = [ROOT / "templates", *(ROOT / package / "templates" for package in SOURCE_PACKAGES)]


def entry_key(entry: polib.POEntry) -> tuple[str, str]:
    return (entry.msgctxt or "", entry.msgid)


def committed() -> polib.POFile:
    return polib.pofile(str(CATALOGUE))


def test_every_entry_is_translated_and_none_is_fuzzy():
    catalogue = committed()
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    plurals_missing = [
        entry.msgid
        for entry in catalogue.translated_entries()
        if entry.msgid_plural and not all(entry.msgstr_plural.values())
    ]
    assert untranslated == [], f"untranslated in {CATALOGUE.name}: {untranslated}"
    assert fuzzy == [], f"fuzzy (check, then remove the flag): {fuzzy}"
    assert plurals_missing == []
    assert catalogue.metadata["Language"] == "vi"
    assert catalogue.metadata["Plural-Forms"] == "nplurals=1; plural=0;"


def test_the_catalogue_holds_exactly_the_strings_marked_in_the_code_and_templates(tmp_path):
    """Extract afresh from a copy of the project (never touching the committed catalogue) and compare."""
    copy = tmp_path / "project"
    skip = shutil.ignore_patterns("__pycache__", "*.mo", "*.po", "migrations")
    for package in (*SOURCE_PACKAGES, "templates"):
        shutil.copytree(ROOT / package, copy / package, ignore=skip)
    shutil.copy(ROOT / "manage.py", copy / "manage.py")
    (copy / "locale").mkdir()
    environment = {**os.environ, "PYTHON": sys.executable}
    subprocess.run(  # noqa: S603 - our own script, fixed arguments
        [str(ROOT / "scripts" / "messages.sh"), str(copy)],
        env=environment,
        check=True,
        capture_output=True,
        timeout=120,
    )
    extracted = {entry_key(entry) for entry in polib.pofile(str(copy / CATALOGUE.relative_to(ROOT)))}
    in_catalogue = {entry_key(entry) for entry in committed() if not entry.obsolete}

    assert sorted(extracted - in_catalogue) == [], "marked but not in the catalogue: run `make messages`"
    assert sorted(in_catalogue - extracted) == [], "no longer marked, still in the catalogue: `make messages`"


def test_the_compiled_catalogue_is_built_from_the_committed_one():
    compiled = CATALOGUE.with_suffix(".mo")
    assert compiled.exists(), "not compiled: run `make translations` (make test and make run do)"
    assert compiled.stat().st_mtime >= CATALOGUE.stat().st_mtime, "stale: run `make translations`"


# --- Nothing user-facing left unmarked --------------------------------------------

TEMPLATE_CODE = re.compile(r"\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}", re.S)
TRANSLATED_BLOCK = re.compile(r"\{% blocktranslate.*?\{% endblocktranslate %\}", re.S)
SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b.*?</\1>", re.S)
VISIBLE_ATTRIBUTE = re.compile(r'\b(?:aria-label|title|placeholder|alt)="([^"]*)"')
# Not words a person reads: comments, and the body classes the admin's templates set in a block.
NOT_TEXT = re.compile(
    r"\{% comment %\}.*?\{% endcomment %\}|\{% block bodyclass %\}.*?\{% endblock %\}", re.S
)


def unmarked_template_text(source: str) -> list[str]:
    """Words left once template code, translated blocks and markup are taken out (attributes included)."""
    source = TEMPLATE_CODE.sub(" ", NOT_TEXT.sub(" ", TRANSLATED_BLOCK.sub(" ", source)))
    attributes = VISIBLE_ATTRIBUTE.findall(source)
    text = re.sub(r"&[a-z]+;|&#\d+;", " ", re.sub(r"<[^>]*>", " ", SCRIPT_OR_STYLE.sub(" ", source)))
    return [
        word
        for chunk in (text, *attributes)
        for word in re.findall(r"[A-Za-z][A-Za-z'’-]+", chunk)
        if word != "RMA-"  # the placeholder of an RMA number, RMA-2026-000123
    ]


def test_templates_have_no_text_outside_translate_tags():
    found = {
        str(path.relative_to(ROOT)): words
        for folder in TEMPLATE_FOLDERS
        if folder.exists()
        for path in sorted(folder.rglob("*"))
        if path.suffix in {".html", ".txt"} and (words := unmarked_template_text(path.read_text()))
    }
    assert found == {}


def test_the_template_check_finds_unmarked_text():
    assert unmarked_template_text('<p title="Open it">Your claim</p>{% translate "Fine" %}') == [
        "Your",
        "claim",
        "Open",
        "it",
    ]


# Arguments and keywords that people read: a plain string literal there is a string nobody can translate.
USER_FACING_KEYWORDS = {
    "label",
    "help_text",
    "verbose_name",
    "verbose_name_plural",
    "description",
    "empty_label",
}
# Called name → index of the argument people read.
USER_FACING_ARGUMENTS = {"ValidationError": 0, "add_error": 1, "message_user": 1, "PermissionDenied": 0}
MESSAGES_FUNCTIONS = {"debug", "info", "success", "warning", "error", "add_message"}


def is_plain_text(node: ast.expr) -> bool:
    if isinstance(node, ast.JoinedStr):
        return True
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and re.search("[A-Za-z]", node.value) is not None
    )


def unmarked_python_strings(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
        owner = getattr(getattr(node.func, "value", None), "id", None)
        readable = [keyword.value for keyword in node.keywords if keyword.arg in USER_FACING_KEYWORDS]
        if name in USER_FACING_ARGUMENTS and len(node.args) > USER_FACING_ARGUMENTS[name]:
            readable.append(node.args[USER_FACING_ARGUMENTS[name]])
        if owner == "messages" and name in MESSAGES_FUNCTIONS and len(node.args) > 1:
            readable.append(node.args[1])
        found += [f"line {node.lineno}: {ast.unparse(value)}" for value in readable if is_plain_text(value)]
    return found


# The shop API's OpenAPI texts are read by the shop's developers, in English, as the API's field names.
DEVELOPER_FACING = {ROOT / "shop_api" / "api.py", ROOT / "shop_api" / "schemas.py"}


def test_python_code_gives_people_only_marked_strings():
    found = {
        str(path.relative_to(ROOT)): strings
        for package in SOURCE_PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in path.parts
        and path not in DEVELOPER_FACING
        and (strings := unmarked_python_strings(path.read_text()))
    }
    assert found == {}


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ('messages.success(request, "Saved.")', True),
        ('raise ValidationError(f"Bad {x}.")', True),
        ('forms.CharField(label="Name")', True),
        ('messages.success(request, _("Saved."))', False),
        ('logger.warning("Not for people: %s", error)', False),
        ('form.add_error("order", _("Unknown order."))', False),
    ],
)
def test_the_python_check_finds_unmarked_strings(source, found):
    assert bool(unmarked_python_strings(source)) is found
