// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The cluster CA (primary/ca.h): a CA made in a temporary directory, with
 * the modes of its files; certificates issued for each role, checked
 * field by field and verified against a store holding only ca.crt; a
 * second CA whose certificates must not verify against the first; the
 * identity read back; names, overwrites and mismatched CA files refused.
 */
#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "primary/ca.h"

static unsigned nr_checks, nr_failed;
static char root[4096];

__attribute__((format(printf, 2, 3)))
static int check(int ok, const char *fmt, ...)
{
	va_list ap;

	nr_checks++;
	nr_failed += !ok;
	printf("%s - ", ok ? "ok" : "not ok");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	return ok;
}

/* ---- helpers ------------------------------------------------------------- */

static const char *path_of(char *buf, size_t len, const char *a,
			   const char *b)
{
	int n = snprintf(buf, len, "%s/%s", a, b);

	if (n < 0 || (size_t)n >= len) {
		fprintf(stderr, "path too long: %s/%s\n", a, b);
		exit(1);
	}
	return buf;
}

static int mode_of(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -1;
	return (int)(st.st_mode & 07777);
}

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* The whole file, malloc'd and NUL-terminated; NULL if unreadable. */
static char *slurp(const char *path, size_t *lenp)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f)
		return NULL;
	do {
		if (len + 4096 + 1 > cap) {
			char *p = realloc(buf, cap = len + 8192);

			if (!p) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = p;
		}
		n = fread(buf + len, 1, 4096, f);
		len += n;
	} while (n);
	fclose(f);
	buf[len] = '\0';
	if (lenp)
		*lenp = len;
	return buf;
}

static bool same_file(const char *path, const char *before, size_t len)
{
	size_t now_len;
	char *now = slurp(path, &now_len);
	bool same = now && now_len == len && !memcmp(now, before, len);

	free(now);
	return same;
}

static int copy_file(const char *from, const char *to, mode_t mode)
{
	size_t len;
	char *buf = slurp(from, &len);
	FILE *f;
	int ok;

	if (!buf)
		return 0;
	f = fopen(to, "wbx");
	ok = f && fwrite(buf, 1, len, f) == len;
	if (f && fclose(f))
		ok = 0;
	free(buf);
	return ok && chmod(to, mode) == 0;
}

static X509 *load_cert(const char *path)
{
	FILE *f = fopen(path, "r");
	X509 *x;

	if (!f)
		return NULL;
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	ERR_clear_error();
	return x;
}

static EVP_PKEY *load_key(const char *path)
{
	FILE *f = fopen(path, "r");
	EVP_PKEY *k;

	if (!f)
		return NULL;
	k = PEM_read_PrivateKey(f, NULL, NULL, (void *)"");
	fclose(f);
	ERR_clear_error();
	return k;
}

/* A store holding only the certificate in @ca_crt. */
static X509_STORE *store_of(const char *ca_crt)
{
	X509_STORE *s = X509_STORE_new();

	if (s && X509_STORE_load_file(s, ca_crt) != 1) {
		X509_STORE_free(s);
		s = NULL;
	}
	ERR_clear_error();
	return s;
}

/*
 * 1 if @x verifies against @store (strict RFC 5280 checks, and for
 * @purpose when not 0); the verify error in *@why.
 */
static int verify(X509_STORE *store, X509 *x, int purpose, int *why)
{
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	int ok = 0;

	*why = -1;
	if (store && x && ctx && X509_STORE_CTX_init(ctx, store, x, NULL) == 1) {
		X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_X509_STRICT);
		if (purpose)
			X509_STORE_CTX_set_purpose(ctx, purpose);
		ok = X509_verify_cert(ctx) == 1;
		*why = X509_STORE_CTX_get_error(ctx);
	}
	X509_STORE_CTX_free(ctx);
	ERR_clear_error();
	return ok;
}

static const char *why_str(int why)
{
	return why < 0 ? "no verification" : X509_verify_cert_error_string(why);
}

/* Days from notBefore to notAfter of @x; -1 if unreadable. */
static int days_valid(X509 *x)
{
	int day, sec;

	if (!ASN1_TIME_diff(&day, &sec, X509_get0_notBefore(x),
			    X509_get0_notAfter(x)))
		return -1;
	return day;
}

static bool is_p256(EVP_PKEY *k)
{
	char group[64];

	return k && EVP_PKEY_is_a(k, "EC") &&
	       EVP_PKEY_get_group_name(k, group, sizeof(group), NULL) &&
	       !strcmp(group, "prime256v1");
}

static int ext_critical(X509 *x, int nid)
{
	int i = X509_get_ext_by_NID(x, nid, -1);

	return i < 0 ? -1 : X509_EXTENSION_get_critical(X509_get_ext(x, i));
}

static int serial_len(X509 *x)
{
	const ASN1_INTEGER *s = X509_get0_serialNumber(x);

	if (ASN1_STRING_type(s) != V_ASN1_INTEGER)
		return -1;	/* negative */
	return ASN1_STRING_length(s);
}

/* The text of the first entry @nid of @x's subject, or "". */
static const char *subject_entry(X509 *x, int nid, char *buf, int len)
{
	if (X509_NAME_get_text_by_NID(X509_get_subject_name(x), nid, buf,
				      len) < 0)
		buf[0] = '\0';
	return buf;
}

/* A certificate (unsigned: only its names matter) with subject entries
 * @fields as "SN=value" strings. */
static X509 *named(const char *const *fields, size_t n)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	size_t i;

	for (i = 0; x && name && i < n; i++) {
		char sn[16];
		const char *eq = strchr(fields[i], '=');

		snprintf(sn, sizeof(sn), "%.*s", (int)(eq - fields[i]),
			 fields[i]);
		if (!X509_NAME_add_entry_by_txt(name, sn, MBSTRING_UTF8,
						(const unsigned char *)eq + 1,
						-1, -1, 0))
			break;
	}
	if (!x || !name || i < n || !X509_set_subject_name(x, name)) {
		X509_free(x);
		x = NULL;
	}
	X509_NAME_free(name);
	return x;
}

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* ---- the CA -------------------------------------------------------------- */

static char cadir[4200], ca_crt[4300], ca_key[4300];

static void test_create(void)
{
	char err[512] = "", buf[256], p[4300];
	char *crt_before, *key_before;
	size_t crt_len = 0, key_len = 0;
	EVP_PKEY *k;
	X509 *x;
	int ret;

	path_of(cadir, sizeof(cadir), root, "ca");
	path_of(ca_crt, sizeof(ca_crt), cadir, "ca.crt");
	path_of(ca_key, sizeof(ca_key), cadir, "ca.key");

	ret = csa_ca_create(cadir, "test-cluster", err, sizeof(err));
	if (!check(ret == 0, "create: a CA in a new directory (%d%s%s)", ret,
		   ret ? ": " : "", ret ? err : ""))
		return;
	check(mode_of(cadir) == 0700, "create: the directory is 0700 (%04o)",
	      mode_of(cadir));
	check(mode_of(ca_key) == 0600, "create: ca.key is 0600 (%04o)",
	      mode_of(ca_key));
	check(mode_of(ca_crt) == 0644,
	      "create: ca.crt is 0644 under umask 077 (%04o)", mode_of(ca_crt));

	x = load_cert(ca_crt);
	k = load_key(ca_key);
	check(x != NULL, "create: ca.crt is a PEM certificate");
	check(k != NULL, "create: ca.key is a PEM private key");
	key_before = slurp(ca_key, &key_len);
	check(key_before && strstr(key_before, "-----BEGIN PRIVATE KEY-----"),
	      "create: ca.key is unencrypted PKCS#8");
	if (x && k) {
		check(is_p256(k), "create: the CA key is EC P-256");
		check(X509_check_private_key(x, k) == 1,
		      "create: ca.key is the key of ca.crt");
		check(!strcmp(subject_entry(x, NID_commonName, buf, sizeof(buf)),
			      "csafs CA test-cluster"),
		      "create: the CA's CN is \"csafs CA test-cluster\" (\"%s\")",
		      buf);
		check(X509_get_version(x) == X509_VERSION_3,
		      "create: the CA certificate is X.509 v3");
		check(X509_check_ca(x) == 1 &&
		      ext_critical(x, NID_basic_constraints) == 1,
		      "create: basicConstraints critical CA:TRUE");
		check(X509_get_key_usage(x) == (KU_KEY_CERT_SIGN | KU_CRL_SIGN) &&
		      ext_critical(x, NID_key_usage) == 1,
		      "create: keyUsage critical keyCertSign, cRLSign (%#x)",
		      X509_get_key_usage(x));
		check(X509_get0_subject_key_id(x) != NULL,
		      "create: subjectKeyIdentifier present");
		check(X509_get_extension_flags(x) & EXFLAG_SS,
		      "create: the CA certificate is self-signed");
		check(serial_len(x) == 16, "create: the serial is 16 bytes, positive (%d)",
		      serial_len(x));
		check(days_valid(x) >= 3650 && days_valid(x) <= 3651,
		      "create: valid for 10 years (%d days)", days_valid(x));
	}
	X509_free(x);
	EVP_PKEY_free(k);

	/* Again: refused, nothing changed. */
	crt_before = slurp(ca_crt, &crt_len);
	err[0] = '\0';
	ret = csa_ca_create(cadir, "test-cluster", err, sizeof(err));
	check(ret == -EEXIST && err[0],
	      "create: again in the same directory is refused with -EEXIST (%d: %s)",
	      ret, err);
	check(crt_before && key_before && same_file(ca_crt, crt_before, crt_len) &&
	      same_file(ca_key, key_before, key_len),
	      "create: the refused create changed neither file");
	free(crt_before);
	free(key_before);

	/* A stray ca.crt without ca.key is not replaced either. */
	path_of(p, sizeof(p), root, "stray");
	mkdir(p, 0700);
	path_of(p, sizeof(p), root, "stray/ca.crt");
	copy_file(ca_crt, p, 0644);
	path_of(p, sizeof(p), root, "stray");
	err[0] = '\0';
	ret = csa_ca_create(p, "x", err, sizeof(err));
	check(ret == -EEXIST && err[0] && !exists(path_of(buf, sizeof(buf), p, "ca.key")),
	      "create: a stray ca.crt is refused, no ca.key made (%d: %s)",
	      ret, err);

	/* A regular file where the directory should be. */
	err[0] = '\0';
	ret = csa_ca_create(ca_crt, "x", err, sizeof(err));
	check(ret == -ENOTDIR && err[0],
	      "create: a file as the directory gives -ENOTDIR (%d: %s)", ret, err);

	/* Cluster names. */
	{
		static const char *const bad[] = {
			"", "two words", "a/b", "caf\xc3\xa9",
			"0123456789012345678901234567890123456789012345678901234567",
		};
		char long_ok[CSA_CLUSTER_NAME_MAX + 1];

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			path_of(p, sizeof(p), root, "badname");
			err[0] = '\0';
			ret = csa_ca_create(p, bad[i], err, sizeof(err));
			check(ret == -EINVAL && err[0] && !exists(p),
			      "create: cluster name \"%s\" refused, nothing made (%d: %s)",
			      bad[i], ret, err);
		}
		err[0] = '\0';
		ret = csa_ca_create(p, NULL, err, sizeof(err));
		check(ret == -EINVAL && err[0],
		      "create: no cluster name refused (%d: %s)", ret, err);
		memset(long_ok, 'n', CSA_CLUSTER_NAME_MAX);
		long_ok[CSA_CLUSTER_NAME_MAX] = '\0';
		path_of(p, sizeof(p), root, "longname");
		err[0] = '\0';
		ret = csa_ca_create(p, long_ok, err, sizeof(err));
		x = load_cert(path_of(buf, sizeof(buf), p, "ca.crt"));
		check(ret == 0 && x &&
		      strlen(subject_entry(x, NID_commonName, buf, sizeof(buf))) == 64,
		      "create: a %d-character cluster name gives a 64-character CN (%d%s%s)",
		      CSA_CLUSTER_NAME_MAX, ret, ret ? ": " : "", err);
		X509_free(x);
	}
}

/* ---- issued certificates ------------------------------------------------- */

struct issued {
	const char *cn;
	enum csa_cert_role role;
	char prefix[4300];
	X509 *x;
};

static void check_issued(struct issued *c, X509 *ca, X509_STORE *store)
{
	const char *role = csa_cert_role_name(c->role);
	char p[4400], buf[256], cn[CSA_CERT_CN_MAX + 1];
	enum csa_cert_role got = (enum csa_cert_role)-1;
	uint32_t want_xku = c->role == CSA_CERT_PRIMARY ?
			    XKU_SSL_SERVER | XKU_SSL_CLIENT : XKU_SSL_CLIENT;
	EVP_PKEY *k;
	X509 *x;
	int why = -1, ret, ok;

	snprintf(p, sizeof(p), "%s.key", c->prefix);
	check(mode_of(p) == 0600, "%s: the key file is 0600 (%04o)", role,
	      mode_of(p));
	k = load_key(p);
	snprintf(p, sizeof(p), "%s.crt", c->prefix);
	check(mode_of(p) == 0644, "%s: the certificate is 0644 (%04o)", role,
	      mode_of(p));
	c->x = x = load_cert(p);
	if (!check(x && k, "%s: key and certificate load", role)) {
		EVP_PKEY_free(k);
		return;
	}
	check(is_p256(k) && X509_check_private_key(x, k) == 1,
	      "%s: a new EC P-256 key, the certificate's own", role);
	EVP_PKEY_free(k);

	ok = verify(store, x, 0, &why);
	check(ok, "%s: verifies against a store holding only ca.crt (strict) (%s)",
	      role, why_str(why));
	ok = verify(store, x, X509_PURPOSE_SSL_CLIENT, &why);
	check(ok, "%s: verifies as a TLS client (%s)", role, why_str(why));
	ok = verify(store, x, X509_PURPOSE_SSL_SERVER, &why);
	if (c->role == CSA_CERT_PRIMARY)
		check(ok, "%s: verifies as a TLS server (%s)", role, why_str(why));
	else
		check(!ok && why == X509_V_ERR_INVALID_PURPOSE,
		      "%s: does not verify as a TLS server (%s)", role,
		      why_str(why));

	check(X509_get_version(x) == X509_VERSION_3 &&
	      !X509_NAME_cmp(X509_get_issuer_name(x), X509_get_subject_name(ca)),
	      "%s: X.509 v3, issued by the CA's subject", role);
	check(!strcmp(subject_entry(x, NID_commonName, buf, sizeof(buf)), c->cn),
	      "%s: CN is \"%s\" (\"%s\")", role, c->cn, buf);
	check(!strcmp(subject_entry(x, NID_organizationalUnitName, buf,
				    sizeof(buf)), role),
	      "%s: OU is \"%s\" (\"%s\")", role, role, buf);
	check(X509_check_ca(x) == 0 &&
	      ext_critical(x, NID_basic_constraints) == 1,
	      "%s: basicConstraints critical CA:FALSE", role);
	check(X509_get_key_usage(x) == (KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT),
	      "%s: keyUsage digitalSignature, keyEncipherment (%#x)", role,
	      X509_get_key_usage(x));
	check((X509_get_extension_flags(x) & EXFLAG_XKUSAGE) &&
	      X509_get_extended_key_usage(x) == want_xku,
	      "%s: extendedKeyUsage %s (%#x)", role,
	      c->role == CSA_CERT_PRIMARY ? "serverAuth, clientAuth" :
					    "clientAuth only",
	      X509_get_extended_key_usage(x));
	check(X509_check_host(x, c->cn, 0, 0, NULL) == 1,
	      "%s: subjectAltName has DNS:%s", role, c->cn);
	if (c->role == CSA_CERT_PRIMARY)
		check(X509_check_host(x, "localhost", 0, 0, NULL) == 1 &&
		      X509_check_ip_asc(x, "127.0.0.1", 0) == 1,
		      "%s: subjectAltName has DNS:localhost and IP:127.0.0.1",
		      role);
	else
		check(X509_check_host(x, "localhost", 0, 0, NULL) == 0 &&
		      X509_check_ip_asc(x, "127.0.0.1", 0) == 0,
		      "%s: subjectAltName has no localhost, no 127.0.0.1", role);
	check(X509_get0_authority_key_id(x) && X509_get0_subject_key_id(ca) &&
	      !ASN1_OCTET_STRING_cmp(X509_get0_authority_key_id(x),
				     X509_get0_subject_key_id(ca)),
	      "%s: authorityKeyIdentifier is the CA's key id", role);
	check(X509_get0_subject_key_id(x) != NULL,
	      "%s: subjectKeyIdentifier present", role);
	check(days_valid(x) >= 730 && days_valid(x) <= 731,
	      "%s: valid for 2 years (%d days)", role, days_valid(x));
	check(serial_len(x) == 16, "%s: the serial is 16 bytes, positive (%d)",
	      role, serial_len(x));

	ret = csa_cert_identity(x, cn, sizeof(cn), &got);
	check(ret == 0 && !strcmp(cn, c->cn) && got == c->role,
	      "%s: identity is \"%s\", role %s (%d, \"%s\", %s)", role, c->cn,
	      role, ret, cn, csa_cert_role_name(got) ? csa_cert_role_name(got) :
						       "none");
}

static void test_issue(void)
{
	struct issued c[] = {
		{ "primary1", CSA_CERT_PRIMARY, "", NULL },
		{ "host-01.example", CSA_CERT_HOST, "", NULL },
		{ "alice_admin", CSA_CERT_ADMIN, "", NULL },
	};
	size_t n = sizeof(c) / sizeof(c[0]);
	char err[512], cn[CSA_CERT_CN_MAX + 1];
	enum csa_cert_role role;
	X509_STORE *store = store_of(ca_crt);
	X509 *ca = load_cert(ca_crt);
	int ret;

	if (!check(store && ca, "issue: the CA loads into a store"))
		goto out;
	for (size_t i = 0; i < n; i++) {
		snprintf(c[i].prefix, sizeof(c[i].prefix), "%s/%s", root, c[i].cn);
		err[0] = '\0';
		ret = csa_ca_issue(cadir, c[i].cn, c[i].role, c[i].prefix, err,
				   sizeof(err));
		if (check(ret == 0, "issue: %s certificate for %s (%d%s%s)",
			  csa_cert_role_name(c[i].role), c[i].cn, ret,
			  ret ? ": " : "", ret ? err : ""))
			check_issued(&c[i], ca, store);
	}
	if (c[0].x && c[1].x && c[2].x)
		check(ASN1_INTEGER_cmp(X509_get0_serialNumber(c[0].x),
				       X509_get0_serialNumber(c[1].x)) &&
		      ASN1_INTEGER_cmp(X509_get0_serialNumber(c[1].x),
				       X509_get0_serialNumber(c[2].x)) &&
		      ASN1_INTEGER_cmp(X509_get0_serialNumber(c[0].x),
				       X509_get0_serialNumber(ca)),
		      "issue: every serial differs");

	/* Identities that are not ours. */
	ret = csa_cert_identity(ca, cn, sizeof(cn), &role);
	check(ret == -EBADMSG && !cn[0],
	      "identity: the CA certificate (no OU) is refused (%d)", ret);
	if (c[1].x) {
		ret = csa_cert_identity(c[1].x, cn, strlen(c[1].cn), &role);
		check(ret == -ERANGE && !cn[0],
		      "identity: a buffer one byte short gives -ERANGE (%d)", ret);
		ret = csa_cert_identity(c[1].x, cn, strlen(c[1].cn) + 1, &role);
		check(ret == 0 && !strcmp(cn, c[1].cn),
		      "identity: a buffer of exactly CN + NUL is enough (%d)", ret);
	}
	ret = csa_cert_identity(NULL, cn, sizeof(cn), &role);
	check(ret == -EINVAL, "identity: no certificate gives -EINVAL (%d)", ret);
	{
		static const char *const two_cn[] = { "OU=host", "CN=a", "CN=b" };
		static const char *const two_ou[] = { "OU=host", "OU=admin", "CN=a" };
		static const char *const bad_ou[] = { "OU=root", "CN=a" };
		static const char *const bad_cn[] = { "OU=host", "CN=a b" };
		static const char *const no_ou[] = { "CN=a" };
		static const char *const good[] = { "O=x", "OU=admin", "CN=a" };
		static const struct {
			const char *what;
			const char *const *f;
			size_t n;
			int want;
		} t[] = {
			{ "two CNs", two_cn, 3, -EBADMSG },
			{ "two OUs", two_ou, 3, -EBADMSG },
			{ "OU \"root\"", bad_ou, 2, -EBADMSG },
			{ "CN \"a b\"", bad_cn, 2, -EBADMSG },
			{ "no OU", no_ou, 1, -EBADMSG },
			{ "OU admin, CN a, and an O", good, 3, 0 },
		};

		for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
			X509 *x = named(t[i].f, t[i].n);

			role = CSA_CERT_HOST;
			ret = x ? csa_cert_identity(x, cn, sizeof(cn), &role) : 1;
			check(ret == t[i].want &&
			      (ret ? !cn[0] && role == CSA_CERT_HOST :
				     !strcmp(cn, "a") && role == CSA_CERT_ADMIN),
			      "identity: %s gives %d (%d)", t[i].what,
			      t[i].want, ret);
			X509_free(x);
		}
	}
out:
	for (size_t i = 0; i < n; i++)
		X509_free(c[i].x);
	X509_free(ca);
	X509_STORE_free(store);
}

/* A second CA: its certificates do not verify against the first. */
static void test_other_ca(void)
{
	char dir2[4300], crt2[4400], prefix[4300], p[4400], err[512] = "";
	X509_STORE *store1 = store_of(ca_crt), *store2 = NULL;
	X509 *x = NULL, *ca2 = NULL;
	int ret, why = -1, ok;

	path_of(dir2, sizeof(dir2), root, "ca2");
	ret = csa_ca_create(dir2, "other-cluster", err, sizeof(err));
	if (!check(ret == 0, "other CA: made (%d%s%s)", ret, ret ? ": " : "",
		   ret ? err : ""))
		goto out;
	path_of(crt2, sizeof(crt2), dir2, "ca.crt");
	path_of(prefix, sizeof(prefix), root, "other-host");
	ret = csa_ca_issue(dir2, "host-01.example", CSA_CERT_HOST, prefix, err,
			   sizeof(err));
	if (!check(ret == 0, "other CA: issued a host certificate (%d%s%s)",
		   ret, ret ? ": " : "", ret ? err : ""))
		goto out;
	snprintf(p, sizeof(p), "%s.crt", prefix);
	x = load_cert(p);
	ca2 = load_cert(crt2);
	store2 = store_of(crt2);
	ok = verify(store2, x, X509_PURPOSE_SSL_CLIENT, &why);
	check(ok, "other CA: its certificate verifies against its own CA (%s)",
	      why_str(why));
	ok = verify(store1, x, X509_PURPOSE_SSL_CLIENT, &why);
	check(!ok && why == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
	      "other CA: its certificate does not verify against the first CA (%s)",
	      why_str(why));
	ok = verify(store1, ca2, 0, &why);
	check(!ok && why >= 0,
	      "other CA: the other CA certificate itself does not verify against the first (%s)",
	      why_str(why));

	/* ca.crt of the first CA with ca.key of the second. */
	path_of(p, sizeof(p), root, "mixed");
	mkdir(p, 0700);
	path_of(p, sizeof(p), root, "mixed/ca.crt");
	copy_file(ca_crt, p, 0644);
	path_of(p, sizeof(p), root, "mixed/ca.key");
	copy_file(path_of(crt2, sizeof(crt2), dir2, "ca.key"), p, 0600);
	path_of(p, sizeof(p), root, "mixed");
	path_of(prefix, sizeof(prefix), root, "mixed-host");
	err[0] = '\0';
	ret = csa_ca_issue(p, "h", CSA_CERT_HOST, prefix, err, sizeof(err));
	snprintf(p, sizeof(p), "%s.key", prefix);
	check(ret == -EBADMSG && err[0] && !exists(p),
	      "issue: a ca.key that is not ca.crt's is refused (%d: %s)", ret, err);
out:
	X509_free(ca2);
	X509_free(x);
	X509_STORE_free(store2);
	X509_STORE_free(store1);
}

static void test_refusals(void)
{
	static const char *const bad[] = {
		"", "a b", "a/b", "a,b", "DNS:x", "a\nb", "h\xc3\xa9llo", "*",
		"host@x",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	};
	char prefix[4300], p[4400], q[4400], err[512];
	char cn64[CSA_CERT_CN_MAX + 1], cn[CSA_CERT_CN_MAX + 1];
	enum csa_cert_role role;
	char *crt_before, *key_before;
	size_t crt_len = 0, key_len = 0;
	X509 *x;
	int ret;

	path_of(prefix, sizeof(prefix), root, "bad");
	snprintf(p, sizeof(p), "%s.key", prefix);
	snprintf(q, sizeof(q), "%s.crt", prefix);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		ret = csa_ca_issue(cadir, bad[i], CSA_CERT_HOST, prefix, err,
				   sizeof(err));
		check(ret == -EINVAL && err[0] && !exists(p) && !exists(q),
		      "issue: CN #%zu (%zu bytes) refused, nothing written (%d: %s)",
		      i, strlen(bad[i]), ret, err);
	}
	err[0] = '\0';
	ret = csa_ca_issue(cadir, NULL, CSA_CERT_HOST, prefix, err, sizeof(err));
	check(ret == -EINVAL && err[0], "issue: no CN refused (%d: %s)", ret, err);
	err[0] = '\0';
	ret = csa_ca_issue(cadir, "h", (enum csa_cert_role)7, prefix, err,
			   sizeof(err));
	check(ret == -EINVAL && err[0] && !exists(p),
	      "issue: an unknown role refused (%d: %s)", ret, err);

	/* 64 characters is the most, and allowed. */
	memset(cn64, 'c', CSA_CERT_CN_MAX);
	cn64[CSA_CERT_CN_MAX] = '\0';
	memcpy(cn64, "Az09._-", 7);
	err[0] = '\0';
	ret = csa_ca_issue(cadir, cn64, CSA_CERT_ADMIN, prefix, err, sizeof(err));
	x = load_cert(q);
	check(ret == 0 && x && csa_cert_identity(x, cn, sizeof(cn), &role) == 0 &&
	      !strcmp(cn, cn64) && role == CSA_CERT_ADMIN,
	      "issue: a 64-character CN of every allowed kind of character (%d%s%s)",
	      ret, ret ? ": " : "", ret ? err : "");
	X509_free(x);

	/* Overwriting: refused, both files unchanged. */
	crt_before = slurp(q, &crt_len);
	key_before = slurp(p, &key_len);
	err[0] = '\0';
	ret = csa_ca_issue(cadir, "other", CSA_CERT_HOST, prefix, err,
			   sizeof(err));
	check(ret == -EEXIST && err[0],
	      "issue: over existing files refused with -EEXIST (%d: %s)", ret, err);
	check(crt_before && key_before && same_file(q, crt_before, crt_len) &&
	      same_file(p, key_before, key_len),
	      "issue: the refused issue changed neither file");
	free(crt_before);
	free(key_before);

	/* Only the .crt there: refused, no .key left behind. */
	ret = unlink(p);
	err[0] = '\0';
	ret = ret ? ret : csa_ca_issue(cadir, "other", CSA_CERT_HOST, prefix,
				       err, sizeof(err));
	check(ret == -EEXIST && err[0] && !exists(p),
	      "issue: over an existing .crt alone refused, no .key made (%d: %s)",
	      ret, err);
	/* Only the .key there. */
	unlink(q);
	copy_file(ca_key, p, 0600);
	err[0] = '\0';
	ret = csa_ca_issue(cadir, "other", CSA_CERT_HOST, prefix, err,
			   sizeof(err));
	check(ret == -EEXIST && err[0] && !exists(q),
	      "issue: over an existing .key alone refused, no .crt made (%d: %s)",
	      ret, err);

	/* No CA there; an output directory that does not exist. */
	path_of(p, sizeof(p), root, "no-ca");
	path_of(prefix, sizeof(prefix), root, "h");
	err[0] = '\0';
	ret = csa_ca_issue(p, "h", CSA_CERT_HOST, prefix, err, sizeof(err));
	check(ret == -ENOENT && err[0],
	      "issue: from a directory with no CA gives -ENOENT (%d: %s)", ret, err);
	path_of(prefix, sizeof(prefix), root, "missing/h");
	err[0] = '\0';
	ret = csa_ca_issue(cadir, "h", CSA_CERT_HOST, prefix, err, sizeof(err));
	check(ret == -ENOENT && err[0],
	      "issue: into a directory that does not exist gives -ENOENT (%d: %s)",
	      ret, err);
}

static void test_roles(void)
{
	bool ok = true;

	for (int r = CSA_CERT_PRIMARY; r <= CSA_CERT_ADMIN; r++) {
		enum csa_cert_role got;
		const char *name = csa_cert_role_name((enum csa_cert_role)r);

		ok &= name && !csa_cert_role_parse(name, &got) &&
		      got == (enum csa_cert_role)r;
	}
	ok &= !csa_cert_role_name((enum csa_cert_role)3) &&
	      !strcmp(csa_cert_role_name(CSA_CERT_PRIMARY), "primary") &&
	      !strcmp(csa_cert_role_name(CSA_CERT_HOST), "host") &&
	      !strcmp(csa_cert_role_name(CSA_CERT_ADMIN), "admin");
	{
		enum csa_cert_role got = CSA_CERT_HOST;

		ok &= csa_cert_role_parse("Primary", &got) == -EINVAL &&
		      got == CSA_CERT_HOST;
	}
	check(ok, "roles: names primary/host/admin, parsed back, others refused");
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");

	setvbuf(stdout, NULL, _IOLBF, 0);
	umask(077);
	snprintf(root, sizeof(root), "%s/csa-ca-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(root)) {
		perror("mkdtemp");
		return 1;
	}
	printf("# in %s\n", root);
	test_roles();
	test_create();
	test_issue();
	test_other_ca();
	test_refusals();
	if (nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
		check(0, "clean up %s", root);
	printf("# %u checks, %u failed\n", nr_checks, nr_failed);
	return nr_failed ? 1 : 0;
}
