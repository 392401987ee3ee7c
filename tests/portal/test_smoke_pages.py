import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_pages_render(signed_in, line):
    for url in [
        reverse("portal:orders"),
        reverse("portal:policy"),
        reverse("portal:file_return", args=[line.pk]),
        reverse("portal:file_warranty", args=[line.pk]),
    ]:
        response = signed_in.get(url)
        assert response.status_code == 200, url
        assert b"style=" not in response.content
