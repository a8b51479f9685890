# PyFreeze runtime hook for ssl (runs before the app; no ssl import here, only a few file checks).
# __pyfreeze__ holds the build's facts: "openssl_paths" = the bundled OpenSSL's default CA file and folder.
import os


def _pyfreeze_ssl_store(facts):
    env = os.environ
    if env.get("SSL_CERT_FILE") or env.get("SSL_CERT_DIR"):
        return  # the user decided
    cafile, capath = facts.get("openssl_paths", ("", ""))
    if (cafile and os.path.isfile(cafile)) or (capath and os.path.isdir(capath)):
        return  # the target keeps its store where the bundled OpenSSL looks: the same as unfrozen
    for candidate in ("/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/ca-bundle.pem",
                      "/etc/pki/tls/cacert.pem", "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", "/etc/ssl/cert.pem",
                      os.path.join(facts["meipass"], "certifi", "cacert.pem")):
        if os.path.isfile(candidate):
            env["SSL_CERT_FILE"] = candidate
            return
    for candidate in ("/etc/ssl/certs", "/etc/pki/tls/certs"):
        if os.path.isdir(candidate):
            env["SSL_CERT_DIR"] = candidate
            return


_pyfreeze_ssl_store(__pyfreeze__)  # noqa: F821 (given by the boot module)
