// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The catalog model (primary/catalog.h): JSON round trip to an equal
 * catalog, strict refusals (each with its sentence), the changes and
 * their checks, and the free extents against a hand-computed case.
 *
 * One line per check, "ok - ..." or "not ok - ...", with the sentence of
 * every refusal. Exit 0 pass, 1 fail.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "primary/catalog.h"
#include "striper/layout.h"
#include "striper/region.h"

#define ERRLEN	1024
#define BLK	4096u
#define RSV	1024u	/* reserved blocks: 4 MiB of 4 KiB blocks */
#define SU	65536u	/* 16 blocks */

static unsigned nr_checks, nr_failed;

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

/* ---- building a catalog ------------------------------------------------------- */

static struct csa_uuid uuid_of(const char *s)
{
	struct csa_uuid u = { { 0 } };

	if (csa_uuid_parse(s, &u))
		abort();
	return u;
}

static void lun(struct csa_cat_lun *l, uint32_t number, const char *uuid,
		uint64_t blocks)
{
	*l = (struct csa_cat_lun){ .number = number, .uuid = uuid_of(uuid),
				   .blocks = blocks, .block_size = BLK,
				   .reserved_blocks = RSV };
}

static struct csa_cat_array array(const char *name, unsigned port,
				  unsigned nr_luns, struct csa_cat_lun *luns)
{
	struct csa_cat_array a = { .rated_mbps = 400, .rated_iops = 20000,
				   .nr_luns = nr_luns, .luns = luns };

	snprintf(a.name, sizeof(a.name), "%s", name);
	snprintf(a.portal, sizeof(a.portal), "127.0.0.1:%u", port);
	snprintf(a.target, sizeof(a.target), "iqn.2024-01.test:%s", name);
	return a;
}

struct ext {
	unsigned col, copy;
	const char *array;
	uint32_t lun;
	uint64_t start, blocks;
};

/* A layout over catalog arrays @names (refs copied from @c). */
static struct csa_layout *mk_layout(const struct csa_catalog *c,
				    uint64_t size, unsigned cols,
				    unsigned copies, const char *const *names,
				    unsigned nr_names, const struct ext *x,
				    unsigned nr_x)
{
	struct csa_layout *l = csa_layout_alloc(nr_names, cols, copies);
	unsigned i, j, n, a;

	if (!l)
		abort();
	l->size = size;
	l->block_size = BLK;
	l->stripe_unit = SU;
	l->region_rows = 2;
	for (a = 0; a < nr_names; a++) {
		const struct csa_cat_array *ca =
			&c->arrays[csa_catalog_find_array(c, names[a])];

		memcpy(l->arrays[a].name, ca->name, sizeof(ca->name));
		memcpy(l->arrays[a].portal, ca->portal, sizeof(ca->portal));
		memcpy(l->arrays[a].target, ca->target, sizeof(ca->target));
	}
	for (i = 0; i < cols * copies; i++) {
		for (j = 0, n = 0; j < nr_x; j++)
			n += x[j].col * copies + x[j].copy == i;
		if (csa_layout_set_extents(l, i / copies, i % copies, n))
			abort();
		for (j = 0, n = 0; j < nr_x; j++) {
			struct csa_extent *e = &l->copies[i].extents[n];

			if (x[j].col * copies + x[j].copy != i)
				continue;
			for (a = 0; strcmp(names[a], x[j].array); a++)
				;
			*e = (struct csa_extent){ .array = a, .lun = x[j].lun,
				.start_lba = x[j].start, .blocks = x[j].blocks };
			n++;
		}
	}
	if (csa_layout_init_regions(l))
		abort();
	return l;
}

static void add_volume_m(struct csa_catalog *c, const char *name,
			 struct csa_layout *l, struct csa_cat_migration *m,
			 enum csa_vol_state st, const char *const *hosts,
			 unsigned nr_hosts)
{
	char (*h)[CSA_HOST_NAME_MAX] = calloc(nr_hosts + 1, sizeof(*h));
	struct csa_cat_volume v = { .state = st, .layout = l, .mig = m };
	char err[ERRLEN];
	unsigned i;

	for (i = 0; i < nr_hosts; i++)
		snprintf(h[i], sizeof(h[i]), "%s", hosts[i]);
	snprintf(v.name, sizeof(v.name), "%s", name);
	v.req = (struct csa_cat_req){ .size = l->size, .mbps = 200,
		.iops = 5000, .copies = l->nr_copies, .fit = CSA_FIT_BEST,
		.nr_hosts = nr_hosts, .hosts = h };
	if (!check(!csa_catalog_add_volume(c, &v, err, sizeof(err)),
		   "add volume %s", name))
		printf("# %s\n", err);
	free(h);
	csa_layout_free(l);
}

static void add_volume(struct csa_catalog *c, const char *name,
		       struct csa_layout *l, enum csa_vol_state st,
		       const char *const *hosts, unsigned nr_hosts)
{
	add_volume_m(c, name, l, NULL, st, hosts, nr_hosts);
}

/*
 * The hand-computed case (4 KiB blocks, 1024 reserved on every LUN):
 *   a1 LUN 0, 10000 blocks: v1 col 0 [1024,+200) [2000,+100); v2 [3000,+150)
 *   a1 LUN 1,  5000 blocks: unused
 *   a2 LUN 0, 20000 blocks: v1 col 1 [1500,+300); v3 copy 0 [4000,+100)
 *   a3 LUN 0,  8000 blocks: v3 copy 1 [1024,+100)
 */
static struct csa_catalog *sample(void)
{
	static const char *const v1a[] = { "a1", "a2" }, *const v2a[] = { "a1" },
		*const v3a[] = { "a2", "a3" }, *const h1[] = { "h1" },
		*const h12[] = { "h1", "h2.example.com" };
	static const struct ext v1[] = {
		{ 0, 0, "a1", 0, 1024, 200 }, { 0, 0, "a1", 0, 2000, 100 },
		{ 1, 0, "a2", 0, 1500, 300 } };
	static const struct ext v2[] = { { 0, 0, "a1", 0, 3000, 150 } };
	static const struct ext v3[] = {
		{ 0, 0, "a2", 0, 4000, 100 }, { 0, 1, "a3", 0, 1024, 100 } };
	struct csa_cat_migration mig = { .reason = "manual",
		.started = 1714000200, .max_rate = 50, .paused = true };
	struct csa_uuid cl = uuid_of("0a1b2c3d-4e5f-4061-8273-8495a6b7c8d9");
	struct csa_catalog *c = csa_catalog_new(&cl);
	struct csa_cat_lun l1[2], l2[1], l3[1];
	struct csa_cat_array a;
	struct csa_layout *l;
	char err[ERRLEN];
	int ret = 0;

	lun(&l1[0], 0, "00000000-0000-4000-8000-000000000a10", 10000);
	lun(&l1[1], 1, "00000000-0000-4000-8000-000000000a11", 5000);
	lun(&l2[0], 0, "00000000-0000-4000-8000-000000000a20", 20000);
	lun(&l3[0], 0, "00000000-0000-4000-8000-000000000a30", 8000);
	a = array("a1", 3261, 2, l1);
	ret |= csa_catalog_add_array(c, &a, err, sizeof(err));
	a = array("a2", 3262, 1, l2);
	a.calibrated = true;
	ret |= csa_catalog_add_array(c, &a, err, sizeof(err));
	a = array("a3", 3263, 1, l3);
	ret |= csa_catalog_add_array(c, &a, err, sizeof(err));
	ret |= csa_catalog_add_host(c, "h1", 1714000000, err, sizeof(err));
	ret |= csa_catalog_add_host(c, "h2.example.com", 1714000100, err,
				    sizeof(err));
	if (!check(!ret, "sample: arrays and hosts added"))
		printf("# %s\n", err);
	/* 18 rows of 2 x 64 KiB: 288 blocks a column (300 given). */
	add_volume(c, "v1", mk_layout(c, 18 * 2 * SU, 2, 1, v1a, 2, v1, 3),
		   CSA_VOL_ONLINE, h1, 1);
	/* 9 rows of 64 KiB: 144 blocks (150 given). */
	add_volume(c, "v2", mk_layout(c, 9 * SU, 1, 1, v2a, 1, v2, 1),
		   CSA_VOL_CREATING, NULL, 0);
	/* v3 migrating to where it is (its extents shared by both
	 * layouts), region 1 already there. */
	l = mk_layout(c, 6 * SU, 1, 2, v3a, 2, v3, 2);
	mig.to = mk_layout(c, 6 * SU, 1, 2, v3a, 2, v3, 2);
	mig.to->region_state[1] = CSA_REGION_MIGRATED;
	add_volume_m(c, "v3", l, &mig, CSA_VOL_MIGRATING, h12, 2);
	csa_layout_free(mig.to);
	return c;
}

/* ---- round trip ----------------------------------------------------------------- */

static void test_round_trip(void)
{
	struct csa_catalog *c = sample(), *d = NULL, *e = NULL;
	char *j1 = csa_catalog_to_json(c, 0), *j2, *p1;
	char err[ERRLEN] = "";
	int ret;

	check(c->generation == 8, "generation counts the 8 changes (%" PRIu64 ")",
	      c->generation);
	ret = csa_catalog_from_json(j1, strlen(j1), &d, err, sizeof(err));
	if (!check(!ret, "compact JSON parses back (%zu bytes)", strlen(j1)))
		printf("# %s\n", err);
	check(!ret && csa_catalog_equal(c, d), "round trip gives an equal catalog");
	j2 = ret ? NULL : csa_catalog_to_json(d, 0);
	check(j2 && !strcmp(j1, j2), "printing the parsed catalog gives the same bytes");
	p1 = csa_catalog_to_json(c, CSA_CATALOG_JSON_PRETTY);
	ret = csa_catalog_from_json(p1, strlen(p1), &e, err, sizeof(err));
	check(!ret && csa_catalog_equal(c, e), "pretty JSON round trips too");
	check(!ret && e->volumes[2].mig &&
	      e->volumes[2].mig->to->region_state[1] == CSA_REGION_MIGRATED &&
	      e->volumes[2].mig->max_rate == 50 && e->volumes[2].mig->paused &&
	      !strcmp(e->volumes[2].mig->reason, "manual") &&
	      e->volumes[2].state == CSA_VOL_MIGRATING &&
	      e->arrays[1].calibrated && e->volumes[2].req.nr_hosts == 2,
	      "region state, volume state, calibrated flag and hosts survive");
	if (!ret) {
		e->arrays[0].luns[1].reserved_blocks++;
		check(!csa_catalog_equal(c, e), "equality sees one changed LUN field");
		e->arrays[0].luns[1].reserved_blocks--;
		e->volumes[0].layout->copies[0].extents[1].blocks--;
		check(!csa_catalog_equal(c, e), "equality sees one changed extent");
	}
	csa_catalog_free(d);
	csa_catalog_free(e);
	csa_catalog_free(c);
	free(j1);
	free(j2);
	free(p1);
}

static void test_dup(void)
{
	struct csa_catalog *c = sample(), *d = NULL;

	check(!csa_catalog_dup(c, &d) && csa_catalog_equal(c, d),
	      "a deep copy is equal");
	if (d) {
		d->volumes[1].layout->copies[0].extents[0].start_lba++;
		check(c->volumes[1].layout->copies[0].extents[0].start_lba == 3000,
		      "and shares nothing with the original");
	}
	csa_catalog_free(d);
	csa_catalog_free(c);
}

/* ---- strict refusals -------------------------------------------------------------- */

/* @s with the first @from replaced by @to (malloc'd); aborts if absent. */
static char *edit(const char *s, const char *from, const char *to)
{
	const char *p = strstr(s, from);
	size_t a, n;
	char *out;

	if (!p) {
		printf("# edit: \"%s\" not in the text\n", from);
		abort();
	}
	a = (size_t)(p - s);
	n = strlen(s) - strlen(from) + strlen(to);
	out = malloc(n + 1);
	memcpy(out, s, a);
	strcpy(out + a, to);
	strcat(out, p + strlen(from));
	return out;
}

/* The catalog's JSON edited must be refused with a sentence containing @want. */
static void refuse(const char *json, const char *from, const char *to,
		   const char *want, const char *what)
{
	char *t = edit(json, from, to), err[ERRLEN] = "";
	struct csa_catalog *c = NULL;
	int ret = csa_catalog_from_json(t, strlen(t), &c, err, sizeof(err));

	if (!check(ret == -EINVAL && !c && strstr(err, want),
		   "refused: %s", what))
		printf("# ret %d, want \"%s\"\n", ret, want);
	printf("#   %s\n", err);
	csa_catalog_free(c);
	free(t);
}

static void test_refusals(void)
{
	struct csa_catalog *c = sample();
	char *j = csa_catalog_to_json(c, 0), err[ERRLEN] = "";
	struct csa_catalog *d = NULL;
	size_t n = strlen(j);

	refuse(j, "\"generation\":8", "\"generation\":8,\"colour\":1",
	       "unknown field \"colour\" in the catalog", "unknown root field");
	refuse(j, "\"reserved_blocks\":1024}", "\"reserved_blocks\":1024,\"x\":0}",
	       "unknown field \"x\" in arrays[0].luns[0]", "unknown LUN field");
	refuse(j, "\"rated_iops\":20000,", "",
	       "missing field \"rated_iops\" in arrays[0]", "missing field");
	refuse(j, "\"blocks\":10000", "\"blocks\":\"10000\"",
	       "field \"blocks\" in arrays[0].luns[0] must be an integer, not a string",
	       "string for an integer");
	refuse(j, "\"blocks\":10000", "\"blocks\":-1",
	       "field \"blocks\" in arrays[0].luns[0] is negative", "negative size");
	refuse(j, "\"blocks\":10000", "\"blocks\":1e4",
	       "must be an integer, not a number with a fraction or an exponent",
	       "exponent for an integer");
	refuse(j, "\"block_size\":4096", "\"block_size\":4294967296",
	       "field \"block_size\" in arrays[0].luns[0] is 4294967296; at most 4294967295 fits",
	       "32-bit field overflow");
	refuse(j, "\"blocks\":10000", "\"blocks\":99999999999999999999999",
	       "integer does not fit in 64 bits at line 1", "integer past 64 bits");
	refuse(j, "\"generation\":8", "\"generation\":8,\"generation\":9",
	       "field \"generation\" is given a second time at line 1",
	       "field given twice");
	refuse(j, "\"start_lba\":1024", "\"start_lba\":1024,\"start_lba\":5",
	       "field \"start_lba\" is given a second time",
	       "field given twice inside an embedded layout");
	refuse(j, "\"generation\"", "\"gener\\u0061tion\"",
	       "field name with an escape", "escaped field name");
	refuse(j, "\"calibrated\":false", "\"calibrated\":0",
	       "field \"calibrated\" in arrays[0] must be a boolean, not an integer",
	       "integer for a boolean");
	refuse(j, "\"format\":1", "\"format\":2",
	       "catalog format 2; this csafs reads format 1", "unknown format");
	refuse(j, "\"cluster\":\"0a1b2c3d", "\"cluster\":\"0a1b2c3x",
	       "field \"cluster\" in the catalog is \"0a1b2c3x-4e5f-4061-8273-8495a6b7c8d9\", not a UUID",
	       "bad UUID");
	refuse(j, "\"state\":\"online\"", "\"state\":\"asleep\"",
	       "field \"state\" in volumes[0] is \"asleep\", which is not a state",
	       "unknown volume state");
	refuse(j, "\"fit\":\"best\"", "\"fit\":\"worst\"",
	       "field \"fit\" in volumes[0].requirements is \"worst\", which is not a fit",
	       "unknown fit");
	refuse(j, "\"hosts\":[\"h1\"]", "\"hosts\":[\"h9\"]",
	       "volume \"v1\" names host \"h9\", which is not registered",
	       "volume naming an unregistered host");
	refuse(j, "\"hosts\":[\"h1\"]", "\"hosts\":[1]",
	       "hosts[0] in volumes[0].requirements must be a string, not an integer",
	       "host list with a number");
	refuse(j, "\"stripe_unit\":65536,\"region_rows\"",
	       "\"stripe_unit\":65536,\"colour\":1,\"region_rows\"",
	       "volumes[0].layout: unknown field \"colour\" in the layout",
	       "unknown field inside a layout");
	refuse(j, "\"start_lba\":3000", "\"start_lba\":2050",
	       "volume \"v2\" column 0 copy 0 extent 0 (array \"a1\" LUN 0 blocks 2050 to 2199) overlaps volume \"v1\" column 0 copy 0 extent 1 (blocks 2000 to 2099)",
	       "extents of two volumes overlapping");
	refuse(j, "\"start_lba\":1024,\"blocks\":200", "\"start_lba\":1000,\"blocks\":200",
	       "volume \"v1\" column 0 copy 0 extent 0 (array \"a1\" LUN 0 from block 1000) reaches into the reserved area, blocks 0 to 1023",
	       "extent in the reserved area");
	refuse(j, "\"start_lba\":3000", "\"start_lba\":9900",
	       "volume \"v2\" column 0 copy 0 extent 0 (array \"a1\" LUN 0 blocks 9900 + 150) goes past the end of the LUN, 10000 blocks",
	       "extent past the end of the LUN");
	refuse(j, "\"portal\":\"127.0.0.1:3262\",\"target\":\"iqn.2024-01.test:a2\"}",
	       "\"portal\":\"127.0.0.1:3299\",\"target\":\"iqn.2024-01.test:a2\"}",
	       "volume \"v1\" reaches array \"a2\" at 127.0.0.1:3299 iqn.2024-01.test:a2; the catalog has it at 127.0.0.1:3262 iqn.2024-01.test:a2",
	       "layout portal disagreeing with the catalog");
	refuse(j, "\"lun\":0,\"start_lba\":3000", "\"lun\":7,\"start_lba\":3000",
	       "volume \"v2\" column 0 copy 0 extent 0 is on array \"a1\" LUN 7, which the catalog does not list",
	       "extent on an unknown LUN");
	refuse(j, "\"name\":\"a3\"", "\"name\":\"a2\"",
	       "two arrays are named \"a2\"", "two arrays of one name");
	refuse(j, "000000000a30", "000000000a20",
	       "LUN UUID 00000000-0000-4000-8000-000000000a20 is given twice: array \"a2\" LUN 0 and array \"a3\" LUN 0",
	       "a LUN UUID given twice");
	refuse(j, "\"name\":\"v2\"", "\"name\":\"../v2\"",
	       "volume name \"../v2\": a name is 1 to 63 letters", "volume name with a slash");
	refuse(j, "\"copies\":1,", "\"copies\":0,",
	       "volume \"v1\" asks for 0 copies; 1 to 4 can be kept", "zero copies");
	refuse(j, "\"format\":1", "'format':1",
	       "single-quoted string (JSON strings take double quotes) at line 1 column 2",
	       "single-quoted field name");
	refuse(j, "\"h2.example.com\"", "\"h2\\u0000x\"",
	       "contains a NUL character", "NUL inside a string");

	check(csa_catalog_from_json(j, n - 1, &d, err, sizeof(err)) == -EINVAL &&
	      strstr(err, "JSON parse error: the text ends early"),
	      "refused: truncated by one byte");
	printf("#   %s\n", err);
	j = realloc(j, n + 4);
	strcpy(j + n, " {}");
	check(csa_catalog_from_json(j, n + 3, &d, err, sizeof(err)) == -EINVAL &&
	      strstr(err, "trailing characters after the catalog at line 1"),
	      "refused: a second object after the catalog");
	printf("#   %s\n", err);
	j[n] = 0;
	j[10] = 0;
	check(csa_catalog_from_json(j, n, &d, err, sizeof(err)) == -EINVAL &&
	      !strcmp(err, "NUL byte at line 1 column 11 (byte 10)"),
	      "refused: a NUL byte in the text");
	printf("#   %s\n", err);
	check(csa_catalog_from_json("[]", 2, &d, err, sizeof(err)) == -EINVAL &&
	      !strcmp(err, "the catalog must be an object, not an array"),
	      "refused: an array for the catalog (%s)", err);
	free(j);
	csa_catalog_free(c);
}

/* ---- changes ------------------------------------------------------------------- */

static void test_changes(void)
{
	struct csa_catalog *c = sample(), *before = NULL;
	struct csa_cat_lun l[1];
	struct csa_cat_array a;
	char err[ERRLEN] = "";
	uint64_t gen;
	int ret;

	csa_catalog_dup(c, &before);
	gen = c->generation;
	lun(&l[0], 0, "00000000-0000-4000-8000-000000000b10", 10000);
	a = array("a1", 3270, 1, l);
	ret = csa_catalog_add_array(c, &a, err, sizeof(err));
	check(ret == -EEXIST && !strcmp(err, "an array named \"a1\" is already in the catalog"),
	      "add array: a name already there is -EEXIST (%s)", err);
	a = array("a4", 3261, 1, l);
	snprintf(a.target, sizeof(a.target), "iqn.2024-01.test:a1");
	ret = csa_catalog_add_array(c, &a, err, sizeof(err));
	check(ret == -EINVAL && !strcmp(err, "arrays \"a1\" and \"a4\" are both 127.0.0.1:3261 iqn.2024-01.test:a1: one array cannot be taken twice"),
	      "add array: the same portal and target twice is refused (%s)", err);
	a = array("a4", 3264, 1, l);
	l[0].block_size = 1000;
	ret = csa_catalog_add_array(c, &a, err, sizeof(err));
	check(ret == -EINVAL && strstr(err, "array \"a4\" LUN 0 has blocks of 1000 bytes"),
	      "add array: a block size not a power of two is refused (%s)", err);
	l[0].block_size = BLK;
	l[0].reserved_blocks = 10000;
	ret = csa_catalog_add_array(c, &a, err, sizeof(err));
	check(ret == -EINVAL && strstr(err, "has 10000 reserved blocks of 10000"),
	      "add array: a LUN all reserved is refused (%s)", err);
	check(csa_catalog_equal(c, before), "refused changes leave the catalog as it was");

	ret = csa_catalog_add_host(c, "h1", 5, err, sizeof(err));
	check(ret == -EEXIST, "add host: twice is -EEXIST (%s)", err);
	ret = csa_catalog_add_host(c, "-h", 5, err, sizeof(err));
	check(ret == -EINVAL && strstr(err, "host name \"-h\""),
	      "add host: a name starting with '-' is refused (%s)", err);
	ret = csa_catalog_remove_host(c, "h1", err, sizeof(err));
	check(ret == -EBUSY && !strcmp(err, "host \"h1\" is named by volumes v1, v3"),
	      "remove host: in use is -EBUSY and says by which volumes (%s)", err);
	ret = csa_catalog_remove_array(c, "a2", err, sizeof(err));
	check(ret == -EBUSY && !strcmp(err, "array \"a2\" holds volumes v1, v3"),
	      "remove array: in use is -EBUSY and says which volumes (%s)", err);
	ret = csa_catalog_remove_volume(c, "v9", err, sizeof(err));
	check(ret == -ENOENT, "remove volume: an unknown name is -ENOENT (%s)", err);
	check(c->generation == gen && csa_catalog_equal(c, before),
	      "no refused change bumped the generation");

	ret = csa_catalog_remove_volume(c, "v1", err, sizeof(err));
	ret |= csa_catalog_remove_volume(c, "v3", err, sizeof(err));
	ret |= csa_catalog_remove_array(c, "a2", err, sizeof(err));
	ret |= csa_catalog_remove_host(c, "h1", err, sizeof(err));
	check(!ret && c->nr_arrays == 2 && c->nr_volumes == 1 &&
	      c->nr_hosts == 1 && c->generation == gen + 4 &&
	      !strcmp(c->arrays[1].name, "a3"),
	      "removals once nothing uses them, each bumping the generation");
	csa_catalog_free(before);
	csa_catalog_free(c);
}

/* ---- free extents -------------------------------------------------------------- */

static void test_free_extents(void)
{
	static const struct csa_free_extent want[] = {
		{ 0, 0, 1224, 776 }, { 0, 0, 2100, 900 }, { 0, 0, 3150, 6850 },
		{ 0, 1, 1024, 3976 },
		{ 1, 0, 1024, 476 }, { 1, 0, 1800, 2200 }, { 1, 0, 4100, 15900 },
		{ 2, 0, 1124, 6876 },
	};
	struct csa_catalog *c = sample();
	struct csa_free_extent *f = NULL;
	char err[ERRLEN] = "";
	size_t n = 0, i;
	int ret, same;

	ret = csa_catalog_free_extents(c, &f, &n, err, sizeof(err));
	same = !ret && n == sizeof(want) / sizeof(want[0]);
	for (i = 0; same && i < n; i++)
		same = !memcmp(&f[i], &want[i], sizeof(*f));
	if (!check(same, "free extents match the hand-computed table (%zu runs)", n))
		for (i = 0; i < n; i++)
			printf("#   array %u lun %u start %" PRIu64 " blocks %" PRIu64 "\n",
			       f[i].array, f[i].lun, f[i].start_lba, f[i].blocks);
	free(f);
	f = NULL;
	/* An overlap made behind the checks' back is reported, not hidden. */
	c->volumes[1].layout->copies[0].extents[0].start_lba = 2050;
	ret = csa_catalog_free_extents(c, &f, &n, err, sizeof(err));
	check(ret == -EINVAL && strstr(err, "overlaps volume \"v1\""),
	      "free extents refuse overlapping layouts (%s)", err);
	free(f);
	csa_catalog_free(c);
}

/* An empty volume (`touch`): size 0, no layout; nothing else may be so. */
static void test_empty_volume(void)
{
	struct csa_catalog *c = sample(), *d = NULL;
	struct csa_cat_volume v = { .state = CSA_VOL_EMPTY };
	struct csa_free_extent *f1 = NULL, *f2 = NULL;
	char err[ERRLEN] = "", *j;
	size_t n1 = 0, n2 = 0;
	int ret;

	check(!csa_catalog_free_extents(c, &f1, &n1, err, sizeof(err)),
	      "free extents before");
	snprintf(v.name, sizeof(v.name), "touched");
	v.req = (struct csa_cat_req){ .size = 0, .iops = 1000, .copies = 1 };
	ret = csa_catalog_add_volume(c, &v, err, sizeof(err));
	if (!check(!ret, "an empty volume (size 0, no layout) is added"))
		printf("# %s\n", err);
	check(!csa_catalog_free_extents(c, &f2, &n2, err, sizeof(err)) &&
	      n1 == n2 && !memcmp(f1, f2, n1 * sizeof(*f1)),
	      "it takes no space");
	j = csa_catalog_to_json(c, 0);
	check(j && strstr(j, "\"state\":\"empty\"") && strstr(j, "\"layout\":null"),
	      "its JSON says state empty, layout null");
	ret = j ? csa_catalog_from_json(j, strlen(j), &d, err, sizeof(err)) : -1;
	if (!check(!ret && csa_catalog_equal(c, d), "and reads back the same"))
		printf("# %s\n", err);
	refuse(j, "\"state\":\"empty\"", "\"state\":\"online\"",
	       "must be an object, not null", "an online volume without a layout");
	v.req.size = 4096;
	ret = csa_catalog_add_volume(c, &(struct csa_cat_volume){
		.name = "sized", .state = CSA_VOL_EMPTY,
		.req = v.req }, err, sizeof(err));
	check(ret == -EINVAL && strstr(err, "is empty but asks for a size"),
	      "an empty volume asking a size is refused (%s)", err);
	csa_catalog_free(d);
	csa_catalog_free(c);
	free(f1);
	free(f2);
	free(j);
}

/* Move v3's copy 1 (a3 [1024,+100)) to a1 LUN 1 at @start in its target. */
static void retarget(struct csa_catalog *c, uint64_t start)
{
	struct csa_layout *to = c->volumes[2].mig->to;
	struct csa_extent *x = &csa_layout_copy(to, 0, 1)->extents[0];

	snprintf(to->arrays[1].name, sizeof(to->arrays[1].name), "a1");
	snprintf(to->arrays[1].portal, sizeof(to->arrays[1].portal), "%s",
		 c->arrays[0].portal);
	snprintf(to->arrays[1].target, sizeof(to->arrays[1].target), "%s",
		 c->arrays[0].target);
	x->lun = 1;
	x->start_lba = start;
}

/* A migration: its target's extents are used; the rules on it hold. */
static void test_migration(void)
{
	struct csa_catalog *c = sample();
	struct csa_free_extent *f = NULL;
	char err[ERRLEN] = "", *j;
	size_t n = 0;
	int ret;

	retarget(c, 2000);
	ret = csa_catalog_validate(c, err, sizeof(err));
	if (!check(!ret, "a target on new space is accepted"))
		printf("# %s\n", err);
	ret = csa_catalog_free_extents(c, &f, &n, err, sizeof(err));
	check(!ret && n == 9 && f[3].array == 0 && f[3].lun == 1 &&
	      f[3].start_lba == 1024 && f[3].blocks == 976 &&
	      f[4].start_lba == 2100, "its new extent is not free (a1 LUN 1 split at 2000+100)");
	free(f);
	j = csa_catalog_to_json(c, 0);
	refuse(j, "\"reason\":\"manual\"", "\"reason\":7",
	       "field \"reason\" in volumes[2].migration must be a string",
	       "a mistyped migration field");
	free(j);
	retarget(c, 1024 + 4000 - 1);	/* past a1 LUN 1's end */
	ret = csa_catalog_validate(c, err, sizeof(err));
	check(ret == -EINVAL && strstr(err, "(migration target)"),
	      "a target past the LUN's end is refused, named as the target (%s)", err);
	retarget(c, 2000);
	c->volumes[0].layout->copies[0].extents[0].lun = 0;
	c->volumes[2].mig->to->copies[1].extents[0].lun = 0;
	c->volumes[2].mig->to->copies[1].extents[0].start_lba = 1100;
	ret = csa_catalog_validate(c, err, sizeof(err));
	check(ret == -EINVAL && strstr(err, "overlaps") && strstr(err, "migration target"),
	      "a target over another volume's extent is refused (%s)", err);
	retarget(c, 2000);
	c->volumes[2].mig->to->region_state[0] = CSA_REGION_LOCKED;
	ret = csa_catalog_validate(c, err, sizeof(err));
	check(ret == -EINVAL && strstr(err, "recorded as locked"),
	      "a locked region on disk is refused (%s)", err);
	c->volumes[2].mig->to->region_state[0] = CSA_REGION_NORMAL;
	c->volumes[2].state = CSA_VOL_ONLINE;
	ret = csa_catalog_validate(c, err, sizeof(err));
	check(ret == -EINVAL && strstr(err, "has a migration but is not migrating"),
	      "an online volume with a migration is refused (%s)", err);
	c->volumes[0].state = CSA_VOL_MIGRATING;
	c->volumes[2].state = CSA_VOL_MIGRATING;
	ret = csa_catalog_validate(c, err, sizeof(err));
	check(ret == -EINVAL && strstr(err, "is migrating without a migration"),
	      "a migrating volume without one is refused (%s)", err);
	csa_catalog_free(c);
}

int main(void)
{
	test_round_trip();
	test_dup();
	test_refusals();
	test_changes();
	test_free_extents();
	test_empty_volume();
	test_migration();
	printf("# %u checks, %u failed\n", nr_checks, nr_failed);
	return nr_failed ? 1 : 0;
}
