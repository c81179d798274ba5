"""CORS: browsers from the configured origins get the headers, others do not."""
ALLOWED = "http://localhost:3000"


def test_an_allowed_origin_gets_cors_headers_and_exposed_headers(client):
    response = client.get("/api/v1/genres", headers={"Origin": ALLOWED})
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert "X-Consistency-Token" in response.headers["Access-Control-Expose-Headers"]


def test_another_origin_gets_none(client):
    response = client.get("/api/v1/genres", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_a_preflight_is_answered(client):
    response = client.options("/api/v1/me", headers={
        "Origin": ALLOWED, "Access-Control-Request-Method": "PATCH",
        "Access-Control-Request-Headers": "Authorization, Content-Type"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert "PATCH" in response.headers["Access-Control-Allow-Methods"]


def test_no_origin_no_cors_headers(client):
    assert "Access-Control-Allow-Origin" not in client.get("/api/v1/genres").headers
