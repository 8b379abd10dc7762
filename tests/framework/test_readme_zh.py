"""README.zh-CN.md, the Chinese README, says what README.md says: a change to one that the other lacks fails here.

What must agree, and what may differ:

- Each opens by linking to the other: the first line after README.md's title is
  `中文说明: [README.zh-CN.md](README.zh-CN.md)`, after README.zh-CN.md's `English: [README.md](README.md)`.
- Sections: the same `##` and `###` headings, by order — the same count and the same level at each place. The
  heading text is free (the Chinese one is a translation). Sections below are matched by this order.
- Fenced code blocks: the same count, in the same order, each identical byte for byte (fence, info string,
  indentation, content), with one exception: in ```sh blocks the comments may be translated. A comment is what
  follows a `#` that starts a word outside quotes, up to the end of its line (as the shell reads it); the code
  before it must be identical, spacing included, and a line has a comment in one README exactly when it has one
  in the other. Comments in any other block (the YAML example is a case file test_readme.py loads, the Python one
  is a shipped module) stay as they are.
- The coverage table between `<!-- coverage:start -->` and `<!-- coverage:end -->` is identical: it is generated
  into README.md (`python -m common.cases.coverage --write`); copy the block from there.
- Per section: the same links to repository files (the same targets, as many times; their order in the section
  is free); the same in-page links, pointing at the same headings by position (GitHub's
  heading anchors: a Chinese heading gets a Chinese anchor); and the same inline code spans — code, commands,
  file paths, YAML keys and environment variable names are never translated.
- The opening commands, the first code block before any section, are the same in both, and both state the
  Python version the code checks for.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from common import MIN_PYTHON
from common.cases.coverage import END, START

ROOT = Path(__file__).resolve().parents[2]
EN_PATH, ZH_PATH = ROOT / "README.md", ROOT / "README.zh-CN.md"
EN_LINK, ZH_LINK = "中文说明: [README.zh-CN.md](README.zh-CN.md)", "English: [README.md](README.md)"
CROSS_LINKS = {"README.md", "README.zh-CN.md"}
FENCE = re.compile(r"^( *)(`{3,})(.*)$")
HEADING = re.compile(r"^(#{1,6}) +(.+?) *#* *$")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
CODE_SPAN = re.compile(r"(`+)(.+?)(?<!`)\1(?!`)", flags=re.DOTALL)


@dataclass
class Block:
    line: int  # 1-based line of the opening fence
    indent: str
    info: str
    text: str  # the whole block, fences included

    @property
    def content(self) -> str:
        return self.text.split("\n", 1)[1].rsplit("\n", 1)[0]


@dataclass
class Section:
    level: int  # 0 for what comes before the first `##`
    title: str
    line: int
    prose: list[str] = field(default_factory=list)  # lines outside code blocks


@dataclass
class Readme:
    name: str
    text: str
    blocks: list[Block]
    sections: list[Section]
    titles: list[tuple[int, str]]  # every heading, level and text, in order (for anchors)


def parse(path: Path) -> Readme:
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    blocks: list[Block] = []
    sections = [Section(0, "(before the first section)", 1)]
    titles: list[tuple[int, str]] = []
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if opening:
            indent, ticks, info = opening.groups()
            close = re.compile(rf"^ *{ticks}`* *$")
            end = index + 1
            while end < len(lines) and not close.match(lines[end]):
                end += 1
            assert end < len(lines), f"{path.name}:{index + 1}: code block never closed"
            blocks.append(Block(index + 1, indent, info.strip(), "\n".join(lines[index : end + 1])))
            index = end + 1
            continue
        heading = HEADING.match(lines[index])
        if heading:
            level, title = len(heading.group(1)), heading.group(2)
            titles.append((level, title))
            if level in (2, 3):
                sections.append(Section(level, title, index + 1))
                index += 1
                continue
        sections[-1].prose.append(lines[index])
        index += 1
    return Readme(path.name, text, blocks, sections, titles)


def sh_lines(content: str) -> list[tuple[str, bool]]:
    """Each line of a shell block as (the code before its comment, whether it has a comment), read as sh does:
    quotes (a double-quoted text may run over lines), backslash escapes, and `#` only where a word starts."""
    result: list[tuple[str, bool]] = []
    code: list[str] = []
    quote, comment, index = "", False, 0
    while index < len(content):
        char = content[index]
        if char == "\n":
            result.append(("".join(code), comment))
            code, comment = [], False
        elif comment:
            pass
        elif char == "\\" and quote != "'" and content[index + 1 : index + 2] not in ("", "\n"):
            code.append(content[index : index + 2])
            index += 1
        elif quote:
            code.append(char)
            if char == quote:
                quote = ""
        elif char == "#" and (not code or code[-1][-1] in " \t"):
            comment = True
        else:
            code.append(char)
            if char in "'\"":
                quote = char
        index += 1
    result.append(("".join(code), comment))
    return result


def same_block(english: Block, chinese: Block) -> bool:
    if english.info != "sh" or (english.indent, english.info) != (chinese.indent, chinese.info):
        return english.text == chinese.text
    return sh_lines(english.content) == sh_lines(chinese.content)


def without_code(prose: list[str]) -> str:
    return CODE_SPAN.sub(" ", "\n".join(prose))


def code_spans(section: Section) -> set[str]:
    return {" ".join(match.group(2).split()) for match in CODE_SPAN.finditer("\n".join(section.prose))}


def file_links(section: Section) -> Counter[str]:
    targets = LINK.findall(without_code(section.prose))
    return Counter(
        target for target in targets if not target.startswith("#") and "://" not in target and target not in CROSS_LINKS
    )


def github_anchor(title: str) -> str:
    """The anchor GitHub gives a heading: lower case, only letters, marks, digits, `-`, `_` and spaces kept,
    spaces made `-` (Chinese characters are letters, so a Chinese heading keeps them)."""
    title = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", title).strip().lower()
    kept = "".join(char for char in title if char in "-_ " or unicodedata.category(char)[0] in "LMN")
    return kept.replace(" ", "-")


def anchors(readme: Readme) -> dict[str, int]:
    """Each heading's anchor, to the heading's position among the `##`/`###` ones (-1 for other levels)."""
    found: dict[str, int] = {}
    seen: Counter[str] = Counter()
    position = 0
    for level, title in readme.titles:
        base = github_anchor(title)
        anchor = base if not seen[base] else f"{base}-{seen[base]}"
        seen[base] += 1
        if level in (2, 3):
            position += 1
            found[anchor] = position
        else:
            found[anchor] = -1
    return found


def page_links(readme: Readme, section: Section) -> list[int | str]:
    """The headings a section's in-page links point at, by position; an anchor that matches none as itself."""
    known = anchors(readme)
    targets = [target[1:] for target in LINK.findall(without_code(section.prose)) if target.startswith("#")]
    return sorted((known.get(target, f"#{target} (no such heading)") for target in targets), key=str)


@pytest.fixture(scope="module")
def english() -> Readme:
    return parse(EN_PATH)


@pytest.fixture(scope="module")
def chinese() -> Readme:
    return parse(ZH_PATH)


def _heading(section: Section) -> str:
    return "the opening" if section.level == 0 else f"line {section.line} {'#' * section.level} {section.title}"


def test_each_readme_links_to_the_other_right_after_its_title(english: Readme, chinese: Readme) -> None:
    for readme, link in ((english, EN_LINK), (chinese, ZH_LINK)):
        lines = [line for line in readme.text.split("\n") if line.strip()]
        assert lines[0].startswith("# "), f"{readme.name} does not open with its title"
        assert lines[1] == link, f"{readme.name}: the line after the title must be {link!r}, not {lines[1]!r}"


def test_the_same_sections_in_the_same_order(english: Readme, chinese: Readme) -> None:
    en = [(section.level, section.title) for section in english.sections[1:]]
    zh = [(section.level, section.title) for section in chinese.sections[1:]]
    levels = [(level_en, level_zh) for (level_en, _), (level_zh, _) in zip(en, zh, strict=False)]
    first_difference = next((n for n, (a, b) in enumerate(levels) if a != b), min(len(en), len(zh)))
    assert len(en) == len(zh) and first_difference == len(en), (
        f"README.zh-CN.md's headings no longer match README.md's from heading {first_difference + 1}: "
        f"README.md has {en[first_difference : first_difference + 2]}, "
        f"README.zh-CN.md has {zh[first_difference : first_difference + 2]} "
        f"({len(en)} and {len(zh)} `##`/`###` headings): add or remove the translated section"
    )


def test_the_same_code_blocks_in_the_same_order(english: Readme, chinese: Readme) -> None:
    for number, (en, zh) in enumerate(zip(english.blocks, chinese.blocks, strict=False), start=1):
        assert same_block(en, zh), (
            f"code block {number} differs: README.md:{en.line} and README.zh-CN.md:{zh.line} must be the same "
            f"(only comments in sh blocks may be translated)\n--- README.md\n{en.text}\n--- README.zh-CN.md\n{zh.text}"
        )
    assert len(english.blocks) == len(chinese.blocks), (
        f"README.md has {len(english.blocks)} code blocks, README.zh-CN.md {len(chinese.blocks)}"
    )


def test_the_sh_comment_rule_reads_as_the_shell_does() -> None:
    block = (
        "pytest -k x     # run it\n"
        'curl -d \'{"a": "#1"}\' \\\n'
        "  -H 'x'  # header\n"
        'python -m tool "one \\\n'
        '  #two" # three\n'
        "# a whole line\n"
        "echo a#b"
    )
    assert sh_lines(block) == [
        ("pytest -k x     ", True),
        ('curl -d \'{"a": "#1"}\' \\', False),
        ("  -H 'x'  ", True),
        ('python -m tool "one \\', False),
        ('  #two" ', True),
        ("", True),
        ("echo a#b", False),
    ]


def test_the_coverage_table_is_the_same(english: Readme, chinese: Readme) -> None:
    def table(readme: Readme) -> str:
        assert START in readme.text and END in readme.text, f"{readme.name} has no {START} … {END} markers"
        return readme.text.split(START, 1)[1].split(END, 1)[0]

    assert table(chinese) == table(english), (
        f"README.zh-CN.md's coverage table is stale: copy the lines between {START} and {END} from README.md"
    )


@pytest.mark.parametrize("aspect", ["links to repository files", "in-page links", "inline code"])
def test_each_section_has_the_same(english: Readme, chinese: Readme, aspect: str) -> None:
    def read(readme: Readme, section: Section) -> object:
        if aspect == "links to repository files":
            return sorted(file_links(section).elements())
        if aspect == "in-page links":
            return page_links(readme, section)
        return code_spans(section)

    differences = []
    for en, zh in zip(english.sections, chinese.sections, strict=False):
        en_has, zh_has = read(english, en), read(chinese, zh)
        if en_has != zh_has:
            if isinstance(en_has, set) and isinstance(zh_has, set):
                en_has, zh_has = sorted(en_has - zh_has), sorted(zh_has - en_has)
            differences.append(f"{_heading(en)} / {_heading(zh)}: README.md has {en_has}, README.zh-CN.md has {zh_has}")
    assert differences == [], f"{aspect} differ:\n" + "\n".join(differences)


def test_both_open_with_the_same_commands_and_python(english: Readme, chinese: Readme) -> None:
    def opening(readme: Readme) -> list[str]:
        first = readme.blocks[0]
        assert first.info == "sh" and first.line < readme.sections[1].line, (
            f"{readme.name} must open with the sh block of its commands, before its first section"
        )
        return [code.strip() for code, _ in sh_lines(first.content) if code.strip()]

    assert opening(chinese) == opening(english)
    assert len(opening(english)) == 2, opening(english)
    python = f"Python {MIN_PYTHON[0]}.{MIN_PYTHON[1]}"
    assert python in "\n".join(chinese.sections[0].prose), f"README.zh-CN.md must state {python} before its sections"
