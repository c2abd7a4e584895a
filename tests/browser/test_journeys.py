"""Two journeys in a real headless Chromium, against the app served in-process.

A writer logs in, revises a draft, accepts one edit and rejects another with a reason;
the final text on the page is the one stored, and so are the two decisions. A draft
holding HTML and a script is shown as text. A writer takes an edit the app held back,
offered as a suggestion. An admin uploads four revisions, trains a
LoRA adapter for two steps in the worker, follows the run to its end, and activates the
adapter in the registry. Screenshots of each step go to test-output/screenshots/.

The writer's journey runs first: it expects the base model to be serving, and the admin's
journey activates an adapter.

    .venv/bin/pytest -q tests/browser
"""

import json
import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.app, pytest.mark.real_model]

DRAFT = "He go to school yesterday and he buyed a apple."
HOSTILE = "<script>alert(1)</script><b>x</b>"
SUGGESTED = "We must prioritise the patients who is most ill."
TRAIN_ROWS = [
    ("He go to school yesterday.", "He went to school yesterday.", "fluency"),
    ("The result are good.", "The results are good.", "fluency"),
    ("We uses a method that is new.", "We use a new method.", "clarity"),
    ("She dont like apple.", "She does not like apples.", "fluency"),
]
ADAPTER = "browser-lora"
TRAINING_MS = 300_000
SLOW_MS = 120_000  # the first revision on a busy 2-core machine


def final_text_box(page: Page):
    # By its accessible name, as a screen reader finds it.
    return page.get_by_role("textbox", name=re.compile(r"^Final text"))


def revise_for_fluency(page: Page, draft: str) -> None:
    """Revise ``draft`` for fluency alone, as a writer does, and wait for the review list."""
    page.get_by_label("Draft").fill(draft)
    for box in page.get_by_role("checkbox").all():
        box.set_checked(False)
    page.get_by_role("checkbox", name=re.compile(r"^fluency")).check()
    page.get_by_role("button", name="Revise", exact=True).click()
    expect(page.get_by_text("Review each edit", exact=True)).to_be_visible(timeout=SLOW_MS)


def pick(page: Page, combobox, option: str) -> None:
    """Choose an option of a Gradio dropdown as a user does: open it, click the option."""
    combobox.click()
    page.get_by_role("option", name=option, exact=True).click()
    expect(combobox).to_have_value(option)


def test_writer_revises_decides_and_the_page_agrees_with_the_database(served, open_tab):
    tab = open_tab("writer")
    page = tab.page
    page.goto(served.url)
    expect(page.get_by_role("button", name="Login")).to_be_visible()
    tab.shoot("01-login")
    tab.log_in(served.url, served.writer)
    expect(page.get_by_role("tab", name="Revise")).to_be_visible()
    expect(page.get_by_role("tab", name="Admin")).to_be_hidden()
    expect(page.get_by_text("Serving: base model (no adapter)")).to_be_visible()

    revise_for_fluency(page, DRAFT)
    ((revision_id, source, intentions),) = served.rows(
        "SELECT id, source_text, intentions FROM revisions WHERE user_name = ?", served.writer[0]
    )
    assert (source, json.loads(intentions)) == (DRAFT, ["fluency"])
    edits = served.rows(
        "SELECT position, before, after FROM edits WHERE revision_id = ? ORDER BY position",
        revision_id,
    )
    assert len(edits) >= 2, f"the base model should make two edits or more in {DRAFT!r}"
    accept_buttons = page.get_by_role("button", name="Accept", exact=True)
    expect(accept_buttons).to_have_count(len(edits))
    tab.shoot("02-revised")

    # Accept the first edit; the review list is drawn again with a tick on it.
    accept_buttons.nth(0).click()
    expect(page.get_by_text(re.compile(r"· 1 accepted · 0 rejected ·"))).to_be_visible()
    expect(page.get_by_text("✓", exact=False)).to_have_count(1)
    # Reject the second with a reason, picked in that row's dropdown once it is redrawn.
    pick(
        page, page.get_by_role("combobox", name="Reason to reject (optional)").nth(1), "unnecessary"
    )
    page.get_by_role("button", name="Reject", exact=True).nth(1).click()
    expect(page.get_by_text(re.compile(r"· 1 accepted · 1 rejected ·"))).to_be_visible()
    expect(page.get_by_text("✗", exact=False)).to_have_count(1)

    decisions = served.rows(
        "SELECT e.position, d.decision, d.reason FROM decisions d"
        " JOIN edits e ON e.id = d.edit_id WHERE e.revision_id = ? ORDER BY d.id",
        revision_id,
    )
    assert decisions == [(0, "accept", None), (1, "reject", "unnecessary")]
    ((stored_final,),) = served.rows("SELECT final_text FROM revisions WHERE id = ?", revision_id)
    expect(final_text_box(page)).to_have_value(stored_final)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copy final text").click()
    assert page.evaluate("navigator.clipboard.readText()") == stored_final
    (_, _, accepted_after), (_, rejected_before, rejected_after) = edits[:2]
    assert accepted_after.strip() in stored_final
    assert rejected_before.strip() in stored_final, "the rejected edit's text stays as it was"
    assert rejected_after.strip() not in stored_final
    tab.shoot("03-decided")

    # User text holding tags is shown as text: no dialog, no <b> element, the tags visible.
    page.get_by_label("Draft").fill(f"He go to school. {HOSTILE}")
    page.get_by_role("button", name="Revise", exact=True).click()
    expect(final_text_box(page)).to_have_value(re.compile(re.escape(HOSTILE)), timeout=SLOW_MS)
    expect(page.locator(".itune-text", has_text=HOSTILE).first).to_be_visible()
    assert page.locator("b", has_text=re.compile(r"^x$")).count() == 0
    assert page.locator("script", has_text="alert(1)").count() == 0
    tab.shoot("04-hostile-text")
    page.get_by_role("tab", name="History").click()
    # A plain string: Playwright cannot parse a regular expression holding "/" here.
    expect(page.get_by_role("gridcell", name=HOSTILE)).to_be_visible()
    assert page.locator("b", has_text=re.compile(r"^x$")).count() == 0
    tab.shoot("05-history")
    assert tab.dialogs == [], f"a script from user text opened a dialog: {tab.dialogs}"


def test_writer_takes_a_held_back_edit_as_a_suggestion(served, open_tab):
    # The base model (float32) respells "prioritise" and fixes "is": the variety guard holds
    # the respelling back, and the page offers it as a suggestion, out of the final text
    # until the writer accepts it.
    tab = open_tab("suggestion")
    page = tab.page
    tab.log_in(served.url, served.writer)
    revise_for_fluency(page, SUGGESTED)
    expect(final_text_box(page)).to_have_value("We must prioritise the patients who are most ill.")
    expect(page.get_by_text(re.compile(r"1 suggestion\(s\) held back"))).to_be_visible()
    expect(page.locator(".itune-edit.suggested")).to_have_count(1)
    expect(page.get_by_text(re.compile(r"^held back: only spells a word"))).to_be_visible()
    tab.shoot("01-suggested")

    # Accept all leaves the suggestion out; its own Accept (the last row) puts it in.
    page.get_by_role("button", name="Accept all").click()
    expect(page.get_by_text(re.compile(r"· 1 accepted · 0 rejected · 0 pending"))).to_be_visible()
    expect(final_text_box(page)).to_have_value("We must prioritise the patients who are most ill.")
    page.get_by_role("button", name="Accept", exact=True).last.click()
    expect(final_text_box(page)).to_have_value("We must prioritize the patients who are most ill.")
    expect(page.get_by_text(re.compile(r"\(1 taken\)"))).to_be_visible()
    ((stored_final,),) = served.rows(
        "SELECT final_text FROM revisions WHERE user_name = ? ORDER BY id DESC LIMIT 1",
        served.writer[0],
    )
    assert stored_final == "We must prioritize the patients who are most ill."
    tab.shoot("02-taken")


def test_admin_trains_an_adapter_follows_the_run_and_activates_it(served, open_tab, tmp_path):
    tab = open_tab("admin")
    page = tab.page
    tab.log_in(served.url, served.admin)
    page.get_by_role("tab", name="Admin").click()
    expect(page.get_by_role("tab", name="Train")).to_be_visible()

    data = tmp_path / "four.jsonl"
    data.write_text(
        "".join(
            json.dumps({"before_sent": b, "after_sent": a, "labels": label}) + "\n"
            for b, a, label in TRAIN_ROWS
        )
    )
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Click to upload or drop files").click()
    chooser.value.set_files(data)
    expect(page.get_by_text("4 revisions, picked as the data")).to_be_visible()
    expect(page.get_by_role("combobox", name="Data set")).to_have_value(
        "upload: four.jsonl (4 rows)"
    )
    pick(page, page.get_by_role("combobox", name="Method"), "LoRA")
    expect(page.get_by_role("spinbutton", name="Stage-I steps")).to_be_hidden()
    page.get_by_role("spinbutton", name="Max steps (Stage II)").fill("2")
    page.get_by_role("spinbutton", name="Batch size").fill("2")
    page.get_by_role("spinbutton", name="Max length (tokens)").fill("96")
    page.get_by_role("textbox", name="Adapter name (optional)").fill(ADAPTER)
    tab.shoot("01-train-form")
    page.get_by_role("button", name="Start training").click()
    queued = page.get_by_text(re.compile(rf"Queued run #\d+ {ADAPTER}: lora on"))
    expect(queued).to_be_visible()
    run_id = int(re.search(r"#(\d+)", queued.inner_text()).group(1))
    tab.shoot("02-queued")

    page.get_by_role("tab", name="Runs").click()
    row = page.get_by_role("row", name=re.compile(rf"^{run_id} {ADAPTER} "))
    expect(row.get_by_role("gridcell", name="succeeded")).to_be_visible(timeout=TRAINING_MS)
    expect(page.get_by_text(re.compile(r"— succeeded · step 2 / 2 · 100%"))).to_be_visible()
    assert served.rows("SELECT status FROM training_runs WHERE id = ?", run_id) == [("succeeded",)]
    stored = served.rows(
        "SELECT step, loss FROM run_steps WHERE run_id = ? ORDER BY stage, step", run_id
    )
    assert [step for step, _ in stored] == [1, 2]
    # The loss chart is drawn on a canvas: its "Save as SVG" export names every point.
    chart = page.locator(".vega-embed").first
    expect(chart.locator("canvas")).to_be_visible()
    tab.shoot("03-run-succeeded")
    chart.locator("summary").click()
    with page.expect_download() as download:
        chart.get_by_role("link", name="Save as SVG").click()
    svg = download.value.path().read_text(encoding="utf-8")
    assert "Title text 'Training loss'" in svg
    drawn = re.findall(r"loss: ([0-9.eE+-]+); stage: [^;]*; step in stage: (\d+)", svg)
    assert [(int(step), pytest.approx(float(loss), abs=1e-6)) for loss, step in drawn] == stored

    page.get_by_role("tab", name="Registry").click()
    expect(page.get_by_role("gridcell", name=ADAPTER, exact=True)).to_be_visible()
    expect(page.get_by_text("Serving now: the base model")).to_be_visible()
    ((adapter_id,),) = served.rows("SELECT id FROM adapters WHERE name = ?", ADAPTER)
    tab.shoot("04-registry")
    pick(page, page.get_by_role("combobox", name="Adapter"), f"{ADAPTER} (#{adapter_id})")
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_text(f"Serving now: adapter {ADAPTER} (#{adapter_id}")).to_be_visible()
    expect(page.get_by_role("gridcell", name="● serving")).to_be_visible()
    tab.shoot("05-activated")
    assert served.rows("SELECT count(*) FROM activations") == [(1,)]

    # A page opened now says so on the writer's side too: no restart in between.
    page.reload()
    expect(page.get_by_text(f"Serving: adapter {ADAPTER}")).to_be_visible()
    tab.shoot("06-revise-serving")
    assert tab.dialogs == []
