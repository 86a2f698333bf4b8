import re


def test_api_docs_page_loads_swagger_from_our_own_static_files(client):
    # given a self-hosted deployment that may have no internet access
    # when the interactive API docs page is opened
    response = client.get("/api/v1/docs")
    # then it answers, and every script and style it loads is served by us (CSP 'self' allows them)
    assert response.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', response.content.decode())
    assert any(source.endswith("swagger-ui-bundle.js") for source in sources)
    assert all(source.startswith("/") for source in sources), sources
    assert "script-src 'self';" in response["Content-Security-Policy"]


def test_openapi_document_is_served(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Billing Center API"
