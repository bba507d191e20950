"""Uploaded files: logos are public, agreement attachments only through their checked view."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from banyan.agreements import services as agreement_services

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def attachment(org, make_customer, make_agreement):
    customer = make_customer(org.sales1)
    agreement = make_agreement(org.sales1, customer)
    attachment = agreement_services.attachment_add(
        user=org.sales1,
        agreement=agreement,
        upload=SimpleUploadedFile("合同.pdf", PDF, content_type="application/pdf"),
    )
    assert Path(attachment.file.path).is_file()
    yield attachment
    attachment.file.storage.delete(attachment.file.name)


def test_an_attachment_is_not_served_by_its_storage_path(attachment, client_as, org):
    path = f"/media/{attachment.file.name}"

    assert client_as(org.sales1).get(path).status_code == 404
    assert client_as(org.sales2).get(path).status_code == 404


def test_an_attachment_is_served_to_who_sees_the_agreement_only(attachment, client_as, org):
    url = reverse("agreement-attachment-download", args=[attachment.pk])

    owner = client_as(org.sales1).get(url)
    assert owner.status_code == 200
    assert b"".join(owner.streaming_content) == PDF
    assert client_as(org.sales2).get(url).status_code == 404


def test_logos_stay_public(client, settings):
    logo = Path(settings.MEDIA_ROOT) / "logos" / "test-logo.png"
    logo.parent.mkdir(parents=True, exist_ok=True)
    logo.write_bytes(b"\x89PNG\r\n\x1a\n")
    try:
        assert client.get("/media/logos/test-logo.png").status_code == 200
    finally:
        logo.unlink()
