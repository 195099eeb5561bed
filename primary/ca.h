/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The cluster's own certificate authority (DESIGN.md, "The primary's API"):
 * `csa init` makes the CA, the CA issues a certificate to the primary, to
 * each host and to each admin, and the primary learns who is calling from
 * the peer certificate of a verified TLS handshake. Identity is the
 * certificate's common name; the role is its organizational unit.
 *
 * ---- What is on disk -----------------------------------------------------
 *
 *   DIR/ca.key      0600  the CA's EC P-256 private key, PEM (PKCS#8,
 *                         not encrypted: protect DIR)
 *   DIR/ca.crt      0644  the CA certificate, PEM: the only trust anchor
 *                         a peer needs
 *   PREFIX.key      0600  an issued EC P-256 private key, PEM (PKCS#8)
 *   PREFIX.crt      0644  its certificate, PEM, signed by DIR/ca.key
 *
 * Private keys are created with O_CREAT|O_EXCL and mode 0600, so they are
 * never readable by others, not even for a moment, and never replace a
 * file that is there. Certificates get exactly 0644 whatever the umask.
 * Both files are fsync'ed, then their directory.
 *
 * ---- The certificates ----------------------------------------------------
 *
 * All are X.509 v3, signed with ECDSA over SHA-256, with a random positive
 * 16-byte serial number and notBefore one hour in the past (clock skew
 * between hosts).
 *
 *   CA:     subject CN "csafs CA <cluster name>"; 10 years;
 *           basicConstraints critical CA:TRUE;
 *           keyUsage critical keyCertSign, cRLSign; subjectKeyIdentifier.
 *   issued: subject OU "<role>", CN "<cn>"; issuer the CA's subject;
 *           2 years, but never past the CA's own notAfter;
 *           basicConstraints critical CA:FALSE;
 *           keyUsage critical digitalSignature, keyEncipherment;
 *           extendedKeyUsage  primary: serverAuth, clientAuth
 *                             host, admin: clientAuth;
 *           subjectAltName    DNS:<cn>, and for the primary also
 *                             IP:127.0.0.1, DNS:localhost;
 *           subjectKeyIdentifier; authorityKeyIdentifier (the CA's key id).
 *
 * ---- Names ---------------------------------------------------------------
 *
 * A common name (and a cluster name) is 1..CSA_CERT_CN_MAX characters of
 * [A-Za-z0-9._-]; a cluster name at most CSA_CLUSTER_NAME_MAX so that
 * "csafs CA <name>" fits the 64 characters X.509 allows in a CN.
 *
 * ---- Errors and threads --------------------------------------------------
 *
 * Every function returns 0 or a negative errno and never sets errno. The
 * functions taking @err write a sentence for a person there on failure
 * (@err may be NULL; a sentence longer than @errlen is cut); an OpenSSL
 * failure is reported as what was being done, then the text of the first
 * error OpenSSL queued. csa_ca_create and csa_ca_issue clear the calling
 * thread's OpenSSL error queue on entry; all functions here leave it empty.
 *
 * No global state: any thread may call any function, as long as two
 * calls do not write the same files at once (O_EXCL makes the loser fail
 * with -EEXIST, never corrupt the winner's files).
 */
#ifndef CSA_CA_H
#define CSA_CA_H

#include <stddef.h>

#include <openssl/types.h>	/* X509 */

#define CSA_CERT_CN_MAX		64	/* characters, without the NUL */
#define CSA_CLUSTER_NAME_MAX	55	/* 64 - strlen("csafs CA ") */

enum csa_cert_role {
	CSA_CERT_PRIMARY = 0,	/* OU "primary" */
	CSA_CERT_HOST,		/* OU "host" */
	CSA_CERT_ADMIN,		/* OU "admin" */
};

/* "primary", "host", "admin"; NULL for anything else. Static strings. */
const char *csa_cert_role_name(enum csa_cert_role role);

/* The role named @name (as csa_cert_role_name spells it); -EINVAL if none. */
int csa_cert_role_parse(const char *name, enum csa_cert_role *role);

/*
 * Make a new CA for cluster @cluster_name in @dir: DIR/ca.key and
 * DIR/ca.crt as described above. @dir is created with mode 0700 if it is
 * not there (its parent must be); an existing directory is used as it is.
 *
 * Returns 0, or:
 *   -EINVAL   @dir empty or @cluster_name not a valid name
 *   -EEXIST   DIR/ca.key (or a stray DIR/ca.crt) is already there: a CA is
 *             never replaced; nothing was changed
 *   -ENOTDIR  @dir exists and is not a directory
 *   -ENAMETOOLONG, -EACCES, -ENOSPC, ... from the file system
 *   -EIO      OpenSSL failed (-ENOMEM when it was out of memory)
 * On failure no ca.key or ca.crt made by this call is left behind.
 */
int csa_ca_create(const char *dir, const char *cluster_name,
		  char *err, size_t errlen);

/*
 * Issue a new key and certificate for @cn in role @role, signed by the CA
 * in @dir (DIR/ca.key and DIR/ca.crt, which must belong together), written
 * to OUT_PREFIX.key and OUT_PREFIX.crt. The directory of @out_prefix must
 * exist. Serial numbers are random; no record of issued certificates is
 * kept here.
 *
 * Returns 0, or:
 *   -EINVAL       @cn not a valid name, @role unknown, @out_prefix empty
 *   -EEXIST       OUT_PREFIX.key or OUT_PREFIX.crt is already there;
 *                 neither file was changed
 *   -ENOENT       no CA in @dir (ca.key or ca.crt missing)
 *   -EBADMSG      ca.key or ca.crt unreadable as PEM, ca.crt not a CA
 *                 certificate, or the two do not match
 *   -EKEYEXPIRED  the CA certificate has expired
 *   -ENAMETOOLONG, -EACCES, -ENOSPC, ... from the file system
 *   -EIO          OpenSSL failed (-ENOMEM when it was out of memory)
 * On failure no OUT_PREFIX file made by this call is left behind.
 */
int csa_ca_issue(const char *dir, const char *cn, enum csa_cert_role role,
		 const char *out_prefix, char *err, size_t errlen);

/*
 * The identity in a peer certificate: its single CN into @cn (@cnlen >=
 * CSA_CERT_CN_MAX + 1 always suffices) and its role from its single OU.
 * The certificate is only read; the caller keeps it.
 *
 * This checks names, not trust: call it only on a certificate that has
 * just been verified against the cluster CA (SSL_get0_peer_certificate
 * after a handshake with SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT
 * and SSL_get_verify_result() == X509_V_OK).
 *
 * Returns 0, or:
 *   -EINVAL   a NULL argument or @cnlen == 0
 *   -EBADMSG  not a csafs identity: no CN, or more than one, or one that
 *             is not a valid name; no OU, more than one, or an unknown role
 *   -ERANGE   @cnlen too small for the CN
 * On failure @cn is "" and *@role is left alone.
 */
int csa_cert_identity(X509 *cert, char *cn, size_t cnlen,
		      enum csa_cert_role *role);

#endif /* CSA_CA_H */
