"""The documented prompt table is generated from the catalogue, and the committed one matches."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from cti.sounds import shipped
from cti.sounds.catalogue import parse
from hotline.cli import app
from hotline.sounds.table import BEGIN, END, markdown, replace_block

DOC = Path(__file__).resolve().parents[2] / "docs" / "cti.md"


def test_the_committed_table_in_docs_is_the_catalogue_rendered() -> None:
    committed = DOC.read_text(encoding="utf-8")
    assert replace_block(committed, markdown(shipped())) == committed, (
        "docs/cti.md is stale: run `hotline sounds table --write docs/cti.md`"
    )


def test_the_table_has_every_sound_and_each_language_text() -> None:
    prompts = parse(
        {
            "languages": {"zh": {"voice": "cmn"}, "en": {"voice": "en"}},
            "numbers": {"from": 0, "to": 9, "played": "a number"},
            "sounds": {
                "goodbye": {"played": "at the end", "zh": "再见。", "en": "Good|bye."},
                "lang-en": {"spoken_in": "en", "text": "For English, press 2."},
            },
        }
    )
    rows = markdown(prompts).splitlines()
    assert rows[0] == "| sound | played | zh | en |"
    assert rows[2] == "| `goodbye` | at the end | 再见。 | Good\\|bye. |"
    assert rows[3] == "| `lang-en` |  | For English, press 2. | For English, press 2. |"
    assert rows[4] == "| `number-0` … `number-9` | a number | 0 … 9 | 0 … 9 |"
    assert len(rows) == 5


def test_write_replaces_only_the_block_and_refuses_a_file_without_markers(
    tmp_path: Path,
) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text(f"# Prompts\n\n{BEGIN}\nold\n{END}\n\nafter\n", encoding="utf-8")
    runner = CliRunner()
    written = runner.invoke(app, ["sounds", "table", "--write", str(doc)])
    assert written.exit_code == 0, written.output
    text = doc.read_text(encoding="utf-8")
    assert text.startswith(f"# Prompts\n\n{BEGIN}\n| sound | played | zh | en | ko |")
    assert text.endswith(f"{END}\n\nafter\n")
    assert "old" not in text
    again = runner.invoke(
        app, ["sounds", "table", "--write", str(doc)], env={"LC_ALL": "en_US.UTF-8"}
    )
    assert "already up to date" in again.stdout
    # The locale's language; zh-CN unless it is an English one.
    chinese = runner.invoke(app, ["sounds", "table", "--write", str(doc)], env={"LC_ALL": "C"})
    assert f"{doc}：表格已是最新" in chinese.stdout
    plain = tmp_path / "plain.md"
    plain.write_text("no markers\n", encoding="utf-8")
    refused = runner.invoke(app, ["sounds", "table", "--write", str(plain)])
    assert refused.exit_code == 2
    assert "plain.md" in refused.output
    printed = runner.invoke(app, ["sounds", "table"])
    assert printed.stdout == markdown(shipped())


def test_the_configuration_announces_the_numbers_the_catalogue_records() -> None:
    from hotline.centre.document import ANNOUNCED_NUMBERS

    assert shipped().numbers == ANNOUNCED_NUMBERS
    assert "number-many" in shipped().prompts
