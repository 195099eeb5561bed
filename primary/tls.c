// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "primary/ca.h"
#include "primary/tls.h"

void csa_tls_error(char *err, size_t errlen, const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[256] = "unknown error";

	if (e)
		ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	snprintf(err, errlen, "%s: %s", what, buf);
}

SSL_CTX *csa_tls_ctx(enum csa_tls_side side, const char *cert,
		     const char *key, const char *ca, char *err,
		     size_t errlen)
{
	SSL_CTX *ctx;

	ctx = SSL_CTX_new(side == CSA_TLS_SERVER ? TLS_server_method() :
						   TLS_client_method());
	if (!ctx) {
		csa_tls_error(err, errlen, "cannot make a TLS context");
		return NULL;
	}
	if (!SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION)) {
		csa_tls_error(err, errlen, "TLS 1.3 is not available");
		goto fail;
	}
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
		csa_tls_error(err, errlen, cert);
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		csa_tls_error(err, errlen, key);
		goto fail;
	}
	if (SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1) {
		csa_tls_error(err, errlen, ca);
		goto fail;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER |
			   SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	SSL_CTX_set_mode(ctx, SSL_MODE_AUTO_RETRY);
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

int csa_tls_peer(SSL *ssl, char *cn, size_t cnlen, char *role,
		 size_t rolelen)
{
	X509 *peer = SSL_get1_peer_certificate(ssl);
	enum csa_cert_role r;
	int ret = -EACCES;

	/* Only a certificate the handshake verified, and only a well-formed
	 * csafs identity in it: one CN of allowed characters, a known role. */
	if (peer && SSL_get_verify_result(ssl) == X509_V_OK &&
	    csa_cert_identity(peer, cn, cnlen, &r) == 0) {
		snprintf(role, rolelen, "%s", csa_cert_role_name(r));
		ret = 0;
	}
	X509_free(peer);
	return ret;
}
