#!/usr/bin/env python3
"""Evidence language: every figure the course states carries a citation that resolves.

    python tools/evidence_language.py      # list every problem (exit 1 if there is one)

The rules are written for authors in docs/evidence-language.md ("What the test checks");
tests/test_evidence_language.py holds them.  In short:

- A *figure* is a percentage, a count of subjects ("117 elite athletes", "ten men", "n = 54"),
  a measurement with a unit ("16 cm²", "1113 N", "43 mm", "6–12 months", an angle that is a
  finding), an accuracy statistic (sensitivity, specificity, ICC, kappa, likelihood or odds
  ratio, r) or a confidence interval.
- A sentence that states a figure cites a reference: the `short` text of a key of
  assets/references.yml inside parentheses, in the same sentence or in the sentence before it
  in the same paragraph (a list item and a table row are paragraphs of their own).  A bank
  question is cited by its `sources`; a data-file entry by its own `sources` (or those of an
  entry that contains it).
- A figure that one of the course's own models computed (the teaching model, the simulator)
  cites the course's own key, `course-models` ("(course models 2026)"), never a paper.
- Every cited key resolves to a reference with authors, a year, a journal or book, and a DOI,
  PMID or URL that is not a search page.

Not figures: lesson and section numbers, times in minutes or hours, question counts, vertebral
levels (L4, T12), the values a student is told to set on a control ("Drag the slider to 30°",
"Lower the effort to 50 %"), angles that only say where a joint is ("at 90° of hip flexion"),
and examples the text itself calls invented ("Imagine a study of 10 bodies"; a paragraph that opens a
teaching case, "**Case 5.** A 78-year-old on warfarin has had 2 weeks of groin pain...").  Text in
`code spans` and $maths$ is not read.
"""
from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent

#: Reference key for numbers computed by the course's own models and checks.
COURSE_KEY = "course-models"
#: Generated notebook cells (their text comes from data files checked on their own).
GENERATED = ("<!--NAVIGATION-->", "<!--OBJECTIVES-->", "<!--REFERENCES-->", "<!--RED-FLAGS-->")

# ---------------------------------------------------------------------------- figures
_NUMBER_WORDS = ("two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
                 "sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety "
                 "hundred thousand dozen").split()
_NUM = r"(?<![\w.,/])[−-]?\d+(?:[.,]\d+)?(?:\s?(?:[–-]|to)\s?[−-]?\d+(?:[.,]\d+)?)?"
_COUNT_WORD = r"\b(?:" + "|".join(_NUMBER_WORDS) + r")(?:[ -](?:" + "|".join(_NUMBER_WORDS) + r"))?"
_SUBJECTS = ("people|persons|patients|athletes|men|women|boys|girls|children|adolescents|teenagers|adults|"
             "volunteers|subjects|participants|players|dancers|runners|footballers|students|soldiers|"
             "recruits|cadavers|bodies|specimens|donors|hips|limbs|legs|knees|plexuses|cases|raters|"
             "examiners|therapists|physiotherapists|surgeons|clinicians|experts|studies|trials|teams")
_UNITS = (r"mmHg|mm|cm²|cm2|cm|km|kN|N·m|N\s?m\b|Nm|N|kg|mg|g|mL|ml|kPa|MPa|Hz|bpm|kcal|"
          r"seconds?|days?|weeks?|months?|years?|m")
PATTERNS = {
    "percentage": re.compile(_NUM + r"\s?(?:%|per ?cent\b|percentage points?\b)"),
    "count of subjects": re.compile(r"(?:" + _NUM + r"|" + _COUNT_WORD + r")\s+(?:[A-Za-z-]+\s+){0,3}?"
                                    r"(?:" + _SUBJECTS + r")\b|\bn\s?=\s?\d+", re.I),
    "measurement": re.compile(_NUM + r"\s?(?:" + _UNITS + r")(?![\w²/])"),
    "angle": re.compile(_NUM + r"\s?(?:°(?!C)|degrees?\b)"),
    "accuracy statistic": re.compile(
        r"\b(?:(?i:sensitivity|specificity|intraclass correlation|kappa|likelihood ratios?|odds ratios?|"
        r"relative risk|hazard ratio|positive predictive|negative predictive|cronbach)|ICC|κ|LR[+−-]|OR|RR|AUC|PPV|"
        r"NPV)(?!\w)[^.;]{0,30}?\d|(?<![\w.])[rR]²?\s?=\s?[−-]?\d"),
    "confidence interval": re.compile(r"\b(?:CI|confidence intervals?)\b[^.;]{0,20}\d|\d[^.;]{0,20}\bCI\b"),
}
#: An angle counts as a figure (a finding, not a position) when it has decimals or the sentence
#: reports a result.
_FINDING_WORDS = re.compile(r"\b(?:average[ds]?|mean|median|norms?|normal|measured|found|reported|recorded|"
                            r"showed|shown|range|typical(?:ly)?|on average|athletes|people|study|studies)\b", re.I)
_DECIMAL_ANGLE = re.compile(r"\d[.,]\d+\s?(?:°|degrees?)")
#: Sentences that tell the student what to set on a control: their angles and percentages are settings.
_INSTRUCTION = re.compile(r"^\W*(?:\d+\.\s*)?\W*(?:in (?:the|this) [\w -]+?, )?(?:drag|set|move|slide|step|start|go|"
                          r"choose|select|pick|lower|raise|turn|try|tick|untick|press|click|type|run|keep|put|compare|"
                          r"leave)\b|\b(?:drag|move|set) the\b|\bslider\b", re.I)
#: Sentences that say their example is invented.
_INVENTED = re.compile(r"\b(?:imagine|suppose|made-up|invented|hypothetical|for the sake of argument|composite case|"
                       r"vignette)\b", re.I)
#: A paragraph that opens a teaching case ("Case 3.", "**Case 5: ...**"): its ages, durations and weights are
#: details of an invented patient, not findings.  The case's evidence ("Anchors: ...") goes in its own paragraph.
_CASE = re.compile(r"^\W*(?:case\s+\d+\w*|case\b|vignette\b)", re.I)
#: Words that mark a figure as computed by one of the course's own models.
_COURSE_MODEL = re.compile(r"\b(?:teaching model|simulator|paradox explorer|lumbar model|course's (?:own )?model|"
                           r"our calculation)\b", re.I)


def figures(sentence: str) -> list[tuple[str, str]]:
    """The figures a sentence states: [(kind, text)], after the exemptions above."""
    if _INVENTED.search(sentence):
        return []
    instruction = bool(_INSTRUCTION.match(sentence))
    found = []
    for kind, pattern in PATTERNS.items():
        for m in pattern.finditer(sentence):
            text = m.group(0).strip()
            if kind == "angle":
                if instruction or not (_DECIMAL_ANGLE.search(text) or _FINDING_WORDS.search(sentence)):
                    continue
            if kind == "percentage" and instruction:
                continue
            if kind == "measurement" and re.search(r"\d\s?years?$", text) and re.search(
                    r"\d[ -]years?[ -]old", sentence):
                continue
            found.append((kind, text))
    return found


def mentions_course_model(sentence: str) -> bool:
    return bool(_COURSE_MODEL.search(sentence))


# ---------------------------------------------------------------------------- citations
def parenthesised(text: str) -> list[str]:
    """Top-level (...) groups of a text, nested parentheses included in their group."""
    groups, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "(":
            if depth == 0:
                start = i + 1
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
            if depth == 0:
                groups.append(text[start:i])
    return groups


def cited_keys(text: str, refs: dict) -> set[str]:
    """Keys whose `short` text stands inside a parenthesised group of ``text``."""
    keys = set()
    for group in parenthesised(re.sub(r"\s+", " ", text)):
        for key, entry in refs.items():
            short = str(entry.get("short", ""))
            if key != "course-guide" and short and short in group:
                keys.add(key)
    return keys


_YEAR_CITATION = re.compile(r"\(([^()]*?\b(?:1[89]|20)\d\d[a-z]?)\)")


def unresolved_citations(text: str, refs: dict) -> list[str]:
    """Parenthesised author–year citations that match no reference's `short` text."""
    shorts = {str(e.get("short", "")) for e in refs.values()}
    text = re.sub(r"\s+", " ", text)                     # a citation may be wrapped across lines
    bad = []
    for m in _YEAR_CITATION.finditer(text):
        for part in m.group(1).split(";"):
            part = part.strip()
            if re.search(r"\b(?:1[89]|20)\d\d", part) and re.match(r"[A-Z]", part) and part not in shorts:
                bad.append(part)
    return bad


# ---------------------------------------------------------------------------- text
_ABBREVIATIONS = ("et al.", "e.g.", "i.e.", "vs.", "cf.", "approx.", "Fig.", "fig.", "No.", "St.", "Dr.", "ed.",
                  "n.d.", "ca.", "p.", "pp.", "vol.")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)*_]*\s+(?=[\"“‘(*_]*[A-Z0-9])")


def split_sentences(paragraph: str) -> list[str]:
    """Sentences of a paragraph (abbreviations such as "et al." do not end one)."""
    protected = paragraph
    for abbr in _ABBREVIATIONS:
        protected = re.sub(r"(?<![\w])" + re.escape(abbr), abbr.replace(".", "\x00"), protected)
    protected = re.sub(r"\b([A-Z])\.(?= ?[A-Z]\.)", "\\1\x00", protected)       # initials: "S. D."
    out = []
    for part in _SENTENCE_END.split(protected):
        part = part.replace("\x00", ".").strip()
        if part:
            out.append(part)
    return out


@lru_cache(maxsize=1)
def _markdown_parser():
    from markdown_it import MarkdownIt
    from mdit_py_plugins.dollarmath import dollarmath_plugin

    md = MarkdownIt("commonmark", {"html": True}).enable("table")
    md.use(dollarmath_plugin, allow_digits=False, allow_space=False, double_inline=True)
    return md


def _inline_text(token) -> str:
    parts = []
    for child in token.children or []:
        if child.type in ("text", "html_inline"):
            parts.append(re.sub(r"<[^>]+>", " ", child.content) if child.type == "html_inline" else child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type in ("code_inline", "math_inline", "math_inline_double", "image"):
            parts.append(" ")
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def markdown_paragraphs(text: str) -> list[str]:
    """The prose units of a Markdown text: paragraphs, list items, table rows and HTML blocks.

    Headings, code blocks and maths are left out; links keep their text; a table row is one unit.
    """
    tokens = _markdown_parser().parse(text)
    units, row, in_heading = [], None, False
    for tok in tokens:
        if tok.type == "heading_open":
            in_heading = True
        elif tok.type == "heading_close":
            in_heading = False
        elif tok.type == "tr_open":
            row = []
        elif tok.type == "tr_close":
            units.append(" | ".join(c for c in row if c))
            row = None
        elif tok.type == "inline" and not in_heading:
            if row is not None:
                row.append(_inline_text(tok))
            else:
                units.append(_inline_text(tok))
        elif tok.type == "html_block":
            plain = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", tok.content)).strip()
            if plain:
                units.append(plain)
    return [u for u in units if u]


# ---------------------------------------------------------------------------- problems
@dataclass(frozen=True)
class Problem:
    where: str
    text: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}: {self.text!r}"


def check_prose(text: str, where: str, refs: dict, covering: frozenset = frozenset(),
                markdown: bool = True) -> list[Problem]:
    """Figures without a citation in a Markdown (or plain) text.

    ``covering``: keys that already cite the whole text (a question's or an entry's `sources`).
    """
    problems = []
    for bad in unresolved_citations(text, refs):
        problems.append(Problem(where, bad, "citation matches no reference (assets/references.yml `short`)"))
    units = markdown_paragraphs(text) if markdown else [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    for unit in units:
        if _CASE.match(unit):
            continue
        sentences = split_sentences(unit)
        for i, sentence in enumerate(sentences):
            found = figures(sentence)
            if not found:
                continue
            near = sentence + " " + (sentences[i - 1] if i else "")
            keys = cited_keys(near, refs) | set(covering)
            kinds = ", ".join(sorted({k for k, _ in found}))
            if not keys:
                problems.append(Problem(where, sentence, f"states a figure ({kinds}) without a citation"))
            elif mentions_course_model(sentence) and COURSE_KEY not in keys:
                problems.append(Problem(where, sentence, f"a number of the course's own model ({kinds}) must cite "
                                                         f"'{COURSE_KEY}' ({refs.get(COURSE_KEY, {}).get('short', '')})"))
    return problems


# ---------------------------------------------------------------------------- references
_AUTHOR = re.compile(r"\b[A-Z][A-Za-zÀ-ÿ'’-]+(?: [A-Z][A-Za-zÀ-ÿ'’-]+)* [A-Z]{1,4}\b|\bauthors\b")
_CITATION = re.compile(r"^(?P<authors>[^()]+?)\s*\((?P<date>[^)]*)\)\.?\s*(?P<venue>.*)$", re.S)


def reference_problems(key: str, entry, root: Path = ROOT) -> list[str]:
    """What a reference lacks: authors, a year, a journal or book, a DOI/PMID/URL (not a search page)."""
    if not isinstance(entry, dict):
        return [f"{key}: not a mapping"]
    out = []
    citation = str(entry.get("citation", "")).strip()
    m = _CITATION.match(citation)
    if not m:
        return [f"{key}: citation should read 'Authors (year). Journal or book ...', got {citation!r}"]
    if not _AUTHOR.search(m["authors"]):
        out.append(f"{key}: citation names no authors ('Surname AB')")
    if not re.search(r"\b(?:1[5-9]|20)\d\d\b", m["date"]):
        out.append(f"{key}: citation has no year")
    if len(re.findall(r"[A-Za-z]", m["venue"])) < 3:
        out.append(f"{key}: citation names no journal or book")
    for fld in ("short", "about"):
        if not str(entry.get(fld, "")).strip():
            out.append(f"{key}: no {fld!r}")
    doi, pmid, url = entry.get("doi"), entry.get("pmid"), entry.get("url")
    if doi and not re.match(r"^10\.\d{4,9}/\S+$", str(doi)):
        out.append(f"{key}: doi {doi!r} is not a DOI")
    if pmid and not re.match(r"^\d{5,9}$", str(pmid)):
        out.append(f"{key}: pmid {pmid!r} is not a PubMed id")
    if url:
        url = str(url)
        if re.search(r"[?&](?:term|q|query|search)=|/search\b", url):
            out.append(f"{key}: url is a search page, not the record: {url}")
        elif not url.startswith(("https://", "http://")) and not ((root / "notebooks" / url).exists()
                                                                   or (root / url).exists()):
            out.append(f"{key}: url {url!r} is neither a web address nor a path in the course")
    if not (doi or pmid or url):
        out.append(f"{key}: no doi, pmid or url")
    return out


# ---------------------------------------------------------------------------- the course
def load_references(root: Path = ROOT) -> dict:
    return yaml.safe_load((root / "assets" / "references.yml").read_text(encoding="utf-8")) or {}


def notebook_problems(path: Path, refs: dict) -> list[Problem]:
    import nbformat

    nb = nbformat.read(path, as_version=4)
    problems = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown" and not cell.source.lstrip().startswith(GENERATED):
            problems += check_prose(cell.source, f"{path.relative_to(path.parent.parent)} cell {i}", refs)
    return problems


def _question_texts(q: dict) -> list[str]:
    texts = [q.get("prompt"), q.get("explanation")] + list(q.get("hints") or [])
    fb = q.get("feedback")
    texts += list(fb.values()) if isinstance(fb, dict) else [fb]
    for group in ("choices", "items", "pairs", "markers"):
        for item in q.get(group) or []:
            if isinstance(item, dict):
                texts += [item.get("text"), item.get("feedback"), item.get("left"), item.get("right"),
                          item.get("answer")]
    texts += [d for d in q.get("distractors") or [] if isinstance(d, str)]
    return [t for t in texts if isinstance(t, str) and t.strip()]


def bank_problems(path: Path, refs: dict) -> list[Problem]:
    """A question that states a figure must name `sources` that resolve (and the course's key for model numbers)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    problems = []
    for q in data.get("questions") or []:
        where = f"{path.relative_to(path.parent.parent)} question {q.get('id')!r}"
        sources = [s for s in q.get("sources") or [] if isinstance(s, str)]
        unknown = [s for s in sources if s not in refs]
        if unknown:
            problems.append(Problem(where, ", ".join(unknown), "sources that are not references"))
        for text in _question_texts(q):
            problems += [Problem(where, p.text, p.message)
                         for p in check_prose(text, where, refs, covering=frozenset(s for s in sources if s in refs))]
    return problems


def _entry_sources(node: dict, refs: dict) -> set[str]:
    keys = set()
    for fld in ("sources", "source", "framework"):
        value = node.get(fld)
        values = value if isinstance(value, list) else [value]
        keys |= {v for v in values if isinstance(v, str) and v in refs}
    return keys


def data_problems(path: Path, refs: dict, root: Path = ROOT) -> list[Problem]:
    """Every string in a YAML/JSON data file under assets/: figures covered by the entry's `sources`."""
    text = path.read_text(encoding="utf-8")
    data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    rel = str(path.relative_to(root))
    problems = []

    def walk(node, trail, covering):
        if isinstance(node, dict):
            covering = covering | _entry_sources(node, refs)
            for fld in ("sources",):
                for key in node.get(fld) or [] if isinstance(node.get(fld), list) else []:
                    if isinstance(key, str) and key not in refs:
                        problems.append(Problem(f"{rel} {'/'.join(trail) or 'top'}", key, "source that is not a reference"))
            for k, v in node.items():
                walk(v, trail + [str(k)], covering)
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, trail + [str(i)], covering)
        elif isinstance(node, str) and re.search(r"[A-Za-z]{3}", node) and " " in node.strip():
            problems.extend(check_prose(node, f"{rel} {'/'.join(trail)}", refs, frozenset(covering), markdown=False))

    walk(data, [], frozenset())
    return problems


#: Fields of a clinical case that tell the invented patient's story (ages, durations, findings of this one
#: patient), not evidence; every other text of a case is checked, covered by its entry's `sources`.
CASE_STORY_FIELDS = {"patient", "info", "title", "role", "prompt", "caption"}


def case_files(root: Path = ROOT) -> list[Path]:
    """Lesson 07's clinical cases (quizzes/cases/*.yml)."""
    return sorted((root / "quizzes" / "cases").glob("*.yml"))


def case_problems(path: Path, refs: dict, root: Path = ROOT) -> list[Problem]:
    """A clinical case: feedback, unsafe/wasteful reasons, outcomes and the summary state figures only with
    sources (the option's, decision's, outcome's or summary's own); the patient's story is exempt."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    rel = str(path.relative_to(root))
    problems = []

    def walk(node, trail, covering):
        if isinstance(node, dict):
            covering = covering | _entry_sources(node, refs)
            for key in node.get("sources") or [] if isinstance(node.get("sources"), list) else []:
                if isinstance(key, str) and key not in refs:
                    problems.append(Problem(f"{rel} {'/'.join(trail) or 'top'}", key, "source that is not a reference"))
            for k, v in node.items():
                if k not in CASE_STORY_FIELDS:
                    walk(v, trail + [str(k)], covering)
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, trail + [str(i)], covering)
        elif isinstance(node, str) and re.search(r"[A-Za-z]{3}", node) and " " in node.strip():
            problems.extend(check_prose(node, f"{rel} {'/'.join(trail)}", refs, frozenset(covering)))

    if isinstance(data, dict):
        walk(data, [], frozenset())
    return problems


def data_files(root: Path = ROOT) -> list[Path]:
    files = sorted(p for p in (root / "assets").rglob("*") if p.suffix in (".yml", ".yaml", ".json"))
    return [p for p in files if p.name != "references.yml"]


def cited_reference_keys(root: Path = ROOT) -> dict[str, list[str]]:
    """Every reference key the course cites, with where: bank sources, data-file sources, prose citations."""
    refs = load_references(root)
    used: dict[str, list[str]] = {}
    for path in sorted((root / "quizzes").glob("[0-9][0-9]-*.yml")):
        for q in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("questions") or []:
            for key in q.get("sources") or []:
                used.setdefault(key, []).append(f"{path.name} {q.get('id')}")
    for path in data_files(root):
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)

        def walk(node):
            if isinstance(node, dict):
                for fld in ("sources", "framework"):
                    value = node.get(fld)
                    for key in value if isinstance(value, list) else [value]:
                        if isinstance(key, str) and re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", key):
                            used.setdefault(key, []).append(path.name)
                for v in node.values():
                    walk(v)
            elif isinstance(node, list):
                for v in node:
                    walk(v)

        walk(data)
    for path in case_files(root):  # clinical cases cite by `sources` on options, outcomes and the summary

        def walk_case(node):
            if isinstance(node, dict):
                for key in node.get("sources") or [] if isinstance(node.get("sources"), list) else []:
                    if isinstance(key, str):
                        used.setdefault(key, []).append(path.name)
                for v in node.values():
                    walk_case(v)
            elif isinstance(node, list):
                for v in node:
                    walk_case(v)

        walk_case(yaml.safe_load(path.read_text(encoding="utf-8")))
    import nbformat

    for path in sorted((root / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                for key in cited_keys(cell.source, refs):
                    used.setdefault(key, []).append(path.name)
    return used


def all_problems(root: Path = ROOT) -> list[str]:
    refs = load_references(root)
    out = [str(p) for path in sorted((root / "notebooks").glob("*.ipynb")) for p in notebook_problems(path, refs)]
    out += [str(p) for path in sorted((root / "quizzes").glob("[0-9][0-9]-*.yml")) for p in bank_problems(path, refs)]
    out += [str(p) for path in data_files(root) for p in data_problems(path, refs, root)]
    out += [str(p) for path in case_files(root) for p in case_problems(path, refs, root)]
    for key, where in cited_reference_keys(root).items():
        if key not in refs:
            out.append(f"reference {key!r} (cited in {', '.join(sorted(set(where)))}) is not in assets/references.yml")
    for key, entry in refs.items():
        out += reference_problems(key, entry, root)
    return out


def main() -> int:
    problems = all_problems()
    for p in problems:
        print(p)
    print(f"{len(problems)} problem(s)", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
