"""The REST API (Django REST framework, OpenAPI 3 schema by drf-spectacular), under /api/."""
