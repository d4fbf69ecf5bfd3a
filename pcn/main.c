// SPDX-License-Identifier: GPL-2.0
/* pcn(8): everything is in pcn_run(), so the selftests can call it too. */
#include "pcn.h"

int main(int argc, char **argv)
{
	return pcn_run(argc, argv);
}
