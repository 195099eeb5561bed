/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TLS for the primary's API: TLS 1.3 only, both sides authenticated by
 * certificates of the cluster's own CA.
 *
 * The client does not check the primary's host name: the primary moves
 * between arrays (a standby takes over), so what identifies it is a
 * certificate of this cluster's CA issued for the role "primary" (its OU).
 * Each peer's identity is its certificate's common name.
 */
#ifndef CSA_TLS_H
#define CSA_TLS_H

#include <stddef.h>

#include <openssl/ssl.h>

enum csa_tls_side { CSA_TLS_SERVER, CSA_TLS_CLIENT };

/*
 * A context with our certificate and key and the cluster CA as the only
 * trust anchor; peers must present a certificate that chains to it.
 * Returns the context or NULL with a sentence in @err. Free with
 * SSL_CTX_free.
 */
SSL_CTX *csa_tls_ctx(enum csa_tls_side side, const char *cert,
		     const char *key, const char *ca, char *err,
		     size_t errlen);

/* The first queued OpenSSL error as a sentence (and clear the queue). */
void csa_tls_error(char *err, size_t errlen, const char *what);

/*
 * The verified peer's common name and role ("primary", "host", "admin":
 * the OU of its certificate, see ca.h). Returns 0, or -EACCES if the
 * handshake verified no certificate or it holds no csafs identity.
 */
int csa_tls_peer(SSL *ssl, char *cn, size_t cnlen, char *role,
		 size_t rolelen);

#endif
