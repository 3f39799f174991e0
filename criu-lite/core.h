/* SPDX-License-Identifier: GPL-2.0-or-later */
/* core-TID.img: what /proc tells of every thread, without stopping it. */
#ifndef CRIU_LITE_CORE_H
#define CRIU_LITE_CORE_H

#include "pstree.h"

int core_write_images(int dirfd, const struct pstree *tree);

#endif
