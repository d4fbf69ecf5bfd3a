// SPDX-License-Identifier: GPL-2.0
/*
 * pcn(8): everything is in pcn_run(), so the selftests can call it too.
 * Called as pcn-cni (a link to it in a CNI plugin directory), pcn is a
 * CNI plugin (cni.c).
 */
#include <string.h>

#include "pcn.h"

int main(int argc, char **argv)
{
	const char *self = argc > 0 ? strrchr(argv[0], '/') : NULL;

	self = self ? self + 1 : argc > 0 ? argv[0] : "";
	if (!strcmp(self, "pcn-cni"))
		return cni_main();
	return pcn_run(argc, argv);
}
