// SPDX-License-Identifier: GPL-2.0
/*
 * The matches checked after the classifier (bpf/firewall.h FW_F_POST)
 * and action log: "mark V[/M]", "limit RATE [burst N]", "hashlimit
 * RATE [burst N] [by { src | dst | src-dst }] [mask LEN]", "action log
 * [prefix P] [level L]", as pcn rule and pcn rule import read them.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>

#include "fw.h"

static const struct {
	const char *name;
	__u32 secs;
} units[] = {
	{ "second", 1 }, { "sec", 1 }, { "s", 1 },
	{ "minute", 60 }, { "min", 60 }, { "m", 60 },
	{ "hour", 3600 }, { "h", 3600 },
	{ "day", 86400 }, { "d", 86400 },
};

int fw_rate_parse(const char *arg, __u32 *num, __u32 *unit)
{
	const char *slash = strchr(arg, '/');
	char n[16];
	unsigned i;

	*unit = 1;
	if (slash) {
		if (slash - arg >= (long)sizeof(n))
			return -EINVAL;
		memcpy(n, arg, slash - arg);
		n[slash - arg] = '\0';
		for (i = 0; i < ARRAY_SIZE(units); i++)
			if (!strcmp(slash + 1, units[i].name))
				break;
		if (i == ARRAY_SIZE(units))
			return -EINVAL;
		*unit = units[i].secs;
	} else {
		snprintf(n, sizeof(n), "%s", arg);
	}
	if (pcn_parse_u32(n, 10, num) || *num < 1 || *num > FW_RATE_MAX)
		return -EINVAL;
	return 0;
}

const char *fw_rate_str(const struct fw_rule *r, char *buf, size_t size)
{
	const char *u = r->limit_unit == 86400 ? "day" :
			r->limit_unit == 3600 ? "hour" :
			r->limit_unit == 60 ? "minute" : "second";

	snprintf(buf, size, "%u/%s", r->limit_num, u);
	return buf;
}

static const char *const levels[] = { "emerg", "alert", "crit", "err",
				      "warning", "notice", "info", "debug" };

int fw_log_level_parse(const char *arg, __u8 *level)
{
	__u32 v;
	unsigned i;

	for (i = 0; i < ARRAY_SIZE(levels); i++)
		if (!strcmp(arg, levels[i]))
			break;
	if (i < ARRAY_SIZE(levels)) {
		*level = i;
		return 0;
	}
	if (!strcmp(arg, "error") || !strcmp(arg, "warn")) {
		*level = arg[0] == 'e' ? 3 : 4;
		return 0;
	}
	if (pcn_parse_u32(arg, 10, &v) || v > 7)
		return -EINVAL;
	*level = v;
	return 0;
}

const char *fw_log_level_name(__u8 level)
{
	return levels[level & 7];
}

int fw_log_prefix_set(const char *arg, struct fw_rule *r)
{
	const char *p;

	if (strlen(arg) > FW_LOG_PREFIX_MAX)
		return -E2BIG;
	/* written back between double quotes, one line */
	for (p = arg; *p; p++)
		if (!isprint((unsigned char)*p) || *p == '"' || *p == '\'' ||
		    *p == '\\')
			return -EINVAL;
	memset(r->log_prefix, 0, sizeof(r->log_prefix));
	memcpy(r->log_prefix, arg, strlen(arg));
	return 0;
}

int fw_mark_parse(const char *arg, struct fw_rule *r)
{
	const char *slash = strchr(arg, '/');
	char v[24];

	if (slash) {
		if (slash - arg >= (long)sizeof(v))
			return -EINVAL;
		memcpy(v, arg, slash - arg);
		v[slash - arg] = '\0';
		if (pcn_parse_u32(slash + 1, 0, &r->mark_mask) ||
		    !r->mark_mask)
			return -EINVAL;
	} else {
		snprintf(v, sizeof(v), "%s", arg);
		r->mark_mask = 0xffffffffu;
	}
	if (pcn_parse_u32(v, 0, &r->mark_value) ||
	    (r->mark_value & ~r->mark_mask))
		return -EINVAL;
	r->fields |= FW_F_MARK;
	return 0;
}

const char *fw_mark_str(const struct fw_rule *r, char *buf, size_t size)
{
	if (r->mark_mask == 0xffffffffu)
		snprintf(buf, size, "0x%x", r->mark_value);
	else
		snprintf(buf, size, "0x%x/0x%x", r->mark_value, r->mark_mask);
	return buf;
}

void fw_log_default_limit(struct fw_rule *r)
{
	if (r->action != FW_LOG || (r->fields & FW_F_LIMIT))
		return;
	r->fields |= FW_F_LIMIT;
	r->limit_by = FW_LIMIT_RULE;
	r->limit_num = FW_LOG_RATE;
	r->limit_unit = 1;
	r->limit_burst = FW_LOG_BURST;
	r->limit_plen = 128;
}

int fw_rule_mode_check(const char *fw, const struct fw_rule *r)
{
	struct pcn_cube c;
	int err;

	if (!(r->fields & FW_F_MARK))
		return 0;
	err = cube_open_type(fw, "firewall", &c, true);
	if (err)
		return err;
	err = mode_same_hook(c.meta.mode, PCN_MODE_TC) ? 0 :
	      pcn_err(PCN_EXIT_USAGE,
		      "mark: \"%s\" is an XDP cube, and XDP has no packet mark (tc mode has)",
		      fw);
	cube_close(&c);
	return err;
}

void fw_limit_seed(struct fw_rule *r)
{
	static __u32 next;

	r->limit_seed = 0;
	if (!(r->fields & FW_F_LIMIT))
		return;
	/* new for each rule: a bucket left by a rule of the same id is
	 * not taken for this one's; 0 is never one */
	if (!next && getrandom(&next, sizeof(next), 0) != sizeof(next))
		next = (__u32)getpid() * 2654435761u;
	r->limit_seed = ++next ?: ++next;
}
