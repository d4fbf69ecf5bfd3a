/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How the engine (lib/) fails. Every function of lib/ that can fail
 * returns 0 (or a count, an fd, an index: >= 0) on success and -errno on
 * failure; it never prints and never exits. Where the errno alone would
 * not tell the user what went wrong, it also leaves a reason: the whole
 * message, as the command reports it after "Error: ".
 *
 *	return pcn_fail(-EBUSY, "interface \"%s\" is already connected to %s:%s",
 *			ifname, cube, port);
 *	return pcn_fail_sys(-errno, "cannot lock %s", root);
 *
 * The command (pcn/) reports an engine error with pcn_err_kernel() (see
 * pcn/report.h): the reason if the engine left one for that errno, else
 * its own words and strerror().
 */
#ifndef __PCN_ERROR_H
#define __PCN_ERROR_H

/*
 * Leave @fmt as the reason of the error @err (negative) being returned.
 * Return: @err.
 */
int pcn_fail(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * The same, with ": strerror(-@err)" (and the verifier's last word, if
 * libbpf logged one) after @fmt.
 * Return: @err.
 */
int pcn_fail_sys(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * The reason left with error @err, or NULL when the last one left was
 * for another error (or none was).
 * Return: the message, valid until the next pcn_fail*().
 */
const char *pcn_reason(int err);

/* Forget the reason left last, before a call whose error is reported. */
void pcn_reason_clear(void);

/*
 * The verifier's (through libbpf) last meaningful line, for a program
 * the kernel refused; "" if none since pcn_libbpf_log_reset().
 * Return: the line, in static storage (never NULL).
 */
const char *pcn_libbpf_last_log(void);
void pcn_libbpf_log_reset(void);
/* Keep libbpf's last line; print all it says to stderr with @verbose. */
void pcn_libbpf_setup(int verbose);

#endif /* __PCN_ERROR_H */
