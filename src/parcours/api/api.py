"""The JSON API under /api/v1/ (docs/decisions/0050-json-api.md): django-ninja, OpenAPI 3 at
/api/v1/openapi.json, no documentation page (Swagger UI would come from a CDN).

Every answer that is not a success is JSON with a French message: {"detail": "..."}; a refused validation
also lists its fields ({"detail": ..., "errors": [{"loc": [...], "message": ...}]}).
"""

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from .auth import TokenAuth, TokenThrottle

api = NinjaAPI(
    title="Parcours — API",
    version="1",
    description=(
        "API JSON de Parcours. Chaque appel porte un jeton personnel (`Authorization: Bearer <jeton>`), "
        "créé depuis la page « Jetons d'API » du compte. Mêmes règles d'accès, même visibilité et même "
        "journal que les pages."
    ),
    urls_namespace="api",
    docs_url=None,  # Swagger UI loads from a CDN: forbidden here; the schema is at openapi.json
    openapi_url="/openapi.json",
    auth=TokenAuth(),
    throttle=TokenThrottle(),
)

# Messages of pydantic's error types, in French (the type code stays in each error for programs).
MESSAGES = {
    "missing": "Champ obligatoire.",
    "int_parsing": "Nombre entier attendu.",
    "int_type": "Nombre entier attendu.",
    "greater_than_equal": "Valeur trop petite.",
    "less_than_equal": "Valeur trop grande.",
    "greater_than": "Valeur trop petite.",
    "less_than": "Valeur trop grande.",
    "literal_error": "Valeur inconnue : choisissez l'une des valeurs de la liste.",
    "enum": "Valeur inconnue : choisissez l'une des valeurs de la liste.",
    "date_parsing": "Date attendue au format AAAA-MM-JJ.",
    "date_from_datetime_parsing": "Date attendue au format AAAA-MM-JJ.",
    "date_type": "Date attendue au format AAAA-MM-JJ.",
    "datetime_parsing": "Date et heure attendues au format ISO 8601 (AAAA-MM-JJTHH:MM:SS+01:00).",
    "datetime_from_date_parsing": "Date et heure attendues au format ISO 8601 (AAAA-MM-JJTHH:MM:SS+01:00).",
    "datetime_type": "Date et heure attendues au format ISO 8601 (AAAA-MM-JJTHH:MM:SS+01:00).",
    "string_type": "Texte attendu.",
    "string_too_long": "Texte trop long.",
    "string_too_short": "Texte trop court.",
    "bool_parsing": "Valeur booléenne attendue (true ou false).",
    "bool_type": "Valeur booléenne attendue (true ou false).",
    "model_attributes_type": "Objet JSON attendu.",
    "dict_type": "Objet JSON attendu.",
    "json_invalid": "Corps de requête JSON invalide.",
    "extra_forbidden": "Champ inconnu.",
    "timezone_aware": "Indiquez le fuseau horaire (par exemple +01:00).",
}


def error(request, status: int, detail: str, **extra):
    return api.create_response(request, {"detail": detail, **extra}, status=status)


@api.exception_handler(ValidationError)
def validation_error(request, exc):
    errors = [
        {
            "loc": [str(part) for part in e.get("loc", ())],
            "message": MESSAGES.get(e.get("type"), "Valeur invalide."),
            "type": str(e.get("type", "")),
        }
        for e in exc.errors
    ]
    return error(request, 422, _("La requête contient des valeurs invalides."), errors=errors)


@api.exception_handler(AuthenticationError)
def authentication_error(request, exc):
    response = error(request, 401, _("Jeton absent, inconnu, expiré ou révoqué."))
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(Throttled)
def throttled(request, exc):
    return error(request, 429, _("Trop d'appels avec ce jeton : patientez avant de réessayer."))


@api.exception_handler(Http404)
def not_found(request, exc):
    return error(request, 404, _("Cette ressource n'existe pas ou ne vous est pas accessible."))


@api.exception_handler(HttpError)
def http_error(request, exc):
    if exc.status_code == 400:  # django-ninja's own "Cannot parse request body"
        return error(request, 400, _("Le corps de la requête n'est pas du JSON lisible."))
    if exc.status_code == 422:  # a service's refusal: the same shape as a validation error, no field named
        return error(request, 422, str(exc), errors=[])
    return error(request, exc.status_code, str(exc))


from . import endpoints  # noqa: E402,F401  (registers the operations on `api`)
