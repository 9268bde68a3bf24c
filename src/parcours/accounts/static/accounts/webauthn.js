// Security keys (django-otp-webauthn): French messages for its scripts, and the next page once a key is
// registered. Loaded before the package's module scripts (templates/django_otp_webauthn/*.html).
(function () {
  "use strict";
  var FR = {
    "An error occurred during verification.": "Une erreur est survenue pendant la vérification.",
    "Finishing verification...": "Vérification en cours…",
    "Verification aborted.": "Vérification interrompue.",
    "Verification canceled or not allowed.": "Vérification annulée ou refusée par le navigateur.",
    "Verification failed. A server error occurred.": "Échec de la vérification : erreur du serveur.",
    "Verification failed. An unknown error occurred.": "Échec de la vérification : erreur inconnue.",
    "Verification failed. An unknown server error occurred.": "Échec de la vérification : erreur du serveur.",
    "Verification failed. Could not retrieve parameters from the server.":
      "Échec de la vérification : le serveur n'a pas répondu.",
    "Verification successful!": "Vérification réussie.",
    "Verify with Passkey": "Utiliser ma clé de sécurité",
    "Verifying...": "Touchez votre clé…",
    "An error occurred during registration.": "Une erreur est survenue pendant l'enregistrement.",
    "Finishing registration...": "Enregistrement en cours…",
    "Register a Passkey": "Ajouter une clé de sécurité",
    "Registering...": "Touchez votre clé…",
    "Registration aborted or not allowed.": "Enregistrement annulé ou refusé par le navigateur.",
    "Registration aborted.": "Enregistrement interrompu.",
    "Registration failed. A server error occurred.": "Échec de l'enregistrement : erreur du serveur.",
    "Registration failed. A technical problem occurred that prevents you from registering a Passkey for this site.":
      "Échec de l'enregistrement : ce navigateur ne peut pas enregistrer de clé pour cette adresse.",
    "Registration failed. An unknown error occurred.": "Échec de l'enregistrement : erreur inconnue.",
    "Registration failed. The server was unable to verify this passkey.":
      "Échec de l'enregistrement : le serveur n'a pas pu vérifier cette clé.",
    "Registration failed. Unable to fetch registration options from server.":
      "Échec de l'enregistrement : le serveur n'a pas répondu.",
    "Registration failed. You most likely already have a Passkey registered for this site.":
      "Échec de l'enregistrement : cette clé est sans doute déjà enregistrée.",
    "Registration successful!": "Clé enregistrée.",
  };
  window.gettext = function (text) {
    return Object.prototype.hasOwnProperty.call(FR, text) ? FR[text] : text;
  };
  document.addEventListener("otp_webauthn.register_complete", function (event) {
    var next = event.target && event.target.dataset ? event.target.dataset.next : null;
    window.location.assign(next || window.location.pathname);
  });
})();
