// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * layout_check FILE [REFERENCE]: FILE is read as csa-bench --layout reads
 * it (csa_layout_load, strict), is in the canonical form (what
 * csa_layout_to_json prints, byte for byte), and describes the same layout
 * as the layout file REFERENCE. Exit 0 if so, 1 (with the reason) if not.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "striper/layout.h"

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;

	if (!f)
		return NULL;
	if (getdelim(&buf, &len, '\0', f) < 0) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static int load(const char *path, struct csa_layout **l)
{
	char err[512];

	if (csa_layout_load(path, l, err, sizeof(err))) {
		fprintf(stderr, "layout_check: %s: %s\n", path, err);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct csa_layout *l = NULL, *ref = NULL;
	char *text = NULL, *canon = NULL;
	int ret = 1;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: layout_check FILE [REFERENCE]\n");
		return 2;
	}
	if (load(argv[1], &l) || (argc == 3 && load(argv[2], &ref)))
		goto out;
	text = slurp(argv[1]);
	canon = csa_layout_to_json(l);
	if (!text || !canon || strcmp(text, canon)) {
		fprintf(stderr, "layout_check: %s is not in the canonical form\n",
			argv[1]);
		goto out;
	}
	if (ref && !csa_layout_equal(l, ref)) {
		fprintf(stderr, "layout_check: %s and %s differ\n", argv[1],
			argv[2]);
		goto out;
	}
	ret = 0;
out:
	free(text);
	free(canon);
	if (l)
		csa_layout_free(l);
	if (ref)
		csa_layout_free(ref);
	return ret;
}
