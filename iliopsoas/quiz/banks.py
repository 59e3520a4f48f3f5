"""Loading and validating the question banks (``quizzes/NN-slug.yml``).

A bank is checked in three steps, and every problem found is reported (never
just the first one, never a traceback):

1. YAML syntax (``yaml.safe_load``), with the line of the error;
2. the JSON Schema ``quizzes/schema.json`` (every error, via ``iter_errors``);
3. the checks a schema cannot make: ids unique across the whole course,
   exactly one correct choice for ``single``, sources that exist in
   ``assets/references.yml``, objectives of the bank, misconception tags of
   ``quizzes/misconceptions.yml``, known anatomy structures for ``label``
   questions, no raw HTML in any text, answer options that can be shown as
   widget labels (no maths, links or blank lines: :func:`label_fields`).

``load_bank`` refuses a bank with any problem (the command line, the answer
key); ``load_bank_partial`` (the quiz) keeps every question that validates and
reports each broken one in its place, so one typo never hides a whole quiz.

Each problem is a :class:`BankError`; ``str()`` reads like
``quizzes/01-anatomy.yml: question 'anat-x', field 'choices': expected exactly
one correct choice, found 2``.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from ..markdown import label_problem, markup_problems
from ..paths import course_root

BANK_GLOB = "[0-9][0-9]-*.yml"
TYPES = ("single", "multiple", "truefalse", "numeric", "matching", "ordering", "label")

_SCRIPT_RE = re.compile(r"<\s*/?\s*(script|iframe|object|embed|style)\b", re.I)


@dataclass(frozen=True)
class BankError:
    """One problem in a bank: which file, which question, which field, what is wrong."""

    file: str
    question_id: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        parts = []
        if self.question_id:
            parts.append(f"question '{self.question_id}'")
        if self.field:
            parts.append(f"field '{self.field}'")
        head = self.file + (": " + ", ".join(parts) if parts else "")
        return f"{head}: {self.message}"


class BankValidationError(ValueError):
    """Raised when banks have problems; ``errors`` lists every one of them."""

    def __init__(self, errors: list[BankError]):
        self.errors = list(errors)
        super().__init__(self.report())

    def report(self) -> str:
        """A readable multi-line report, one problem a line."""
        n = len(self.errors)
        head = f"{n} problem{'s' if n != 1 else ''} in the question banks:"
        return "\n".join([head] + [f"  - {err}" for err in self.errors])

    def __str__(self) -> str:
        return self.report()


@dataclass
class Bank:
    """One validated question bank."""

    notebook: str
    title: str
    objectives: list[dict]
    questions: list[dict]
    path: Path | None = None

    def question(self, question_id: str) -> dict:
        """Return the question with this id (KeyError naming the bank if absent)."""
        for q in self.questions:
            if q["id"] == question_id:
                return q
        raise KeyError(f"bank {self.notebook!r} has no question {question_id!r}")

    @property
    def ids(self) -> list[str]:
        return [q["id"] for q in self.questions]


@dataclass
class Course:
    """Every bank of the course plus the shared references and misconceptions."""

    root: Path
    banks: dict[str, Bank] = field(default_factory=dict)
    references: dict[str, dict] = field(default_factory=dict)
    misconceptions: dict[str, dict] = field(default_factory=dict)
    objectives: dict[str, dict] = field(default_factory=dict)  # id -> {text, notebook}
    files: dict[str, "_Loaded"] = field(default_factory=dict)  # rel path -> the bank file as read (valid or not)
    shared_errors: list[BankError] = field(default_factory=list)  # references.yml, misconceptions.yml


@dataclass
class BrokenQuestion:
    """A question that cannot be shown: where it is in its bank and every problem it has."""

    file: str                    # "quizzes/01-anatomy.yml"
    question_id: str | None      # its id when it has a usable one
    position: int                # 1-based position in the file's question list
    errors: list[BankError] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"question {self.question_id!r}" if self.question_id else f"question #{self.position}"


@dataclass
class PartialBank:
    """A bank as far as it can be shown: its valid questions and, in their places, the broken ones.

    ``items`` is in file order: a question mapping (valid) or a :class:`BrokenQuestion`.
    ``problems`` are the bank's problems that belong to no one question (title, objectives, a
    shared file); they are shown above the questions.
    """

    notebook: str
    title: str
    objectives: list[dict]
    items: list
    problems: list[BankError] = field(default_factory=list)
    path: Path | None = None

    @property
    def questions(self) -> list[dict]:
        return [q for q in self.items if isinstance(q, dict)]

    @property
    def broken(self) -> list[BrokenQuestion]:
        return [q for q in self.items if isinstance(q, BrokenQuestion)]

    @property
    def ids(self) -> list[str]:
        """Every question id of the file (valid or broken, when it has one), in file order."""
        return [q["id"] if isinstance(q, dict) else q.question_id for q in self.items
                if isinstance(q, dict) or q.question_id]

    def find(self, question_id: str):
        """The valid question or the BrokenQuestion with this id, or None."""
        for q in self.items:
            if (q["id"] if isinstance(q, dict) else q.question_id) == question_id:
                return q
        return None

    def question(self, question_id: str) -> dict:
        q = self.find(question_id)
        if not isinstance(q, dict):
            raise KeyError(f"bank {self.notebook!r} has no valid question {question_id!r}")
        return q


@dataclass
class _Loaded:
    """A bank file as read, before and after validation."""

    path: Path
    rel: str
    data: dict | None
    errors: list[BankError] = field(default_factory=list)


# --------------------------------------------------------------------------- reading

def rel_name(path: Path, root: Path) -> str:
    """The path as shown in messages: relative to the course root, with '/'."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def normalize_keys(value):
    """Turn YAML's non-string mapping keys (``true:``, ``1:``) into strings."""
    if isinstance(value, dict):
        out = {}
        for key, val in value.items():
            if isinstance(key, bool):
                key = "true" if key else "false"
            elif not isinstance(key, str):
                key = str(key)
            out[key] = normalize_keys(val)
        return out
    if isinstance(value, list):
        return [normalize_keys(v) for v in value]
    return value


def read_yaml(path: Path, rel: str) -> tuple[object, list[BankError]]:
    """Parse a YAML file; a syntax error becomes a BankError with its line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [BankError(rel, None, None, f"cannot read the file: {exc}")]
    try:
        return yaml.safe_load(text), []
    except yaml.MarkedYAMLError as exc:
        return None, [BankError(rel, None, None, yaml_message(exc, text))]
    except yaml.YAMLError as exc:
        return None, [BankError(rel, None, None, f"YAML error: {exc}")]


#: PyYAML's problems (a substring of ``context problem``) -> what the author should do, in plain words.
_YAML_ADVICE = [
    ("found character '\\t'", "a tab character is used for indenting: YAML indents with spaces only"),
    ("mapping values are not allowed here",
     "a colon followed by a space (': ') inside a value: put the whole text in double quotes, or write it as a "
     "block after '|'"),
    ("could not find expected ':'",
     "a line has no 'field: value' colon, or a text runs on to the next line without quotes: "
     "check the line above too"),
    ("expected <block end>", "the indentation does not line up with the lines above it"),
    ("did not find expected '-' indicator", "a list item does not line up with the '- ' items above it"),
    ("did not find expected key", "the indentation does not line up with the fields above it"),
    ("found unexpected end of stream", "a quotation mark is opened but never closed"),
    ("found unknown escape character",
     "a backslash inside double quotes starts an unknown escape (such as \\a): use single quotes, "
     "or write two backslashes"),
    ("found undefined alias", "a '*' at the start of a value is read as a YAML alias: put the text in quotes"),
    ("while scanning an alias", "a '*' at the start of a value is read as a YAML alias: put the text in quotes"),
    ("while scanning an anchor", "a '&' at the start of a value is read as a YAML anchor: put the text in quotes"),
    ("found character '`' that cannot start any token",
     "a value starts with a backquote (`): put the whole text in quotes"),
    ("found character '@' that cannot start any token", "a value starts with '@': put the whole text in quotes"),
    ("found character '%' that cannot start any token", "a value starts with '%': put the whole text in quotes"),
    ("while parsing a flow", "a bracket ([ or {) is opened but not closed, or a value inside it needs quotes"),
    ("found duplicate anchor", "the same '&' anchor is defined twice"),
]


def yaml_message(exc, text: str = "") -> str:
    """A YAML syntax error in plain words, with its line and column and the line itself.

    For example ``YAML syntax error at line 12, column 14: a colon followed by a space (': ')
    inside a value: put the whole text in double quotes ... (line 12: "    prompt: Why: because")``.
    """
    mark = exc.problem_mark or exc.context_mark
    where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "an unknown line"
    start = exc.context_mark
    if mark and start and start.line != mark.line:
        where += f" (in the part that starts at line {start.line + 1})"
    problem = " ".join(str(p) for p in (exc.context, exc.problem) if p)
    advice = next((words for key, words in _YAML_ADVICE if key in problem), None)
    message = f"YAML syntax error at {where}: " + (advice or f"the file is not valid YAML ({problem})")
    if mark and text:
        lines = text.splitlines()
        if 0 <= mark.line < len(lines) and lines[mark.line].strip():
            shown = lines[mark.line].rstrip()
            shown = shown if len(shown) <= 100 else shown[:97] + "…"
            message += f' (line {mark.line + 1} reads: "{shown}")'
    if advice:
        message += f" [YAML: {problem}]"
    return message


@lru_cache(maxsize=1)
def load_schema() -> dict:
    """The bank schema, ``quizzes/schema.json`` (shipped with the course)."""
    path = Path(__file__).resolve().parents[2] / "quizzes" / "schema.json"  # iliopsoas/quiz/banks.py -> root
    if not path.is_file():
        path = course_root() / "quizzes" / "schema.json"
    return json.loads(path.read_text(encoding="utf-8"))


#: Optional packages jsonschema imports only to check string "format"s (iri, uri, date-time, duration,
#: colour, ...), which no course schema uses.  Importing them costs about 1 s (rfc3987_syntax compiles
#: about 40 Lark grammars; isoduration pulls in arrow).
FORMAT_CHECKER_MODULES = ("rfc3987_syntax", "rfc3987", "rfc3986_validator", "rfc3339_validator", "isoduration",
                          "uri_template", "webcolors", "fqdn", "idna", "jsonpointer")


def _import_jsonschema():
    """``jsonschema``, imported without its optional string-format checkers.

    When they are installed (JupyterLab's dependencies bring them), importing ``jsonschema``
    imports :data:`FORMAT_CHECKER_MODULES`: about 1 s on a laptop, most of the answer key's time
    and of a kernel's first quiz.  The course's schemas use no ``format`` (and no format checker),
    so ``jsonschema`` is imported with those modules hidden; they are visible again right after, for
    anyone who imports them (only ``jsonschema.FormatChecker`` in this process lacks those formats).
    """
    import sys

    if "jsonschema" in sys.modules:
        return sys.modules["jsonschema"]
    hidden = [name for name in FORMAT_CHECKER_MODULES if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # "import name" raises ImportError meanwhile
    try:
        import jsonschema
    finally:
        for name in hidden:
            if sys.modules.get(name, 0) is None:
                del sys.modules[name]
    return jsonschema


def _schema_validator():
    return _import_jsonschema().Draft202012Validator(load_schema())


# --------------------------------------------------------------------------- schema step

def _question_id(data, path: list) -> str | None:
    if len(path) >= 2 and path[0] == "questions" and isinstance(path[1], int):
        try:
            qid = data["questions"][path[1]].get("id")
        except (AttributeError, IndexError, KeyError, TypeError):
            qid = None
        return str(qid) if qid else f"#{path[1] + 1}"
    return None


def _field_name(path: list) -> str | None:
    rest = path[2:] if path[:1] == ["questions"] and len(path) >= 2 else path
    name = ""
    for part in rest:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name or None


_TYPE_WORDS = {"boolean": "true or false", "string": "a text", "number": "a number",
               "integer": "a whole number", "array": "a list of '- ' lines", "object": "a mapping of 'field: value' lines",
               "null": "nothing"}


def _describe_value(value) -> str:
    """A YAML value in words, for messages: "the text 'flase'", "the number 3", "a list"."""
    if isinstance(value, bool):
        return f"{'true' if value else 'false'}"
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "…"
        return f"the text {shown!r}"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _schema_message(err) -> tuple[str | None, str]:
    """(extra field name, friendly message) for one jsonschema error."""
    validator = err.validator
    if validator == "required":
        match = re.match(r"'([^']+)'", err.message)
        return (match.group(1) if match else None), "missing required field"
    if validator == "additionalProperties":
        allowed = sorted(err.schema.get("properties", {}))
        extra = sorted(set(err.instance) - set(allowed)) if isinstance(err.instance, dict) else []
        name = extra[0] if len(extra) == 1 else None
        return name, (f"unknown field{'s' if len(extra) != 1 else ''} {', '.join(map(repr, extra))}"
                      f" (allowed here: {', '.join(allowed)})")
    if validator == "enum":
        return None, f"{err.instance!r} is not one of {', '.join(map(str, err.validator_value))}"
    if validator == "exclusiveMinimum":
        return None, f"must be greater than {err.validator_value}, got {err.instance!r}"
    if validator == "type":
        want = err.validator_value
        words = _TYPE_WORDS.get(want, str(want)) if isinstance(want, str) else " or ".join(map(str, want))
        return None, f"expected {want} ({words}), got {_describe_value(err.instance)}"
    if validator == "minItems":
        return None, f"needs at least {err.validator_value} item(s)"
    if validator == "pattern":
        return None, (f"{err.instance!r} is not a valid id: use lower-case letters, digits and "
                      "hyphens (or underscores for anatomy structures)")
    if validator == "oneOf":
        return None, "expected a text, or a mapping with 'text' (and optional 'feedback')"
    return None, err.message


def schema_errors(data, rel: str) -> list[BankError]:
    """Every schema error of one bank, as BankErrors."""
    errors = []
    for err in sorted(_schema_validator().iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        path = list(err.absolute_path)
        extra, message = _schema_message(err)
        fld = _field_name(path)
        if extra:
            fld = f"{fld}.{extra}" if fld else extra
        errors.append(BankError(rel, _question_id(data, path), fld, message))
    return errors


# --------------------------------------------------------------------------- semantic step

def html_problem(text: str) -> str | None:
    """Why a text field holds raw HTML (or a javascript: link), or None if it does not.

    Raw HTML is what a CommonMark parser treats as HTML (:func:`iliopsoas.markdown.markup_problems`):
    ``the `<head>` of the femur`` (a code span), ``force is < body weight`` (a comparison), ``$a<b$``
    (maths) and ``<https://doi.org/...>`` (an autolink) are text that the renderer shows as written;
    ``<b>bold</b>``, ``<img src=x onerror=...>`` and ``<script>`` are HTML and are refused.
    """
    fragments, targets = markup_problems(text)
    for target in targets:
        if target.strip().lower().startswith(("javascript:", "vbscript:", "data:text/html")):
            return f"{target.split(':', 1)[0]}: links are not allowed"
    if not fragments:
        return None
    first = fragments[0]
    if _SCRIPT_RE.search(first):
        return "raw HTML (<script>, <iframe>, ...) is not allowed; write Markdown"
    shown = first if len(first) <= 60 else first[:57] + "..."
    what = "raw HTML tag" if re.match(r"</?[A-Za-z]", first) else "raw HTML"
    return (f"{what} {shown!r} is not allowed; write Markdown. For a comparison, put spaces around "
            "< and > (a < b) or use maths ($a<b$); to show a tag as code, use backticks (`<head>`)")


def _walk_strings(value, path):
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, val in value.items():
            yield from _walk_strings(val, path + [key])
    elif isinstance(value, list):
        for i, val in enumerate(value):
            yield from _walk_strings(val, path + [i])


def known_structures() -> set[str] | None:
    """The anatomy structure keys label questions may name (``anatomy.STRUCTURES``),
    or None when the drawing module cannot be imported: the structures then go
    unchecked and the quiz shows its label questions without the picture."""
    try:
        from ..models.landmarks import STRUCTURES
    except ImportError:
        return None
    return set(STRUCTURES)


def choice_problems(q: dict) -> list[tuple[str, str]]:
    """(field, message) problems with the correct answers of one question."""
    problems = []
    kind = q.get("type")
    if kind in ("single", "multiple"):
        choices = q.get("choices") or []
        n = sum(1 for c in choices if isinstance(c, dict) and c.get("correct") is True)
        if kind == "single" and n != 1:
            problems.append(("choices", f"expected exactly one correct choice, found {n}"))
        if kind == "multiple" and n < 1:
            problems.append(("choices", "expected at least one correct choice, found 0"))
        texts = [c.get("text") for c in choices if isinstance(c, dict)]
        problems += _duplicates("choices", texts, "choice")
        for i, c in enumerate(choices):
            if isinstance(c, dict) and c.get("correct") and c.get("misconception"):
                problems.append((f"choices[{i}].misconception", "a correct choice cannot carry a misconception"))
    elif kind == "matching":
        pairs = [p for p in q.get("pairs") or [] if isinstance(p, dict)]
        problems += _duplicates("pairs", [p.get("left") for p in pairs], "left item")
        rights = [p.get("right") for p in pairs]
        problems += _duplicates("pairs", rights, "right item")
        for d in q.get("distractors") or []:
            if d in rights:
                problems.append(("distractors", f"distractor {d!r} is also a right answer"))
    elif kind == "ordering":
        items = [i if isinstance(i, str) else (i or {}).get("text") for i in q.get("items") or []]
        problems += _duplicates("items", items, "item")
    elif kind == "label":
        markers = [m for m in q.get("markers") or [] if isinstance(m, dict)]
        answers = [m.get("answer") for m in markers]
        problems += _duplicates("markers", answers, "answer")
        problems += _duplicates("markers", [m.get("structure") for m in markers], "structure")
        for d in q.get("distractors") or []:
            if d in answers:
                problems.append(("distractors", f"distractor {d!r} is also a marker's answer"))
    return problems


def _duplicates(fld: str, values: list, what: str) -> list[tuple[str, str]]:
    seen, out = set(), []
    for v in values:
        if v is None:
            continue
        if v in seen:
            out.append((fld, f"{what} {v!r} appears twice"))
        seen.add(v)
    return out


def semantic_errors(loaded: _Loaded, references: dict, misconceptions: dict,
                    structures: set[str] | None) -> list[BankError]:
    """The checks a schema cannot make, for one bank (course-wide ids are checked elsewhere)."""
    data, rel = loaded.data, loaded.rel
    if not isinstance(data, dict):
        return []
    errors = []
    stem = loaded.path.stem
    if isinstance(data.get("notebook"), str) and data["notebook"] != stem:
        errors.append(BankError(rel, None, "notebook",
                                f"is {data['notebook']!r} but the file is {stem}.yml: they must match"))
    objectives = {o.get("id") for o in data.get("objectives") or [] if isinstance(o, dict)}
    for path, text in _walk_strings({k: v for k, v in data.items() if k != "questions"}, []):
        problem = html_problem(text)
        if problem:
            errors.append(BankError(rel, None, _field_name(path), problem))
    seen_ids: set = set()
    for i, q in enumerate(data.get("questions") or []):
        if not isinstance(q, dict):
            continue
        qid = str(q.get("id") or f"#{i + 1}")

        def add(fld, msg, qid=qid):
            errors.append(BankError(rel, qid, fld, msg))

        if q.get("id") in seen_ids:
            add("id", "this id is used twice in the bank")
        seen_ids.add(q.get("id"))
        for fld, msg in choice_problems(q):
            add(fld, msg)
        obj = q.get("objective")
        if isinstance(obj, str) and obj not in objectives:
            add("objective", f"unknown objective {obj!r}: the bank's objectives are "
                             f"{', '.join(sorted(o for o in objectives if o)) or '(none)'}")
        for key in q.get("sources") or []:
            if isinstance(key, str) and key not in references:
                add("sources", f"unknown source key {key!r}: add it to assets/references.yml")
        tags = [("misconception", q.get("misconception"))]
        tags += [(f"choices[{j}].misconception", c.get("misconception"))
                 for j, c in enumerate(q.get("choices") or []) if isinstance(c, dict)]
        for fld, tag in tags:
            if isinstance(tag, str) and tag not in misconceptions:
                add(fld, f"unknown misconception tag {tag!r}: define it in quizzes/misconceptions.yml")
        if q.get("type") == "label" and structures is not None:
            for j, m in enumerate(q.get("markers") or []):
                s = m.get("structure") if isinstance(m, dict) else None
                if isinstance(s, str) and s not in structures:
                    add(f"markers[{j}].structure",
                        f"unknown anatomy structure {s!r}: known are {', '.join(sorted(structures))}")
        for path, text in _walk_strings(q, []):
            problem = html_problem(text)
            if problem:
                add(_field_name(path), problem)
        for fld, text in label_fields(q):
            problem = label_problem(text)
            if problem:
                add(fld, problem)
    return errors


def label_fields(q: dict) -> list[tuple[str, str]]:
    """(field, text) of every answer option of a question: the texts shown as widget labels
    (radio buttons, tick boxes, drop-down menus and their names).  They must pass
    :func:`iliopsoas.markdown.label_problem`."""
    out = []
    if not isinstance(q, dict):
        return out
    kind = q.get("type")

    def each(name, values, key=None):
        for i, v in enumerate(values if isinstance(values, list) else []):
            text = v.get(key) if key and isinstance(v, dict) else v
            if isinstance(text, str):
                out.append((f"{name}[{i}]" + (f".{key}" if key and isinstance(v, dict) else ""), text))

    if kind in ("single", "multiple"):
        each("choices", q.get("choices"), "text")
    elif kind == "matching":
        each("pairs", q.get("pairs"), "left")
        each("pairs", q.get("pairs"), "right")
        each("distractors", q.get("distractors"))
    elif kind == "ordering":
        each("items", q.get("items"), "text")
    elif kind == "label":
        each("markers", q.get("markers"), "answer")
        each("distractors", q.get("distractors"))
    return out


def course_id_errors(loaded: list[_Loaded]) -> list[BankError]:
    """Question ids and objective ids must be unique across the whole course."""
    errors = []
    for kind, key in (("question", "questions"), ("objective", "objectives")):
        where: dict[str, list[_Loaded]] = {}
        for item in loaded:
            if not isinstance(item.data, dict):
                continue
            ids = {e.get("id") for e in item.data.get(key) or [] if isinstance(e, dict)}
            for ident in ids:
                if isinstance(ident, str):
                    where.setdefault(ident, []).append(item)
        for ident, items in where.items():
            if len(items) < 2:
                continue
            for item in items:
                others = ", ".join(o.rel for o in items if o is not item)
                errors.append(BankError(item.rel, ident if kind == "question" else None, "id",
                                        f"{kind} id {ident!r} is also used in {others}: "
                                        "ids must be unique across the course"))
    return errors


# --------------------------------------------------------------------------- shared files

def load_references(root: Path) -> tuple[dict, list[BankError]]:
    """``assets/references.yml``: key -> {short, citation, about, doi|url}."""
    return _load_mapping(root / "assets" / "references.yml", root, ("short", "citation", "about"))


def load_misconceptions(root: Path) -> tuple[dict, list[BankError]]:
    """``quizzes/misconceptions.yml``: tag -> {belief, correction}."""
    return _load_mapping(root / "quizzes" / "misconceptions.yml", root, ("belief", "correction"))


def _load_mapping(path: Path, root: Path, required: tuple[str, ...]) -> tuple[dict, list[BankError]]:
    rel = rel_name(path, root)
    if not path.is_file():
        return {}, [BankError(rel, None, None, "file is missing")]
    data, errors = read_yaml(path, rel)
    if errors:
        return {}, errors
    if not isinstance(data, dict):
        return {}, [BankError(rel, None, None, "expected a mapping of keys to entries")]
    out = {}
    for key, entry in data.items():
        if not isinstance(entry, dict):
            errors.append(BankError(rel, None, str(key), "expected a mapping"))
            continue
        missing = [f for f in required if not entry.get(f)]
        if missing:
            errors.append(BankError(rel, None, str(key), f"missing {', '.join(missing)}"))
        out[str(key)] = entry
    return out, errors


# --------------------------------------------------------------------------- public API

def bank_paths(root: Path) -> list[Path]:
    """Every bank file of the course, in course order."""
    return sorted((root / "quizzes").glob(BANK_GLOB))


def _signature(root: Path) -> tuple:
    files = bank_paths(root) + [root / "assets" / "references.yml", root / "quizzes" / "misconceptions.yml",
                                root / "assets" / "anatomy-landmarks.yml"]
    sig = []
    for p in files:
        try:
            st = p.stat()
            sig.append((str(p), st.st_mtime_ns, st.st_size))
        except OSError:
            sig.append((str(p), None, None))
    return tuple(sig)


def _resolve_root(root) -> Path:
    return Path(root).resolve() if root is not None else course_root()


def check_course(root=None) -> tuple[Course, list[BankError]]:
    """Read and check every bank; return the course (valid banks only) and all errors."""
    root = _resolve_root(root)
    return _check_cached(root, _signature(root))


@lru_cache(maxsize=4)
def _check_cached(root: Path, signature: tuple) -> tuple[Course, list[BankError]]:
    del signature  # part of the cache key only
    references, errors = load_references(root)
    misconceptions, more = load_misconceptions(root)
    errors += more
    structures = known_structures()
    loaded = []
    for path in bank_paths(root):
        rel = rel_name(path, root)
        data, errs = read_yaml(path, rel)
        item = _Loaded(path, rel, None, errs)
        if not errs:
            data = normalize_keys(data)
            if not isinstance(data, dict):
                item.errors.append(BankError(rel, None, None, "a bank must be a mapping with "
                                             "notebook, title, objectives and questions"))
            else:
                item.data = data
                item.errors += schema_errors(data, rel)
                item.errors += semantic_errors(item, references, misconceptions, structures)
        loaded.append(item)
    for err in course_id_errors(loaded):
        next(i for i in loaded if i.rel == err.file).errors.append(err)
    course = Course(root=root, references=references, misconceptions=misconceptions,
                    files={item.rel: item for item in loaded}, shared_errors=list(errors))
    for item in loaded:
        errors += item.errors
        if item.errors or item.data is None:
            continue
        data = item.data
        bank = Bank(notebook=data["notebook"], title=data["title"], objectives=data["objectives"],
                    questions=data["questions"], path=item.path)
        course.banks[bank.notebook] = bank
        for obj in bank.objectives:
            course.objectives[obj["id"]] = {"text": obj["text"], "notebook": bank.notebook}
    return course, errors


def validate_course(root=None) -> list[BankError]:
    """Every problem in every bank of the course (an empty list when all is well)."""
    return list(check_course(root)[1])


def load_course(root=None) -> Course:
    """The whole course; raises BankValidationError listing every problem."""
    course, errors = check_course(root)
    if errors:
        raise BankValidationError(errors)
    return course


def load_bank(notebook: str, root=None) -> Bank:
    """One notebook's bank; raises BankValidationError listing that bank's problems.

    Problems in other banks do not stop this one from loading, except a
    question id it shares with another bank.
    """
    root = _resolve_root(root)
    course, errors = check_course(root)
    rel = rel_name(root / "quizzes" / f"{notebook}.yml", root)
    mine = [e for e in errors if e.file == rel]
    shared = [e for e in errors if e.file.endswith(("references.yml", "misconceptions.yml"))]
    if mine or shared:
        raise BankValidationError(shared + mine)
    if notebook not in course.banks:
        raise BankValidationError([BankError(rel, None, None, "no such question bank")])
    return course.banks[notebook]


def load_course_partial(root=None) -> Course:
    """The course with every bank that validates (for tools that must not fail)."""
    return check_course(root)[0]


def _question_key(q, index: int) -> str:
    """How BankErrors name the question at ``index``: its id, or "#n" when it has none."""
    qid = q.get("id") if isinstance(q, dict) else None
    return str(qid) if qid else f"#{index + 1}"


def load_bank_partial(notebook: str, root=None) -> PartialBank:
    """As much of one notebook's bank as can be shown (for the quiz): every valid question,
    and a :class:`BrokenQuestion` (file, question, field, problem) in place of each broken one.

    Raises :class:`BankValidationError` only when no question can be read at all: the file is
    missing or unreadable, is not valid YAML (the message gives the line and column in plain
    words), is not a mapping, or has no list of questions.
    """
    root = _resolve_root(root)
    course, _errors = check_course(root)
    rel = rel_name(root / "quizzes" / f"{notebook}.yml", root)
    item = course.files.get(rel)
    if item is None:
        raise BankValidationError([BankError(rel, None, None, "no such question bank")])
    data = item.data
    questions = data.get("questions") if isinstance(data, dict) else None
    if not isinstance(questions, list) or not questions:
        fatal = item.errors or [BankError(rel, None, "questions", "the bank has no list of questions")]
        raise BankValidationError(course.shared_errors + fatal)
    by_key: dict[str, list[BankError]] = {}
    problems = list(course.shared_errors)
    keys = [_question_key(q, i) for i, q in enumerate(questions)]
    for err in item.errors:
        if err.question_id is not None and err.question_id in keys:
            by_key.setdefault(err.question_id, []).append(err)
        else:
            problems.append(err)
    items = []
    for i, (q, key) in enumerate(zip(questions, keys)):
        if key in by_key or not isinstance(q, dict):
            qid = q.get("id") if isinstance(q, dict) and isinstance(q.get("id"), str) else None
            items.append(BrokenQuestion(rel, qid, i + 1, by_key.get(key, [])))
        else:
            items.append(q)
    title = data.get("title") if isinstance(data.get("title"), str) and data.get("title") else notebook
    objectives = [o for o in data.get("objectives") or [] if isinstance(o, dict)]
    return PartialBank(notebook, title, objectives, items, problems, item.path)
