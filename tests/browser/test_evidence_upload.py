"""In a real browser: evidence size and type are checked before sending (issue 14, item 8)."""

from __future__ import annotations

from django.urls import reverse

from surveys.models import Evidence
from tests.factories import make_assessment, make_focal_point

PDF_HEADER = b"%PDF-1.4\n"


def test_a_too_large_file_is_refused_before_upload_and_a_good_one_is_sent(
    transactional_db, sign_in, settings
) -> None:
    settings.EVIDENCE_MAX_BYTES = 1024 * 1024
    focal_point = make_focal_point("SEN", "evidence_alice")
    assessment = make_assessment("SEN")
    page = sign_in(focal_point)
    url = reverse("surveys:evidence-list", args=[assessment.pk, "GOV.1.a"])
    page.goto(url)
    assert "up to 1 MB" in page.locator("#id_file_help").inner_text()
    posts = []
    page.on("request", lambda request: posts.append(request) if request.method == "POST" else None)
    file_input = page.locator('input[type="file"]')
    file_input.set_input_files(
        {"name": "scan.pdf", "mimeType": "application/pdf", "buffer": PDF_HEADER * 120_000}
    )
    page.get_by_role("alert").filter(has_text="larger than the 1 MB allowed").wait_for()
    page.get_by_role("button", name="Add").click()
    assert posts == []
    assert file_input.get_attribute("aria-invalid") == "true"
    file_input.set_input_files(
        {"name": "tool.exe", "mimeType": "application/octet-stream", "buffer": b"MZ" * 10}
    )
    page.get_by_role("alert").filter(has_text="This type of file is not accepted").wait_for()
    page.get_by_role("button", name="Add").click()
    assert posts == []
    file_input.set_input_files(
        {"name": "plan.pdf", "mimeType": "application/pdf", "buffer": PDF_HEADER + b"%%EOF\n"}
    )
    page.get_by_role("button", name="Add").click()
    page.get_by_text("The evidence was added.").wait_for()
    assert len(posts) == 1
    assert Evidence.objects.get(assessment=assessment).original_name == "plan.pdf"
