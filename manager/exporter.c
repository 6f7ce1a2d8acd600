// SPDX-License-Identifier: GPL-2.0-only
/* `xdpkit exporter`: serves GET /metrics over HTTP (libmicrohttpd) for Prometheus, reading the
 * kernel on each scrape (manager/metrics.c writes the document). One thread of libmicrohttpd's
 * answers the requests one at a time; the main thread waits for SIGTERM or SIGINT and stops it. */
#include "metrics.h"
#include "opts.h"
#include "runtime.h"
#include "xdpkit.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int do_exporter(int argc, char **argv);

/* Loopback by default: the rule texts are addresses the operator blocks. */
#define XK_EXPORTER_LISTEN "127.0.0.1:9435"
#define XK_METRICS_TYPE "text/plain; version=0.0.4; charset=utf-8"

struct exporter {
	struct xk_metrics_opts metrics;
	unsigned long scrapes;
};

static enum MHD_Result reply(struct MHD_Connection *c, unsigned int status, const char *text)
{
	struct MHD_Response *r =
		MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *upload_data,
			      size_t *upload_data_size, void **con_cls)
{
	struct exporter *e = cls;
	struct MHD_Response *r;
	enum MHD_Result ret;
	char *buf = NULL, msg[160];
	size_t len = 0;
	FILE *f;
	int err;

	(void)version;
	(void)upload_data;
	(void)upload_data_size;
	(void)con_cls;
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD\n");
	if (strcmp(url, "/metrics"))
		return reply(c, MHD_HTTP_NOT_FOUND, "not found: the metrics are at /metrics\n");
	f = open_memstream(&buf, &len);
	if (!f)
		return reply(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
	err = xk_metrics_write(f, &e->metrics);
	if (fclose(f) && !err)
		err = -ENOMEM;
	if (err) {
		free(buf);
		snprintf(msg, sizeof(msg), "xdpkit: cannot read the metrics: %s\n", strerror(-err));
		fputs(msg, stderr);
		return reply(c, MHD_HTTP_INTERNAL_SERVER_ERROR, msg);
	}
	e->scrapes++;
	r = MHD_create_response_from_buffer(len, buf, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(buf);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, XK_METRICS_TYPE);
	ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

/* ADDR:PORT, [V6ADDR]:PORT or :PORT (every address) into host and port. 0 or an exit code. */
static int split_listen(const char *arg, char *host, size_t hlen, char *port, size_t plen)
{
	const char *colon, *h = arg, *hend;
	char *end;
	long p;

	if (*arg == '[') {
		hend = strchr(arg, ']');
		if (!hend || hend[1] != ':')
			goto bad;
		h = arg + 1;
		colon = hend + 1;
	} else {
		colon = strrchr(arg, ':');
		if (!colon || memchr(arg, ':', colon - arg))
			goto bad; /* a bare IPv6 address needs its brackets */
		hend = colon;
	}
	errno = 0;
	p = strtol(colon + 1, &end, 10);
	if (errno || *end || !colon[1] || p < 1 || p > 65535 || (size_t)(hend - h) >= hlen)
		goto bad;
	snprintf(host, hlen, "%.*s", (int)(hend - h), h);
	snprintf(port, plen, "%ld", p);
	return 0;
bad:
	return xk_error(XK_EXIT_USAGE,
			"--listen '%s': expected ADDR:PORT with a port of 1-65535 (127.0.0.1:9435, "
			"[::1]:9435, or :9435 for every address)",
			arg);
}

/* A listening socket on ADDR:PORT, or an exit code after saying why (in use: 1, bad address: 2). */
static int open_listener(const char *arg, int *out)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICSERV | AI_ADDRCONFIG };
	struct addrinfo *ai = NULL, *a;
	char host[256], port[8];
	int fd = -1, err, one = 1, zero = 0;

	err = split_listen(arg, host, sizeof(host), port, sizeof(port));
	if (err)
		return err;
	/* ":PORT": the IPv6 wildcard taking IPv4 too, else the IPv4 one. */
	hints.ai_family = host[0] ? AF_UNSPEC : AF_INET6;
	err = getaddrinfo(host[0] ? host : NULL, port, &hints, &ai);
	if (err && !host[0]) {
		hints.ai_family = AF_INET;
		err = getaddrinfo(NULL, port, &hints, &ai);
	}
	if (err)
		return xk_error(XK_EXIT_USAGE, "--listen '%s': cannot resolve '%s': %s", arg, host,
				gai_strerror(err));
	err = 0;
	for (a = ai; a && fd < 0; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (a->ai_family == AF_INET6 && !host[0])
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
		if (bind(fd, a->ai_addr, a->ai_addrlen) || listen(fd, 64)) {
			err = errno;
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(ai);
	if (fd < 0) {
		if (err == EADDRINUSE)
			return xk_error(XK_EXIT_FAIL,
					"cannot listen on %s: the address is in use (another "
					"exporter?); choose another port with --listen",
					arg);
		if (err == EADDRNOTAVAIL)
			return xk_error(XK_EXIT_FAIL,
					"cannot listen on %s: no interface here has that address",
					arg);
		return xk_error(XK_EXIT_FAIL, "cannot listen on %s: %s", arg, strerror(err));
	}
	*out = fd;
	return 0;
}

/* Root without CAP_SYS_ADMIN (a unit that dropped it) sees no program by id, and every scrape would
 * be an empty document that looks like an idle host: refuse at start instead. 0 or an exit code. */
static int need_prog_access(void)
{
	__u32 id = 0;
	int fd = -1;

	/* Listing ids and opening one both take it. */
	if (!bpf_prog_get_next_id(0, &id))
		fd = bpf_prog_get_fd_by_id(id);
	if (fd >= 0)
		close(fd);
	if (fd >= 0 || (errno != EPERM && errno != EACCES))
		return 0; /* it can, or nothing is loaded (ENOENT) */
	return xk_error(XK_EXIT_ENV,
			"exporter: cannot open loaded BPF programs (%s): the kernel asks for "
			"CAP_SYS_ADMIN; keep it in the unit's CapabilityBoundingSet",
			strerror(errno));
}

struct exporter_args {
	struct exporter *e;
	const char *listen_on;
	bool no_run_time;
};

static int exporter_opt(void *ctx, int key, const char *val)
{
	struct exporter_args *a = ctx;

	switch (key) {
	case 'l':
		a->listen_on = val;
		break;
	case 't':
		return xk_metrics_parse_top(val, &a->e->metrics.top);
	case 'R':
		a->no_run_time = true;
		break;
	}
	return 0;
}

int do_exporter(int argc, char **argv)
{
	struct exporter e = { .metrics.top = XK_METRICS_TOP_DEFAULT };
	struct exporter_args a = { .e = &e, .listen_on = XK_EXPORTER_LISTEN };
	int err, fd = -1, rt_fd = -1, sig = 0;
	struct xk_words words;
	struct MHD_Daemon *d;
	sigset_t stop;

	err = xk_opts_parse(&xk_verb_exporter, argc, argv, exporter_opt, &a, &words);
	if (err)
		return err == XK_OPTS_HELP ? XK_EXIT_OK : err;
	if (xk.json)
		return xk_error(
			XK_EXIT_USAGE,
			"exporter: --json does not apply; it serves the Prometheus text format");
	err = xk_need_root();
	if (!err)
		err = xk_need_bpffs();
	if (!err)
		err = need_prog_access();
	if (!err)
		err = open_listener(a.listen_on, &fd);
	if (err)
		return err;
	/* Timing every run costs time, so the kernel does it only while asked: for the exporter's
	 * lifetime. The kernel counts requests with the sysctl and turns timing off again when the
	 * descriptor closes (at exit, even on SIGKILL), unless someone else still asks. */
	if (!a.no_run_time) {
		rt_fd = xk_runtime_enable();
		if (rt_fd < 0)
			fprintf(stderr,
				"xdpkit: exporter: the kernel's BPF run-time statistics cannot be "
				"turned on (%s; Linux 5.8+): no run time per program\n",
				strerror(-rt_fd));
	}
	/* Blocked here, before libmicrohttpd's thread starts, so that thread inherits the mask and
	 * the signals come to sigwait below. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL, 0, NULL, NULL, handle,
			     &e, MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_CONNECTION_TIMEOUT,
			     (unsigned int)30, MHD_OPTION_CONNECTION_LIMIT, (unsigned int)64,
			     MHD_OPTION_END);
	if (!d) {
		close(fd);
		if (rt_fd >= 0)
			close(rt_fd);
		return xk_error(XK_EXIT_FAIL, "cannot start the HTTP server on %s (libmicrohttpd)",
				a.listen_on);
	}
	printf("xdpkit exporter: serving http://%s/metrics\n", a.listen_on);
	fflush(stdout);
	while (sigwait(&stop, &sig))
		;
	/* Finishes the request under way, then closes the listening socket (given to it). */
	MHD_stop_daemon(d);
	if (rt_fd >= 0)
		close(rt_fd);
	printf("xdpkit exporter: stopped by %s after %lu scrapes\n", strsignal(sig), e.scrapes);
	return XK_EXIT_OK;
}

static const struct xk_opt exporter_opts[] = {
	{ .name = "listen",
	  .key = 'l',
	  .shrt = 'l',
	  .arg = "ADDR:PORT",
	  .help = "where to listen (default " XK_EXPORTER_LISTEN "; [::1]:PORT for IPv6, :PORT for "
		  "every address)" },
	{ .name = "top",
	  .key = 't',
	  .arg = "N",
	  .help = "the N rules (and ratelimit sources) per map with most hits (default 100); how "
		  "many were left out is a metric too" },
	{ .name = "no-run-time",
	  .key = 'R',
	  .help = "leave the kernel's BPF run-time statistics as they are (by default they are on for "
		  "as long as the exporter runs, for the run time per program; timing every run "
		  "costs time on every packet)" },
	{ 0 },
};

const struct xk_verb xk_verb_exporter = {
	.name = "exporter",
	.summary = "serve the metrics (stats --prometheus) over HTTP for Prometheus",
	.synopsis = "exporter [--listen ADDR:PORT] [--top N] [--no-run-time]",
	.description =
		"Serve what 'xdpkit stats --prometheus' prints at http://ADDR:PORT/metrics for "
		"Prometheus (text format 0.0.4), read from the kernel on each scrape: every attached "
		"program of this network namespace, rule hit counters and ratelimit drops. Other "
		"paths get 404, other methods than GET and HEAD 405. Stops cleanly on SIGTERM or "
		"SIGINT. An address in use exits 1, a bad --listen 2.",
	.opts = exporter_opts,
	.max_words = 0,
	.fn = do_exporter,
};
