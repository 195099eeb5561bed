// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The cluster CA (ca.h): EC P-256 keys and X.509 v3 certificates made with
 * the OpenSSL 3 EVP and X509 interfaces, and the files that hold them,
 * created with O_EXCL. Everything is built in memory first; files are
 * created only once there is something whole to put in them.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "primary/ca.h"

#define CA_DAYS		3650		/* 10 years */
#define LEAF_DAYS	730		/* 2 years */
#define BACKDATE_SECS	3600		/* notBefore: an hour ago */
#define SERIAL_BYTES	16
#define PEM_MAX		(64 << 10)	/* far above any key or cert we read */
#define CA_CN_PREFIX	"csafs CA "
#define NAME_CHARS	"A-Z a-z 0-9 . _ -"

static const char *const role_names[] = {
	[CSA_CERT_PRIMARY] = "primary",
	[CSA_CERT_HOST] = "host",
	[CSA_CERT_ADMIN] = "admin",
};
#define NR_ROLES	(sizeof(role_names) / sizeof(role_names[0]))

/* ---- errors -------------------------------------------------------------- */

/* Returns @ret, with the sentence in @err (if not NULL). */
__attribute__((format(printf, 4, 5)))
static int report(int ret, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

/*
 * An OpenSSL failure: "<what>: <first queued error>", the queue cleared.
 * Returns @ret, except that -EIO becomes -ENOMEM when OpenSSL ran out of
 * memory.
 */
__attribute__((format(printf, 4, 5)))
static int ossl_fail(int ret, char *err, size_t errlen, const char *fmt, ...)
{
	unsigned long e = ERR_get_error();
	char what[512], why[256] = "no OpenSSL error was queued";
	va_list ap;

	if (e) {
		ERR_error_string_n(e, why, sizeof(why));
		if (ret == -EIO && ERR_GET_REASON(e) == ERR_R_MALLOC_FAILURE)
			ret = -ENOMEM;
	}
	ERR_clear_error();
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return report(ret, err, errlen, "%s: %s", what, why);
}

/* ---- names --------------------------------------------------------------- */

static bool name_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

/* 0 if @s is 1..@max name characters; else -EINVAL saying why. */
static int check_name(const char *s, size_t max, const char *what,
		      char *err, size_t errlen)
{
	size_t n;

	if (!s || !*s)
		return report(-EINVAL, err, errlen,
			      "the %s is empty; use 1 to %zu characters of %s",
			      what, max, NAME_CHARS);
	for (n = 0; s[n]; n++) {
		unsigned char c = (unsigned char)s[n];

		if (name_char(c))
			continue;
		if (c >= 0x20 && c < 0x7f)
			return report(-EINVAL, err, errlen,
				      "the %s may not contain '%c' (at position %zu); use only %s",
				      what, c, n + 1, NAME_CHARS);
		return report(-EINVAL, err, errlen,
			      "the %s may not contain byte 0x%02x (at position %zu); use only %s",
			      what, c, n + 1, NAME_CHARS);
	}
	if (n > max)
		return report(-EINVAL, err, errlen,
			      "the %s is %zu characters long; at most %zu are allowed",
			      what, n, max);
	return 0;
}

const char *csa_cert_role_name(enum csa_cert_role role)
{
	if ((unsigned)role >= NR_ROLES)
		return NULL;
	return role_names[role];
}

int csa_cert_role_parse(const char *name, enum csa_cert_role *role)
{
	if (!name || !role)
		return -EINVAL;
	for (unsigned i = 0; i < NR_ROLES; i++) {
		if (!strcmp(name, role_names[i])) {
			*role = (enum csa_cert_role)i;
			return 0;
		}
	}
	return -EINVAL;
}

/* ---- files --------------------------------------------------------------- */

/* @a followed by @b into @out; -ENAMETOOLONG if it does not fit. */
static int join(char *out, size_t size, const char *a, const char *b,
		char *err, size_t errlen)
{
	int n = snprintf(out, size, "%s%s", a, b);

	if (n < 0 || (size_t)n >= size)
		return report(-ENAMETOOLONG, err, errlen,
			      "the path %s%s is too long", a, b);
	return 0;
}

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* Make @dir with mode 0700, or use it if it is already a directory. */
static int make_dir(const char *dir, char *err, size_t errlen)
{
	struct stat st;
	int e;

	if (mkdir(dir, 0700) == 0)
		return 0;
	e = errno;
	if (e != EEXIST)
		return report(-e, err, errlen, "cannot make the directory %s: %s",
			      dir, strerror(e));
	if (stat(dir, &st) < 0) {
		e = errno;
		return report(-e, err, errlen, "cannot use %s: %s", dir,
			      strerror(e));
	}
	if (!S_ISDIR(st.st_mode))
		return report(-ENOTDIR, err, errlen,
			      "%s exists and is not a directory", dir);
	return 0;
}

/*
 * Read the whole of @path (less than PEM_MAX bytes) into a malloc'd
 * buffer the caller must OPENSSL_clear_free(*@buf, PEM_MAX).
 */
static int read_small(const char *path, char **buf, size_t *len,
		      char *err, size_t errlen)
{
	size_t n = 0;
	char *p;
	int fd, e;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		return report(-e, err, errlen, "cannot open %s: %s", path,
			      strerror(e));
	}
	p = malloc(PEM_MAX);
	if (!p) {
		close(fd);
		return report(-ENOMEM, err, errlen, "out of memory reading %s",
			      path);
	}
	while (n < PEM_MAX) {
		ssize_t r = read(fd, p + n, PEM_MAX - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			e = errno;
			report(-e, err, errlen, "cannot read %s: %s", path,
			       strerror(e));
			goto fail;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n == PEM_MAX) {
		e = EBADMSG;
		report(-e, err, errlen,
		       "%s is %d KiB or more: not a PEM key or certificate",
		       path, PEM_MAX >> 10);
		goto fail;
	}
	close(fd);
	*buf = p;
	*len = n;
	return 0;
fail:
	OPENSSL_clear_free(p, PEM_MAX);
	close(fd);
	return -e;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		if (w == 0)
			return -EIO;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* fsync the directory @path is in, so that its new names last. */
static int sync_parent(const char *path, char *err, size_t errlen)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd, e = 0;

	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || (fsync(fd) < 0 && errno != EINVAL))
		e = errno;
	if (fd >= 0)
		close(fd);
	if (e)
		return report(-e, err, errlen, "cannot sync the directory %s: %s",
			      dir, strerror(e));
	return 0;
}

struct out_file {
	const char *path;
	mode_t mode;
	BIO *pem;		/* memory BIO holding the contents */
};

/*
 * Create the @n files of @f, all in one directory, with O_EXCL, write and
 * sync them. If one is already there, returns -EEXIST and its index in
 * *@which without a sentence (the caller words it). On any failure the
 * files this call created are removed.
 */
static int write_files(const struct out_file *f, size_t n, size_t *which,
		       char *err, size_t errlen)
{
	int fd[2] = { -1, -1 };
	size_t i, made = 0;
	int ret = 0;

	if (n > 2)
		return report(-EINVAL, err, errlen, "too many files");
	for (i = 0; i < n; i++) {
		fd[i] = open(f[i].path, O_WRONLY | O_CREAT | O_EXCL |
			     O_CLOEXEC | O_NOFOLLOW, f[i].mode);
		if (fd[i] < 0) {
			ret = -errno;
			*which = i;
			if (ret != -EEXIST)
				report(ret, err, errlen, "cannot create %s: %s",
				       f[i].path, strerror(-ret));
			goto undo;
		}
		made++;
	}
	for (i = 0; i < n; i++) {
		char *data;
		long len = BIO_get_mem_data(f[i].pem, &data);

		/* The exact mode, whatever the umask (never more than asked). */
		if (fchmod(fd[i], f[i].mode) < 0)
			ret = -errno;
		else if (len <= 0)
			ret = -EIO;
		else
			ret = write_all(fd[i], data, (size_t)len);
		if (!ret && fsync(fd[i]) < 0)
			ret = -errno;
		if (close(fd[i]) < 0 && !ret)
			ret = -errno;
		fd[i] = -1;
		if (ret) {
			report(ret, err, errlen, "cannot write %s: %s",
			       f[i].path, strerror(-ret));
			goto undo;
		}
	}
	ret = sync_parent(f[0].path, err, errlen);
	if (ret)
		goto undo;
	return 0;
undo:
	for (i = made; i-- > 0;) {
		if (fd[i] >= 0)
			close(fd[i]);
		unlink(f[i].path);
	}
	return ret;
}

/* ---- keys and certificates ----------------------------------------------- */

/* Never prompt for a passphrase: our keys have none. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

static EVP_PKEY *new_key(char *err, size_t errlen, int *ret)
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");

	if (!key)
		*ret = ossl_fail(-EIO, err, errlen,
				 "cannot generate an EC P-256 key");
	return key;
}

/* A memory BIO holding @key (PKCS#8 PEM) in memory cleared on free. */
static BIO *key_pem(EVP_PKEY *key, char *err, size_t errlen, int *ret)
{
	BIO *b = BIO_new(BIO_s_secmem());

	if (!b || !PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0, NULL,
					    NULL)) {
		BIO_free(b);
		*ret = ossl_fail(-EIO, err, errlen, "cannot encode the key");
		return NULL;
	}
	return b;
}

static BIO *cert_pem(X509 *x, char *err, size_t errlen, int *ret)
{
	BIO *b = BIO_new(BIO_s_mem());

	if (!b || !PEM_write_bio_X509(b, x)) {
		BIO_free(b);
		*ret = ossl_fail(-EIO, err, errlen,
				 "cannot encode the certificate");
		return NULL;
	}
	return b;
}

/* A random positive serial of exactly SERIAL_BYTES bytes (126 bits). */
static int set_serial(X509 *x)
{
	unsigned char b[SERIAL_BYTES];
	BIGNUM *bn = NULL;
	int ok = 0;

	if (RAND_bytes(b, sizeof(b)) != 1)
		return 0;
	b[0] = (b[0] & 0x7f) | 0x40;
	bn = BN_bin2bn(b, sizeof(b), NULL);
	if (bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)))
		ok = 1;
	BN_free(bn);
	return ok;
}

/*
 * The validity: from BACKDATE_SECS ago for @days, kept inside the
 * issuer's own validity when there is an issuer.
 */
static int set_validity(X509 *x, X509 *issuer, long days)
{
	if (!X509_gmtime_adj(X509_getm_notBefore(x), -BACKDATE_SECS) ||
	    !X509_time_adj_ex(X509_getm_notAfter(x), (int)days, 0, NULL))
		return 0;
	if (!issuer)
		return 1;
	if (ASN1_TIME_compare(X509_get0_notBefore(x),
			      X509_get0_notBefore(issuer)) < 0 &&
	    !X509_set1_notBefore(x, X509_get0_notBefore(issuer)))
		return 0;
	if (ASN1_TIME_compare(X509_get0_notAfter(x),
			      X509_get0_notAfter(issuer)) > 0 &&
	    !X509_set1_notAfter(x, X509_get0_notAfter(issuer)))
		return 0;
	return 1;
}

struct ext_spec {
	int nid;
	const char *value;	/* in openssl x509v3_config(5) syntax */
};

/*
 * A certificate for @key with subject [OU=@ou,] CN=@cn, signed by
 * @issuer_key: self-signed when @issuer is NULL, else issued by @issuer.
 */
static X509 *make_cert(EVP_PKEY *key, const char *cn, const char *ou,
		       X509 *issuer, EVP_PKEY *issuer_key, long days,
		       const struct ext_spec *ext, size_t next,
		       char *err, size_t errlen, int *ret)
{
	const unsigned char *ucn = (const unsigned char *)cn;
	const unsigned char *uou = (const unsigned char *)ou;
	X509_EXTENSION *e = NULL;
	X509_NAME *name = NULL;
	X509V3_CTX v3;
	X509 *x;
	size_t i;

	x = X509_new();
	name = X509_NAME_new();
	if (!x || !name) {
		*ret = ossl_fail(-EIO, err, errlen, "cannot make a certificate");
		goto fail;
	}
	if (!X509_set_version(x, X509_VERSION_3) || !set_serial(x) ||
	    !set_validity(x, issuer, days)) {
		*ret = ossl_fail(-EIO, err, errlen,
				 "cannot set the certificate's version, serial or validity");
		goto fail;
	}
	if ((ou && !X509_NAME_add_entry_by_NID(name, NID_organizationalUnitName,
					       MBSTRING_UTF8, uou, -1, -1, 0)) ||
	    !X509_NAME_add_entry_by_NID(name, NID_commonName, MBSTRING_UTF8,
					ucn, -1, -1, 0) ||
	    !X509_set_subject_name(x, name) ||
	    !X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) :
					      name)) {
		*ret = ossl_fail(-EIO, err, errlen,
				 "cannot set the certificate's names for %s", cn);
		goto fail;
	}
	if (!X509_set_pubkey(x, key)) {
		*ret = ossl_fail(-EIO, err, errlen,
				 "cannot set the certificate's public key");
		goto fail;
	}
	/* The public key first: subjectKeyIdentifier "hash" reads it. */
	memset(&v3, 0, sizeof(v3));
	X509V3_set_ctx(&v3, issuer ? issuer : x, x, NULL, NULL, 0);
	for (i = 0; i < next; i++) {
		e = X509V3_EXT_nconf_nid(NULL, &v3, ext[i].nid, ext[i].value);
		if (!e || !X509_add_ext(x, e, -1)) {
			*ret = ossl_fail(-EIO, err, errlen,
					 "cannot add the extension %s = %s",
					 OBJ_nid2sn(ext[i].nid), ext[i].value);
			goto fail;
		}
		X509_EXTENSION_free(e);
		e = NULL;
	}
	if (!X509_sign(x, issuer_key, EVP_sha256())) {
		*ret = ossl_fail(-EIO, err, errlen,
				 "cannot sign the certificate for %s", cn);
		goto fail;
	}
	X509_NAME_free(name);
	return x;
fail:
	X509_EXTENSION_free(e);
	X509_NAME_free(name);
	X509_free(x);
	return NULL;
}

/* The PEM key (@is_key) or certificate in @path; -EBADMSG if not one. */
static int load_pem(const char *path, bool is_key, X509 **cert,
		    EVP_PKEY **key, char *err, size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	BIO *b = NULL;
	int ret;

	ret = read_small(path, &buf, &len, err, errlen);
	if (ret)
		return ret;
	b = BIO_new_mem_buf(buf, (int)len);
	if (!b) {
		ret = ossl_fail(-EIO, err, errlen, "cannot read %s", path);
		goto out;
	}
	if (is_key)
		*key = PEM_read_bio_PrivateKey(b, NULL, no_passphrase, NULL);
	else
		*cert = PEM_read_bio_X509(b, NULL, no_passphrase, NULL);
	if (is_key ? !*key : !*cert)
		ret = ossl_fail(-EBADMSG, err, errlen, "%s is not a PEM %s",
				path, is_key ? "private key" : "certificate");
	/* Decoders may queue errors even when they succeed. */
	ERR_clear_error();
out:
	BIO_free(b);
	OPENSSL_clear_free(buf, PEM_MAX);
	return ret;
}

static void format_time(const ASN1_TIME *t, char *buf, size_t len)
{
	struct tm tm;

	if (!ASN1_TIME_to_tm(t, &tm) ||
	    !strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(buf, len, "an unreadable date");
}

/* The CA in @dir: its certificate and key, checked to belong together. */
static int load_ca(const char *dir, X509 **cert, EVP_PKEY **key,
		   char *err, size_t errlen)
{
	char crtpath[PATH_MAX], keypath[PATH_MAX], when[64];
	int ret;

	*cert = NULL;
	*key = NULL;
	ret = join(crtpath, sizeof(crtpath), dir, "/ca.crt", err, errlen);
	if (!ret)
		ret = join(keypath, sizeof(keypath), dir, "/ca.key", err,
			   errlen);
	if (ret)
		return ret;
	if (!exists(keypath) || !exists(crtpath))
		return report(-ENOENT, err, errlen,
			      "there is no CA in %s (%s is missing); `csa init` makes one",
			      dir, exists(keypath) ? "ca.crt" : "ca.key");
	ret = load_pem(crtpath, false, cert, NULL, err, errlen);
	if (ret)
		goto fail;
	if (X509_check_ca(*cert) != 1) {
		ret = report(-EBADMSG, err, errlen,
			     "%s is not a CA certificate", crtpath);
		goto fail;
	}
	if (X509_cmp_current_time(X509_get0_notAfter(*cert)) <= 0) {
		format_time(X509_get0_notAfter(*cert), when, sizeof(when));
		ret = report(-EKEYEXPIRED, err, errlen,
			     "the CA certificate %s expired on %s", crtpath,
			     when);
		goto fail;
	}
	ret = load_pem(keypath, true, NULL, key, err, errlen);
	if (ret)
		goto fail;
	if (X509_check_private_key(*cert, *key) != 1) {
		ERR_clear_error();
		ret = report(-EBADMSG, err, errlen,
			     "%s is not the key of %s", keypath, crtpath);
		goto fail;
	}
	return 0;
fail:
	EVP_PKEY_free(*key);
	X509_free(*cert);
	*key = NULL;
	*cert = NULL;
	return ret;
}

/* ---- the interface ------------------------------------------------------- */

/*
 * Write @key (0600) then @crt (0644) as PEM to @keypath and @crtpath. The
 * key first: its O_EXCL is what makes two writers safe. On -EEXIST the
 * sentence is @exists with the path that was there.
 */
static int save_pair(EVP_PKEY *key, X509 *crt, const char *keypath,
		     const char *crtpath, const char *exists, char *err,
		     size_t errlen)
{
	struct out_file out[2];
	BIO *kpem, *cpem = NULL;
	size_t which = 0;
	int ret;

	kpem = key_pem(key, err, errlen, &ret);
	if (kpem)
		cpem = cert_pem(crt, err, errlen, &ret);
	if (cpem) {
		out[0] = (struct out_file){ keypath, 0600, kpem };
		out[1] = (struct out_file){ crtpath, 0644, cpem };
		ret = write_files(out, 2, &which, err, errlen);
		if (ret == -EEXIST)
			report(ret, err, errlen, "%s %s", out[which].path, exists);
	}
	BIO_free(cpem);
	BIO_free(kpem);
	return ret;
}

int csa_ca_create(const char *dir, const char *cluster_name,
		  char *err, size_t errlen)
{
	static const struct ext_spec ext[] = {
		{ NID_basic_constraints, "critical,CA:TRUE" },
		{ NID_key_usage, "critical,keyCertSign,cRLSign" },
		{ NID_subject_key_identifier, "hash" },
	};
	char keypath[PATH_MAX], crtpath[PATH_MAX];
	char cn[CSA_CERT_CN_MAX + 1];
	EVP_PKEY *key = NULL;
	X509 *crt = NULL;
	int ret;

	ERR_clear_error();
	if (!dir || !*dir)
		return report(-EINVAL, err, errlen,
			      "no directory was given for the CA");
	ret = check_name(cluster_name, CSA_CLUSTER_NAME_MAX, "cluster name",
			 err, errlen);
	if (ret)
		return ret;
	ret = join(keypath, sizeof(keypath), dir, "/ca.key", err, errlen);
	if (!ret)
		ret = join(crtpath, sizeof(crtpath), dir, "/ca.crt", err,
			   errlen);
	if (!ret)
		ret = make_dir(dir, err, errlen);
	if (ret)
		return ret;
	if (exists(keypath))
		return report(-EEXIST, err, errlen,
			      "%s already exists: %s already holds a cluster CA, and a CA is never replaced",
			      keypath, dir);
	if (exists(crtpath))
		return report(-EEXIST, err, errlen,
			      "%s already exists without ca.key; move it away to make a new CA in %s",
			      crtpath, dir);
	snprintf(cn, sizeof(cn), "%s%s", CA_CN_PREFIX, cluster_name);

	key = new_key(err, errlen, &ret);
	if (!key)
		goto out;
	crt = make_cert(key, cn, NULL, NULL, key, CA_DAYS, ext,
			sizeof(ext) / sizeof(ext[0]), err, errlen, &ret);
	if (!crt)
		goto out;
	ret = save_pair(key, crt, keypath, crtpath,
			"appeared while the CA was being made; nothing was replaced",
			err, errlen);
out:
	X509_free(crt);
	EVP_PKEY_free(key);
	ERR_clear_error();
	return ret;
}

int csa_ca_issue(const char *dir, const char *cn, enum csa_cert_role role,
		 const char *out_prefix, char *err, size_t errlen)
{
	char keypath[PATH_MAX], crtpath[PATH_MAX];
	char san[3 * CSA_CERT_CN_MAX];
	struct ext_spec ext[6];
	EVP_PKEY *cakey = NULL, *key = NULL;
	X509 *cacrt = NULL, *crt = NULL;
	int ret;

	ERR_clear_error();
	if (!dir || !*dir)
		return report(-EINVAL, err, errlen,
			      "no CA directory was given");
	ret = check_name(cn, CSA_CERT_CN_MAX, "common name", err, errlen);
	if (ret)
		return ret;
	if (!csa_cert_role_name(role))
		return report(-EINVAL, err, errlen,
			      "unknown certificate role %d; the roles are primary, host and admin",
			      (int)role);
	if (!out_prefix || !*out_prefix)
		return report(-EINVAL, err, errlen,
			      "no output path was given for the certificate of %s",
			      cn);
	ret = join(keypath, sizeof(keypath), out_prefix, ".key", err, errlen);
	if (!ret)
		ret = join(crtpath, sizeof(crtpath), out_prefix, ".crt", err,
			   errlen);
	if (ret)
		return ret;
	if (exists(keypath) || exists(crtpath))
		return report(-EEXIST, err, errlen,
			      "%s already exists; refusing to overwrite it (move it away or choose another name)",
			      exists(keypath) ? keypath : crtpath);

	ret = load_ca(dir, &cacrt, &cakey, err, errlen);
	if (ret)
		goto out;
	key = new_key(err, errlen, &ret);
	if (!key)
		goto out;

	/* @cn has only name characters, so it cannot break the syntax. */
	if (role == CSA_CERT_PRIMARY && strcmp(cn, "localhost"))
		snprintf(san, sizeof(san), "DNS:%s,IP:127.0.0.1,DNS:localhost", cn);
	else if (role == CSA_CERT_PRIMARY)
		snprintf(san, sizeof(san), "DNS:%s,IP:127.0.0.1", cn);
	else
		snprintf(san, sizeof(san), "DNS:%s", cn);
	ext[0] = (struct ext_spec){ NID_basic_constraints, "critical,CA:FALSE" };
	ext[1] = (struct ext_spec){ NID_key_usage,
				    "critical,digitalSignature,keyEncipherment" };
	ext[2] = (struct ext_spec){ NID_ext_key_usage,
				    role == CSA_CERT_PRIMARY ?
				    "serverAuth,clientAuth" : "clientAuth" };
	ext[3] = (struct ext_spec){ NID_subject_alt_name, san };
	ext[4] = (struct ext_spec){ NID_subject_key_identifier, "hash" };
	ext[5] = (struct ext_spec){ NID_authority_key_identifier,
				    "keyid:always" };
	crt = make_cert(key, cn, csa_cert_role_name(role), cacrt, cakey,
			LEAF_DAYS, ext, sizeof(ext) / sizeof(ext[0]), err,
			errlen, &ret);
	if (!crt)
		goto out;
	ret = save_pair(key, crt, keypath, crtpath,
			"already exists; refusing to overwrite it (move it away or choose another name)",
			err, errlen);
out:
	X509_free(crt);
	EVP_PKEY_free(key);
	X509_free(cacrt);
	EVP_PKEY_free(cakey);
	ERR_clear_error();
	return ret;
}

/*
 * The text of the only entry @nid of @name into @buf as UTF-8; -EBADMSG
 * if there is none, more than one, or one that is not a name of 1..@max
 * characters; -ERANGE if it does not fit @len.
 */
static int only_entry(const X509_NAME *name, int nid, size_t max, char *buf,
		      size_t len)
{
	int i = X509_NAME_get_index_by_NID(name, nid, -1);
	unsigned char *utf8 = NULL;
	int n, ret = 0;

	if (i < 0 || X509_NAME_get_index_by_NID(name, nid, i) >= 0)
		return -EBADMSG;
	n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(
					X509_NAME_get_entry(name, i)));
	if (n <= 0)
		ret = -EBADMSG;
	else if (strlen((char *)utf8) != (size_t)n ||
		 check_name((char *)utf8, max, "", NULL, 0))
		ret = -EBADMSG;	/* an embedded NUL, or not a name */
	else if ((size_t)n >= len)
		ret = -ERANGE;
	else
		memcpy(buf, utf8, (size_t)n + 1);
	OPENSSL_free(utf8);
	return ret;
}

int csa_cert_identity(X509 *cert, char *cn, size_t cnlen,
		      enum csa_cert_role *role)
{
	char ou[CSA_CERT_CN_MAX + 1];
	const X509_NAME *name;
	int ret;

	if (!cn || !cnlen)
		return -EINVAL;
	cn[0] = '\0';
	if (!cert || !role)
		return -EINVAL;
	name = X509_get_subject_name(cert);
	if (!name)
		return -EBADMSG;
	ret = only_entry(name, NID_organizationalUnitName, CSA_CERT_CN_MAX,
			 ou, sizeof(ou));
	if (!ret)
		ret = only_entry(name, NID_commonName, CSA_CERT_CN_MAX, cn,
				 cnlen);
	if (!ret && csa_cert_role_parse(ou, role))
		ret = -EBADMSG;
	if (ret)
		cn[0] = '\0';
	ERR_clear_error();
	return ret;
}
